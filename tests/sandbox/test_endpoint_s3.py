"""S3 through the endpoint with real boto3 clients and the AWS CLI: buckets, objects, policies, isolation, events."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from sandbox import moto_store
from sandbox.learners import learner_create
from sandbox.maintenance import sandbox_reset
from sandbox.models import AccessKeyOwner, Account, Bucket, Event, Sandbox
from tests.sandbox.conftest import aws_client

pytestmark = pytest.mark.django_db(transaction=True)
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})
KEYS = (
    "plain.txt", "with space.txt", "folder/sub folder/deep.txt", "café.txt", "ünïcödé/日本語.txt", "odd+chars%&=?.txt",
)


def _client(live_server, key_id, secret, service="s3", **config):
    return aws_client(live_server, service, key_id, secret, **config)


def _code(raised) -> str:
    return raised.value.response["Error"]["Code"]


def _policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def s3(live_server, carol):
    return _client(live_server, carol.access_key_id, carol.secret_access_key)


@pytest.fixture
def bucket(s3):
    s3.create_bucket(Bucket="carol-data")
    return "carol-data"


@pytest.fixture
def erin_s3(live_server):
    erin = learner_create(username="erin")
    return _client(live_server, erin.access_key_id, erin.secret_access_key)


class BucketTests:
    def test_a_new_bucket_is_listed(self, s3, bucket):
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]

    def test_head_bucket_and_location(self, s3, bucket):
        assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None

    def test_a_bucket_in_another_region(self, s3):
        s3.create_bucket(Bucket="carol-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert s3.get_bucket_location(Bucket="carol-eu")["LocationConstraint"] == "eu-west-1"

    def test_re_creating_your_own_bucket(self, s3, bucket):
        with pytest.raises(ClientError) as raised:
            s3.create_bucket(Bucket=bucket)
        assert _code(raised) == "BucketAlreadyOwnedByYou"

    def test_the_registry_names_the_owner(self, bucket, carol):
        assert Bucket.objects.get(name=bucket).account.account_id == carol.home_account_id

    def test_a_non_empty_bucket_cannot_be_deleted(self, s3, bucket):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        with pytest.raises(ClientError) as raised:
            s3.delete_bucket(Bucket=bucket)
        assert _code(raised) == "BucketNotEmpty"
        assert Bucket.objects.filter(name=bucket).exists()

    def test_a_deleted_bucket_leaves_the_registry(self, s3, bucket):
        s3.delete_bucket(Bucket=bucket)
        assert s3.list_buckets()["Buckets"] == []
        assert not Bucket.objects.filter(name=bucket).exists()

    @pytest.mark.parametrize("name", ["Upper-Case", "ab", "a..b", "192.168.0.1", "xn--punycode", "ends-"])
    def test_an_invalid_name(self, s3, name):
        with pytest.raises(ClientError) as raised:
            s3.create_bucket(Bucket=name)
        assert _code(raised) == "InvalidBucketName"

    def test_a_missing_bucket(self, s3):
        with pytest.raises(ClientError) as raised:
            s3.list_objects_v2(Bucket="nobody-has-this")
        assert _code(raised) == "NoSuchBucket"

    def test_bucket_tagging(self, s3, bucket):
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "red"}]})
        assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "red"}]
        s3.delete_bucket_tagging(Bucket=bucket)
        with pytest.raises(ClientError) as raised:
            s3.get_bucket_tagging(Bucket=bucket)
        assert _code(raised) == "NoSuchTagSet"

    def test_operations_not_served_are_not_implemented(self, s3, bucket):
        with pytest.raises(ClientError) as raised:
            s3.get_bucket_acl(Bucket=bucket)
        assert _code(raised) == "NotImplemented"
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501


class ObjectTests:
    @pytest.mark.parametrize("key", KEYS)
    def test_put_get_head_delete(self, s3, bucket, key):
        s3.put_object(Bucket=bucket, Key=key, Body=b"hello", ContentType="text/plain", Metadata={"who": "carol"})
        got = s3.get_object(Bucket=bucket, Key=key)
        assert got["Body"].read() == b"hello"
        assert got["ContentType"] == "text/plain" and got["Metadata"] == {"who": "carol"}
        assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] == 5
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
        s3.delete_object(Bucket=bucket, Key=key)
        assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

    def test_list_with_prefix_and_delimiter(self, s3, bucket):
        for key in KEYS:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="folder/", Delimiter="/")
        assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["folder/sub folder/"]
        assert len(s3.list_objects(Bucket=bucket)["Contents"]) == len(KEYS)

    def test_a_missing_key(self, s3, bucket):
        with pytest.raises(ClientError) as raised:
            s3.get_object(Bucket=bucket, Key="nope")
        assert _code(raised) == "NoSuchKey"

    def test_copy_object(self, s3, bucket):
        s3.put_object(Bucket=bucket, Key="a b/src.txt", Body=b"copied")
        s3.copy_object(Bucket=bucket, Key="dst.txt", CopySource={"Bucket": bucket, "Key": "a b/src.txt"})
        assert s3.get_object(Bucket=bucket, Key="dst.txt")["Body"].read() == b"copied"

    def test_delete_objects(self, s3, bucket):
        for key in KEYS:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in KEYS]})
        assert sorted(d["Key"] for d in deleted["Deleted"]) == sorted(KEYS)
        assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

    def test_object_tagging(self, s3, bucket):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "stage", "Value": "raw"}]})
        assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "stage", "Value": "raw"}]

    def test_a_range_get(self, s3, bucket):
        s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")
        assert s3.get_object(Bucket=bucket, Key="k", Range="bytes=2-4")["Body"].read() == b"234"

    def test_upload_and_download_a_multi_megabyte_file(self, s3, bucket, tmp_path):
        # Over Django's 2.5 MB form limit: the endpoint reads bodies itself, up to its own 8 MiB cap.
        source = tmp_path / "big.bin"
        source.write_bytes(os.urandom(6 * 1024 * 1024))
        # Multipart upload is not served: boto3's managed transfer is told to send one PUT.
        single_put = TransferConfig(multipart_threshold=64 * 1024 * 1024)
        s3.upload_file(str(source), bucket, "big/file.bin", Config=single_put)
        target = tmp_path / "back.bin"
        s3.download_file(bucket, "big/file.bin", str(target), Config=single_put)
        assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()

    def test_an_aws_chunked_upload_is_stored_decoded(self, s3, bucket):
        """What boto3 sends over https: the object aws-chunked, a CRC32 trailer after the chunks. Over http boto3
        puts the checksum in a header, so the test asks for the trailer; and it sends the framed body with a
        Content-Length, as a buffering proxy would, because neither the test server nor Django read an HTTP
        `Transfer-Encoding: chunked` body."""
        def checksum_in_trailer(params, **_):
            params["context"]["checksum"]["request_algorithm"]["in"] = "trailer"

        sent = {}

        def with_content_length(request, **_):
            sent.update(request.headers)
            if hasattr(request.data, "read"):
                request.data = request.data.read()
                del request.headers["Transfer-Encoding"]
                request.headers["Content-Length"] = str(len(request.data))

        s3.meta.events.register("before-call.s3.PutObject", checksum_in_trailer)
        s3.meta.events.register("before-sign.s3.PutObject", with_content_length)
        body = os.urandom(200_000)
        s3.put_object(Bucket=bucket, Key="chunked.bin", Body=body)
        got = s3.get_object(Bucket=bucket, Key="chunked.bin")
        assert got["Body"].read() == body
        assert got["ContentLength"] == len(body) and "ContentEncoding" not in got
        assert sent["Content-Encoding"] == "aws-chunked" and sent["X-Amz-Trailer"] == "x-amz-checksum-crc32"

    def test_multipart_upload_is_not_implemented(self, s3, bucket):
        with pytest.raises(ClientError) as raised:
            s3.create_multipart_upload(Bucket=bucket, Key="big")
        assert _code(raised) == "NotImplemented"


class PresignedUrlTests:
    @pytest.mark.parametrize("signature", [None, "s3v4"], ids=["legacy-v2", "sigv4"])
    def test_a_presigned_get_streams_the_object(self, live_server, carol, bucket, s3, signature):
        s3.put_object(Bucket=bucket, Key="docs/read me.txt", Body=b"presigned!", ContentType="text/plain")
        signer = _client(live_server, carol.access_key_id, carol.secret_access_key, signature_version=signature)
        url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "docs/read me.txt"})
        # The test server (wsgiref) invents `Content-Type: text/plain` for a request without one, and a legacy V2
        # signature covers Content-Type: an empty one keeps it out (gunicorn invents nothing).
        request = urllib.request.Request(url, headers={"Content-Type": ""})  # noqa: S310 - the live test server
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the live test server
            assert response.read() == b"presigned!"
            assert response.headers["Content-Type"] == "text/plain"
            assert response.headers["Content-Length"] == "10"
            assert response.headers["ETag"] == s3.head_object(Bucket=bucket, Key="docs/read me.txt")["ETag"]

    def test_a_tampered_presigned_url_is_refused(self, carol, bucket, s3):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(url.replace("/k?", "/other?"))  # noqa: S310
        assert raised.value.code == 403


class BucketPolicyTests:
    def _allow_all_of_carol(self, carol, bucket):
        return _policy({
            "Sid": "Carol", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{carol.home_account_id}:root"},
            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
        })

    def test_put_get_delete(self, s3, bucket, carol):
        document = self._allow_all_of_carol(carol, bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=document)
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(document)
        s3.delete_bucket_policy(Bucket=bucket)
        with pytest.raises(ClientError) as raised:
            s3.get_bucket_policy(Bucket=bucket)
        assert _code(raised) == "NoSuchBucketPolicy"

    @pytest.mark.parametrize(("document", "message"), [
        ("{not json", "Syntax errors in policy."),
        (_policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::carol-data/*"}),
         "Missing required field Principal"),
        (_policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}),
         "Policy has invalid resource"),
        (_policy({"Effect": "Allow", "Principal": "*", "Action": "iam:GetRole", "Resource": "arn:aws:s3:::carol-data"}),
         "Policy has invalid action"),
    ], ids=["bad-json", "no-principal", "other-bucket", "not-s3-action"])
    def test_a_malformed_policy_is_refused(self, s3, bucket, document, message):
        with pytest.raises(ClientError) as raised:
            s3.put_bucket_policy(Bucket=bucket, Policy=document)
        assert _code(raised) == "MalformedPolicy"
        assert raised.value.response["Error"]["Message"].startswith(message)

    def test_a_principal_outside_the_sandbox_is_accepted(self, s3, bucket):
        document = _policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
        s3.put_bucket_policy(Bucket=bucket, Policy=document)
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(document)

    def test_a_deny_for_someone_else_does_not_stop_the_owner(self, s3, bucket):
        """moto alone would apply any Deny to everyone (its bucket-policy check ignores the Principal)."""
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        s3.put_bucket_policy(Bucket=bucket, Policy=_policy({
            "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:*",
            "Resource": f"arn:aws:s3:::{bucket}/*"}))
        assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"

    def test_a_deny_naming_the_caller_wins(self, s3, bucket, carol):
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        s3.put_bucket_policy(Bucket=bucket, Policy=_policy({
            "Effect": "Deny", "Principal": {"AWS": carol.iam_user_arn}, "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}))
        with pytest.raises(ClientError) as raised:
            s3.get_object(Bucket=bucket, Key="k")
        assert _code(raised) == "AccessDenied"
        event = Event.objects.filter(event_name="GetObject", error_code="AccessDenied").get()
        assert "explicit deny in a resource-based policy" in event.error_message


class IsolationTests:
    @pytest.fixture
    def shared(self, s3, bucket):
        """carol's bucket with an object and a policy that would let anyone in (were they in this sandbox)."""
        s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"carol's")
        s3.put_bucket_policy(Bucket=bucket, Policy=_policy({
            "Effect": "Allow", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}))
        return bucket

    def test_another_learner_does_not_see_it(self, erin_s3, shared):
        assert erin_s3.list_buckets()["Buckets"] == []

    @pytest.mark.parametrize("call", [
        lambda s3, b: s3.list_objects_v2(Bucket=b),
        lambda s3, b: s3.get_object(Bucket=b, Key="secret.txt"),
        lambda s3, b: s3.put_object(Bucket=b, Key="planted.txt", Body=b"x"),
        lambda s3, b: s3.delete_object(Bucket=b, Key="secret.txt"),
        lambda s3, b: s3.get_bucket_policy(Bucket=b),
        lambda s3, b: s3.delete_bucket(Bucket=b),
    ], ids=["list", "get", "put", "delete-object", "get-policy", "delete-bucket"])
    def test_another_learner_is_denied(self, erin_s3, s3, shared, call):
        with pytest.raises(ClientError) as raised:
            call(erin_s3, shared)
        assert _code(raised) == "AccessDenied"
        assert s3.get_object(Bucket=shared, Key="secret.txt")["Body"].read() == b"carol's"

    def test_a_moto_header_does_not_pick_the_owners_account(self, erin_s3, shared, carol):
        def pick_carols_account(request, **_):
            request.headers["x-moto-account-id"] = carol.home_account_id

        erin_s3.meta.events.register("before-sign.s3.*", pick_carols_account)
        assert erin_s3.list_buckets()["Buckets"] == []
        with pytest.raises(ClientError) as raised:
            erin_s3.get_object(Bucket=shared, Key="secret.txt")
        assert _code(raised) == "AccessDenied"

    def test_head_bucket_is_forbidden_not_missing(self, erin_s3, shared):
        with pytest.raises(ClientError) as raised:
            erin_s3.head_bucket(Bucket=shared)
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    def test_another_learner_cannot_take_the_name(self, erin_s3, shared):
        with pytest.raises(ClientError) as raised:
            erin_s3.create_bucket(Bucket=shared)
        assert _code(raised) == "BucketAlreadyExists"

    def test_the_denial_is_recorded_in_the_callers_history_only(self, erin_s3, shared, carol):
        with pytest.raises(ClientError):
            erin_s3.get_object(Bucket=shared, Key="secret.txt")
        event = Event.objects.get(event_name="GetObject", error_code="AccessDenied")
        assert event.account.account_id != carol.home_account_id
        assert "no resource-based policy allows" in event.error_message

    def test_copying_from_another_learners_bucket_is_denied(self, erin_s3, shared):
        erin_s3.create_bucket(Bucket="erin-data")
        with pytest.raises(ClientError) as raised:
            erin_s3.copy_object(Bucket="erin-data", Key="stolen", CopySource={"Bucket": shared, "Key": "secret.txt"})
        assert _code(raised) == "AccessDenied"


