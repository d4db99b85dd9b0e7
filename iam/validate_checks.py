"""Warnings, security warnings and suggestions for a policy document IAM accepts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from iam.findings import Finding, shown
from iam.findings import FindingCode as Code
from iam.jsonpos import child_path
from iam.matching import Template, action_matches, arn_matches, principal_value_account, principal_value_is_account
from iam.model import ConditionClause, ConditionOperator, Effect, Policy, PolicyKind, SetQualifier, Statement
from iam.validate_cover import statement_relation_findings
from iam.validate_syntax import statement_items

SINGLE_VALUED_KEYS = (
    "aws:username", "aws:userid", "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID",
    "aws:PrincipalType", "aws:SourceIp", "aws:SourceAccount", "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce",
    "aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime", "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge", "aws:SecureTransport", "aws:RequestedRegion", "aws:ViaAWSService",
    "aws:ResourceAccount", "sts:ExternalId", "sts:RoleSessionName", "sts:SourceIdentity",
)  # fmt: skip
"""Well-known condition keys that hold one value per request (names are case-insensitive).

Not exhaustive: a key missing here never gets FORALLVALUES_WITH_SINGLE_VALUED_KEY.
Multivalued keys such as `aws:TagKeys`, `aws:PrincipalOrgPaths`, `aws:CalledVia` and
`sts:TransitiveTagKeys` must never be added.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

SINGLE_VALUED_KEY_PREFIXES = ("aws:PrincipalTag/", "aws:RequestTag/", "aws:ResourceTag/")
"""A tag key names one tag, so `aws:PrincipalTag/team` has one value."""

_SINGLE_VALUED = frozenset(key.lower() for key in SINGLE_VALUED_KEYS)
_SINGLE_VALUED_PREFIXES = tuple(prefix.lower() for prefix in SINGLE_VALUED_KEY_PREFIXES)
_EXTERNAL_ID_OPERATORS = (
    ConditionOperator.STRING_EQUALS,
    ConditionOperator.STRING_EQUALS_IGNORE_CASE,
    ConditionOperator.STRING_LIKE,
)
_PROBE_ROLE = "AnyRoleName7"
_PASS_ROLE_CODES: Mapping[tuple[str, bool], Code] = {
    ("action", False): Code.PASS_ROLE_WITH_STAR_IN_RESOURCE,
    ("wildcard", False): Code.PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE,
    ("not_action", False): Code.PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION,
    ("action", True): Code.PASS_ROLE_WITH_NOT_RESOURCE,
    ("wildcard", True): Code.PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
    ("not_action", True): Code.PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE,
}


def policy_findings(policy: Policy, data: Mapping[str, Any], *, account_id: str | None) -> tuple[Finding, ...]:
    """Everything worth telling the author of a valid policy, in no particular order.

    `data` is the document as parsed JSON (it locates values inside elements); `account_id`
    is the account that owns the role, for telling other accounts apart.
    """
    findings: list[Finding] = []
    if "Version" not in data:
        message = (
            "the policy has no `Version`, so policy variables such as `${aws:username}` are plain text;"
            ' add `"Version": "2012-10-17"`'
        )
        findings.append(Finding.of(Code.MISSING_VERSION, message))
    for statement, (_, raw) in zip(policy.statements, statement_items(data), strict=False):
        findings.extend(_statement_findings(statement, raw, kind=policy.kind, account_id=account_id))
    findings.extend(statement_relation_findings(policy.statements))
    return tuple(findings)


def _statement_findings(
    statement: Statement, raw: Mapping[str, Any], *, kind: PolicyKind, account_id: str | None
) -> Iterator[Finding]:
    if raw.get("Condition") == {}:
        message = "this `Condition` block is empty and has no effect; remove it or add a condition"
        yield Finding.of(Code.EMPTY_OBJECT_CONDITION, message, path=child_path(statement.path, "Condition"))
    for clause in statement.conditions:
        if clause.set_qualifier is SetQualifier.FOR_ALL_VALUES and is_single_valued(clause.key):
            message = (
                f"`{clause.operator_name}` on the single-valued key `{clause.key}` is also true when the request"
                " has no such key; remove the `ForAllValues:` prefix"
            )
            yield Finding.of(Code.FORALLVALUES_WITH_SINGLE_VALUED_KEY, message, path=clause.path)
    if statement.effect is not Effect.ALLOW:
        return
    if statement.not_principals:
        message = (
            "`Allow` with `NotPrincipal` grants access to everyone not named, anonymous users included;"
            " name the principals in `Principal` instead"
        )
        yield Finding.of(Code.ALLOW_WITH_NOT_PRINCIPAL, message, path=child_path(statement.path, "NotPrincipal"))
    if kind is PolicyKind.TRUST:
        yield from _open_trust(statement, raw)
        yield from _external_accounts(statement, raw, account_id=account_id)
    if kind is PolicyKind.IDENTITY:
        yield from _pass_role(statement, raw)


def is_single_valued(key: str) -> bool:
    """True for the well-known single-valued condition keys (`SINGLE_VALUED_KEYS` and tag keys)."""
    lowered = key.lower()
    return lowered in _SINGLE_VALUED or lowered.startswith(_SINGLE_VALUED_PREFIXES)


