"""SigV4 verification against requests signed by botocore itself: real clients, presigned URLs, AWS's own vectors."""
from __future__ import annotations

import datetime as dt
from urllib.parse import unquote, urlsplit

import boto3
import botocore.auth
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import ReadOnlyCredentials
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from sandbox.endpoint import sigv4_errors as messages
from sandbox.endpoint.sigv4 import (
    Credential,
    IncomingRequest,
    decode_aws_chunked,
    parse_aws_chunked,
    url_from_environ,
    verify,
)
from sandbox.endpoint.sigv4_errors import Failure, Protocol, SigV4Error, error_entry

SIGNED_AT = dt.datetime(2024, 1, 1, 0, 30)  # what botocore's clock reads in these tests (naive UTC, as botocore's)
NOW = SIGNED_AT.replace(tzinfo=dt.UTC)
ENDPOINT = "http://127.0.0.1:8000/aws"

USER = Credential(access_key_id="AKIASANDBOXUSER00001", secret_access_key="user/secret+key=1", owner="user:alice")
SESSION = Credential(
    access_key_id="ASIASANDBOXSESSION01",
    secret_access_key="session/secret+key=2",
    session_token="FwoGZXIvYXdzEXAMPLE//session+token==",
    expires_at=NOW + dt.timedelta(hours=1),
    owner="session:alice-admin",
)
EXPIRED = Credential(
    access_key_id="ASIASANDBOXEXPIRED01",
    secret_access_key="expired-secret",
    session_token="FwoGZXIvYXdzEXPIRED",
    expires_at=NOW - dt.timedelta(seconds=1),
    owner="session:old",
)
KEYS = {key.access_key_id: key for key in (USER, SESSION, EXPIRED)}
AWKWARD_KEY = "reports/2024 Q1/ünïcødé +plus %percent !*'()~ & = ?.txt"


def lookup(access_key_id):
    return KEYS.get(access_key_id)


@pytest.fixture(autouse=True)
def frozen_botocore_clock(monkeypatch):
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *args, **kwargs: SIGNED_AT)


def at(minutes):
    """Freeze botocore's clock `minutes` away from the verifier's NOW."""
    return SIGNED_AT + dt.timedelta(minutes=minutes)


# Capturing what botocore sends -------------------------------------------------------------------------------------


class _Raw:
    """Just enough of a urllib3 response for botocore to parse a fake answer."""

    def __init__(self, body):
        self._body = body

    def stream(self, **kwargs):
        yield self._body


def client_request(service, operation, endpoint=ENDPOINT, credential=USER, config=None, **params):
    """Call a real boto3 client; a before-send handler captures the signed request and answers it with a fake 200."""
    captured = []

    def before_send(request, event_name, **kwargs):
        captured.append(request)
        name = event_name.rsplit(".", 1)[-1]
        json = b"json" in _bytes(request.headers.get("Content-Type", b""))
        body = b"{}" if json else f"<{name}Response><{name}Result/></{name}Response>".encode()
        return AWSResponse(request.url, 200, {}, _Raw(body))

    client = boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=credential.access_key_id,
        aws_secret_access_key=credential.secret_access_key,
        aws_session_token=credential.session_token,
        config=config,
    )
    client.meta.events.register("before-send", before_send)
    getattr(client, operation)(**params)
    return incoming(captured[-1])


def presigned_url(operation="get_object", credential=USER, config=None, expires_in=300, **params):
    client = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=credential.access_key_id,
        aws_secret_access_key=credential.secret_access_key,
        aws_session_token=credential.session_token,
        config=config,
    )
    params = params or {"Bucket": "b", "Key": AWKWARD_KEY}
    return client.generate_presigned_url(operation, Params=params, ExpiresIn=expires_in)


def signed_request(service, method, url, *, headers=None, body=b"", credential=USER, context=None):
    """Sign an AWSRequest with botocore's signer directly (S3SigV4Auth for s3), as a client would."""
    request = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    request.context.update(context or {})
    secrets = ReadOnlyCredentials(credential.access_key_id, credential.secret_access_key, credential.session_token)
    (S3SigV4Auth if service == "s3" else SigV4Auth)(secrets, service, "us-east-1").add_auth(request)
    return incoming(request.prepare())


def incoming(prepared):
    """The request as our endpoint receives it: the HTTP client adds `Host: host:port` from the URL."""
    body = prepared.body
    if hasattr(body, "read"):
        body = body.read()
    headers = [(name, _bytes(value).decode()) for name, value in prepared.headers.items()]
    headers.append(("Host", urlsplit(prepared.url).netloc))
    return IncomingRequest.build(method=prepared.method, url=prepared.url, headers=headers, body=_bytes(body or b""))