class CrossAccountInOrganizationTests:
    """A user of carol's `dev` account reading a bucket of her management account: both sides must allow."""

    @pytest.fixture
    def dev_user(self, live_server, carol):
        dev = Account.objects.get(account_id=next(a.account_id for a in carol.accounts if a.alias == "dev"))
        with moto_store.account_writer(dev.account_id) as backends:
            backends.iam.create_user(region_name="us-east-1", user_name="dev-reader", path="/")
            key = backends.iam.create_access_key("dev-reader")
        AccessKeyOwner.objects.create(access_key_id=key.access_key_id, account=dev, user_name="dev-reader")
        return dev.account_id, _client(live_server, key.access_key_id, key.secret_access_key)

    def _allow_dev_user(self, dev_account_id):
        with moto_store.account_writer(dev_account_id) as backends:
            backends.iam.put_user_policy("dev-reader", "ReadCarolData", _policy({
                "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::carol-data/*"}))

    def _bucket_allows_dev(self, s3, dev_account_id):
        s3.put_bucket_policy(Bucket="carol-data", Policy=_policy({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{dev_account_id}:root"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::carol-data/*"}))

    @pytest.fixture
    def report(self, s3, bucket):
        s3.put_object(Bucket=bucket, Key="report.csv", Body=b"a,b")
        return "report.csv"

    def test_only_the_identity_policy_is_not_enough(self, dev_user, report):
        account_id, dev_s3 = dev_user
        self._allow_dev_user(account_id)
        with pytest.raises(ClientError) as raised:
            dev_s3.get_object(Bucket="carol-data", Key=report)
        assert _code(raised) == "AccessDenied"

    def test_only_the_bucket_policy_is_not_enough(self, dev_user, s3, report):
        account_id, dev_s3 = dev_user
        self._bucket_allows_dev(s3, account_id)
        with pytest.raises(ClientError) as raised:
            dev_s3.get_object(Bucket="carol-data", Key=report)
        assert _code(raised) == "AccessDenied"

    def test_both_allow(self, dev_user, s3, report):
        account_id, dev_s3 = dev_user
        self._allow_dev_user(account_id)
        self._bucket_allows_dev(s3, account_id)
        assert dev_s3.get_object(Bucket="carol-data", Key=report)["Body"].read() == b"a,b"

    def test_what_neither_allows_stays_denied(self, dev_user, s3, report):
        account_id, dev_s3 = dev_user
        self._allow_dev_user(account_id)
        self._bucket_allows_dev(s3, account_id)
        with pytest.raises(ClientError) as raised:
            dev_s3.put_object(Bucket="carol-data", Key="planted", Body=b"x")
        assert _code(raised) == "AccessDenied"


