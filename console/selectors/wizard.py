"""Reads for the create-role wizard: identity providers, managed policies, trust policy validation."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import iam
from sandbox.api import iam_call
from sandbox.errors import AccessDenied, AwsError
from sandbox.identity import Identity

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
POLICY_ARN = re.compile(r"^arn:aws:iam::(aws|\d{12}):policy/([\w+=,.@/-]+)$")
SCOPES = ("All", "AWS", "Local")  # ListPolicies' Scope: all types, AWS managed, customer managed
LIST_PAGES_MAX = 20


@dataclass(frozen=True, slots=True)
class ProviderOption:
    value: str  # the provider's ARN
    label: str
    audiences: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdentityProviders:
    """The account's identity providers for step 1, and the refusal text of any list call IAM denied."""

    oidc: tuple[ProviderOption, ...] = ()
    saml: tuple[ProviderOption, ...] = ()
    refusals: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PolicyRow:
    arn: str
    name: str
    aws_managed: bool
    attachments: int = 0


@dataclass(frozen=True, slots=True)
class PolicyListing:
    rows: tuple[PolicyRow, ...] = ()
    refusal: str = ""


@dataclass(frozen=True, slots=True)
class TrustCheck:
    """The engine's validation of a trust policy, as the editor lists it."""

    findings: tuple[iam.Finding, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return self.counts.get(iam.Severity.ERROR.value, 0) > 0


def _refusal(error: AwsError) -> str:
    return f"{error.code}: {error.message}"


def wizard_identity_providers(*, identity: Identity) -> IdentityProviders:
    """ListOpenIDConnectProviders (with each provider's audiences) and ListSAMLProviders, as the identity."""
    oidc: list[ProviderOption] = []
    saml: list[ProviderOption] = []
    refusals: list[str] = []
    try:
        for entry in iam_call(identity, "ListOpenIDConnectProviders").get("OpenIDConnectProviderList", []):
            oidc.append(_oidc_option(identity, str(entry["Arn"])))
    except AccessDenied as denied:
        refusals.append(_refusal(denied))
    try:
        for entry in iam_call(identity, "ListSAMLProviders").get("SAMLProviderList", []):
            arn = str(entry["Arn"])
            saml.append(ProviderOption(value=arn, label=arn.rsplit("/", 1)[-1]))
    except AccessDenied as denied:
        refusals.append(_refusal(denied))
    return IdentityProviders(oidc=tuple(oidc), saml=tuple(saml), refusals=tuple(refusals))


def _oidc_option(identity: Identity, arn: str) -> ProviderOption:
    label = arn.split(":oidc-provider/", 1)[-1]
    try:
        described = iam_call(identity, "GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn})
    except AwsError:
        return ProviderOption(value=arn, label=label)
    return ProviderOption(value=arn, label=label, audiences=tuple(str(a) for a in described.get("ClientIDList", [])))


def wizard_policy_list(*, identity: Identity, scope: str = "All") -> PolicyListing:
    """ListPolicies with `Scope` (every page), as the identity; a denial comes back as text, not an exception."""
    rows: list[PolicyRow] = []
    params: dict[str, object] = {"Scope": scope if scope in SCOPES else "All"}
    try:
        for _page in range(LIST_PAGES_MAX):
            answer = iam_call(identity, "ListPolicies", params)
            rows.extend(
                PolicyRow(arn=str(p["Arn"]), name=str(p["PolicyName"]), aws_managed=str(p["Arn"]).startswith(
                    AWS_POLICY_PREFIX), attachments=int(p.get("AttachmentCount", 0)))
                for p in answer.get("Policies", [])
            )
            if not answer.get("IsTruncated"):
                break
            params["Marker"] = answer.get("Marker", "")
    except AccessDenied as denied:
        return PolicyListing(refusal=_refusal(denied))
    return PolicyListing(rows=tuple(rows))


def policy_rows_matching(rows: tuple[PolicyRow, ...], query: str) -> tuple[PolicyRow, ...]:
    """The console's search box: a case-insensitive match on the policy name."""
    needle = query.strip().lower()
    return tuple(row for row in rows if needle in row.name.lower()) if needle else rows


def policy_row_for(arn: str) -> PolicyRow:
    """A selected policy as the review lists it: its name and type come from its ARN."""
    return PolicyRow(arn=arn, name=arn.rsplit("/", 1)[-1], aws_managed=arn.startswith(AWS_POLICY_PREFIX))


def trust_policy_check(*, document: str, account_id: str) -> TrustCheck:
    """`iam.validate_policy` on a trust policy of `account_id`: findings in document order, counted by severity."""
    findings = iam.validate_policy(document, kind=iam.PolicyKind.TRUST, account_id=account_id, name="trust-policy")
    counts = {severity.value: 0 for severity in iam.Severity}
    for finding in findings:
        counts[finding.severity.value] += 1
    return TrustCheck(findings=findings, counts=counts)