def _items(raw: Mapping[str, Any], path: str, element: str) -> Iterator[tuple[str, str]]:
    """(path, value) of each string in a string-or-list element."""
    value, element_path = raw.get(element), child_path(path, element)
    if isinstance(value, str):
        yield element_path, value
    elif isinstance(value, list):
        yield from ((child_path(element_path, index), item) for index, item in enumerate(value))


def _principal_items(raw: Mapping[str, Any], path: str) -> Iterator[tuple[str, str, str]]:
    """(path, principal type, value) of each value of the Principal element; `"*"` is `AWS` `*`."""
    value, element_path = raw.get("Principal"), child_path(path, "Principal")
    if value == "*":
        yield element_path, "AWS", "*"
    elif isinstance(value, dict):
        for key in value:
            yield from ((item_path, key, item) for item_path, item in _items(value, element_path, key))


def _allows(statement: Statement, action: str) -> bool:
    if statement.actions:
        return any(action_matches(pattern, action) for pattern in statement.actions)
    return not any(action_matches(pattern, action) for pattern in statement.not_actions)


def _open_trust(statement: Statement, raw: Mapping[str, Any]) -> Iterator[Finding]:
    """`"Principal": "*"` (or `{"AWS": "*"}`) with no Condition: anyone in any account may assume the role.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if statement.conditions:
        return
    for path, kind, value in _principal_items(raw, statement.path):
        if kind == "AWS" and value == "*":
            message = (
                "any AWS principal in any account can assume this role: the statement trusts `*` without a"
                " condition; name the accounts or roles you trust"
            )
            yield Finding.of(Code.TRUST_POLICY_OPEN_TO_EVERYONE, message, path=path)


def _external_accounts(statement: Statement, raw: Mapping[str, Any], *, account_id: str | None) -> Iterator[Finding]:
    """Another account trusted for `sts:AssumeRole` without a condition on `sts:ExternalId`.

    A third party that assumes roles for many customers must be told which customer it acts
    for, or one customer can make it use another's role (the confused deputy problem).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html
    """
    if not _allows(statement, "sts:AssumeRole") or any(map(_requires_external_id, statement.conditions)):
        return
    for path, kind, value in _principal_items(raw, statement.path):
        account = principal_value_account(value) if kind == "AWS" else None
        if account is None or account == account_id:
            continue
        who = f"account `{account}`" if principal_value_is_account(value) else f"{shown(value)} of account `{account}`"
        message = (
            f"{who} can assume this role without an external ID; require `sts:ExternalId` in a `StringEquals`"
            " condition so that a third party cannot be tricked into acting for another customer"
            " (the confused deputy problem)"
        )
        yield Finding.of(Code.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID, message, path=path)


def _requires_external_id(clause: ConditionClause) -> bool:
    """A clause that fails when the caller gives no external ID, or a wrong one.

    `...IfExists` and `ForAllValues:` are true when the key is missing; `StringLike` with only
    `*` accepts any value.
    """
    return (
        clause.key.lower() == "sts:externalid"
        and clause.operator in _EXTERNAL_ID_OPERATORS
        and not clause.if_exists
        and clause.set_qualifier is not SetQualifier.FOR_ALL_VALUES
        and not (clause.operator is ConditionOperator.STRING_LIKE and all(set(v) <= {"*"} for v in clause.values))
    )


def _pass_role(statement: Statement, raw: Mapping[str, Any]) -> Iterator[Finding]:
    """An Allow of `iam:PassRole` on every role, unless `iam:PassedToService` narrows it.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    """
    if not _allows(statement, "iam:PassRole"):
        return
    if any(clause.key.lower() == "iam:passedtoservice" for clause in statement.conditions):
        return
    if statement.actions:
        literal = any(action.lower() == "iam:passrole" for action in statement.actions)
        source = "action" if literal else "wildcard"
        pattern = next(action for action in statement.actions if action_matches(action, "iam:PassRole"))
        granted = "`iam:PassRole`" if literal else f"{shown(pattern)}, which includes `iam:PassRole`,"
    else:
        source, granted = "not_action", "`NotAction`, which does not exclude `iam:PassRole`,"
    if statement.not_resources:
        where, path = "with `NotResource`", child_path(statement.path, "NotResource")
    else:
        star = next(((p, r) for p, r in _items(raw, statement.path, "Resource") if matches_any_role(r)), None)
        if star is None:
            return
        path, where = star[0], f"on {shown(star[1])}"
    message = (
        f"{granted} {where} lets the holder pass any role to an AWS service; name the role ARNs in `Resource`"
        " or add an `iam:PassedToService` condition"
    )
    yield Finding.of(_PASS_ROLE_CODES[source, bool(statement.not_resources)], message, path=path)


def matches_any_role(resource: str) -> bool:
    """True for `*` and for ARN patterns that match a role of any name, e.g. `arn:aws:iam::*:role/*`."""
    parts = resource.split(":", 5)
    partition = parts[1] if len(parts) == 6 and parts[1] and "*" not in parts[1] and "?" not in parts[1] else "aws"
    account = parts[4] if len(parts) == 6 and parts[4].isdigit() and len(parts[4]) == 12 else "123456789012"
    probe = f"arn:{partition}:iam::{account}:role/{_PROBE_ROLE}"
    return arn_matches(Template.plain(resource), probe)