class PersistenceTests:
    def test_buckets_and_objects_come_back_from_the_database(self, s3, bucket):
        s3.put_object(Bucket=bucket, Key="日本/kept.txt", Body=b"still here")
        moto_store.forget_cache()
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]
        assert s3.get_object(Bucket=bucket, Key="日本/kept.txt")["Body"].read() == b"still here"

    def test_an_object_in_a_reloaded_bucket_is_found_by_another_account_of_the_organization(self, s3, bucket):
        """After a cache drop the bucket is found through our registry, with moto's side table rebuilt."""
        from moto.s3.models import s3_backends

        moto_store.forget_cache()
        assert bucket not in s3_backends.bucket_accounts
        s3.head_bucket(Bucket=bucket)
        assert s3_backends.bucket_accounts[bucket][1] == Bucket.objects.get(name=bucket).account.account_id

    def test_a_name_can_be_used_again_after_delete_and_cache_drop(self, s3, bucket):
        s3.delete_bucket(Bucket=bucket)
        moto_store.forget_cache()
        s3.create_bucket(Bucket=bucket)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]

    def test_a_reset_frees_the_name_for_another_learner(self, s3, bucket, erin_s3):
        sandbox_reset(sandbox=Sandbox.objects.get(owner__username="carol"))
        assert s3.list_buckets()["Buckets"] == []
        assert not Bucket.objects.filter(name=bucket).exists()
        erin_s3.create_bucket(Bucket=bucket)
        assert [b["Name"] for b in erin_s3.list_buckets()["Buckets"]] == [bucket]

    def test_a_name_freed_elsewhere_is_not_blocked_by_a_stale_cache(self, s3, bucket, erin_s3, carol):
        """Another process deleted carol's bucket: this process's cache still holds it, the database does not."""
        from moto.s3.models import s3_backends

        with moto_store.account_writer(carol.home_account_id) as backends:
            backends.s3.delete_bucket(bucket)
        s3_backends.bucket_accounts[bucket] = ("aws", carol.home_account_id)  # what a stale process would hold
        erin_s3.create_bucket(Bucket=bucket)
        assert [b["Name"] for b in erin_s3.list_buckets()["Buckets"]] == [bucket]