def browser_get(url):
    return IncomingRequest.build(method="GET", url=url, headers={"Host": urlsplit(url).netloc, "User-Agent": "curl"})


def _bytes(value):
    return value.encode() if isinstance(value, str) else bytes(value)


def replace(request, *, url=None, body=None, headers=None, drop=()):
    """A copy of `request` with a changed URL, body or headers (names in `drop` removed, `headers` set)."""
    changed = {name.lower() for name in headers or {}} | {name.lower() for name in drop}
    kept = [(name, value) for name, value in request.headers if name.lower() not in changed]
    return IncomingRequest(
        request.method,
        url or request.url,
        tuple(kept) + tuple((headers or {}).items()),
        request.body if body is None else body,
    )


def refused(request, **kwargs):
    with pytest.raises(SigV4Error) as caught:
        verify(request, lookup=lookup, now=kwargs.pop("now", NOW), **kwargs)
    return caught.value


# Requests from real clients ----------------------------------------------------------------------------------------


class ClientRequestTests:
    def test_iam_query_post_verifies(self):
        verified = verify(client_request("iam", "list_roles"), lookup=lookup, now=NOW)

        assert (verified.service, verified.region, verified.access_key_id) == ("iam", "us-east-1", USER.access_key_id)
        assert verified.credential.owner == "user:alice"
        assert verified.signed_at == NOW
        assert verified.presigned is False
        assert verified.payload == b"Action=ListRoles&Version=2010-05-08"

    def test_iam_call_with_parameters_verifies(self):
        request = client_request("iam", "create_role", RoleName="r&d team", AssumeRolePolicyDocument='{"a": "ü +"}')

        assert verify(request, lookup=lookup, now=NOW).service == "iam"

    def test_sts_verifies(self):
        assert verify(client_request("sts", "get_caller_identity"), lookup=lookup, now=NOW).service == "sts"

    def test_organizations_json_with_x_amz_target_verifies(self):
        request = client_request("organizations", "list_accounts")

        verified = verify(request, lookup=lookup, now=NOW)

        assert verified.service == "organizations"
        assert "x-amz-target" in verified.signed_headers

    def test_s3_put_object_with_awkward_key_verifies(self):
        request = client_request("s3", "put_object", Bucket="b", Key=AWKWARD_KEY, Body=b"hello")

        verified = verify(request, lookup=lookup, now=NOW)

        assert urlsplit(request.url).path.startswith("/aws/b/reports/2024%20Q1/")
        assert verified.payload == b"hello"

    def test_s3_get_object_with_awkward_key_verifies(self):
        request = client_request("s3", "get_object", Bucket="b", Key=AWKWARD_KEY, VersionId="v 1")

        assert verify(request, lookup=lookup, now=NOW).service == "s3"

    def test_s3_list_with_query_parameters_verifies(self):
        request = client_request("s3", "list_objects_v2", Bucket="b", Prefix="a b/ü", Delimiter="/", StartAfter="")

        assert verify(request, lookup=lookup, now=NOW).service == "s3"

    def test_s3_put_over_https_streams_an_unsigned_trailer_and_is_decoded(self):
        request = client_request(
            "s3", "put_object", endpoint="https://127.0.0.1:8000/aws", Bucket="b", Key="k", Body=b"hello"
        )

        verified = verify(request, lookup=lookup, now=NOW)

        assert request.header("X-Amz-Content-SHA256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        assert verified.payload == b"hello"
        assert verified.trailers == (("x-amz-checksum-crc32", "NhCmhg=="),)

    def test_temporary_credentials_verify_with_their_session_token(self):
        verified = verify(client_request("sts", "get_caller_identity", credential=SESSION), lookup=lookup, now=NOW)

        assert verified.credential is SESSION
        assert "x-amz-security-token" in verified.signed_headers

    def test_an_unsigned_extra_header_is_ignored(self):
        request = replace(client_request("iam", "list_roles"), headers={"User-Agent": "other", "X-Forwarded-For": "1"})

        assert verify(request, lookup=lookup, now=NOW).service == "iam"

    def test_exactly_fifteen_minutes_of_skew_is_accepted(self, monkeypatch):
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *args, **kwargs: at(-15))

        assert verify(client_request("iam", "list_roles"), lookup=lookup, now=NOW).service == "iam"


