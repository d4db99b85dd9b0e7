"""Why a request's signature was refused, and the code, message and HTTP status each AWS protocol uses to say so."""
# ruff: noqa: S105  (the names and messages below speak of security tokens; none of them is a secret)
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sandbox.errors import AwsError


class Protocol(StrEnum):
    """The error dialect: Query (IAM, STS: XML `<ErrorResponse>`), JSON (`{"__type": ...}`) or S3 (XML `<Error>`)."""

    QUERY = "query"
    JSON = "json"
    S3 = "s3"


# Services (SigV4 signing names) that speak awsJson 1.0/1.1. Anything not listed here and not S3 gets Query wording.
JSON_SERVICES = frozenset(
    {"organizations", "dynamodb", "kms", "logs", "ssm", "secretsmanager", "cloudtrail", "events", "kinesis", "lambda"}
)


def protocol_for(service: str | None) -> Protocol:
    """The error dialect of a service named in a credential scope (`iam`, `s3`, `organizations` ...)."""
    if service == "s3":
        return Protocol.S3
    if service in JSON_SERVICES:
        return Protocol.JSON
    return Protocol.QUERY


class Failure(StrEnum):
    """Why verification failed, independent of how a protocol words it."""

    MISSING_AUTHENTICATION = "missing_authentication"
    AMBIGUOUS_AUTHENTICATION = "ambiguous_authentication"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    INCOMPLETE_SIGNATURE = "incomplete_signature"
    MISSING_DATE = "missing_date"
    MALFORMED_CREDENTIAL = "malformed_credential"
    INVALID_TERMINATOR = "invalid_terminator"
    INVALID_DATE = "invalid_date"
    SCOPE_DATE_MISMATCH = "scope_date_mismatch"
    INVALID_EXPIRES = "invalid_expires"
    HOST_NOT_SIGNED = "host_not_signed"
    HEADERS_NOT_SIGNED = "headers_not_signed"
    SIGNATURE_EXPIRED = "signature_expired"
    SIGNATURE_NOT_YET_CURRENT = "signature_not_yet_current"
    REQUEST_EXPIRED = "request_expired"
    REQUEST_NOT_YET_VALID = "request_not_yet_valid"
    UNKNOWN_ACCESS_KEY = "unknown_access_key"
    TOKEN_MISSING = "token_missing"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    MISSING_CONTENT_SHA256 = "missing_content_sha256"
    INVALID_CONTENT_SHA256 = "invalid_content_sha256"
    CONTENT_SHA256_MISMATCH = "content_sha256_mismatch"
    SIGNATURE_MISMATCH = "signature_mismatch"
    INCOMPLETE_BODY = "incomplete_body"


# Messages. Those marked "unsure" are reconstructed from memory of AWS responses, not from a captured response.
MISSING_AUTHENTICATION_TOKEN = "Request is missing Authentication Token"
MISSING_AUTHENTICATION_TOKEN_JSON = "Missing Authentication Token"
INVALID_CLIENT_TOKEN_ID = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
SIGNATURE_DOES_NOT_MATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
SIGNATURE_EXPIRED = "Signature expired: {timestamp} is now earlier than {limit} ({now} - 15 min.)"
SIGNATURE_NOT_YET_CURRENT = "Signature not yet current: {timestamp} is still later than {limit} ({now} + 15 min.)"
AUTHORIZATION_REQUIRES_CREDENTIAL = "Authorization header requires 'Credential' parameter."
AUTHORIZATION_REQUIRES_SIGNATURE = "Authorization header requires 'Signature' parameter."
AUTHORIZATION_REQUIRES_SIGNED_HEADERS = "Authorization header requires 'SignedHeaders' parameter."
AUTHORIZATION_REQUIRES_DATE = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
INCOMPLETE_SIGNATURE = "{requirements} Authorization={authorization}"
MALFORMED_CREDENTIAL = (
    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
)
HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
UNSUPPORTED_ALGORITHM = "Unsupported AWS 'algorithm': '{algorithm}'"  # unsure
QUERY_PARAMETERS_REQUIRED = (  # unsure
    "AWS query-string parameters must include {missing}. Re-examine the query-string parameters."
)
AMBIGUOUS_AUTHENTICATION = (  # unsure
    "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
)
INVALID_TERMINATOR = (  # unsure
    "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
)
INVALID_DATE = (  # unsure
    "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
)
SCOPE_DATE_MISMATCH = (  # unsure
    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
    "'{scope_date}' != '{date}', from '{timestamp}'."
)
REQUEST_EXPIRED = "Request has expired"  # S3's words; the Query code RequestExpired is documented, its text is unsure
EXPIRES_NOT_A_NUMBER = "X-Amz-Expires should be a number"
EXPIRES_NEGATIVE = "X-Amz-Expires must be non-negative"
V2_EXPIRES_NOT_A_NUMBER = "Expires should be a number"  # unsure
EXPIRES_TOO_LARGE = (
    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than "
    "604800 seconds"
)