class BucketRegistryTests:
    def test_a_name_stored_by_another_account_meanwhile_is_refused_at_commit(self, carol, bucket, live_server):
        """Two processes creating one name at once: the second snapshot cannot store it, and nothing is kept."""
        erin = learner_create(username="erin")
        with pytest.raises(moto_store.BucketNameTaken), moto_store.account_writer(erin.home_account_id) as backends:
            from moto.s3.models import s3_backends

            del s3_backends.bucket_accounts[bucket]  # as in a process that never loaded carol's account
            backends.s3.create_bucket(bucket, "us-east-1")
        assert Bucket.objects.get(name=bucket).account.account_id == carol.home_account_id
        erin_s3 = _client(live_server, erin.access_key_id, erin.secret_access_key)
        assert erin_s3.list_buckets()["Buckets"] == []

    def test_a_reset_leaves_out_a_bucket_whose_name_was_taken_since(self, s3, carol, erin_s3):
        s3.create_bucket(Bucket="carol-start")
        moto_store.mark_start_state(carol.home_account_id)
        s3.delete_bucket(Bucket="carol-start")
        erin_s3.create_bucket(Bucket="carol-start")
        sandbox_reset(sandbox=Sandbox.objects.get(owner__username="carol"))
        assert s3.list_buckets()["Buckets"] == []
        assert [b["Name"] for b in erin_s3.list_buckets()["Buckets"]] == ["carol-start"]

    def test_a_reset_brings_back_a_start_state_bucket(self, s3, carol):
        s3.create_bucket(Bucket="carol-start")
        s3.put_object(Bucket="carol-start", Key="seed.txt", Body=b"seed")
        moto_store.mark_start_state(carol.home_account_id)
        s3.delete_object(Bucket="carol-start", Key="seed.txt")
        s3.delete_bucket(Bucket="carol-start")
        sandbox_reset(sandbox=Sandbox.objects.get(owner__username="carol"))
        assert s3.get_object(Bucket="carol-start", Key="seed.txt")["Body"].read() == b"seed"
        assert Bucket.objects.get(name="carol-start").account.account_id == carol.home_account_id


