"""Trust-policy conditions in a few words ("external ID", "MFA", "tag team=blue", "org o-...") and in full."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import iam

VALUE_MAX = 28
SAML_CONSOLE_AUDIENCES = ("https://signin.aws.amazon.com/saml",)


@dataclass(frozen=True, slots=True)
class ConditionLabel:
    short: str  # for the picture
    full: str  # for the table: operator, key and every value


def _value(text: str) -> str:
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def _values(values: tuple[str, ...]) -> str:
    """One value, `a or b`, or `a +N`."""
    if len(values) <= 2:
        return " or ".join(_value(v) for v in values)
    return f"{_value(values[0])} +{len(values) - 1}"


def _negated(clause: iam.ConditionClause) -> bool:
    return "Not" in clause.operator.value


def _mfa(clause: iam.ConditionClause) -> str:
    present = any(v.lower() == "true" for v in clause.values)
    return "MFA" if present != _negated(clause) else "no MFA"


_SIGNS = {
    iam.ConditionOperator.NUMERIC_LESS_THAN: "<", iam.ConditionOperator.NUMERIC_LESS_THAN_EQUALS: "≤",
    iam.ConditionOperator.NUMERIC_GREATER_THAN: ">", iam.ConditionOperator.NUMERIC_GREATER_THAN_EQUALS: "≥",
    iam.ConditionOperator.NUMERIC_EQUALS: "=", iam.ConditionOperator.NUMERIC_NOT_EQUALS: "≠",
}


def _mfa_age(clause: iam.ConditionClause) -> str:
    return f"MFA age {_SIGNS.get(clause.operator, clause.operator.value)} {_values(clause.values)} s"


def _saml_aud(clause: iam.ConditionClause) -> str:
    if all(v in SAML_CONSOLE_AUDIENCES or v.endswith(".signin.aws.amazon.com/saml") for v in clause.values):
        return "SAML:aud sign-in"
    return f"SAML:aud {_values(clause.values)}"


# Exact keys (lower case) -> how to say them.
_KEYS: dict[str, Callable[[iam.ConditionClause], str]] = {
    "sts:externalid": lambda c: "external ID",
    "aws:multifactorauthpresent": _mfa,
    "aws:multifactorauthage": _mfa_age,
    "aws:principalorgid": lambda c: f"org {_values(c.values)}",
    "aws:principalorgpaths": lambda c: f"org path {_values(c.values)}",
    "aws:sourceip": lambda c: f"SourceIp {_values(c.values)}",
    "aws:sourcevpc": lambda c: f"SourceVpc {_values(c.values)}",
    "aws:sourceaccount": lambda c: f"SourceAccount {_values(c.values)}",
    "aws:sourcearn": lambda c: f"SourceArn {_values(c.values)}",
    "aws:principalarn": lambda c: f"PrincipalArn {_values(c.values)}",
    "aws:principalaccount": lambda c: f"PrincipalAccount {_values(c.values)}",
    "aws:principaltype": lambda c: f"PrincipalType {_values(c.values)}",
    "aws:securetransport": lambda c: "HTTPS" if "true" in (v.lower() for v in c.values) else "no HTTPS",
    "sts:rolesessionname": lambda c: f"session name {_values(c.values)}",
    "sts:sourceidentity": lambda c: f"source identity {_values(c.values)}",
    "saml:aud": _saml_aud,
    "aws:tagkeys": lambda c: f"tag keys {_values(c.values)}",
}
# Key prefixes (lower case) -> label prefix; the tag key follows.
_TAG_PREFIXES = {"aws:principaltag/": "tag", "aws:requesttag/": "session tag", "aws:resourcetag/": "role tag"}


def condition_label(clause: iam.ConditionClause) -> ConditionLabel:
    """The clause in short form (negations and `Null` included) and in full."""
    full = f"{clause.operator_name} {clause.key}: " + ", ".join(f"`{v}`" for v in clause.values)
    return ConditionLabel(short=_short(clause), full=full)


def _short(clause: iam.ConditionClause) -> str:
    key = clause.key.lower()
    if clause.operator == iam.ConditionOperator.NULL:
        absent = any(v.lower() == "true" for v in clause.values)
        return f"{'no' if absent else 'has'} {_key_name(clause.key)}"
    if key in _KEYS:
        text = _KEYS[key](clause)
        # MFA and HTTPS already say their own negation.
        keeps_negation = key in ("aws:multifactorauthpresent", "aws:securetransport", "aws:multifactorauthage")
        return f"not {text}" if _negated(clause) and not keeps_negation else text
    text = _generic(clause)
    return f"not {text}" if _negated(clause) else text


def _generic(clause: iam.ConditionClause) -> str:
    key = clause.key.lower()
    for prefix, label in _TAG_PREFIXES.items():
        if key.startswith(prefix):
            return f"{label} {clause.key[len(prefix):]}={_values(clause.values)}"
    vendor, _, name = clause.key.partition(":")
    if "." in vendor:
        # Web identity keys are prefixed with the provider: `token.actions.githubusercontent.com:sub`.
        return f"{name} {_values(clause.values)}"
    return f"{_key_name(clause.key)} {_values(clause.values)}"


def _key_name(key: str) -> str:
    vendor, _, name = key.partition(":")
    return name if vendor.lower() in ("aws", "sts") else key
