"""API call -> IAM checks: coverage against botocore's models, AWS's action names, tricky cases."""

from __future__ import annotations

import datetime
from functools import cache

import botocore.session
import pytest

import iam
from sandbox import operations as ops

ACCOUNT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCOUNT}:user/sample"
ROLE_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/alice"

UNMAPPED_IAM = (
    # Delegation requests, outbound web identity federation, role templates (2025 features moto lacks).
    "AcceptDelegationRequest",
    "AcquireRole",
    "AssociateDelegationRequest",
    "CreateDelegationRequest",
    "DisableOutboundWebIdentityFederation",
    "EnableOutboundWebIdentityFederation",
    "GetDelegationRequest",
    "GetHumanReadableSummary",
    "GetOutboundWebIdentityFederationInfo",
    "GetRoleTemplateVersion",
    "ListDelegationRequests",
    "RejectDelegationRequest",
    "SendDelegationToken",
    "UpdateDelegationRequest",
    # Centralized root access and organization access reports: management-account features.
    "DisableOrganizationsRootCredentialsManagement",
    "DisableOrganizationsRootSessions",
    "EnableOrganizationsRootCredentialsManagement",
    "EnableOrganizationsRootSessions",
    "GenerateOrganizationsAccessReport",
    "GetOrganizationsAccessReport",
    "ListOrganizationsFeatures",
    # Not in the Service Authorization Reference yet.
    "GetAccountProperties",
    "PutAccountProperties",
    "UpdateOpenIDConnectProvider",
    # Service-specific credentials (CodeCommit, Keyspaces): `ListServiceSpecificCredentials` with
    # `AllUsers` has no single user to check; the family stays out until the course needs it.
    "CreateServiceSpecificCredential",
    "DeleteServiceSpecificCredential",
    "ListServiceSpecificCredentials",
    "ResetServiceSpecificCredential",
    "UpdateServiceSpecificCredential",
)
"""IAM operations of botocore's model that the sandbox refuses (reviewed: add coverage deliberately)."""

ACTION_EXCEPTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "CopyObject"): "s3:PutObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "DeleteBucketTagging"): "s3:PutBucketTagging",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "DeleteBucketOwnershipControls"): "s3:PutBucketOwnershipControls",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
}
"""Operations whose (first) action is not `<service>:<OperationName>`, as AWS documents them."""

NO_AUTHORIZATION = {("sts", "GetCallerIdentity"), ("sts", "GetSessionToken")}
"""Calls no policy can deny (API_GetCallerIdentity.html; id_credentials_temp_control-access_getsessiontoken.html)."""

SAMPLE_VALUES = {
    "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/sample",
    "Role": f"arn:aws:iam::{ACCOUNT}:role/sample",
    "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/sample",
    "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/boundary",
    "OpenIDConnectProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
    "SAMLProviderArn": f"arn:aws:iam::{ACCOUNT}:saml-provider/sample",
    "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/sample",
    "PolicySourceArn": USER,
    "Arn": f"arn:aws:iam::{ACCOUNT}:role/sample",
    "Url": "https://token.actions.githubusercontent.com",
    "AWSServiceName": "elasticbeanstalk.amazonaws.com",
    "DeletionTaskId": "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/0b5b",
    "CopySource": "source-bucket/some/key.txt",
    "AccountId": "123456789012",
    "ParentId": "r-abcd",
    "ChildId": "123456789012",
    "TargetId": "ou-abcd-12345678",
    "OrganizationalUnitId": "ou-abcd-12345678",
    "PolicyId": "p-FullAWSAccess",
    "ResourceId": "123456789012",
    "IamInstanceProfile": {"Name": "sample-profile"},
}
"""Values for required parameters whose format matters; others get a value of their shape's type."""


class State(ops.NullResolver):
    """An account's state for the tests: entities by ARN, boundaries, tags, an organization."""

    def __init__(
        self, *arns: str, boundaries=None, tags=None, profiles=None, keys=None, buckets=None, organization=None
    ):
        self.arns = arns
        self.boundaries = boundaries or {}
        self.tags = tags or {}
        self.profiles = profiles or {}
        self.keys = keys or {}
        self.buckets = buckets or {}
        self.org = organization

    def _find(self, kind, name):
        return next((arn for arn in self.arns if f":{kind}/" in arn and arn.rsplit("/", 1)[-1] == name), None)

    def role_arn(self, name):
        return self._find("role", name)

    def user_arn(self, name):
        return self._find("user", name)

    def group_arn(self, name):
        return self._find("group", name)

    def instance_profile_arn(self, name):
        return self._find("instance-profile", name)

    def instance_profile_role_arn(self, name):
        return self.profiles.get(name)

    def permissions_boundary(self, entity_arn):
        return self.boundaries.get(entity_arn)

    def access_key_user_name(self, access_key_id):
        return self.keys.get(access_key_id)

    def resource_tags(self, arn):
        return self.tags.get(arn, {})

    def bucket_owner(self, bucket):
        return self.buckets.get(bucket)

    def organization(self):
        return self.org

    def organizations_policy_type(self, policy_id):
        return "SERVICE_CONTROL_POLICY" if self.org else None