class AuthorizationTests:
    @pytest.fixture
    def nobody(self, live_server, carol):
        iam = _client(live_server, carol.access_key_id, carol.secret_access_key, service="iam")
        iam.create_user(UserName="nobody")
        key = iam.create_access_key(UserName="nobody")["AccessKey"]
        return _client(live_server, key["AccessKeyId"], key["SecretAccessKey"])

    def test_a_user_without_s3_permissions_is_denied(self, nobody, bucket):
        with pytest.raises(ClientError) as raised:
            nobody.list_objects_v2(Bucket=bucket)
        assert _code(raised) == "AccessDenied"
        assert raised.value.response["Error"]["Message"] == "Access Denied"

    def test_the_event_records_the_reason(self, nobody, bucket, carol):
        with pytest.raises(ClientError):
            nobody.put_object(Bucket=bucket, Key="k", Body=b"x")
        event = Event.objects.get(event_name="PutObject")
        assert event.error_code == "AccessDenied"
        assert event.error_message == (
            f"User: arn:aws:iam::{carol.home_account_id}:user/nobody is not authorized to perform: s3:PutObject "
            f"on resource: arn:aws:s3:::{bucket}/k because no identity-based policy allows the s3:PutObject action"
        )
        assert event.request_parameters["bucketName"] == bucket and event.request_parameters["key"] == "k"

    def test_nothing_was_written(self, nobody, s3, bucket):
        with pytest.raises(ClientError):
            nobody.put_object(Bucket=bucket, Key="k", Body=b"x")
        assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0

    def test_list_buckets_needs_list_all_my_buckets(self, nobody):
        with pytest.raises(ClientError) as raised:
            nobody.list_buckets()
        assert _code(raised) == "AccessDenied"


