"""Trust policies name users and roles by ARN, but AWS binds them to the principal's unique id when saved.

Delete the user and create another with the same name, and the old trust policy does not trust the new one (AWS
shows the old unique id in the policy instead). We record the unique id behind each user or role ARN when a trust
policy is saved, and swap a stale ARN for the recorded id before the engine compares principals.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sandbox import request_memo
from sandbox.models import Account, TrustBinding
from sandbox.moto_store import AccountBackends, account_reader, account_writer

_ENTITY_PREFIX = "arn:aws:iam::"


def _aws_principals(document: str) -> set[str]:
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return set()
    found: set[str] = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        values = principal.get("AWS", []) if isinstance(principal, dict) else []
        found.update(value for value in ([values] if isinstance(values, str) else values) if isinstance(value, str))
    return {value for value in found if value.startswith(_ENTITY_PREFIX) and _kind(value) in ("user", "role")}


def _kind(arn: str) -> str:
    return arn.split(":", 5)[5].split("/", 1)[0] if arn.count(":") >= 5 else ""


def _unique_id(backends: AccountBackends, arn: str) -> str | None:
    if _kind(arn) == "role":
        return next((str(role.id) for role in backends.iam.get_roles() if role.arn == arn), None)
    return next((str(user.id) for user in backends.iam.users.values() if user.arn == arn), None)


def bind_trust_policy(backends: AccountBackends, role_name: str, document: str) -> None:
    """Remember which principal each user/role ARN in `role_name`'s new trust policy stands for.

    `backends` is the role's account, open for writing; principals in the learner's other accounts are looked up
    in their own stored state. ARNs outside the learner's sandbox stay unbound (they cannot be callers).
    """
    principals = _aws_principals(document)
    if not principals:  # services, federated providers, accounts: nothing to bind (most trust policies)
        unbind_role(backends.account_id, role_name)
        return
    account = Account.objects.select_related("sandbox").get(account_id=backends.account_id)
    by_account: dict[str, list[str]] = defaultdict(list)
    for arn in principals:
        by_account[arn.split(":")[4]].append(arn)
    rows: list[TrustBinding] = []
    known = set(account.sandbox.accounts.values_list("account_id", flat=True))
    for account_id, arns in by_account.items():
        if account_id not in known:
            continue
        if account_id == backends.account_id:
            rows.extend(_bindings(backends, account, role_name, arns))
            continue
        with account_reader(account_id) as other:
            rows.extend(_bindings(other, account, role_name, arns))
    TrustBinding.objects.filter(role_account=account, role_name=role_name).delete()
    TrustBinding.objects.bulk_create(rows)


def _bindings(backends: AccountBackends, account: Account, role_name: str, arns: list[str]) -> list[TrustBinding]:
    rows = []
    for arn in arns:
        unique_id = _unique_id(backends, arn)
        if unique_id is not None:
            rows.append(TrustBinding(role_account=account, role_name=role_name, principal_arn=arn, unique_id=unique_id))
    return rows


def unbind_role(account_id: str, role_name: str) -> None:
    pk = request_memo.remembered_pk(account_id)
    account = {"role_account_id": pk} if pk is not None else {"role_account__account_id": account_id}
    TrustBinding.objects.filter(**account, role_name=role_name).delete()


def bound_trust_policy(account_id: str, role_name: str, document: str, caller_arn: str, caller_id: str) -> str:
    """The trust policy as AWS holds it for this caller: an ARN that named an earlier principal of the same name
    as the caller is replaced by that principal's unique id (so it no longer matches the caller)."""
    stale = {
        binding.principal_arn: binding.unique_id
        for binding in TrustBinding.objects.filter(
            role_account__account_id=account_id, role_name=role_name, principal_arn=caller_arn
        )
        if binding.unique_id != caller_id
    }
    if not stale:
        return document
    parsed = json.loads(document)
    statements = parsed.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict) and "AWS" in principal:
            principal["AWS"] = _replaced(principal["AWS"], stale)
    return json.dumps(parsed)


def _replaced(value: Any, stale: dict[str, str]) -> Any:
    if isinstance(value, str):
        return stale.get(value, value)
    if isinstance(value, list):
        return [stale.get(item, item) if isinstance(item, str) else item for item in value]
    return value


def deleted_principal(backends: AccountBackends, call: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """The ARN and unique id of the user or role a DeleteUser / DeleteRole call is about to delete."""
    name = str(params.get("UserName" if call == "DeleteUser" else "RoleName", ""))
    if call == "DeleteUser":
        user = backends.iam.users.get(name)
        return (str(user.arn), str(user.id)) if user is not None else None
    role = next((role for role in backends.iam.get_roles() if role.name == name), None)
    return (str(role.arn), str(role.id)) if role is not None else None


def principal_deleted(backends: AccountBackends, arn: str, unique_id: str) -> None:
    """Trust policies that named the deleted principal now show its unique id instead, as AWS shows them."""
    bindings = list(
        TrustBinding.objects.select_related("role_account").filter(principal_arn=arn, unique_id=unique_id)
    )
    for binding in bindings:
        account_id = binding.role_account.account_id
        if account_id == backends.account_id:
            _show_unique_id(backends, binding)
            continue
        with account_writer(account_id) as other:
            _show_unique_id(other, binding)


def _show_unique_id(backends: AccountBackends, binding: TrustBinding) -> None:
    role = next((role for role in backends.iam.get_roles() if role.name == binding.role_name), None)
    if role is None:
        return
    parsed = json.loads(role.assume_role_policy_document)
    statements = parsed.get("Statement", [])
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict) and "AWS" in principal:
            principal["AWS"] = _replaced(principal["AWS"], {binding.principal_arn: binding.unique_id})
    role.assume_role_policy_document = json.dumps(parsed)
