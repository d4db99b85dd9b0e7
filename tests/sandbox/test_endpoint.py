"""The AWS endpoint with real boto3 clients over HTTP: signatures, authorization, isolation, events."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from sandbox.learners import learner_create
from sandbox.models import Event
from tests.sandbox.conftest import aws_client, run_aws_cli
from tests.sandbox.helpers import EC2_TRUST

pytestmark = pytest.mark.django_db(transaction=True)


def _client(live_server, service, key_id, secret):
    return aws_client(live_server, service, key_id, secret)


@pytest.fixture
def iam_client(live_server, carol):
    return _client(live_server, "iam", carol.access_key_id, carol.secret_access_key)


def _code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


class SignatureTests:
    def test_a_wrong_secret_is_signature_does_not_match(self, live_server, carol):
        client = _client(live_server, "iam", carol.access_key_id, "x" * 40)
        with pytest.raises(ClientError) as raised:
            client.list_roles()
        assert _code(raised.value) == "SignatureDoesNotMatch"

    def test_an_unknown_key_is_invalid_client_token_id(self, live_server, db):
        client = _client(live_server, "iam", "AKIAXXXXXXXXXXXXXXXX", "x" * 40)
        with pytest.raises(ClientError) as raised:
            client.list_roles()
        assert _code(raised.value) == "InvalidClientTokenId"

    def test_a_client_moto_header_cannot_pick_another_account(self, live_server, carol, iam_client):
        other = learner_create(username="dave")
        _client(live_server, "iam", other.access_key_id, other.secret_access_key).create_role(
            RoleName="daves", AssumeRolePolicyDocument=EC2_TRUST
        )
        def pick_their_account(request, **_):
            request.headers["x-moto-account-id"] = other.home_account_id

        iam_client.meta.events.register("before-sign.iam.*", pick_their_account)
        assert [role["RoleName"] for role in iam_client.list_roles()["Roles"]] == []


class IamThroughTheEndpointTests:
    def test_get_caller_identity_names_the_learners_user(self, live_server, carol):
        sts = _client(live_server, "sts", carol.access_key_id, carol.secret_access_key)
        identity = sts.get_caller_identity()
        assert identity["Arn"] == carol.iam_user_arn
        assert identity["Account"] == carol.home_account_id
        assert identity["UserId"].startswith("AIDA")

    def test_create_get_and_list_roles(self, iam_client, carol):
        created = iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST, Path="/team/")
        assert created["Role"]["Arn"] == f"arn:aws:iam::{carol.home_account_id}:role/team/app"
        assert iam_client.get_role(RoleName="app")["Role"]["RoleName"] == "app"
        assert [role["RoleName"] for role in iam_client.list_roles()["Roles"]] == ["app"]

    def test_moto_errors_come_back_as_aws_errors(self, iam_client):
        with pytest.raises(ClientError) as raised:
            iam_client.get_role(RoleName="nope")
        assert _code(raised.value) == "NoSuchEntity"

    def test_aws_managed_policies_attach_in_any_account(self, iam_client):
        iam_client.create_role(RoleName="reader", AssumeRolePolicyDocument=EC2_TRUST)
        iam_client.attach_role_policy(RoleName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        attached = iam_client.list_attached_role_policies(RoleName="reader")["AttachedPolicies"]
        assert [policy["PolicyName"] for policy in attached] == ["ReadOnlyAccess"]

    def test_writes_and_reads_are_recorded_as_events(self, iam_client, carol):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST)
        event = Event.objects.get(account__account_id=carol.home_account_id, event_name="CreateRole")
        assert event.request_parameters["roleName"] == "app"
        assert event.user_identity["accessKeyId"] == carol.access_key_id
        assert event.request_id and not event.read_only


class AuthorizationTests:
    @pytest.fixture
    def limited(self, live_server, iam_client):
        """A second IAM user whose only permission is reading roles."""
        iam_client.create_user(UserName="reader")
        iam_client.put_user_policy(UserName="reader", PolicyName="ReadRoles", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["iam:GetRole", "iam:ListRoles"], "Resource": "*"}],
        }))
        key = iam_client.create_access_key(UserName="reader")["AccessKey"]
        return _client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"])

    def test_a_new_access_key_signs_requests(self, limited):
        assert limited.list_roles()["Roles"] == []

    def test_a_call_no_policy_allows_is_denied_with_awss_message(self, limited, carol):
        with pytest.raises(ClientError) as raised:
            limited.create_role(RoleName="sneaky", AssumeRolePolicyDocument=EC2_TRUST)
        assert _code(raised.value) == "AccessDenied"
        assert raised.value.response["Error"]["Message"] == (
            f"User: arn:aws:iam::{carol.home_account_id}:user/reader is not authorized to perform: iam:CreateRole "
            f"on resource: arn:aws:iam::{carol.home_account_id}:role/sneaky because no identity-based policy allows "
            "the iam:CreateRole action"
        )

    def test_the_denial_is_recorded_and_nothing_is_created(self, limited, iam_client, carol):
        with pytest.raises(ClientError):
            limited.create_role(RoleName="sneaky", AssumeRolePolicyDocument=EC2_TRUST)
        event = Event.objects.get(account__account_id=carol.home_account_id, event_name="CreateRole")
        assert event.error_code == "AccessDenied"
        assert iam_client.list_roles()["Roles"] == []

    def test_a_deleted_key_stops_working(self, live_server, iam_client):
        iam_client.create_user(UserName="temp")
        key = iam_client.create_access_key(UserName="temp")["AccessKey"]
        iam_client.delete_access_key(UserName="temp", AccessKeyId=key["AccessKeyId"])
        with pytest.raises(ClientError) as raised:
            _client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"]).list_roles()
        assert _code(raised.value) == "InvalidClientTokenId"


class IsolationTests:
    def test_another_learners_roles_do_not_exist_for_you(self, live_server, iam_client):
        other = learner_create(username="erin")
        theirs = _client(live_server, "iam", other.access_key_id, other.secret_access_key)
        theirs.create_role(RoleName="secret", AssumeRolePolicyDocument=EC2_TRUST)
        assert iam_client.list_roles()["Roles"] == []
        with pytest.raises(ClientError) as raised:
            iam_client.get_role(RoleName="secret")
        assert _code(raised.value) == "NoSuchEntity"


def test_services_not_served_answer_with_an_aws_error(live_server, carol):
    dynamodb = _client(live_server, "dynamodb", carol.access_key_id, carol.secret_access_key)
    with pytest.raises(ClientError) as raised:
        dynamodb.list_tables()
    assert raised.value.response["Error"]["Code"] == "UnknownOperationException"


class AwsCliTests:
    """The real AWS CLI, unchanged, pointed at the endpoint with `--endpoint-url`."""

    def _aws(self, live_server, learner, *args):
        return run_aws_cli(live_server, learner, *args)

    def test_create_role_and_list_roles(self, live_server, carol):
        created = self._aws(live_server, carol, "iam", "create-role", "--role-name", "cli-role",
                            "--assume-role-policy-document", EC2_TRUST)
        assert created.returncode == 0, created.stderr
        listed = self._aws(live_server, carol, "iam", "list-roles")
        assert [role["RoleName"] for role in json.loads(listed.stdout)["Roles"]] == ["cli-role"]

    def test_get_caller_identity(self, live_server, carol):
        result = self._aws(live_server, carol, "sts", "get-caller-identity")
        assert json.loads(result.stdout)["Arn"] == carol.iam_user_arn

    def test_errors_read_like_aws(self, live_server, carol):
        result = self._aws(live_server, carol, "iam", "get-role", "--role-name", "nope")
        assert result.returncode != 0
        assert "NoSuchEntity" in result.stderr


class ManagedPolicyCallsTests:
    ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"

    def test_list_policies_scope_aws_lists_the_catalogue(self, iam_client):
        names = [p["PolicyName"] for p in iam_client.list_policies(Scope="AWS", MaxItems=1000)["Policies"]]
        assert len(names) >= 40 and "ReadOnlyAccess" in names

    def test_only_attached_shows_what_is_attached_in_this_account(self, iam_client):
        attached = iam_client.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
        assert [(p["PolicyName"], p["AttachmentCount"]) for p in attached] == [("AdministratorAccess", 1)]

    def test_local_scope_lists_customer_policies(self, iam_client):
        document = json.dumps({"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        iam_client.create_policy(PolicyName="Mine", PolicyDocument=document)
        local = iam_client.list_policies(Scope="Local")["Policies"]
        assert [p["PolicyName"] for p in local] == ["Mine"]

    def test_pages(self, iam_client):
        first = iam_client.list_policies(Scope="AWS", MaxItems=10)
        assert first["IsTruncated"] and len(first["Policies"]) == 10
        second = iam_client.list_policies(Scope="AWS", MaxItems=10, Marker=first["Marker"])
        assert second["Policies"][0]["PolicyName"] != first["Policies"][0]["PolicyName"]

    def test_get_policy_of_an_aws_managed_policy(self, iam_client):
        assert iam_client.get_policy(PolicyArn=self.ADMIN)["Policy"]["PolicyName"] == "AdministratorAccess"

    def test_aws_managed_policies_cannot_be_changed(self, iam_client):
        for call in (lambda: iam_client.delete_policy(PolicyArn=self.ADMIN),
                     lambda: iam_client.create_policy_version(PolicyArn=self.ADMIN, PolicyDocument="{}")):
            with pytest.raises(ClientError) as raised:
                call()
            assert _code(raised.value) == "AccessDenied"


def test_a_call_moto_does_not_implement_is_an_aws_error_not_a_server_error(iam_client):
    role = iam_client.create_role(RoleName="audited", AssumeRolePolicyDocument=EC2_TRUST)["Role"]
    with pytest.raises(ClientError) as raised:
        iam_client.generate_service_last_accessed_details(Arn=role["Arn"])
    assert _code(raised.value) == "InvalidAction"


class UserPermissionsBoundaryTests:
    READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"

    @pytest.fixture
    def bounded(self, live_server, iam_client):
        iam_client.create_user(UserName="intern")
        iam_client.put_user_policy(UserName="intern", PolicyName="All", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        iam_client.put_user_permissions_boundary(UserName="intern", PermissionsBoundary=self.READ_ONLY)
        key = iam_client.create_access_key(UserName="intern")["AccessKey"]
        return _client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"])

    def test_the_boundary_caps_what_the_identity_policy_grants(self, bounded, carol):
        assert bounded.list_roles()["Roles"] == []
        with pytest.raises(ClientError) as raised:
            bounded.create_role(RoleName="escalate", AssumeRolePolicyDocument=EC2_TRUST)
        assert raised.value.response["Error"]["Message"].endswith(
            "because no permissions boundary allows the iam:CreateRole action"
        )

    def test_removing_the_boundary_restores_the_identity_policy(self, bounded, iam_client):
        iam_client.delete_user_permissions_boundary(UserName="intern")
        assert bounded.create_role(RoleName="ok", AssumeRolePolicyDocument=EC2_TRUST)["Role"]["RoleName"] == "ok"

    def test_an_unknown_boundary_policy_is_refused(self, iam_client):
        iam_client.create_user(UserName="someone")
        with pytest.raises(ClientError) as raised:
            iam_client.put_user_permissions_boundary(
                UserName="someone", PermissionsBoundary="arn:aws:iam::aws:policy/NoSuchPolicy"
            )
        assert _code(raised.value) == "NoSuchEntity"

    def test_create_user_with_a_boundary(self, live_server, iam_client):
        iam_client.create_user(UserName="capped", PermissionsBoundary=self.READ_ONLY)
        iam_client.put_user_policy(UserName="capped", PolicyName="All", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam_client.create_access_key(UserName="capped")["AccessKey"]
        capped = _client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
        with pytest.raises(ClientError):
            capped.create_user(UserName="another")


class ValidationBeforeMotoTests:
    """moto stores trust policies unchecked; the endpoint checks them (and names, and sizes) as IAM does."""

    def test_a_malformed_trust_policy_is_refused(self, iam_client):
        with pytest.raises(ClientError) as raised:
            iam_client.create_role(RoleName="bad", AssumeRolePolicyDocument='{"Version": "2012-10-17",')
        assert _code(raised.value) == "MalformedPolicyDocument"
        assert iam_client.list_roles()["Roles"] == []

    def test_a_trust_policy_with_a_resource_is_refused(self, iam_client):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                             "Principal": {"Service": "ec2.amazonaws.com"}, "Resource": "*"}]})
        with pytest.raises(ClientError) as raised:
            iam_client.create_role(RoleName="bad", AssumeRolePolicyDocument=policy)
        assert "Has prohibited field Resource" in raised.value.response["Error"]["Message"]

    def test_role_names_are_unique_ignoring_case(self, iam_client):
        iam_client.create_role(RoleName="Deployer", AssumeRolePolicyDocument=EC2_TRUST)
        with pytest.raises(ClientError) as raised:
            iam_client.create_role(RoleName="DEPLOYER", AssumeRolePolicyDocument=EC2_TRUST)
        assert _code(raised.value) == "EntityAlreadyExists"

    def test_update_assume_role_policy_is_checked_too(self, iam_client):
        iam_client.create_role(RoleName="app", AssumeRolePolicyDocument=EC2_TRUST)
        with pytest.raises(ClientError) as raised:
            iam_client.update_assume_role_policy(RoleName="app", PolicyDocument="not json")
        assert _code(raised.value) == "MalformedPolicyDocument"
        kept = iam_client.get_role(RoleName="app")["Role"]["AssumeRolePolicyDocument"]
        assert "ec2.amazonaws.com" in json.dumps(kept)

    def test_inline_policies_over_the_role_quota_are_refused(self, iam_client):
        iam_client.create_role(RoleName="big", AssumeRolePolicyDocument=EC2_TRUST)
        statements = [{"Effect": "Allow", "Action": f"s3:Get{n:04d}*", "Resource": "*"} for n in range(100)]
        document = json.dumps({"Version": "2012-10-17", "Statement": statements})
        iam_client.put_role_policy(RoleName="big", PolicyName="a", PolicyDocument=document)
        with pytest.raises(ClientError) as raised:
            iam_client.put_role_policy(RoleName="big", PolicyName="b", PolicyDocument=document)
        assert _code(raised.value) == "LimitExceeded"
        assert "10240" in raised.value.response["Error"]["Message"]

    def test_a_customer_policy_with_a_principal_is_refused(self, iam_client):
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}]})
        with pytest.raises(ClientError) as raised:
            iam_client.create_policy(PolicyName="p", PolicyDocument=policy)
        assert _code(raised.value) == "MalformedPolicyDocument"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.get_role(RoleName="nope"), "The role with name nope cannot be found."),
        (lambda c: c.get_group(GroupName="nope"), "The group with name nope cannot be found."),
        (lambda c: c.get_instance_profile(InstanceProfileName="nope"), "Instance Profile nope cannot be found."),
    ],
)
def test_not_found_errors_use_iams_words(iam_client, call, message):
    with pytest.raises(ClientError) as raised:
        call(iam_client)
    assert raised.value.response["Error"]["Message"] == message


class RequestContextTests:
    """The keys AWS puts in every request's context, as conditions see them."""

    def _user_with(self, live_server, iam_client, name, statement, tags=()):
        iam_client.create_user(UserName=name, Tags=list(tags))
        iam_client.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))
        key = iam_client.create_access_key(UserName=name)["AccessKey"]
        return _client(live_server, "iam", key["AccessKeyId"], key["SecretAccessKey"])

    def test_principal_org_id(self, live_server, iam_client, carol):
        allow = {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": carol.organization_id}}}
        assert self._user_with(live_server, iam_client, "org", allow).list_roles()["Roles"] == []
        other = {**allow, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-0000000000"}}}
        with pytest.raises(ClientError):
            self._user_with(live_server, iam_client, "notorg", other).list_roles()

    def test_principal_tags_come_from_the_users_tags(self, live_server, iam_client):
        allow = {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}
        blue = self._user_with(live_server, iam_client, "blue", allow, tags=[{"Key": "team", "Value": "blue"}])
        assert blue.list_roles()["Roles"] == []
        red = self._user_with(live_server, iam_client, "red", allow, tags=[{"Key": "team", "Value": "red"}])
        with pytest.raises(ClientError):
            red.list_roles()

    def test_source_ip_and_secure_transport(self, live_server, iam_client):
        local = {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*",
                 "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}, "Bool": {"aws:SecureTransport": "false"}}}
        assert self._user_with(live_server, iam_client, "local", local).list_roles()["Roles"] == []
        https_only = {**local, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
        with pytest.raises(ClientError):
            self._user_with(live_server, iam_client, "tls", https_only).list_roles()


class AwsCliServicesTests:
    """Every service the course uses, through the real AWS CLI: IAM, STS, Organizations, CloudTrail, S3."""

    def _json(self, live_server, learner, *args):
        result = run_aws_cli(live_server, learner, *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else {}

    def test_get_user_is_the_caller(self, live_server, carol):
        assert self._json(live_server, carol, "iam", "get-user")["User"]["Arn"] == carol.iam_user_arn

    def test_organizations_describe_organization(self, live_server, carol):
        organization = self._json(live_server, carol, "organizations", "describe-organization")["Organization"]
        assert organization["Id"] == carol.organization_id
        assert organization["MasterAccountId"] == carol.home_account_id

    def test_cloudtrail_lookup_events_by_event_name(self, live_server, carol):
        self._json(live_server, carol, "iam", "create-role", "--role-name", "traced",
                   "--assume-role-policy-document", EC2_TRUST)
        found = self._json(live_server, carol, "cloudtrail", "lookup-events", "--lookup-attributes",
                           "AttributeKey=EventName,AttributeValue=CreateRole")["Events"]
        assert [event["EventName"] for event in found] == ["CreateRole"]
        assert json.loads(found[0]["CloudTrailEvent"])["requestParameters"]["roleName"] == "traced"

    def test_s3_copy_list_and_read_back(self, live_server, carol, tmp_path):
        bucket = f"cli-{carol.home_account_id}"
        source = tmp_path / "notes.txt"
        source.write_text("hello from the CLI\n")
        copy = tmp_path / "back.txt"
        for command in (("mb", f"s3://{bucket}"), ("cp", str(source), f"s3://{bucket}/docs/notes.txt"),
                        ("cp", f"s3://{bucket}/docs/notes.txt", str(copy))):
            result = run_aws_cli(live_server, carol, "s3", *command)  # the CLI's s3 commands print text
            assert result.returncode == 0, result.stderr
        assert copy.read_text() == "hello from the CLI\n"
        listing = run_aws_cli(live_server, carol, "s3", "ls", f"s3://{bucket}/docs/")
        assert "notes.txt" in listing.stdout, listing.stderr
        objects = self._json(live_server, carol, "s3api", "list-objects-v2", "--bucket", bucket)["Contents"]
        assert [item["Key"] for item in objects] == ["docs/notes.txt"]

    def test_a_file_over_8_mb_is_refused_with_what_to_do(self, live_server, carol, tmp_path):
        """The CLI uploads files over 8 MB in parts; the sandbox keeps objects up to 8 MiB and says so."""
        bucket = f"big-{carol.home_account_id}"
        big = tmp_path / "big.bin"
        big.write_bytes(b"\\0" * (9 * 1024 * 1024))
        assert run_aws_cli(live_server, carol, "s3", "mb", f"s3://{bucket}").returncode == 0
        result = run_aws_cli(live_server, carol, "s3", "cp", str(big), f"s3://{bucket}/big.bin")
        assert result.returncode != 0
        assert "multipart uploads are not available in this training sandbox" in result.stderr
        assert "upload a smaller file" in result.stderr