class EventTests:
    def test_each_call_is_one_event(self, s3, bucket, carol):
        s3.put_object(Bucket=bucket, Key="a/b c.txt", Body=b"x")
        s3.get_object(Bucket=bucket, Key="a/b c.txt")
        events = Event.objects.filter(account__account_id=carol.home_account_id, event_source="s3.amazonaws.com")
        assert [e.event_name for e in events.order_by("id")] == ["CreateBucket", "PutObject", "GetObject"]
        put = events.get(event_name="PutObject")
        assert put.request_parameters["bucketName"] == bucket and put.request_parameters["key"] == "a/b c.txt"
        assert not put.read_only and events.get(event_name="GetObject").read_only

    def test_moto_errors_are_recorded(self, s3, bucket):
        with pytest.raises(ClientError):
            s3.get_object(Bucket=bucket, Key="missing")
        assert Event.objects.get(event_name="GetObject").error_code == "NoSuchKey"


class AwsCliTests:
    """The real AWS CLI pointed at the endpoint with `--endpoint-url`."""

    def _aws(self, live_server, learner, *args, cwd=None):
        env = {
            "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
            "AWS_ACCESS_KEY_ID": learner.access_key_id, "AWS_SECRET_ACCESS_KEY": learner.secret_access_key,
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
        }
        aws = Path(sys.executable).with_name("aws")
        return subprocess.run(
            [str(aws), "--endpoint-url", f"{live_server.url}/aws", "--output", "json", *args],
            env=env, capture_output=True, text=True, timeout=60, cwd=cwd,
        )

    def test_mb_ls_cp_up_and_down(self, live_server, carol, tmp_path):
        made = self._aws(live_server, carol, "s3", "mb", "s3://carol-cli")
        assert made.returncode == 0, made.stderr
        (tmp_path / "notes one.txt").write_text("from the cli")
        source = str(tmp_path / "notes one.txt")
        up = self._aws(live_server, carol, "s3", "cp", source, "s3://carol-cli/dir/notes one.txt")
        assert up.returncode == 0, up.stderr
        assert "carol-cli" in self._aws(live_server, carol, "s3", "ls").stdout
        assert "notes one.txt" in self._aws(live_server, carol, "s3", "ls", "s3://carol-cli/dir/").stdout
        down = self._aws(live_server, carol, "s3", "cp", "s3://carol-cli/dir/notes one.txt", str(tmp_path / "back.txt"))
        assert down.returncode == 0, down.stderr
        assert (tmp_path / "back.txt").read_text() == "from the cli"

    def test_s3api_put_bucket_policy(self, live_server, carol, s3, bucket):
        document = _policy({"Effect": "Allow", "Principal": {"AWS": carol.iam_user_arn}, "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{bucket}/*"})
        put = self._aws(live_server, carol, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", document)
        assert put.returncode == 0, put.stderr
        got = self._aws(live_server, carol, "s3api", "get-bucket-policy", "--bucket", bucket)
        assert json.loads(json.loads(got.stdout)["Policy"]) == json.loads(document)

    def test_errors_read_like_s3(self, live_server, carol):
        result = self._aws(live_server, carol, "s3", "ls", "s3://nobody-has-this")
        assert result.returncode != 0
        assert "NoSuchBucket" in result.stderr


def test_a_body_over_the_sandbox_cap_is_entity_too_large(s3, bucket):
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=bucket, Key="huge", Body=b"x" * (8 * 1024 * 1024 + 1))
    assert raised.value.response["Error"]["Code"] == "EntityTooLarge"
