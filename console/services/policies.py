"""Customer managed policy writes for the console: create, new versions, default version, delete (IAM calls)."""
from __future__ import annotations

import iam
from sandbox.api import iam_call
from sandbox.errors import AwsError
from sandbox.identity import Identity

# AWS: DeletePolicy refuses a policy still attached to a user, group or role (API_DeletePolicy.html).
POLICY_ATTACHED = "Cannot delete a policy attached to entities."


def _has_errors(document: str, account_id: str) -> bool:
    findings = iam.validate_policy(document, kind=iam.PolicyKind.IDENTITY, account_id=account_id)
    return any(finding.severity is iam.Severity.ERROR for finding in findings)


def policy_create(*, identity: Identity, policy_name: str, document: str, description: str = "") -> str:
    """CreatePolicy at path `/` (the console has no path field); the new policy's ARN."""
    params = {"PolicyName": policy_name, "PolicyDocument": document}
    if description:
        params["Description"] = description
    answer = iam_call(identity, "CreatePolicy", params)
    return str(answer["Policy"]["Arn"])


def policy_update(*, identity: Identity, policy_arn: str, document: str, delete_version: str = "") -> str:
    """"Save changes": CreatePolicyVersion set as default, after deleting `delete_version` when the learner chose
    to make room (AWS keeps at most five versions and answers LimitExceeded otherwise). The new version's id."""
    # A document IAM will refuse costs no version: the old one is deleted only for a document that parses.
    if delete_version and not _has_errors(document, identity.account_id):
        iam_call(identity, "DeletePolicyVersion", {"PolicyArn": policy_arn, "VersionId": delete_version})
    answer = iam_call(
        identity, "CreatePolicyVersion", {"PolicyArn": policy_arn, "PolicyDocument": document, "SetAsDefault": True}
    )
    return str(answer["PolicyVersion"]["VersionId"])


def policy_version_set_default(*, identity: Identity, policy_arn: str, version_id: str) -> None:
    iam_call(identity, "SetDefaultPolicyVersion", {"PolicyArn": policy_arn, "VersionId": version_id})


def policy_version_delete(*, identity: Identity, policy_arn: str, version_id: str) -> None:
    iam_call(identity, "DeletePolicyVersion", {"PolicyArn": policy_arn, "VersionId": version_id})


def policy_delete(*, identity: Identity, policy_arn: str) -> None:
    """Delete a customer managed policy as the console does: its non-default versions first, then the policy.

    A policy still attached is refused with AWS's DeleteConflict before anything is deleted. The sandbox's
    DeletePolicy does not check attachments itself (moto deletes attached policies), so the console checks
    them from GetPolicy's AttachmentCount, which counts the account's own entities.
    """
    policy = iam_call(identity, "GetPolicy", {"PolicyArn": policy_arn})["Policy"]
    if int(policy.get("AttachmentCount") or 0) > 0:
        raise AwsError(POLICY_ATTACHED, code="DeleteConflict", status=409)
    versions = iam_call(identity, "ListPolicyVersions", {"PolicyArn": policy_arn}).get("Versions", [])
    for version in versions:
        if not version.get("IsDefaultVersion"):
            policy_version_delete(identity=identity, policy_arn=policy_arn, version_id=str(version["VersionId"]))
    iam_call(identity, "DeletePolicy", {"PolicyArn": policy_arn})