ORGANIZATION = ops.OrganizationRef(id="o-exampleorgid", management_account_id="999988887777")
SAMPLE_STATE = State(
    profiles={"sample-profile": f"arn:aws:iam::{ACCOUNT}:role/sample"},
    keys={"AKIAEXAMPLE": "sample", "sample": "sample"},
    organization=ORGANIZATION,
)


def checks(service, name, params=None, *, state=None, caller=USER, region="us-east-1"):
    operation = ops.Operation(service, name, params or {}, region=region)
    return ops.authorization_requests(operation, account_id=ACCOUNT, resolve=state or State(), caller_arn=caller)


def keys(check):
    return {key: values if len(values) != 1 else values[0] for key, values in check.context.items()}


@cache
def model(service):
    return botocore.session.get_session().get_service_model(service)


def sample(shape, name=None):
    """A value botocore would parse for `shape`: only required members, overridden where format matters."""
    if name in SAMPLE_VALUES:
        return SAMPLE_VALUES[name]
    kinds = {"integer": 1, "long": 1, "boolean": True, "blob": b"x", "timestamp": datetime.datetime(2025, 1, 1)}
    if shape.type_name == "structure":
        return {member: sample(shape.members[member], member) for member in shape.required_members}
    if shape.type_name == "list":
        return [sample(shape.member)]
    if shape.type_name == "map":
        return {"team": "blue"}
    return kinds.get(shape.type_name, "sample")


def sample_checks(service, name):
    shape = model(service).operation_model(name).input_shape
    return checks(service, name, sample(shape) if shape is not None else {}, state=SAMPLE_STATE)


def trust_policy(principal_arn, action):
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal_arn}, "Action": action}],
    }
    return iam.parse_policy(document, name="trust", kind=iam.PolicyKind.TRUST)


MAPPED = sorted((service, name) for service in ops.SERVICES for name in ops.supported_operations(service))


class CoverageTests:
    def test_every_mapped_operation_exists_in_botocores_model(self):
        missing = [(service, name) for service, name in MAPPED if name not in model(service).operation_names]
        assert missing == []

    def test_the_iam_operations_left_unmapped_are_the_reviewed_ones(self):
        unmapped = set(model("iam").operation_names) - ops.supported_operations("iam")
        assert sorted(unmapped) == sorted(UNMAPPED_IAM)

    def test_at_least_ninety_iam_operations_are_mapped(self):
        assert len(ops.supported_operations("iam")) >= 90

    def test_signing_names_are_the_services(self):
        assert [model(service).signing_name for service in ops.SERVICES] == list(ops.SERVICES)

    @pytest.mark.parametrize(
        ("service", "name"),
        [("iam", "GetDelegationRequest"), ("s3", "PutBucketLifecycleConfiguration"), ("dynamodb", "GetItem")],
    )
    def test_an_unknown_operation_never_passes(self, service, name):
        with pytest.raises(ops.UnsupportedOperation) as raised:
            checks(service, name)
        assert (raised.value.service, raised.value.name) == (service, name)


class ActionNameTests:
    def test_actions_are_service_colon_operation_except_the_documented_ones(self):
        found = {}
        for service, name in MAPPED:
            first = sample_checks(service, name)[:1]
            if first and first[0].action != f"{service}:{name}":
                found[(service, name)] = first[0].action
        assert found == ACTION_EXCEPTIONS

    def test_only_the_documented_calls_need_no_authorization(self):
        assert {(service, name) for service, name in MAPPED if not sample_checks(service, name)} == NO_AUTHORIZATION

    @pytest.mark.parametrize(("service", "name"), MAPPED, ids=[f"{s}:{n}" for s, n in MAPPED])
    def test_every_check_is_one_the_engine_can_allow(self, service, name):
        for check in sample_checks(service, name):
            document = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": check.action, "Resource": check.resource}],
            }
            policy = iam.parse_policy(document, name="allow")
            errors = [
                f
                for f in iam.validate_policy(document, kind=iam.PolicyKind.IDENTITY)
                if f.severity == iam.Severity.ERROR
            ]
            # A caller in the resource's account: cross-account access is another question.
            caller = iam.Principal.aws(f"arn:aws:iam::{check.resource_account or ACCOUNT}:user/sample")
            trust = trust_policy(caller.arn, check.action) if check.against_trust_policy else None
            inputs = iam.PolicyInputs(identity=(policy,), resource=trust)
            evaluation = iam.evaluate(check.as_request(principal=caller), inputs)
            assert (errors, evaluation.decision) == ([], iam.Decision.ALLOW), check