S3_ACCESS_DENIED = "Access Denied"
S3_INVALID_ACCESS_KEY_ID = "The AWS Access Key Id you provided does not exist in our records."
S3_INVALID_TOKEN = "The provided token is malformed or otherwise invalid."
S3_EXPIRED_TOKEN = "The provided token has expired."
S3_SIGNATURE_DOES_NOT_MATCH = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)
S3_REQUEST_TIME_TOO_SKEWED = "The difference between the request time and the current time is too large."
S3_REQUEST_NOT_YET_VALID = "Request is not yet valid"
S3_UNSUPPORTED_AUTHORIZATION = (
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
)
S3_UNSUPPORTED_QUERY_ALGORITHM = 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'
S3_AMBIGUOUS_AUTHENTICATION = (
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter "
    "or the Authorization header should be specified"
)
S3_HEADER_MALFORMED = (  # unsure
    "The authorization header is malformed; the authorization header requires three components: "
    "Credential, SignedHeaders, and Signature."
)
S3_CREDENTIAL_MALFORMED = (
    'The authorization header is malformed; the Credential is mal-formed; '
    'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
S3_TERMINATOR_MALFORMED = (  # unsure
    'The authorization header is malformed; incorrect terminal "{terminator}". This endpoint uses "aws4_request".'
)
S3_DATE_REQUIRED = "AWS authentication requires a valid Date or x-amz-date header"
S3_SCOPE_DATE_MISMATCH = (  # unsure
    "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."
)
S3_QUERY_PARAMETERS_REQUIRED = (
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, "
    "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
)
S3_QUERY_CREDENTIAL_MALFORMED = (
    'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; '
    'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'
)
S3_QUERY_TERMINATOR_MALFORMED = (  # unsure
    'Error parsing the X-Amz-Credential parameter; incorrect terminal "{terminator}". This endpoint uses '
    '"aws4_request".'
)
S3_QUERY_DATE_MALFORMED = "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""  # unsure
S3_QUERY_SCOPE_DATE_MISMATCH = (  # unsure
    'Invalid credential date "{scope_date}". This date is not the same as X-Amz-Date: "{date}".'
)
S3_HEADERS_NOT_SIGNED = "There were headers present in the request which were not signed"
S3_MISSING_CONTENT_SHA256 = "Missing required header for this request: x-amz-content-sha256"
S3_INVALID_CONTENT_SHA256 = (  # the shape is AWS's; the list of streaming values in it is unsure
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value."
)
S3_CONTENT_SHA256_MISMATCH = "The provided 'x-amz-content-sha256' header does not match what was computed."
S3_INCOMPLETE_BODY = "You did not provide the number of bytes specified by the Content-Length HTTP header."

_Entry = tuple[str, str, int]  # code, message template, HTTP status

F = Failure
_QUERY: dict[Failure, _Entry] = {
    F.MISSING_AUTHENTICATION: ("MissingAuthenticationToken", MISSING_AUTHENTICATION_TOKEN, 403),
    F.AMBIGUOUS_AUTHENTICATION: ("IncompleteSignature", AMBIGUOUS_AUTHENTICATION, 400),
    F.UNSUPPORTED_ALGORITHM: ("IncompleteSignature", UNSUPPORTED_ALGORITHM, 400),
    F.INCOMPLETE_SIGNATURE: ("IncompleteSignature", INCOMPLETE_SIGNATURE, 400),
    F.MISSING_DATE: ("IncompleteSignature", INCOMPLETE_SIGNATURE, 400),
    F.MALFORMED_CREDENTIAL: ("IncompleteSignature", MALFORMED_CREDENTIAL, 400),
    F.INVALID_TERMINATOR: ("SignatureDoesNotMatch", INVALID_TERMINATOR, 403),
    F.INVALID_DATE: ("IncompleteSignature", INVALID_DATE, 400),
    F.SCOPE_DATE_MISMATCH: ("SignatureDoesNotMatch", SCOPE_DATE_MISMATCH, 403),
    F.INVALID_EXPIRES: ("IncompleteSignature", "{reason}", 400),
    F.HOST_NOT_SIGNED: ("IncompleteSignature", HOST_NOT_SIGNED, 400),
    F.HEADERS_NOT_SIGNED: ("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403),
    F.SIGNATURE_EXPIRED: ("SignatureDoesNotMatch", SIGNATURE_EXPIRED, 403),
    F.SIGNATURE_NOT_YET_CURRENT: ("SignatureDoesNotMatch", SIGNATURE_NOT_YET_CURRENT, 403),
    F.REQUEST_EXPIRED: ("RequestExpired", REQUEST_EXPIRED, 400),
    F.REQUEST_NOT_YET_VALID: ("SignatureDoesNotMatch", SIGNATURE_NOT_YET_CURRENT, 403),
    F.UNKNOWN_ACCESS_KEY: ("InvalidClientTokenId", INVALID_CLIENT_TOKEN_ID, 403),
    F.TOKEN_MISSING: ("InvalidClientTokenId", INVALID_CLIENT_TOKEN_ID, 403),
    F.TOKEN_INVALID: ("InvalidClientTokenId", INVALID_CLIENT_TOKEN_ID, 403),
    F.TOKEN_EXPIRED: ("ExpiredToken", EXPIRED_TOKEN, 403),
    F.MISSING_CONTENT_SHA256: ("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403),
    F.INVALID_CONTENT_SHA256: ("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403),
    F.CONTENT_SHA256_MISMATCH: ("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403),
    F.SIGNATURE_MISMATCH: ("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403),
    F.INCOMPLETE_BODY: ("SignatureDoesNotMatch", SIGNATURE_DOES_NOT_MATCH, 403),
}
_QUERY_PRESIGNED: dict[Failure, _Entry] = {
    F.INCOMPLETE_SIGNATURE: ("IncompleteSignature", QUERY_PARAMETERS_REQUIRED, 400),
}

# awsJson services use the same words under `...Exception` codes, all with status 400.
_JSON_CODES = {
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "IncompleteSignature": "IncompleteSignatureException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "ExpiredToken": "ExpiredTokenException",
}


def _json_entry(entry: _Entry) -> _Entry:
    code, message, _ = entry
    if code == "MissingAuthenticationToken":
        message = MISSING_AUTHENTICATION_TOKEN_JSON
    return _JSON_CODES.get(code, code), message, 400


_S3: dict[Failure, _Entry] = {
    # S3 treats an unsigned request as anonymous; the caller decides whether the anonymous principal may proceed.
    F.MISSING_AUTHENTICATION: ("AccessDenied", S3_ACCESS_DENIED, 403),
    F.AMBIGUOUS_AUTHENTICATION: ("InvalidArgument", S3_AMBIGUOUS_AUTHENTICATION, 400),
    F.UNSUPPORTED_ALGORITHM: ("InvalidRequest", S3_UNSUPPORTED_AUTHORIZATION, 400),
    F.INCOMPLETE_SIGNATURE: ("AuthorizationHeaderMalformed", S3_HEADER_MALFORMED, 400),
    F.MISSING_DATE: ("AccessDenied", S3_DATE_REQUIRED, 403),
    F.MALFORMED_CREDENTIAL: ("AuthorizationHeaderMalformed", S3_CREDENTIAL_MALFORMED, 400),
    F.INVALID_TERMINATOR: ("AuthorizationHeaderMalformed", S3_TERMINATOR_MALFORMED, 400),
    F.INVALID_DATE: ("AccessDenied", S3_DATE_REQUIRED, 403),
    F.SCOPE_DATE_MISMATCH: ("AuthorizationHeaderMalformed", S3_SCOPE_DATE_MISMATCH, 400),
    F.INVALID_EXPIRES: ("AuthorizationQueryParametersError", "{reason}", 400),
    F.HOST_NOT_SIGNED: ("AccessDenied", S3_HEADERS_NOT_SIGNED, 403),
    F.HEADERS_NOT_SIGNED: ("AccessDenied", S3_HEADERS_NOT_SIGNED, 403),
    F.SIGNATURE_EXPIRED: ("RequestTimeTooSkewed", S3_REQUEST_TIME_TOO_SKEWED, 403),
    F.SIGNATURE_NOT_YET_CURRENT: ("RequestTimeTooSkewed", S3_REQUEST_TIME_TOO_SKEWED, 403),
    F.REQUEST_EXPIRED: ("AccessDenied", REQUEST_EXPIRED, 403),
    F.REQUEST_NOT_YET_VALID: ("AccessDenied", S3_REQUEST_NOT_YET_VALID, 403),
    F.UNKNOWN_ACCESS_KEY: ("InvalidAccessKeyId", S3_INVALID_ACCESS_KEY_ID, 403),
    # Without its token a temporary key id is unknown to S3 (the classic symptom of a forgotten AWS_SESSION_TOKEN).
    F.TOKEN_MISSING: ("InvalidAccessKeyId", S3_INVALID_ACCESS_KEY_ID, 403),
    F.TOKEN_INVALID: ("InvalidToken", S3_INVALID_TOKEN, 400),
    F.TOKEN_EXPIRED: ("ExpiredToken", S3_EXPIRED_TOKEN, 400),
    F.MISSING_CONTENT_SHA256: ("InvalidRequest", S3_MISSING_CONTENT_SHA256, 400),
    F.INVALID_CONTENT_SHA256: ("InvalidArgument", S3_INVALID_CONTENT_SHA256, 400),
    F.CONTENT_SHA256_MISMATCH: ("XAmzContentSHA256Mismatch", S3_CONTENT_SHA256_MISMATCH, 400),
    F.SIGNATURE_MISMATCH: ("SignatureDoesNotMatch", S3_SIGNATURE_DOES_NOT_MATCH, 403),
    F.INCOMPLETE_BODY: ("IncompleteBody", S3_INCOMPLETE_BODY, 400),
}
_S3_PRESIGNED: dict[Failure, _Entry] = {
    F.UNSUPPORTED_ALGORITHM: ("AuthorizationQueryParametersError", S3_UNSUPPORTED_QUERY_ALGORITHM, 400),
    F.INCOMPLETE_SIGNATURE: ("AuthorizationQueryParametersError", S3_QUERY_PARAMETERS_REQUIRED, 400),
    F.MALFORMED_CREDENTIAL: ("AuthorizationQueryParametersError", S3_QUERY_CREDENTIAL_MALFORMED, 400),
    F.INVALID_TERMINATOR: ("AuthorizationQueryParametersError", S3_QUERY_TERMINATOR_MALFORMED, 400),
    F.INVALID_DATE: ("AuthorizationQueryParametersError", S3_QUERY_DATE_MALFORMED, 400),
    F.SCOPE_DATE_MISMATCH: ("AuthorizationQueryParametersError", S3_QUERY_SCOPE_DATE_MISMATCH, 400),
}
del F


def error_entry(failure: Failure, protocol: Protocol, *, presigned: bool = False) -> _Entry:
    """(code, message template, HTTP status) for a failure in a protocol's dialect."""
    if protocol is Protocol.S3:
        return (_S3_PRESIGNED.get(failure) if presigned else None) or _S3[failure]
    entry = (_QUERY_PRESIGNED.get(failure) if presigned else None) or _QUERY[failure]
    return _json_entry(entry) if protocol is Protocol.JSON else entry


class _Fields(dict[str, str]):
    """Template values; a value the verifier did not supply renders as an empty string rather than failing."""

    def __missing__(self, key: str) -> str:
        return ""


class SigV4Error(AwsError):
    """A refused signature: `failure` says why, `code`/`message`/`status` say it in `protocol`'s words.

    `extra` holds what S3 adds as elements of its `<Error>` document (`StringToSign`, `CanonicalRequest`,
    `HeadersNotSigned`, `Expires`, `ServerTime` ...); Query and JSON responses leave it out.
    """

    def __init__(
        self,
        failure: Failure,
        *,
        protocol: Protocol,
        presigned: bool = False,
        fields: Mapping[str, str] | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        code, template, status = error_entry(failure, protocol, presigned=presigned)
        self.failure = failure
        self.protocol = protocol
        self.presigned = presigned
        self.fields = dict(fields or {})
        message = template.format_map(_Fields(self.fields))
        super().__init__(message, code=code, status=status, extra=dict(details or {}))

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_protocol(self, protocol: Protocol) -> SigV4Error:
        """The same failure in another protocol's words, e.g. a missing signature on an S3 route."""
        return SigV4Error(
            self.failure, protocol=protocol, presigned=self.presigned, fields=self.fields, details=self.extra
        )
