"""The console's Switch role: AssumeRole on the learner's behalf, with the console's rules and CloudTrail records.

- the session is named after the IAM user and lasts at most an hour;
- the switch is always authorized with the original (user) credentials, even from one role to another;
- a role that needs an external ID cannot be reached, and no session tags are passed;
- CloudTrail gets the AssumeRole (invoked by "AWS Internal") and a `SwitchRole` sign-in event in the role's account.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-console.html
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from sandbox import events
from sandbox.errors import AwsError
from sandbox.identity import Identity, iam_role_arn
from sandbox.models import Account, StsSession
from sandbox.moto_store import account_reader
from sandbox.sts.assume_role import AssumedRole, assume_role
from sandbox.sts.records import CallMeta, credentials_elements, record_sts_call

CONSOLE_SESSION_SECONDS = 3600
AWS_INTERNAL = "AWS Internal"
SIGNIN_SOURCE = "signin.amazonaws.com"
CONSOLE_URL = "/"
DISPLAY_NAME_MAX = 64
ROLE_PATH_NAME_MAX = 64  # path + name: the console keeps them in a cookie, and longer ones fail
INVALID_FIELDS = "Invalid information in one or more fields. Check your information or contact your administrator."
# The console's colour choices (hex as the switch-role URL carries them).
COLORS = {"red": "f2b0a9", "orange": "fbc8aa", "yellow": "efda95", "green": "b7ca9d", "blue": "83d4e8"}
_ROLE_PATH_NAME = re.compile(r"(?:[\x21-\x7e]+/)?[\w+=,.@-]{1,64}", re.ASCII)


class SwitchRoleFailed(AwsError):
    """The console's one message for every refused switch (it does not say which field was wrong)."""

    code = "SwitchRoleFailed"
    status = 403


@dataclass(frozen=True, slots=True)
class SwitchedRole:
    session: StsSession
    identity: Identity
    display_name: str
    color: str
    account_id: str
    role_name: str


def account_for(user_identity: Identity, account: str) -> str | None:
    """An account id or alias of the learner's sandbox -> its id (None: not one of theirs)."""
    home = Account.objects.select_related("sandbox").get(account_id=user_identity.account_id)
    accounts = home.sandbox.accounts.all()
    found = accounts.filter(account_id=account).first() or accounts.filter(alias__iexact=account).first()
    return found.account_id if found is not None else None


def switch_role(
    *, user_identity: Identity, account: str, role_name: str, display_name: str = "", color: str = ""
) -> SwitchedRole:
    """Assume `role_name` in `account` for the console, as the signed-in IAM user."""
    account_id = account_for(user_identity, account.strip())
    role_name = role_name.strip().strip("/")
    if (
        account_id is None or not _ROLE_PATH_NAME.fullmatch(role_name) or len(role_name) > ROLE_PATH_NAME_MAX
        or len(display_name) > DISPLAY_NAME_MAX
    ):
        refused = SwitchRoleFailed(INVALID_FIELDS)
        _record_sign_in_failure(user_identity, refused, account_id)
        raise refused
    path, _, name = role_name.rpartition("/")
    role_arn = iam_role_arn(account_id, name, f"/{path}/" if path else "/")
    params = {"RoleArn": role_arn, "RoleSessionName": user_identity.name, "DurationSeconds": CONSOLE_SESSION_SECONDS}
    meta = CallMeta(source_ip=AWS_INTERNAL, user_agent=AWS_INTERNAL)
    invoked = {**user_identity.user_identity(), "invokedBy": AWS_INTERNAL}
    try:
        with transaction.atomic():
            assumed = assume_role(user_identity, params, via_console=True)
            _record_success(user_identity, params, meta, invoked, assumed)
    except AwsError as refused:
        _record_failure(user_identity, params, meta, refused, account_id)
        hint = "external_id" if _requires_external_id(account_id, role_arn) else ""
        raise SwitchRoleFailed(INVALID_FIELDS, extra={"cause": refused, "hint": hint}) from refused
    display = (display_name.strip() or f"{name} @ {account.strip()}")[:DISPLAY_NAME_MAX]
    StsSession.objects.filter(pk=assumed.session.pk).update(
        display_name=display, display_color=color if color in COLORS else "")
    return SwitchedRole(
        session=assumed.session, identity=assumed.identity, display_name=display[:DISPLAY_NAME_MAX],
        color=color if color in COLORS else "", account_id=account_id, role_name=name,
    )


def _requires_external_id(account_id: str, role_arn: str) -> bool:
    """Whether the role's trust policy tests `sts:ExternalId`: the console can never pass one."""
    with account_reader(account_id) as backends:
        role = next((role for role in backends.iam.get_roles() if role.arn == role_arn), None)
        return role is not None and "sts:externalid" in role.assume_role_policy_document.lower()


def _record_success(
    user: Identity, params: dict[str, object], meta: CallMeta, invoked: dict[str, object], assumed: AssumedRole
) -> None:
    identity = assumed.identity
    elements = {
        "credentials": credentials_elements(assumed.session),
        "assumedRoleUser": {"assumedRoleId": identity.principal_id, "arn": identity.arn},
    }
    record_sts_call(
        user, "AssumeRole", params, meta, response=elements, owner_account=assumed.role.account_id,
        caller_block=invoked,
    )
    events.event_record(
        identity=identity, account_id=identity.account_id, event_name="SwitchRole", event_source=SIGNIN_SOURCE,
        response_elements={"SwitchRole": "Success"}, event_type="AwsConsoleSignIn",
        additional_event_data={"SwitchFrom": user.arn, "RedirectTo": CONSOLE_URL},
        source_ip=user.source_ip, user_agent="iam-training-console",
    )


def _record_failure(
    user: Identity, params: dict[str, object], meta: CallMeta, error: AwsError, account_id: str | None
) -> None:
    invoked = {**user.user_identity(), "invokedBy": AWS_INTERNAL}
    record_sts_call(user, "AssumeRole", params, meta, error=error, caller_block=invoked)
    _record_sign_in_failure(user, error, account_id)


def _record_sign_in_failure(user: Identity, error: AwsError, account_id: str | None) -> None:
    events.event_record(
        identity=user, account_id=user.account_id, event_name="SwitchRole", event_source=SIGNIN_SOURCE,
        response_elements={"SwitchRole": "Failure"}, event_type="AwsConsoleSignIn",
        additional_event_data={"SwitchFrom": user.arn, "RedirectTo": CONSOLE_URL, "Account": account_id or ""},
        source_ip=user.source_ip, user_agent="iam-training-console", error_message=error.message,
    )