class SignerRequestTests:
    """Requests signed by botocore's SigV4Auth / S3SigV4Auth on an AWSRequest, without a client."""

    def test_iam_form_post_verifies(self):
        request = signed_request(
            "iam",
            "POST",
            f"{ENDPOINT}/",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            body=b"Action=GetRole&RoleName=admin&Version=2010-05-08",
        )

        assert verify(request, lookup=lookup, now=NOW).payload.startswith(b"Action=GetRole")

    def test_s3_get_with_repeated_and_empty_query_parameters_verifies(self):
        request = signed_request("s3", "GET", f"{ENDPOINT}/b/key?tag=b&tag=a&empty=&flag&x=%2F%20")

        assert verify(request, lookup=lookup, now=NOW).service == "s3"

    def test_repeated_headers_verify(self):
        request = AWSRequest(method="GET", url=f"{ENDPOINT}/b/key", headers={"X-Amz-Meta-A": "1"})
        request.headers["X-Amz-Meta-A"] = "2"  # HTTPHeaders keeps both; the canonical form is `x-amz-meta-a:1,2`
        S3SigV4Auth(ReadOnlyCredentials(USER.access_key_id, USER.secret_access_key, None), "s3", "us-east-1").add_auth(
            request
        )

        assert verify(incoming(request), lookup=lookup, now=NOW).service == "s3"  # not prepare(): it folds repeats

    def test_a_repeated_header_with_an_unsigned_extra_value_is_refused(self):
        request = signed_request("s3", "GET", f"{ENDPOINT}/b/key", headers={"X-Amz-Meta-A": "1"})
        request = IncomingRequest(request.method, request.url, (*request.headers, ("X-Amz-Meta-A", "2")), request.body)

        assert refused(request).code == "SignatureDoesNotMatch"

    def test_a_date_header_instead_of_x_amz_date_verifies(self):
        request = signed_request("iam", "GET", f"{ENDPOINT}/?Action=ListRoles", headers={"Date": "x"})

        assert request.header("X-Amz-Date") is None
        assert verify(request, lookup=lookup, now=NOW).signed_at == NOW


# Presigned URLs ----------------------------------------------------------------------------------------------------