class IamResourceTests:
    def test_create_role_is_checked_on_the_arn_with_its_path(self):
        [create] = checks(
            "iam", "CreateRole", {"RoleName": "deployer", "Path": "/app/ops/", "AssumeRolePolicyDocument": "{}"}
        )
        assert (create.action, create.resource) == ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/app/ops/deployer")
        assert create.resource_account == ACCOUNT

    def test_a_role_named_by_name_is_checked_with_its_real_path(self):
        state = State(f"arn:aws:iam::{ACCOUNT}:role/app/deployer")
        [check] = checks("iam", "GetRole", {"RoleName": "deployer"}, state=state)
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:role/app/deployer"

    def test_a_role_that_does_not_exist_yet_is_checked_without_a_path(self):
        [check] = checks("iam", "DeleteRole", {"RoleName": "ghost"})
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:role/ghost"

    def test_iam_is_a_global_service_checked_in_us_east_1(self):
        [check] = checks("iam", "ListRoles", region="eu-west-1")
        assert (check.resource, keys(check)) == ("*", {"aws:RequestedRegion": "us-east-1"})

    def test_regional_services_keep_the_calls_region(self):
        [check] = checks("cloudtrail", "LookupEvents", region="eu-west-1")
        assert (check.action, check.resource, keys(check)) == (
            "cloudtrail:LookupEvents",
            "*",
            {"aws:RequestedRegion": "eu-west-1"},
        )

    def test_an_aws_managed_policy_is_its_own_arn_and_counts_as_the_called_accounts(self):
        arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
        [check] = checks("iam", "GetPolicy", {"PolicyArn": arn})
        assert (check.resource, check.resource_account) == (arn, ACCOUNT)

    def test_attaching_a_policy_carries_its_arn(self):
        arn = "arn:aws:iam::aws:policy/AdministratorAccess"
        [check] = checks("iam", "AttachRolePolicy", {"RoleName": "r", "PolicyArn": arn})
        assert keys(check)["iam:PolicyARN"] == arn

    def test_an_open_id_connect_provider_is_named_by_its_url_without_scheme(self):
        [check] = checks("iam", "CreateOpenIDConnectProvider", {"Url": "https://token.actions.githubusercontent.com"})
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"

    def test_a_virtual_mfa_device_is_an_mfa_resource_with_its_path(self):
        [check] = checks("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "alice", "Path": "/team/"})
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:mfa/team/alice"

    def test_enabling_an_mfa_device_is_checked_on_the_user(self):
        state = State(f"arn:aws:iam::{ACCOUNT}:user/staff/alice")
        params = {"UserName": "alice", "SerialNumber": "arn:x", "AuthenticationCode1": "1", "AuthenticationCode2": "2"}
        [check] = checks("iam", "EnableMFADevice", params, state=state)
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:user/staff/alice"

    def test_a_missing_required_parameter_is_rejected_before_any_check(self):
        with pytest.raises(ops.RequestRejected) as raised:
            checks("iam", "GetRole", {})
        assert raised.value.code == "ValidationError"
        assert "'roleName'" in raised.value.message

    def test_a_policy_arn_that_is_not_an_arn_is_rejected(self):
        with pytest.raises(ops.RequestRejected) as raised:
            checks("iam", "GetPolicy", {"PolicyArn": "ReadOnlyAccess"})
        assert (raised.value.code, raised.value.message) == ("InvalidInput", "ARN ReadOnlyAccess is not valid.")


class AuthorizationTests:
    def test_the_checks_keys_win_over_the_request_wide_ones(self):
        [check] = checks("iam", "ListRoles", region="eu-west-1")
        request = check.as_request(
            principal=iam.Principal.aws(USER),
            context={"aws:RequestedRegion": ("eu-west-1",), "aws:SecureTransport": ("true",)},
        )
        assert (request.context["aws:RequestedRegion"], request.context["aws:SecureTransport"]) == (
            ("us-east-1",),
            ("true",),
        )

    def test_operation_parameters_are_a_read_only_copy(self):
        params = {"RoleName": "r"}
        operation = ops.Operation("iam", "GetRole", params)
        params["RoleName"] = "changed"
        with pytest.raises(TypeError):
            operation.params["RoleName"] = "x"
        assert operation.params["RoleName"] == "r"


class RenameTests:
    def test_a_new_name_is_checked_on_both_the_old_and_the_new_arn(self):
        state = State(f"arn:aws:iam::{ACCOUNT}:user/staff/bob")
        old, new = checks("iam", "UpdateUser", {"UserName": "bob", "NewUserName": "robert"}, state=state)
        assert (old.resource, new.resource) == (
            f"arn:aws:iam::{ACCOUNT}:user/staff/bob",
            f"arn:aws:iam::{ACCOUNT}:user/staff/robert",
        )

    def test_a_new_path_is_checked_on_the_moved_arn(self):
        _, new = checks("iam", "UpdateGroup", {"GroupName": "devs", "NewPath": "/eng/"})
        assert new.resource == f"arn:aws:iam::{ACCOUNT}:group/eng/devs"

    def test_no_change_is_one_check(self):
        assert len(checks("iam", "UpdateServerCertificate", {"ServerCertificateName": "web"})) == 1


class PermissionsBoundaryKeyTests:
    def test_create_user_carries_the_requested_boundary(self):
        boundary = f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries"
        [check] = checks("iam", "CreateUser", {"UserName": "u", "PermissionsBoundary": boundary})
        assert keys(check)["iam:PermissionsBoundary"] == boundary

    def test_putting_a_boundary_carries_the_new_one_not_the_current_one(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/r"
        state = State(role, boundaries={role: f"arn:aws:iam::{ACCOUNT}:policy/old"})
        params = {"RoleName": "r", "PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/new"}
        [check] = checks("iam", "PutRolePermissionsBoundary", params, state=state)
        assert keys(check)["iam:PermissionsBoundary"] == f"arn:aws:iam::{ACCOUNT}:policy/new"

    @pytest.mark.parametrize(
        ("name", "params"),
        [
            ("PutUserPolicy", {"UserName": "u", "PolicyName": "p", "PolicyDocument": "{}"}),
            ("DeleteUserPolicy", {"UserName": "u", "PolicyName": "p"}),
            ("AttachUserPolicy", {"UserName": "u", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
            ("DeleteUserPermissionsBoundary", {"UserName": "u"}),
        ],
    )
    def test_changing_a_user_carries_its_current_boundary(self, name, params):
        user, boundary = f"arn:aws:iam::{ACCOUNT}:user/u", f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries"
        [check] = checks("iam", name, params, state=State(user, boundaries={user: boundary}))
        assert keys(check)["iam:PermissionsBoundary"] == boundary

    def test_an_entity_without_boundary_has_no_key(self):
        [check] = checks("iam", "DeleteRolePolicy", {"RoleName": "r", "PolicyName": "p"})
        assert "iam:PermissionsBoundary" not in check.context

    def test_reading_an_inline_policy_has_no_boundary_key(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/r"
        state = State(role, boundaries={role: f"arn:aws:iam::{ACCOUNT}:policy/b"})
        [check] = checks("iam", "GetRolePolicy", {"RoleName": "r", "PolicyName": "p"}, state=state)
        assert "iam:PermissionsBoundary" not in check.context


class TagKeyTests:
    TAGS = [{"Key": "team", "Value": "blue"}, {"Key": "cost-center", "Value": "42"}]

    def test_creating_with_tags_also_needs_the_tag_action_with_the_same_tags(self):
        create, tag = checks(
            "iam", "CreateRole", {"RoleName": "r", "AssumeRolePolicyDocument": "{}", "Tags": self.TAGS}
        )
        expected = {
            "aws:RequestTag/team": "blue",
            "aws:RequestTag/cost-center": "42",
            "aws:TagKeys": ("team", "cost-center"),
        }
        assert (tag.action, tag.resource) == ("iam:TagRole", create.resource)
        assert keys(create) == keys(tag) == {"aws:RequestedRegion": "us-east-1", **expected}

    def test_creating_without_tags_needs_no_tag_action(self):
        assert [c.action for c in checks("iam", "CreatePolicy", {"PolicyName": "p", "PolicyDocument": "{}"})] == [
            "iam:CreatePolicy"
        ]

    def test_untag_carries_only_the_tag_keys(self):
        [check] = checks("iam", "UntagUser", {"UserName": "u", "TagKeys": ["team", "env"]})
        assert keys(check) == {"aws:RequestedRegion": "us-east-1", "aws:TagKeys": ("team", "env")}

    def test_tags_of_a_role_are_aws_and_iam_resource_tags(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/r"
        [check] = checks("iam", "GetRole", {"RoleName": "r"}, state=State(role, tags={role: {"env": "prod"}}))
        assert keys(check)["aws:ResourceTag/env"] == keys(check)["iam:ResourceTag/env"] == "prod"

    def test_tags_of_a_policy_are_only_aws_resource_tags(self):
        policy = f"arn:aws:iam::{ACCOUNT}:policy/p"
        [check] = checks("iam", "GetPolicy", {"PolicyArn": policy}, state=State(tags={policy: {"env": "prod"}}))
        assert "iam:ResourceTag/env" not in check.context
        assert keys(check)["aws:ResourceTag/env"] == "prod"


class CallingUserTests:
    def test_a_call_without_user_name_acts_on_the_calling_user(self):
        [check] = checks("iam", "ListAccessKeys", caller=f"arn:aws:iam::{ACCOUNT}:user/staff/bob")
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:user/staff/bob"

    def test_a_role_session_must_name_the_user(self):
        with pytest.raises(ops.RequestRejected) as raised:
            checks("iam", "CreateAccessKey", caller=ROLE_SESSION)
        assert raised.value.message == "Must specify userName when calling with non-User credentials"

    def test_a_named_user_wins_over_the_caller(self):
        [check] = checks("iam", "ListMFADevices", {"UserName": "carol"}, caller=ROLE_SESSION)
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:user/carol"

    def test_change_password_is_always_the_callers_own(self):
        [check] = checks("iam", "ChangePassword", {"OldPassword": "a", "NewPassword": "b"})
        assert check.resource == USER

    def test_access_key_last_used_is_checked_on_the_keys_owner(self):
        state = State(f"arn:aws:iam::{ACCOUNT}:user/ci/robot", keys={"AKIAROBOT": "robot"})
        [check] = checks("iam", "GetAccessKeyLastUsed", {"AccessKeyId": "AKIAROBOT"}, state=state)
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:user/ci/robot"

    def test_an_unknown_access_key_is_rejected(self):
        with pytest.raises(ops.RequestRejected):
            checks("iam", "GetAccessKeyLastUsed", {"AccessKeyId": "AKIANOPE"})


class ServiceLinkedRoleTests:
    @pytest.mark.parametrize(
        ("service", "suffix"),
        [
            ("elasticbeanstalk.amazonaws.com", None),
            ("ssm.amazonaws.com", None),
            ("custom-resource.application-autoscaling.amazonaws.com", "lab"),
        ],
    )
    def test_the_role_is_the_one_moto_creates(self, service, suffix):
        from moto.iam.models import IAMBackend

        role = IAMBackend(region_name="global", account_id=ACCOUNT).create_service_linked_role(service, "", suffix)
        params = {"AWSServiceName": service, **({"CustomSuffix": suffix} if suffix else {})}
        [check] = checks("iam", "CreateServiceLinkedRole", params)
        assert (check.resource, keys(check)["iam:AWSServiceName"]) == (role.arn, service)

    def test_the_deletion_status_is_checked_on_the_role_in_the_task_id(self):
        task = "task/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForSSM/1a2b3c"
        [check] = checks("iam", "GetServiceLinkedRoleDeletionStatus", {"DeletionTaskId": task})
        assert check.resource == f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForSSM"


class PassRoleTests:
    PROFILE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app/WebServer"

    def passes(self, authorizations):
        return [(c.resource, keys(c).get("iam:PassedToService")) for c in authorizations if c.action == "iam:PassRole"]

    @pytest.mark.parametrize(
        "profile",
        [{"Name": "web"}, {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web"}],
        ids=["by-name", "by-arn-with-path"],
    )
    def test_launching_with_an_instance_profile_passes_its_role_to_ec2(self, profile):
        state = State(profiles={"web": self.PROFILE_ROLE})
        params = {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 1, "IamInstanceProfile": profile}
        assert self.passes(checks("ec2", "RunInstances", params, state=state)) == [
            (self.PROFILE_ROLE, "ec2.amazonaws.com")
        ]

    def test_an_instance_profile_without_role_passes_nothing(self):
        params = {"MinCount": 1, "MaxCount": 1, "IamInstanceProfile": {"Name": "empty"}}
        assert self.passes(checks("ec2", "RunInstances", params)) == []

    def test_associating_a_profile_checks_the_instance_and_passes_the_role(self):
        state = State(profiles={"web": self.PROFILE_ROLE})
        params = {"InstanceId": "i-0abc", "IamInstanceProfile": {"Name": "web"}}
        associate, pass_role = checks("ec2", "AssociateIamInstanceProfile", params, state=state, region="eu-west-1")
        assert associate.resource == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc"
        assert self.passes([pass_role]) == [(self.PROFILE_ROLE, "ec2.amazonaws.com")]

    def test_creating_a_function_passes_its_role_to_lambda(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/service-role/fn"
        params = {"FunctionName": "fn", "Role": role, "Code": {}, "Tags": {"team": "blue"}}
        create, pass_role = checks("lambda", "CreateFunction", params, region="eu-west-1")
        assert (create.resource, keys(create)["aws:RequestTag/team"]) == (
            f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn",
            "blue",
        )
        assert self.passes([pass_role]) == [(role, "lambda.amazonaws.com")]

    def test_updating_a_function_passes_a_role_only_when_it_sets_one(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/fn"
        assert self.passes(checks("lambda", "UpdateFunctionConfiguration", {"FunctionName": "fn"})) == []
        with_role = checks("lambda", "UpdateFunctionConfiguration", {"FunctionName": "fn", "Role": role})
        assert self.passes(with_role) == [(role, "lambda.amazonaws.com")]

    def test_the_passed_roles_tags_are_resource_tags(self):
        role = f"arn:aws:iam::{ACCOUNT}:role/fn"
        state = State(role, tags={role: {"passable": "yes"}})
        _, pass_role = checks("lambda", "CreateFunction", {"FunctionName": "fn", "Role": role, "Code": {}}, state=state)
        assert keys(pass_role)["aws:ResourceTag/passable"] == "yes"

    def test_adding_a_role_to_an_instance_profile_passes_it(self):
        state = State(self.PROFILE_ROLE)
        profile, pass_role = checks(
            "iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "web", "RoleName": "WebServer"}, state=state
        )
        assert (profile.action, pass_role.action, pass_role.resource) == (
            "iam:AddRoleToInstanceProfile",
            "iam:PassRole",
            self.PROFILE_ROLE,
        )


class RunInstancesTests:
    def test_every_resource_the_launch_uses_or_creates_is_checked(self):
        params = {
            "ImageId": "ami-1",
            "MinCount": 1,
            "MaxCount": 1,
            "SubnetId": "subnet-1",
            "SecurityGroupIds": ["sg-1"],
            "KeyName": "k",
        }
        found = [c.resource for c in checks("ec2", "RunInstances", params, region="eu-west-1")]
        assert found == [
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/*",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:volume/*",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:network-interface/*",
            "arn:aws:ec2:eu-west-1::image/ami-1",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:subnet/subnet-1",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/sg-1",
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:key-pair/k",
        ]

    def test_tags_on_create_need_create_tags_with_the_create_action(self):
        specs = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}]
        found = checks("ec2", "RunInstances", {"MinCount": 1, "MaxCount": 1, "TagSpecifications": specs})
        [tag] = [c for c in found if c.action == "ec2:CreateTags"]
        assert (
            tag.resource.endswith(":instance/*"),
            keys(tag)["ec2:CreateAction"],
            keys(tag)["aws:RequestTag/Name"],
        ) == (
            True,
            "RunInstances",
            "web",
        )
        assert keys(found[0])["aws:TagKeys"] == "Name"


class LambdaFunctionNameTests:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"FunctionName": "fn"}, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn"),
            ({"FunctionName": "fn:prod"}, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn:prod"),
            ({"FunctionName": "fn", "Qualifier": "3"}, f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:fn:3"),
            ({"FunctionName": f"{OTHER}:function:fn"}, f"arn:aws:lambda:eu-west-1:{OTHER}:function:fn"),
            (
                {"FunctionName": f"arn:aws:lambda:us-west-2:{OTHER}:function:fn:live"},
                f"arn:aws:lambda:us-west-2:{OTHER}:function:fn:live",
            ),
        ],
    )
    def test_invoke_is_checked_on_the_function_named_in_any_form(self, params, expected):
        [check] = checks("lambda", "Invoke", params, region="eu-west-1")
        assert (check.action, check.resource, check.resource_account) == (
            "lambda:InvokeFunction",
            expected,
            expected.split(":")[4],
        )


class AssumeRoleTests:
    ROLE = f"arn:aws:iam::{OTHER}:role/Partner"

    def test_a_plain_assume_role_is_one_check_against_the_trust_policy(self):
        [check] = checks(
            "sts", "AssumeRole", {"RoleArn": self.ROLE, "RoleSessionName": "s", "ExternalId": "partner-42"}
        )
        assert (check.action, check.resource, check.resource_account, check.against_trust_policy) == (
            "sts:AssumeRole",
            self.ROLE,
            OTHER,
            True,
        )
        assert (keys(check)["sts:ExternalId"], keys(check)["sts:RoleSessionName"]) == ("partner-42", "s")

    def test_session_tags_need_tag_session_and_a_source_identity_set_source_identity(self):
        params = {
            "RoleArn": self.ROLE,
            "RoleSessionName": "s",
            "Tags": [{"Key": "Project", "Value": "Apollo"}],
            "TransitiveTagKeys": ["Project"],
            "SourceIdentity": "alice",
        }
        found = checks("sts", "AssumeRole", params)
        assert [(c.action, c.against_trust_policy) for c in found] == [
            ("sts:AssumeRole", True),
            ("sts:TagSession", True),
            ("sts:SetSourceIdentity", True),
        ]
        assert keys(found[1])["aws:RequestTag/Project"] == "Apollo"
        assert keys(found[1])["sts:TransitiveTagKeys"] == "Project"
        assert keys(found[2])["sts:SourceIdentity"] == "alice"

    @pytest.mark.parametrize("name", ["GetCallerIdentity", "GetSessionToken"])
    def test_calls_no_policy_can_deny_have_no_checks(self, name):
        assert checks("sts", name, caller=ROLE_SESSION) == ()

    def test_a_trust_policy_without_tag_session_allows_the_assume_but_not_the_tags(self):
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"}],
        }
        policy = iam.parse_policy(trust, name="trust", kind=iam.PolicyKind.TRUST)
        role = f"arn:aws:iam::{ACCOUNT}:role/r"
        params = {"RoleArn": role, "RoleSessionName": "s", "Tags": [{"Key": "k", "Value": "v"}]}
        decisions = [
            iam.evaluate(c.as_request(principal=iam.Principal.aws(USER)), iam.PolicyInputs(resource=policy)).decision
            for c in checks("sts", "AssumeRole", params)
        ]
        assert decisions == [iam.Decision.ALLOW, iam.Decision.IMPLICIT_DENY]


class S3Tests:
    @pytest.mark.parametrize(
        ("key", "resource"),
        [
            ("a/b/c.txt", "arn:aws:s3:::bucket/a/b/c.txt"),
            ("folder/", "arn:aws:s3:::bucket/folder/"),
            ("déjà vu/ünïcødé 😀.txt", "arn:aws:s3:::bucket/déjà vu/ünïcødé 😀.txt"),
            ("/leading//double", "arn:aws:s3:::bucket//leading//double"),
        ],
    )
    def test_an_object_is_the_bucket_and_the_key_as_stored(self, key, resource):
        [check] = checks("s3", "GetObject", {"Bucket": "bucket", "Key": key})
        assert (check.action, check.resource) == ("s3:GetObject", resource)

    def test_list_objects_v2_is_list_bucket_with_the_listing_keys(self):
        [check] = checks(
            "s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "home/alice/", "Delimiter": "/", "MaxKeys": 50}
        )
        assert (check.action, check.resource) == ("s3:ListBucket", "arn:aws:s3:::b")
        assert keys(check) == {
            "aws:RequestedRegion": "us-east-1",
            "s3:prefix": "home/alice/",
            "s3:delimiter": "/",
            "s3:max-keys": "50",
        }

    def test_a_listing_without_prefix_has_no_prefix_key_and_an_empty_one_has_it(self):
        [bare] = checks("s3", "ListObjectsV2", {"Bucket": "b"})
        [empty] = checks("s3", "ListObjects", {"Bucket": "b", "Prefix": ""})
        assert ("s3:prefix" in bare.context, keys(empty)["s3:prefix"]) == (False, "")

    def test_head_object_is_get_object_and_a_version_id_makes_it_get_object_version(self):
        [head] = checks("s3", "HeadObject", {"Bucket": "b", "Key": "k"})
        [versioned] = checks("s3", "GetObject", {"Bucket": "b", "Key": "k", "VersionId": "v1"})
        assert (head.action, versioned.action, keys(versioned)["s3:versionid"]) == (
            "s3:GetObject",
            "s3:GetObjectVersion",
            "v1",
        )

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("src/a/b.txt", ("arn:aws:s3:::src/a/b.txt", "s3:GetObject")),
            ("/src/d%C3%A9j%C3%A0/x%20y.txt?versionId=v%2B1", ("arn:aws:s3:::src/déjà/x y.txt", "s3:GetObjectVersion")),
            ("src/what%3Fnow.txt", ("arn:aws:s3:::src/what?now.txt", "s3:GetObject")),
        ],
    )
    def test_copy_reads_the_source_and_writes_the_destination(self, source, expected):
        write, read = checks("s3", "CopyObject", {"Bucket": "dst", "Key": "k", "CopySource": source})
        assert (write.action, write.resource) == ("s3:PutObject", "arn:aws:s3:::dst/k")
        assert (read.resource, read.action) == expected
        assert keys(write)["s3:x-amz-copy-source"] == expected[0].removeprefix("arn:aws:s3:::")

    def test_the_source_version_id_is_decoded_once(self):
        _, read = checks("s3", "CopyObject", {"Bucket": "d", "Key": "k", "CopySource": "s/k?versionId=v%2B1"})
        assert keys(read)["s3:versionid"] == "v+1"

    @pytest.mark.parametrize(
        "source", ["bucket-only", "bucket/", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k"]
    )
    def test_a_copy_source_that_is_not_bucket_and_key_is_rejected(self, source):
        with pytest.raises(ops.RequestRejected):
            checks("s3", "CopyObject", {"Bucket": "d", "Key": "k", "CopySource": source})

    def test_put_object_with_an_acl_and_tags_needs_the_acl_and_tagging_actions(self):
        params = {"Bucket": "b", "Key": "k", "ACL": "public-read", "Tagging": "team=blue&cost%20center=42"}
        found = checks("s3", "PutObject", params)
        assert [c.action for c in found] == ["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging"]
        assert keys(found[0])["s3:x-amz-acl"] == "public-read"
        assert keys(found[0])["s3:RequestObjectTag/cost center"] == "42"
        assert keys(found[0])["s3:RequestObjectTagKeys"] == ("team", "cost center")

    def test_create_bucket_needs_the_permissions_of_the_settings_it_includes(self):
        params = {
            "Bucket": "b",
            "ACL": "private",
            "ObjectLockEnabledForBucket": True,
            "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"},
        }
        found = checks("s3", "CreateBucket", params)
        assert [c.action for c in found] == [
            "s3:CreateBucket",
            "s3:PutBucketAcl",
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketVersioning",
        ]
        assert (keys(found[0])["s3:LocationConstraint"], found[0].resource_account) == ("eu-west-1", ACCOUNT)

    @pytest.mark.parametrize(
        ("name", "action"),
        [
            ("GetBucketPolicy", "s3:GetBucketPolicy"),
            ("PutBucketPolicy", "s3:PutBucketPolicy"),
            ("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
        ],
    )
    def test_bucket_policies_are_checked_on_the_bucket_owned_by_its_account(self, name, action):
        [check] = checks("s3", name, {"Bucket": "shared", "Policy": "{}"}, state=State(buckets={"shared": OTHER}))
        assert (check.action, check.resource, check.resource_account) == (action, "arn:aws:s3:::shared", OTHER)

    def test_list_buckets_is_list_all_my_buckets_on_star(self):
        [check] = checks("s3", "ListBuckets")
        assert (check.action, check.resource) == ("s3:ListAllMyBuckets", "*")

    def test_a_multi_object_delete_is_checked_key_by_key(self):
        params = {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}]}}
        found = checks("s3", "DeleteObjects", params)
        assert [(c.action, c.resource) for c in found] == [
            ("s3:DeleteObject", "arn:aws:s3:::b/a"),
            ("s3:DeleteObjectVersion", "arn:aws:s3:::b/b"),
        ]

    def test_a_multi_object_delete_without_keys_is_rejected_not_passed(self):
        with pytest.raises(ops.RequestRejected):
            checks("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": []}})

    def test_s3_resources_get_no_resource_tags(self):
        [check] = checks(
            "s3", "GetObject", {"Bucket": "b", "Key": "k"}, state=State(tags={"arn:aws:s3:::b/k": {"a": "b"}})
        )
        assert "aws:ResourceTag/a" not in check.context


class OrganizationsTests:
    STATE = State(organization=ORGANIZATION)
    OWNER = "arn:aws:organizations::999988887777"

    @pytest.mark.parametrize(
        ("name", "params", "resource"),
        [
            ("DescribeAccount", {"AccountId": ACCOUNT}, f"{OWNER}:account/o-exampleorgid/{ACCOUNT}"),
            ("ListChildren", {"ParentId": "r-ab12", "ChildType": "ACCOUNT"}, f"{OWNER}:root/o-exampleorgid/r-ab12"),
            (
                "DescribeOrganizationalUnit",
                {"OrganizationalUnitId": "ou-ab12-cd34ef56"},
                f"{OWNER}:ou/o-exampleorgid/ou-ab12-cd34ef56",
            ),
            (
                "DescribePolicy",
                {"PolicyId": "p-FullAWSAccess"},
                "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
            ),
            (
                "DescribePolicy",
                {"PolicyId": "p-examplepolicy1"},
                f"{OWNER}:policy/o-exampleorgid/service_control_policy/p-examplepolicy1",
            ),
            ("DescribeEffectivePolicy", {"PolicyType": "TAG_POLICY"}, f"{OWNER}:account/o-exampleorgid/{ACCOUNT}"),
            ("ListAccounts", {}, "*"),
        ],
    )
    def test_calls_are_checked_on_the_organizations_resources(self, name, params, resource):
        [check] = checks("organizations", name, params, state=self.STATE, region="eu-west-1")
        assert (check.action, check.resource, keys(check)["aws:RequestedRegion"]) == (
            f"organizations:{name}",
            resource,
            "us-east-1",
        )

    def test_the_policy_type_is_a_condition_key(self):
        [describe] = checks("organizations", "DescribePolicy", {"PolicyId": "p-examplepolicy1"}, state=self.STATE)
        [listing] = checks("organizations", "ListPolicies", {"Filter": "TAG_POLICY"}, state=self.STATE)
        assert (keys(describe)["organizations:PolicyType"], keys(listing)["organizations:PolicyType"]) == (
            "SERVICE_CONTROL_POLICY",
            "TAG_POLICY",
        )

    def test_an_account_outside_any_organization_is_rejected(self):
        with pytest.raises(ops.RequestRejected) as raised:
            checks("organizations", "DescribeAccount", {"AccountId": ACCOUNT})
        assert raised.value.code == "AWSOrganizationsNotInUseException"
