"""The curated AWS managed policies: the catalogue, its documents, and the shared moto objects pickled by reference."""
from __future__ import annotations

import copy
import json
import pickle
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

import iam
from iam.limits import counted_size
from sandbox import managed_policies as mp

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
SERVICE_ROLE = "arn:aws:iam::aws:policy/service-role/"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
NAMED_IN_THE_ISSUE = (
    "AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit", "IAMFullAccess",
    "IAMReadOnlyAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess", "AmazonEC2FullAccess",
    "AmazonEC2ReadOnlyAccess", "AWSLambdaBasicExecutionRole", "AWSLambda_FullAccess", "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess", "CloudWatchLogsFullAccess", "AWSCloudTrail_ReadOnlyAccess",
)
def _oversized():
    return [info for info in mp.managed_policy_list() if counted_size(info.document) > iam.MANAGED_POLICY_SIZE_LIMIT]


class CatalogueTests:
    def test_the_catalogue_holds_at_least_forty_policies(self):
        assert len(mp.managed_policy_list()) >= 40

    def test_every_policy_named_in_the_issue_is_there(self):
        names = {info.name for info in mp.managed_policy_list()}
        assert set(NAMED_IN_THE_ISSUE) <= names

    def test_the_list_is_sorted_by_name(self):
        names = [info.name for info in mp.managed_policy_list()]
        assert names == sorted(names)

    def test_administrator_access_is_allow_everything(self):
        info = mp.managed_policy_get(arn=ADMIN)
        assert info is not None
        assert info.document == '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

    @pytest.mark.parametrize(
        ("name", "arn"),
        [
            ("AWSLambdaBasicExecutionRole", LAMBDA_BASIC),
            ("ViewOnlyAccess", VIEW_ONLY),
            ("AWS_ConfigRole", f"{SERVICE_ROLE}AWS_ConfigRole"),
            ("AmazonECSTaskExecutionRolePolicy", f"{SERVICE_ROLE}AmazonECSTaskExecutionRolePolicy"),
            ("Billing", "arn:aws:iam::aws:policy/job-function/Billing"),
            ("AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
        ],
    )
    def test_the_arn_includes_the_policy_path(self, name, arn):
        info = mp.managed_policy_get(arn=arn)
        assert info is not None and info.name == name

    def test_every_arn_path_and_document_matches_moto_data(self):
        from moto.iam.aws_managed_policies import aws_managed_policies_data

        moto_data = json.loads(aws_managed_policies_data)
        for info in mp.managed_policy_list():
            data = moto_data[info.name]
            assert info.path == data["Path"], info.name
            assert info.arn == f"arn:aws:iam::aws:policy{data['Path']}{info.name}"
            assert info.default_version_id == data["DefaultVersionId"], info.name
            assert json.loads(info.document) == data["Document"], info.name

    def test_policy_ids_are_stable_and_distinct(self):
        ids = [info.policy_id for info in mp.managed_policy_list()]
        assert len(set(ids)) == len(ids)
        assert all(policy_id.startswith("ANPA") and len(policy_id) == 21 for policy_id in ids)

    def test_an_unknown_arn_is_not_in_the_catalogue(self):
        assert mp.managed_policy_get(arn="arn:aws:iam::aws:policy/NoSuchPolicy") is None
        assert mp.managed_policy_get(arn="arn:aws:iam::123456789012:policy/AdministratorAccess") is None

    @pytest.mark.parametrize(
        ("arn", "expected"),
        [
            (ADMIN, True),
            (LAMBDA_BASIC, True),
            ("arn:aws:iam::aws:policy/NotCurated", True),
            ("arn:aws-cn:iam::aws:policy/ReadOnlyAccess", True),
            ("arn:aws:iam::123456789012:policy/AdministratorAccess", False),
            ("arn:aws:iam::aws:role/AdministratorAccess", False),
            ("AdministratorAccess", False),
        ],
    )
    def test_is_aws_managed_arn(self, arn, expected):
        assert mp.is_aws_managed_arn(arn) is expected

    def test_the_data_file_is_what_the_script_generates(self):
        script = ROOT / "scripts" / "extract_managed_policies.py"
        result = subprocess.run(
            [sys.executable, str(script), "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr

    def test_importing_the_module_loads_neither_django_nor_moto(self):
        code = (
            "import sys, sandbox.managed_policies as m; m.managed_policy_list(); "
            "print(sorted({n.split('.')[0] for n in sys.modules} & {'django', 'moto', 'boto3'}))"
        )
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.stdout.strip() == "[]", result.stderr


class EngineParsesManagedPoliciesTests:
    @pytest.mark.parametrize("info", mp.managed_policy_list(), ids=lambda info: info.name)
    def test_the_engine_parses_the_document_without_the_customer_size_quota(self, info):
        policy = iam.parse_policy(info.document, name=info.name, kind=iam.PolicyKind.IDENTITY, check_size=False)
        assert policy.statements

    def test_some_documents_are_over_the_customer_quota_which_aws_managed_policies_are_exempt_from(self):
        oversized = {info.name for info in _oversized()}
        assert "ReadOnlyAccess" in oversized
        for info in _oversized():
            with pytest.raises(iam.PolicySyntaxError) as raised:
                iam.parse_policy(info.document, name=info.name, kind=iam.PolicyKind.IDENTITY)
            assert raised.value.code == "LimitExceeded", info.name


@pytest.fixture
def backends():
    """A fresh random account in the process-wide moto mock (never a mock of our own, never stopped)."""
    from moto.iam.models import iam_backends

    from sandbox import moto_store

    moto_store._ensure_started()
    created = []

    def new_account():
        account_id = str(secrets.randbelow(9 * 10**11) + 10**11)
        created.append(account_id)
        return iam_backends[account_id]["global"]

    yield new_account
    for account_id in created:
        dict.pop(iam_backends, account_id, None)


def _role(backend, name="app"):
    backend.create_role(name, TRUST, "/", None, "", [], "3600")
    return name


def _attached(backend, role_name):
    policies, _ = backend.list_attached_role_policies(role_name)
    return sorted(policy.arn for policy in policies)


class SharedMotoPolicyTests:
    def test_moto_policy_is_one_object_per_arn(self):
        assert mp.moto_policy(READ_ONLY) is mp.moto_policy(READ_ONLY)

    def test_moto_policy_has_the_arn_path_version_and_document(self):
        policy = mp.moto_policy(LAMBDA_BASIC)
        info = mp.managed_policy_get(arn=LAMBDA_BASIC)
        assert policy.arn == LAMBDA_BASIC
        assert (policy.name, policy.path, policy.default_version_id) == (
            "AWSLambdaBasicExecutionRole", "/service-role/", info.default_version_id,
        )
        assert [version.document for version in policy.versions] == [info.document]
        assert policy.id == info.policy_id

    def test_an_unknown_arn_has_no_moto_policy(self):
        with pytest.raises(LookupError):
            mp.moto_policy("arn:aws:iam::aws:policy/NoSuchPolicy")

    def test_a_policy_retired_from_the_catalogue_still_unpickles_from_moto_data(self):
        arn = "arn:aws:iam::aws:policy/AmazonSESFullAccess"
        assert mp.managed_policy_get(arn=arn) is None
        assert mp.moto_policy(arn).arn == arn

    def test_pickling_and_deepcopy_keep_the_shared_object(self):
        policy = mp.moto_policy(ADMIN)
        assert pickle.loads(pickle.dumps(policy)) is policy
        assert copy.deepcopy(policy) is policy

    def test_the_shared_attachment_count_stays_zero(self, backends):
        backend = backends()
        mp.ensure_available(backend, ADMIN)
        backend.attach_role_policy(ADMIN, _role(backend))
        assert mp.moto_policy(ADMIN).attachment_count == 0

    def test_tagging_the_shared_object_fails_loudly(self, backends):
        backend = backends()
        mp.ensure_available(backend, READ_ONLY)
        with pytest.raises(AttributeError):
            backend.tag_policy(READ_ONLY, [{"Key": "owner", "Value": "me"}])
        assert mp.moto_policy(READ_ONLY).get_tags() == []


class EnsureAvailableTests:
    def test_without_it_moto_cannot_attach(self, backends):
        from moto.iam.exceptions import NotFoundException

        backend = backends()
        with pytest.raises(NotFoundException):
            backend.attach_role_policy(ADMIN, _role(backend))

    def test_it_adds_only_that_policy(self, backends):
        backend = backends()
        assert mp.ensure_available(backend, VIEW_ONLY) is True
        assert list(backend.managed_policies) == [VIEW_ONLY]
        assert backend.managed_policies[VIEW_ONLY] is mp.moto_policy(VIEW_ONLY)

    def test_a_path_policy_attaches_to_a_role(self, backends):
        backend = backends()
        role = _role(backend)
        mp.ensure_available(backend, LAMBDA_BASIC)
        backend.attach_role_policy(LAMBDA_BASIC, role)
        assert _attached(backend, role) == [LAMBDA_BASIC]

    @pytest.mark.parametrize(
        "arn", ["arn:aws:iam::aws:policy/AmazonSESFullAccess", "arn:aws:iam::123456789012:policy/mine"]
    )
    def test_other_arns_are_left_to_moto(self, backends, arn):
        backend = backends()
        assert mp.ensure_available(backend, arn) is False
        assert backend.managed_policies == {}

    def test_a_user_and_a_group_can_have_it_attached(self, backends):
        backend = backends()
        backend.create_user("global", "alice", "/")
        backend.create_group("admins", "/")
        mp.ensure_available(backend, ADMIN)
        backend.attach_user_policy(ADMIN, "alice")
        backend.attach_group_policy(ADMIN, "admins")
        assert mp.attachment_count(backend, ADMIN) == 2

    def test_detach_works_and_the_role_can_be_deleted(self, backends):
        backend = backends()
        role = _role(backend)
        mp.ensure_available(backend, ADMIN)
        backend.attach_role_policy(ADMIN, role)
        backend.detach_role_policy(ADMIN, role)
        backend.delete_role(role)
        assert backend.roles == {}


class SnapshotTests:
    """Pickle the account as moto_store does: `{"iam": iam_backends[account_id]}`."""

    @pytest.fixture
    def account(self, backends):
        backend = backends()
        role = _role(backend)
        for arn in (ADMIN, READ_ONLY):
            mp.ensure_available(backend, arn)
            backend.attach_role_policy(arn, role)
        return backend.account_id

    def _blob(self, account_id):
        from moto.iam.models import iam_backends

        return pickle.dumps({"iam": iam_backends[account_id]})

    def test_the_snapshot_stays_small_with_read_only_access_attached(self, account):
        assert len(self._blob(account)) < 20_000

    def test_the_snapshot_holds_no_document_text(self, account):
        assert b"cloudtrail:LookupEvents" not in self._blob(account)

    def test_unpickling_yields_the_shared_objects(self, account):
        restored = pickle.loads(self._blob(account))["iam"]["global"]
        role = next(iter(restored.roles.values()))
        assert role.managed_policies[READ_ONLY] is mp.moto_policy(READ_ONLY)
        assert restored.managed_policies[ADMIN] is mp.moto_policy(ADMIN)

    def test_the_restored_role_still_lists_and_detaches_its_policies(self, account):
        from moto.iam.models import iam_backends

        restored = pickle.loads(self._blob(account))
        dict.pop(iam_backends, account)
        dict.__setitem__(iam_backends, account, restored["iam"])
        backend = iam_backends[account]["global"]
        assert _attached(backend, "app") == [ADMIN, READ_ONLY]
        backend.detach_role_policy(READ_ONLY, "app")
        assert _attached(backend, "app") == [ADMIN]


class CountTests:
    def test_attachment_count_counts_only_the_accounts_own_entities(self, backends):
        first, second = backends(), backends()
        for role_name in ("a", "b"):
            _role(first, role_name)
            mp.ensure_available(first, READ_ONLY)
            first.attach_role_policy(READ_ONLY, role_name)
        mp.ensure_available(second, READ_ONLY)
        second.attach_role_policy(READ_ONLY, _role(second))
        assert (mp.attachment_count(first, READ_ONLY), mp.attachment_count(second, READ_ONLY)) == (2, 1)

    def test_a_permissions_boundary_is_counted_apart_from_attachments(self, backends):
        backend = backends()
        role = _role(backend)
        mp.ensure_available(backend, ADMIN)
        backend.put_role_permissions_boundary(role, ADMIN)
        assert (mp.attachment_count(backend, ADMIN), mp.permissions_boundary_usage_count(backend, ADMIN)) == (0, 1)


class ApiShapeTests:
    def test_list_for_account_lists_the_whole_catalogue(self, backends):
        shapes = mp.managed_policy_list_for_account(iam_backend=backends())
        assert [shape["Arn"] for shape in shapes] == [info.arn for info in mp.managed_policy_list()]
        assert all("Description" not in shape for shape in shapes)

    def test_only_attached_keeps_the_attached_policies_with_their_counts(self, backends):
        backend = backends()
        mp.ensure_available(backend, ADMIN)
        backend.attach_role_policy(ADMIN, _role(backend))
        shapes = mp.managed_policy_list_for_account(iam_backend=backend, only_attached=True)
        assert [(shape["PolicyName"], shape["AttachmentCount"]) for shape in shapes] == [("AdministratorAccess", 1)]

    def test_the_permissions_boundary_filter_keeps_the_boundaries(self, backends):
        backend = backends()
        role = _role(backend)
        backend.put_role_permissions_boundary(role, READ_ONLY)
        shapes = mp.managed_policy_list_for_account(iam_backend=backend, policy_usage_filter="PermissionsBoundary")
        assert [shape["Arn"] for shape in shapes] == [READ_ONLY]

    def test_path_prefix_filters_by_path(self, backends):
        shapes = mp.managed_policy_list_for_account(iam_backend=backends(), path_prefix="/job-function/")
        assert VIEW_ONLY in {shape["Arn"] for shape in shapes}
        assert all(shape["Path"] == "/job-function/" for shape in shapes)

    def test_describe_answers_in_any_account(self, backends):
        shape = mp.managed_policy_describe(arn=LAMBDA_BASIC, iam_backend=backends())
        assert shape is not None
        assert (shape["PolicyName"], shape["AttachmentCount"], shape["IsAttachable"]) == (
            "AWSLambdaBasicExecutionRole", 0, True,
        )

    def test_describe_of_an_unknown_arn_is_none(self, backends):
        assert mp.managed_policy_describe(arn="arn:aws:iam::aws:policy/Nope", iam_backend=backends()) is None

    def test_the_default_version_has_the_document(self):
        info = mp.managed_policy_get(arn=READ_ONLY)
        version = mp.managed_policy_version_get(arn=READ_ONLY, version_id=info.default_version_id)
        assert version is not None
        assert (version["Document"], version["IsDefaultVersion"]) == (info.document, True)

    def test_other_versions_are_not_kept(self):
        assert mp.managed_policy_version_get(arn=ADMIN, version_id="v2") is None
