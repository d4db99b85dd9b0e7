"""AssumeRole parameter constraints checked by the service (boto3 checks only minimum lengths and values itself).

The server answers `ValidationError` with `1 validation error detected: Value '<value>' at '<member>' failed to
satisfy constraint: <constraint>` (ref 1.6; the roleSessionName texts are recorded AWS answers, also in
localstack/localstack tests/aws/services/sts/test_sts.snapshot.json). Constraints come from the STS model (ref 1.1).
Clients here skip boto3's parameter validation so that too-short values reach the server.
"""
from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.sts.conftest import error, trusts

pytestmark = pytest.mark.django_db(transaction=True)

PATTERN = "Member must satisfy regular expression pattern: "


def _constraint(member: str, value: str, constraint: str) -> str:
    return f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"


@pytest.fixture
def target(world):
    return world.role("Target", trusts(world.learner.iam_user_arn))


def _refused(world, target, **params):
    params.setdefault("RoleSessionName", "valid-session")
    with pytest.raises(ClientError) as raised:
        world.unchecked("sts").assume_role(RoleArn=target, **params)
    return error(raised)


@pytest.mark.parametrize("name", ["has space", "Power/User", "Session1:2"])
def test_role_session_name_outside_the_pattern_is_a_validation_error(world, target, name):
    """Ref 1.1 / 1.6: RoleSessionName pattern `[\\w+=,.@-]*` (recorded AWS text)."""
    assert _refused(world, target, RoleSessionName=name) == (
        "ValidationError", _constraint("roleSessionName", name, PATTERN + r"[\w+=,.@-]*"))


def test_role_session_name_longer_than_64_is_a_validation_error(world, target):
    """Ref 1.1 / 1.6: RoleSessionName length 2-64 (recorded AWS text)."""
    name = "s" * 65
    assert _refused(world, target, RoleSessionName=name) == (
        "ValidationError", _constraint("roleSessionName", name, "Member must have length less than or equal to 64"))


def test_role_session_name_of_one_character_is_a_validation_error(world, target):
    """Ref 1.1: RoleSessionName minimum length 2, checked by the server as well as by boto3."""
    code, message = _refused(world, target, RoleSessionName="x")
    assert code == "ValidationError"
    assert message.endswith("at 'roleSessionName' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 2")


def test_boto3_itself_refuses_a_one_character_session_name(world, target):
    """Ref 1.6 [botocore-validate]: boto3 checks minimum lengths before sending anything."""
    with pytest.raises(ParamValidationError, match="valid min length: 2"):
        world.sts.assume_role(RoleArn=target, RoleSessionName="x")


def test_every_allowed_session_name_character_is_accepted(world, target):
    """Ref 1.1: upper/lower alphanumerics, `_` and `+=,.@-` make a valid session name."""
    name = "Az09_+=,.@-x"
    assert world.assume(target, session=name)["AssumedRoleUser"]["Arn"] == world.session_arn("Target", name)


@pytest.mark.parametrize("external_id", ["has space", "semi;colon", "star*"])
def test_external_id_outside_the_pattern_is_a_validation_error(world, target, external_id):
    """Ref 1.1 / 3.1: ExternalId pattern `[\\w+=,.@:\\/-]*`: alphanumerics and `+=,.@:/-`, no whitespace."""
    code, message = _refused(world, target, ExternalId=external_id)
    assert code == "ValidationError"
    assert message.endswith("at 'externalId' failed to satisfy constraint: " + PATTERN + r"[\w+=,.@:\/-]*")


def test_external_id_longer_than_1224_is_a_validation_error(world, target):
    """Ref 1.1 / 3.1: ExternalId length 2-1224."""
    code, message = _refused(world, target, ExternalId="e" * 1225)
    assert code == "ValidationError"
    assert message.endswith("at 'externalId' failed to satisfy constraint: "
                            "Member must have length less than or equal to 1224")


def test_external_id_of_one_character_is_a_validation_error(world, target):
    """Ref 1.1 / 3.1: ExternalId minimum length 2."""
    code, message = _refused(world, target, ExternalId="e")
    assert code == "ValidationError"
    assert message.endswith("at 'externalId' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 2")


def test_source_identity_outside_the_pattern_is_a_validation_error(world, target):
    """Ref 1.1: SourceIdentity pattern `[\\w+=,.@-]*`."""
    code, message = _refused(world, target, SourceIdentity="alice smith")
    assert code == "ValidationError"
    assert message.endswith("at 'sourceIdentity' failed to satisfy constraint: " + PATTERN + r"[\w+=,.@-]*")


def test_source_identity_longer_than_64_is_a_validation_error(world, target):
    """Ref 1.1: SourceIdentity length 2-64."""
    code, message = _refused(world, target, SourceIdentity="a" * 65)
    assert code == "ValidationError"
    assert message.endswith("at 'sourceIdentity' failed to satisfy constraint: "
                            "Member must have length less than or equal to 64")


def test_a_token_code_with_a_letter_is_a_validation_error(world, target):
    """Ref 1.1: TokenCode is exactly 6 characters matching `[\\d]*`."""
    serial = f"arn:aws:iam::{world.account}:mfa/carol"
    code, message = _refused(world, target, SerialNumber=serial, TokenCode="12345a")
    assert code == "ValidationError"
    assert message.endswith("at 'tokenCode' failed to satisfy constraint: " + PATTERN + r"[\d]*")


def test_a_seven_digit_token_code_is_a_validation_error(world, target):
    """Ref 1.1: TokenCode length is exactly 6."""
    serial = f"arn:aws:iam::{world.account}:mfa/carol"
    code, message = _refused(world, target, SerialNumber=serial, TokenCode="1234567")
    assert code == "ValidationError"
    assert message.endswith("at 'tokenCode' failed to satisfy constraint: "
                            "Member must have length less than or equal to 6")


def test_a_serial_number_shorter_than_9_is_a_validation_error(world, target):
    """Ref 1.1: SerialNumber length 9-256."""
    code, message = _refused(world, target, SerialNumber="GAHT1234", TokenCode="123456")
    assert code == "ValidationError"
    assert message.endswith("at 'serialNumber' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 9")


def test_duration_below_900_is_a_validation_error(world, target):
    """Ref 1.1: DurationSeconds 900-43200 (exact server text UNCONFIRMED: code only)."""
    assert _refused(world, target, DurationSeconds=899)[0] == "ValidationError"


def test_duration_above_43200_is_a_validation_error(world, target):
    """Ref 1.1 / 1.6: DurationSeconds above the 43200 model maximum (text UNCONFIRMED: code only)."""
    world.iam.update_role(RoleName="Target", MaxSessionDuration=43200)
    assert _refused(world, target, DurationSeconds=43201)[0] == "ValidationError"


@pytest.mark.parametrize("role_arn", [
    "nothing-valid-in-here",
    "arn::b:::something/test-role",
    "arn:a::::something/test-role",
    "arn:a:::something/test-role",
    "arn:a:a::aaaaaaaaaa:",
])
def test_a_malformed_role_arn_is_a_validation_error(world, role_arn):
    """Recorded AWS answers (localstack test_sts.py::test_sts_invalid_parameters, `@markers.aws.validated`):
    an ARN that does not parse is refused as `<value> is invalid`."""
    with pytest.raises(ClientError) as raised:
        world.unchecked("sts").assume_role(RoleArn=role_arn, RoleSessionName="valid-session")
    assert error(raised) == ("ValidationError", f"{role_arn} is invalid")
