"""CloudTrail records of STS (ref 8): the AssumeRole event and the identity of later calls made with the session."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.sts.conftest import ORGANIZATION_ACCESS_ROLE, SESSION, Keys, trusts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assumed(world):
    role = world.role("Audited", trusts(world.learner.iam_user_arn), inline=(
        {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"},))
    return world.assume(role)


class AssumeRoleEventTests:
    """Ref 8.3: the caller's account records AssumeRole with the caller's identity."""

    def test_assume_role_is_recorded_in_the_callers_account(self, world, assumed):
        [record] = world.events("AssumeRole")
        assert (record["eventSource"], record["userIdentity"]["type"], record["userIdentity"]["arn"]) == (
            "sts.amazonaws.com", "IAMUser", world.learner.iam_user_arn)

    def test_the_request_parameters_name_the_role_and_session(self, world, assumed):
        [record] = world.events("AssumeRole")
        parameters = record["requestParameters"]
        assert (parameters["roleArn"], parameters["roleSessionName"]) == (world.role_arn("Audited"), SESSION)

    def test_the_response_elements_carry_the_key_id_and_the_session_user(self, world, assumed):
        [record] = world.events("AssumeRole")
        response = record["responseElements"]
        assert response["credentials"]["accessKeyId"] == assumed["Credentials"]["AccessKeyId"]
        assert response["assumedRoleUser"] == {
            "assumedRoleId": assumed["AssumedRoleUser"]["AssumedRoleId"],
            "arn": assumed["AssumedRoleUser"]["Arn"],
        }

    def test_the_secret_key_is_never_logged(self, world, assumed):
        """Ref 8.3: "the secret key is never logged"."""
        [record] = world.events("AssumeRole")
        text = json.dumps(record)
        assert assumed["Credentials"]["SecretAccessKey"] not in text
        assert "secretAccessKey" not in text

    def test_a_refused_assume_role_is_recorded_with_its_error(self, world):
        """Ref 8.1: failed calls carry errorCode (the errorMessage layout for STS is UNCONFIRMED)."""
        with pytest.raises(ClientError):
            world.assume(world.role_arn("NoSuchRole"))
        [record] = world.events("AssumeRole")
        assert record["errorCode"] == "AccessDenied"

    def test_the_role_owner_account_sees_the_calling_account(self, world):
        """Ref 8.3: cross-account, the role owner's copy has userIdentity type AWSAccount with the caller's account."""
        session = world.admin_in("dev")
        records = world.events("AssumeRole", session)
        assert [(r["userIdentity"]["type"], r["userIdentity"]["accountId"]) for r in records] == [
            ("AWSAccount", world.account)]
        assert records[0]["requestParameters"]["roleArn"] == world.role_arn(
            ORGANIZATION_ACCESS_ROLE, world.account_id("dev"))


class SessionCallEventTests:
    """Ref 8.2: calls made with a role session show userIdentity type AssumedRole and a sessionContext."""

    def _list_roles_record(self, world, assumed):
        world.client("iam", Keys.of(assumed)).list_roles()
        [record] = [r for r in world.events("ListRoles") if r["userIdentity"].get("type") == "AssumedRole"]
        return record["userIdentity"]

    def test_the_identity_is_the_assumed_role_session(self, world, assumed):
        identity = self._list_roles_record(world, assumed)
        assert (identity["arn"], identity["principalId"], identity["accountId"], identity["accessKeyId"]) == (
            world.session_arn("Audited"), assumed["AssumedRoleUser"]["AssumedRoleId"], world.account,
            assumed["Credentials"]["AccessKeyId"])

    def test_the_session_issuer_is_the_role(self, world, assumed):
        issuer = self._list_roles_record(world, assumed)["sessionContext"]["sessionIssuer"]
        role_id = world.iam.get_role(RoleName="Audited")["Role"]["RoleId"]
        assert issuer == {"type": "Role", "principalId": role_id, "arn": world.role_arn("Audited"),
                          "accountId": world.account, "userName": "Audited"}

    def test_the_session_attributes_say_no_mfa_and_when_it_was_created(self, world, assumed):
        attributes = self._list_roles_record(world, assumed)["sessionContext"]["attributes"]
        assert attributes["mfaAuthenticated"] == "false"
        assert attributes["creationDate"]