class PresignedUrlTests:
    def test_s3v4_presigned_get_verifies(self):
        url = presigned_url(config=Config(signature_version="s3v4"))

        verified = verify(browser_get(url), lookup=lookup, now=NOW + dt.timedelta(minutes=4))

        assert verified.presigned is True
        assert verified.expires_at == NOW + dt.timedelta(seconds=300)
        assert verified.signed_headers == ("host",)

    def test_s3v4_presigned_get_with_session_token_verifies(self):
        url = presigned_url(credential=SESSION, config=Config(signature_version="s3v4"))

        assert "X-Amz-Security-Token=" in url
        assert verify(browser_get(url), lookup=lookup, now=NOW).credential is SESSION

    def test_presigned_query_api_url_verifies_with_the_method_it_was_signed_for(self):
        client = boto3.client(
            "sts",
            endpoint_url=ENDPOINT,
            region_name="us-east-1",
            aws_access_key_id=USER.access_key_id,
            aws_secret_access_key=USER.secret_access_key,
        )
        url = client.generate_presigned_url("get_caller_identity", ExpiresIn=60)  # botocore signs it for POST
        request = IncomingRequest.build(method="POST", url=url, headers={"Host": "127.0.0.1:8000"})

        verified = verify(request, lookup=lookup, now=NOW)

        assert (verified.service, verified.presigned) == ("sts", True)
        assert refused(browser_get(url)).code == "SignatureDoesNotMatch"

    def test_default_boto3_presigned_url_is_legacy_v2_and_verifies_under_the_mount(self):
        url = presigned_url()

        verified = verify(browser_get(url), lookup=lookup, now=dt.datetime.now(dt.UTC), mount_path="/aws")

        assert "AWSAccessKeyId=" in url
        assert verified.signature_version == 2

    def test_legacy_v2_presigned_url_with_session_token_verifies(self):
        url = presigned_url(credential=SESSION)

        verified = verify(browser_get(url), lookup=lookup, now=NOW, mount_path="/aws")

        assert verified.credential is SESSION

    def test_legacy_v2_with_wrong_secret_is_signature_does_not_match(self):
        url = presigned_url(credential=Credential(access_key_id=USER.access_key_id, secret_access_key="no", owner=None))

        error = refused(browser_get(url), mount_path="/aws")

        assert (error.code, error.message) == ("SignatureDoesNotMatch", messages.S3_SIGNATURE_DOES_NOT_MATCH)

    def test_legacy_v2_past_its_expiry_is_request_has_expired(self):
        url = presigned_url(expires_in=60)

        error = refused(browser_get(url), now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2), mount_path="/aws")

        assert (error.code, error.message, error.status) == ("AccessDenied", "Request has expired", 403)

    def test_presigned_url_past_x_amz_expires_is_request_has_expired(self):
        url = presigned_url(config=Config(signature_version="s3v4"), expires_in=60)

        error = refused(browser_get(url), now=NOW + dt.timedelta(seconds=61))

        assert (error.code, error.message, error.status) == ("AccessDenied", messages.REQUEST_EXPIRED, 403)
        assert error.extra["Expires"] == "2024-01-01T00:31:00Z"

    def test_presigned_url_is_valid_long_after_fifteen_minutes_until_it_expires(self):
        url = presigned_url(config=Config(signature_version="s3v4"), expires_in=3600)

        assert verify(browser_get(url), lookup=lookup, now=NOW + dt.timedelta(minutes=59)).presigned

    def test_presigned_url_from_the_future_is_not_yet_valid(self):
        url = presigned_url(config=Config(signature_version="s3v4"))

        error = refused(browser_get(url), now=NOW - dt.timedelta(minutes=16))

        assert (error.code, error.message) == ("AccessDenied", messages.S3_REQUEST_NOT_YET_VALID)

    def test_presigned_url_with_a_tampered_path_is_refused(self):
        url = presigned_url(config=Config(signature_version="s3v4"))

        error = refused(browser_get(url.replace("/aws/b/", "/aws/other-bucket/")))

        assert error.code == "SignatureDoesNotMatch"

    def test_presigned_url_for_more_than_a_week_is_refused(self):
        url = presigned_url(config=Config(signature_version="s3v4"), expires_in=604801)

        error = refused(browser_get(url))

        assert (error.code, error.message) == ("AuthorizationQueryParametersError", messages.EXPIRES_TOO_LARGE)

    def test_presigned_url_without_its_session_token_is_an_unknown_key(self):
        url = presigned_url(credential=SESSION, config=Config(signature_version="s3v4"))
        without_token = "&".join(part for part in url.split("&") if not part.startswith("X-Amz-Security-Token="))

        error = refused(browser_get(without_token))

        assert (error.code, error.message) == ("InvalidAccessKeyId", messages.S3_INVALID_ACCESS_KEY_ID)

    def test_presigned_url_with_a_header_signature_too_is_ambiguous(self):
        url = presigned_url(config=Config(signature_version="s3v4"))
        request = replace(browser_get(url), headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"})

        assert refused(request).code == "InvalidArgument"

    def test_presigned_url_missing_parameters_is_authorization_query_parameters_error(self):
        url = presigned_url(config=Config(signature_version="s3v4"))
        without_date = "&".join(part for part in url.split("&") if not part.startswith("X-Amz-Date="))

        error = refused(browser_get(without_date))

        assert error.code == "AuthorizationQueryParametersError"
        assert error.message == messages.S3_QUERY_PARAMETERS_REQUIRED


# Failures, per protocol --------------------------------------------------------------------------------------------

SIGNATURE_MISMATCH = {
    "iam": ("SignatureDoesNotMatch", messages.SIGNATURE_DOES_NOT_MATCH, 403),
    "s3": ("SignatureDoesNotMatch", messages.S3_SIGNATURE_DOES_NOT_MATCH, 403),
    "organizations": ("InvalidSignatureException", messages.SIGNATURE_DOES_NOT_MATCH, 400),
}
CALLS = {
    "iam": ("list_roles", {}),
    "s3": ("put_object", {"Bucket": "b", "Key": AWKWARD_KEY, "Body": b"hello"}),
    "organizations": ("list_accounts", {}),
}


def call(service, credential=USER, config=None):
    operation, params = CALLS[service]
    return client_request(service, operation, credential=credential, config=config, **params)


def as_tuple(error):
    return error.code, error.message, error.status


class FailureTests:
    @pytest.mark.parametrize("service", CALLS)
    def test_wrong_secret_is_signature_does_not_match(self, service):
        wrong = Credential(access_key_id=USER.access_key_id, secret_access_key="wrong", owner=None)

        error = refused(call(service, credential=wrong))

        assert as_tuple(error) == SIGNATURE_MISMATCH[service]
        assert error.failure is Failure.SIGNATURE_MISMATCH
        assert error.extra["CanonicalRequest"].startswith(("POST\n/aws", "PUT\n/aws"))

    @pytest.mark.parametrize(
        ("service", "expected"),
        [
            ("iam", ("InvalidClientTokenId", messages.INVALID_CLIENT_TOKEN_ID, 403)),
            ("s3", ("InvalidAccessKeyId", messages.S3_INVALID_ACCESS_KEY_ID, 403)),
            ("organizations", ("UnrecognizedClientException", messages.INVALID_CLIENT_TOKEN_ID, 400)),
        ],
    )
    def test_unknown_key(self, service, expected):
        stranger = Credential(access_key_id="AKIASTRANGER00000001", secret_access_key="x", owner=None)

        assert as_tuple(refused(call(service, credential=stranger))) == expected

    def test_tampered_query_body_is_signature_does_not_match(self):
        request = client_request("iam", "get_role", RoleName="reader")

        error = refused(replace(request, body=request.body.replace(b"reader", b"admin1")))

        assert as_tuple(error) == SIGNATURE_MISMATCH["iam"]

    def test_tampered_json_body_is_invalid_signature(self):
        request = client_request("organizations", "describe_account", AccountId="111111111111")

        error = refused(replace(request, body=request.body.replace(b"111111111111", b"222222222222")))

        assert as_tuple(error) == SIGNATURE_MISMATCH["organizations"]

    def test_tampered_s3_body_is_content_sha256_mismatch(self):
        request = call("s3")

        error = refused(replace(request, body=b"HELLO"))

        assert as_tuple(error) == ("XAmzContentSHA256Mismatch", messages.S3_CONTENT_SHA256_MISMATCH, 400)

    @pytest.mark.parametrize("service", CALLS)
    def test_tampered_path_is_refused(self, service):
        request = call(service)
        parts = urlsplit(request.url)

        error = refused(replace(request, url=parts._replace(path=parts.path + "x").geturl()))

        assert as_tuple(error) == SIGNATURE_MISMATCH[service]

    @pytest.mark.parametrize(
        ("service", "header", "value"),
        [
            ("iam", "Content-Type", "text/plain"),
            ("organizations", "X-Amz-Target", "AWSOrganizationsV20161128.DeleteOrganization"),
            ("s3", "Host", "evil.example:8000"),
        ],
    )
    def test_tampered_signed_header_is_refused(self, service, header, value):
        error = refused(replace(call(service), headers={header: value}))

        assert as_tuple(error) == SIGNATURE_MISMATCH[service]

    def test_host_without_its_port_is_refused(self):
        error = refused(replace(call("iam"), headers={"Host": "127.0.0.1"}))

        assert error.code == "SignatureDoesNotMatch"

    def test_unsigned_x_amz_header_on_s3_is_headers_not_signed(self):
        error = refused(replace(call("s3"), headers={"x-amz-acl": "public-read"}))

        assert as_tuple(error) == ("AccessDenied", messages.S3_HEADERS_NOT_SIGNED, 403)
        assert error.extra["HeadersNotSigned"] == "x-amz-acl"

    @pytest.mark.parametrize(
        ("service", "minutes", "expected"),
        [
            (
                "iam",
                -16,
                (
                    "SignatureDoesNotMatch",
                    "Signature expired: 20240101T001400Z is now earlier than 20240101T001500Z "
                    "(20240101T003000Z - 15 min.)",
                    403,
                ),
            ),
            (
                "iam",
                16,
                (
                    "SignatureDoesNotMatch",
                    "Signature not yet current: 20240101T004600Z is still later than 20240101T004500Z "
                    "(20240101T003000Z + 15 min.)",
                    403,
                ),
            ),
            ("s3", -16, ("RequestTimeTooSkewed", messages.S3_REQUEST_TIME_TOO_SKEWED, 403)),
            ("s3", 16, ("RequestTimeTooSkewed", messages.S3_REQUEST_TIME_TOO_SKEWED, 403)),
            (
                "organizations",
                -16,
                (
                    "InvalidSignatureException",
                    "Signature expired: 20240101T001400Z is now earlier than 20240101T001500Z "
                    "(20240101T003000Z - 15 min.)",
                    400,
                ),
            ),
        ],
    )
    def test_clock_skew_over_fifteen_minutes(self, monkeypatch, service, minutes, expected):
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *args, **kwargs: at(minutes))

        assert as_tuple(refused(call(service))) == expected

    @pytest.mark.parametrize(
        ("service", "expected"),
        [
            ("iam", ("InvalidClientTokenId", messages.INVALID_CLIENT_TOKEN_ID, 403)),
            ("s3", ("InvalidAccessKeyId", messages.S3_INVALID_ACCESS_KEY_ID, 403)),
        ],
    )
    def test_temporary_key_without_its_token(self, service, expected):
        without_token = Credential(
            access_key_id=SESSION.access_key_id, secret_access_key=SESSION.secret_access_key, owner=None
        )

        assert as_tuple(refused(call(service, credential=without_token))) == expected

    @pytest.mark.parametrize(
        ("service", "expected"),
        [
            ("iam", ("InvalidClientTokenId", messages.INVALID_CLIENT_TOKEN_ID, 403)),
            ("s3", ("InvalidToken", messages.S3_INVALID_TOKEN, 400)),
        ],
    )
    def test_temporary_key_with_another_token(self, service, expected):
        other = Credential(
            access_key_id=SESSION.access_key_id,
            secret_access_key=SESSION.secret_access_key,
            session_token="another-session-token",
            owner=None,
        )

        assert as_tuple(refused(call(service, credential=other))) == expected

    def test_long_term_key_with_a_session_token_is_invalid(self):
        with_token = Credential(
            access_key_id=USER.access_key_id, secret_access_key=USER.secret_access_key, session_token="t", owner=None
        )

        assert refused(call("iam", credential=with_token)).code == "InvalidClientTokenId"

    @pytest.mark.parametrize(
        ("service", "expected"),
        [
            ("iam", ("ExpiredToken", messages.EXPIRED_TOKEN, 403)),
            ("s3", ("ExpiredToken", messages.S3_EXPIRED_TOKEN, 400)),
            ("organizations", ("ExpiredTokenException", messages.EXPIRED_TOKEN, 400)),
        ],
    )
    def test_expired_temporary_credentials(self, service, expected):
        assert as_tuple(refused(call(service, credential=EXPIRED))) == expected

    def test_no_signature_is_missing_authentication_token(self):
        request = IncomingRequest.build(method="POST", url=ENDPOINT, headers={"Host": "127.0.0.1:8000"}, body=b"x=1")

        error = refused(request)

        assert as_tuple(error) == ("MissingAuthenticationToken", messages.MISSING_AUTHENTICATION_TOKEN, 403)
        assert as_tuple(error.as_protocol(Protocol.S3)) == ("AccessDenied", messages.S3_ACCESS_DENIED, 403)

    def test_authorization_without_signed_headers_is_incomplete_signature(self):
        request = call("iam")
        authorization = request.header("Authorization").split(", SignedHeaders=")[0] + ", Signature=abc"

        error = refused(replace(request, headers={"Authorization": authorization}))

        assert error.code == "IncompleteSignature"
        assert error.message == f"{messages.AUTHORIZATION_REQUIRES_SIGNED_HEADERS} Authorization={authorization}"

    def test_authorization_with_a_short_credential_is_incomplete_signature(self):
        request = call("iam")
        authorization = request.header("Authorization").replace("/us-east-1/", "/")

        error = refused(replace(request, headers={"Authorization": authorization}))

        assert error.code == "IncompleteSignature"
        assert error.message.startswith("Credential must have exactly 5 slash-delimited elements")

    def test_credential_scope_with_another_terminator_is_refused(self):
        request = call("iam")
        authorization = request.header("Authorization").replace("/aws4_request", "/aws5_request")

        error = refused(replace(request, headers={"Authorization": authorization}))

        assert error.failure is Failure.INVALID_TERMINATOR

    def test_another_algorithm_is_refused(self):
        request = call("iam")
        authorization = request.header("Authorization").replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")

        assert refused(replace(request, headers={"Authorization": authorization})).code == "IncompleteSignature"

    def test_sigv2_authorization_header_is_refused_in_s3_words(self):
        error = refused(replace(call("s3"), headers={"Authorization": f"AWS {USER.access_key_id}:c2lnbmF0dXJl"}))

        assert as_tuple(error) == ("InvalidRequest", messages.S3_UNSUPPORTED_AUTHORIZATION, 400)

    def test_credential_scope_date_must_match_x_amz_date(self):
        request = call("iam")
        authorization = request.header("Authorization").replace("/20240101/", "/20231231/")

        error = refused(replace(request, headers={"Authorization": authorization}))

        assert error.failure is Failure.SCOPE_DATE_MISMATCH

    def test_missing_date_is_incomplete_signature(self):
        error = refused(replace(call("iam"), drop=("X-Amz-Date",)))

        assert error.message.startswith(messages.AUTHORIZATION_REQUIRES_DATE)

    def test_host_must_be_signed(self):
        request = signed_request("iam", "GET", f"{ENDPOINT}/?Action=ListRoles")
        authorization = request.header("Authorization").replace("=host;x-amz-date", "=x-amz-date")

        error = refused(replace(request, headers={"Authorization": authorization}))

        assert (error.code, error.message) == ("IncompleteSignature", messages.HOST_NOT_SIGNED)

    def test_s3_requires_x_amz_content_sha256(self):
        request = signed_request("iam", "GET", f"{ENDPOINT}/b/key")  # SigV4Auth: no payload header
        authorization = request.header("Authorization").replace("/iam/", "/s3/")

        error = refused(replace(request, headers={"Authorization": authorization}))

        assert as_tuple(error) == ("InvalidRequest", messages.S3_MISSING_CONTENT_SHA256, 400)

    def test_s3_refuses_a_malformed_x_amz_content_sha256(self):
        request = replace(call("s3"), headers={"X-Amz-Content-SHA256": "abc"})

        assert as_tuple(refused(request)) == ("InvalidArgument", messages.S3_INVALID_CONTENT_SHA256, 400)

    def test_s3_accepts_unsigned_payload(self):
        unsigned = Config(s3={"payload_signing_enabled": False})
        request = signed_request("s3", "PUT", f"{ENDPOINT}/b/key", body=b"data", context={"client_config": unsigned})

        assert request.header("X-Amz-Content-SHA256") == "UNSIGNED-PAYLOAD"
        assert verify(request, lookup=lookup, now=NOW).payload == b"data"

    def test_only_s3_accepts_an_unsigned_payload(self):
        request = signed_request(
            "iam",
            "POST",
            f"{ENDPOINT}/",
            headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
            body=b"Action=ListRoles&Version=2010-05-08",
        )

        assert as_tuple(refused(request)) == SIGNATURE_MISMATCH["iam"]

    def test_now_must_be_timezone_aware(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            verify(call("iam"), lookup=lookup, now=SIGNED_AT)


# aws-chunked uploads -----------------------------------------------------------------------------------------------

# AWS's published example ("Signature Calculations for the Authorization Header: Transferring Payload in Multiple
# Chunks" and its trailing-headers sibling in the S3 API reference): 64 KiB + 1 KiB of "a", signed chunk by chunk.
DOC_KEY = Credential(
    access_key_id="AKIAIOSFODNN7EXAMPLE", secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", owner="doc"
)
DOC_NOW = dt.datetime(2013, 5, 24, tzinfo=dt.UTC)
DOC_SCOPE = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
DOC_CHUNK_SIGNATURES = (
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
)
DOC_TRAILER_CHUNK_SIGNATURES = (
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
)
DOC_TRAILER = (
    b"x-amz-checksum-crc32c:sOO8/Q==\r\n"
    b"x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
)


def doc_body(signatures, trailer=b""):
    return b"".join(
        (
            f"10000;chunk-signature={signatures[0]}\r\n".encode(), b"a" * 65536, b"\r\n",
            f"400;chunk-signature={signatures[1]}\r\n".encode(), b"a" * 1024, b"\r\n",
            f"0;chunk-signature={signatures[2]}\r\n".encode(), trailer, b"\r\n",
        )
    )


def doc_request(body=None, *, trailer=False, **headers):
    signed = "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
    signed += "x-amz-storage-class"
    seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    payload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    extra = {}
    if trailer:
        signed = signed.replace(";content-length;", ";") + ";x-amz-trailer"
        seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
        payload += "-TRAILER"
        extra = {"x-amz-trailer": "x-amz-checksum-crc32c"}
    all_headers = {
        "Host": "s3.amazonaws.com",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "Authorization": f"AWS4-HMAC-SHA256 Credential={DOC_SCOPE},SignedHeaders={signed},Signature={seed}",
        "x-amz-content-sha256": payload,
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        "Content-Length": "66824",
        **extra,
        **headers,
    }
    if body is None:
        body = doc_body(DOC_TRAILER_CHUNK_SIGNATURES, DOC_TRAILER) if trailer else doc_body(DOC_CHUNK_SIGNATURES)
    return IncomingRequest.build(
        method="PUT", url="https://s3.amazonaws.com/examplebucket/chunkObject.txt", headers=all_headers, body=body
    )


def doc_verify(request):
    return verify(request, lookup={DOC_KEY.access_key_id: DOC_KEY}.get, now=DOC_NOW)


class AwsChunkedTests:
    def test_aws_documented_chunk_signed_upload_verifies_and_decodes(self):
        verified = doc_verify(doc_request())

        assert verified.payload == b"a" * 66560

    def test_aws_documented_chunk_signed_upload_with_signed_trailer_verifies(self):
        verified = doc_verify(doc_request(trailer=True))

        assert verified.payload == b"a" * 66560
        assert verified.trailers == (("x-amz-checksum-crc32c", "sOO8/Q=="),)

    def test_a_changed_byte_in_a_chunk_is_signature_does_not_match(self):
        body = doc_body(DOC_CHUNK_SIGNATURES).replace(b"\r\naaaa", b"\r\nbaaa", 1)

        with pytest.raises(SigV4Error) as caught:
            doc_verify(doc_request(body))

        assert caught.value.code == "SignatureDoesNotMatch"

    def test_a_changed_trailer_is_signature_does_not_match(self):
        body = doc_body(DOC_TRAILER_CHUNK_SIGNATURES, DOC_TRAILER.replace(b"sOO8/Q==", b"AAAAAA=="))

        with pytest.raises(SigV4Error) as caught:
            doc_verify(doc_request(body, trailer=True))

        assert caught.value.code == "SignatureDoesNotMatch"

    def test_a_truncated_body_is_incomplete_body(self):
        with pytest.raises(SigV4Error) as caught:
            doc_verify(doc_request(doc_body(DOC_CHUNK_SIGNATURES)[:66000]))

        assert (caught.value.code, caught.value.message) == ("IncompleteBody", messages.S3_INCOMPLETE_BODY)

    def test_a_decoded_length_that_disagrees_with_the_body_is_incomplete_body(self):
        trailer_checksum = {"checksum": {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-crc32"}}}
        request = signed_request(
            "s3",
            "PUT",
            f"{ENDPOINT}/b/key",
            headers={"Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": "6"},
            body=b"5\r\nhello\r\n0\r\n\r\n",
            context=trailer_checksum,
        )

        error = refused(request)

        assert request.header("X-Amz-Content-SHA256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        assert (error.code, error.message) == ("IncompleteBody", messages.S3_INCOMPLETE_BODY)

    def test_decode_aws_chunked_reads_botocore_streaming_bodies(self):
        body = AwsChunkedWrapper(_Stream(b"x" * 70000), checksum_cls=Crc32Checksum, chunk_size=65536).read()

        assert decode_aws_chunked(body) == b"x" * 70000
        assert parse_aws_chunked(body).trailers[0][0] == "x-amz-checksum"


class _Stream:
    def __init__(self, data):
        self._data, self._position = data, 0

    def read(self, size=-1):
        chunk = self._data[self._position:self._position + size]
        self._position += len(chunk)
        return chunk


# What callers pass in ----------------------------------------------------------------------------------------------


class UrlFromEnvironTests:
    def test_raw_uri_is_used_as_sent(self):
        environ = {
            "wsgi.url_scheme": "http",
            "HTTP_HOST": "127.0.0.1:8000",
            "RAW_URI": "/aws/b/a%20b?x=%2F",
            "PATH_INFO": "/aws/b/a b",
        }

        assert url_from_environ(environ) == "http://127.0.0.1:8000/aws/b/a%20b?x=%2F"

    def test_djangos_decoded_path_info_is_requoted_like_botocore(self):
        environ = {"wsgi.url_scheme": "https", "HTTP_HOST": "h:8443", "PATH_INFO": "/aws/b/ü +!.txt"}
        environ["QUERY_STRING"] = "a=%20"

        assert url_from_environ(environ) == "https://h:8443/aws/b/%C3%BC%20%2B%21.txt?a=%20"

    @pytest.mark.parametrize("key", [AWKWARD_KEY, "é", "日本語/ключ"])
    def test_a_request_seen_through_djangos_meta_verifies(self, key):
        request = client_request("s3", "put_object", Bucket="b", Key=key, Body=b"hello")
        parts = urlsplit(request.url)
        meta = {  # as Django's WSGIRequest leaves request.META when the server gives no RAW_URI
            "wsgi.url_scheme": "http",
            "HTTP_HOST": parts.netloc,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(parts.path),
            "QUERY_STRING": parts.query,
        }

        rebuilt = IncomingRequest(request.method, url_from_environ(meta), request.headers, request.body)

        assert verify(rebuilt, lookup=lookup, now=NOW).payload == b"hello"


class ErrorMappingTests:
    @pytest.mark.parametrize("protocol", list(Protocol))
    @pytest.mark.parametrize("presigned", [False, True])
    def test_every_failure_has_words_in_every_protocol(self, protocol, presigned):
        for failure in Failure:
            code, message, status = error_entry(failure, protocol, presigned=presigned)

            assert code and message and status in (400, 403)

    def test_as_protocol_keeps_the_failure_and_its_details(self):
        error = SigV4Error(Failure.TOKEN_EXPIRED, protocol=Protocol.QUERY, details={"a": "b"})

        moved = error.as_protocol(Protocol.JSON)

        assert (moved.failure, moved.code, moved.status, moved.extra) == (
            Failure.TOKEN_EXPIRED, "ExpiredTokenException", 400, {"a": "b"}
        )
