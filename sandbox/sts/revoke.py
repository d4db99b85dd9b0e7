"""Revoke active sessions: the console's button adds AWS's `AWSRevokeOlderSessions` inline policy to the role.

Every session issued before that moment is denied everything on its next call; later sessions are unaffected.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
"""
from __future__ import annotations

import json
from datetime import timedelta

from sandbox import events
from sandbox.authorize import authorize
from sandbox.clock import sandbox_now
from sandbox.errors import NoSuchEntity
from sandbox.identity import Identity, iam_role_arn
from sandbox.moto_store import account_writer

POLICY_NAME = "AWSRevokeOlderSessions"
CONSOLE_USER_AGENT = "iam-training-console"


def revoke_document(moment: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": moment}},
        }],
    })


def revoke_role_sessions(*, identity: Identity, role_name: str) -> str:
    """Deny every session of `role_name` issued before now (the sandbox's now); returns that moment."""
    account_id = identity.account_id
    now = sandbox_now(account_id)
    # Policy times have whole seconds: round up, so that a session issued earlier in this second is revoked too.
    moment = (now.replace(microsecond=0) + timedelta(seconds=1 if now.microsecond else 0)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    params = {"roleName": role_name, "policyName": POLICY_NAME, "policyDocument": revoke_document(moment)}
    with account_writer(account_id) as backends:
        role = next((role for role in backends.iam.get_roles() if role.name == role_name), None)
        arn = role.arn if role is not None else iam_role_arn(account_id, role_name)
        authorize(backends, identity, action="iam:PutRolePolicy", resource=arn)
        if role is None:
            raise NoSuchEntity(f"The role with name {role_name} cannot be found.")
        backends.iam.put_role_policy(role_name, POLICY_NAME, revoke_document(moment))
        events.event_record(
            identity=identity, account_id=account_id, event_name="PutRolePolicy", request_parameters=params,
            user_agent=CONSOLE_USER_AGENT,
        )
    return moment
