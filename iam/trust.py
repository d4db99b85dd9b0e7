"""What a resource-based policy's Allow is worth: the trust-policy and same-account rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum, auto

from iam.fastinit import fast_init
from iam.matching import PrincipalMatch, arn_account
from iam.model import Policy, PolicyKind, Principal, PrincipalKind, Request
from iam.results import PolicyResult

TRUST_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:TagSession",
    "sts:SetSourceIdentity",
)
"""The actions a role trust policy may name; wildcards are fine if they cover one of them."""

TRUST_REQUEST_ACTIONS = tuple(action.lower() for action in TRUST_ACTIONS)
"""Actions AWS authorizes against a role's trust policy (lower case)."""


class Grant(StrEnum):
    """How much an Allow in the resource-based (or trust) policy gives the caller on its own."""

    NONE = auto()
    """No Allow statement names the caller."""
    NEEDS_IDENTITY = auto()
    """Names the caller's account, or the request is cross-account: an identity-based policy must allow too."""
    SKIPS_IDENTITY = auto()
    """Names the caller's role: no identity-based Allow needed, but boundary and session policy still apply."""
    FULL = auto()
    """Names the caller itself (user, role session, federated user) or a service or federated principal."""


_GRANT_ORDER = (Grant.NONE, Grant.NEEDS_IDENTITY, Grant.SKIPS_IDENTITY, Grant.FULL)


@fast_init
@dataclass(frozen=True, slots=True)
class Access:
    """The facts `combine` needs besides the policy results."""

    grant: Grant
    resource_kind: PolicyKind
    resource_required: bool
    identity_applies: bool
    session_required: bool
    cross_account: bool
    root_assumes_role: bool = False


def is_trust_request(request: Request, resource: Policy | None) -> bool:
    """True when the request is checked against a role's trust policy.

    That is a trust action (`sts:AssumeRole*`, `sts:TagSession`, `sts:SetSourceIdentity`) or
    any request given a TRUST policy.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
    """
    return request.action.lower() in TRUST_REQUEST_ACTIONS or (
        resource is not None and resource.kind is PolicyKind.TRUST
    )


def is_cross_account(request: Request) -> bool:
    """Caller and resource in different accounts; unknown accounts count as the same account.

    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    principal = request.principal
    if principal is None or principal.account is None:
        return False
    resource_account = request.resource_account or arn_account(request.resource)
    return resource_account is not None and resource_account != principal.account


def access_for(request: Request, resource: PolicyResult | None, *, trust: bool) -> Access:
    """Work out what the resource-based policy must and can do for this request.

    A trust policy must always allow the caller: an identity-based policy alone never lets
    anyone assume a role. Cross-account, both accounts must allow. Service and federated
    principals have no identity-based policies, so only the resource-based policy counts. The
    root user cannot assume roles at all (`Roles may not be assumed by root accounts.`).
    https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    principal = request.principal
    aws_caller = principal is not None and principal.kind == PrincipalKind.AWS
    cross_account = is_cross_account(request)
    allows = resource.allow if resource else ()
    grants = [grant_of(trace.principal_match, principal, cross_account=cross_account) for trace in allows]
    return Access(
        grant=max(grants, key=_GRANT_ORDER.index) if grants else Grant.NONE,
        resource_kind=PolicyKind.TRUST if trust else PolicyKind.RESOURCE,
        resource_required=trust or cross_account or not aws_caller,
        identity_applies=aws_caller,
        session_required=bool(principal and aws_caller and principal.is_federated_user),
        cross_account=cross_account,
        root_assumes_role=trust and principal is not None and principal.is_root_user,
    )


def grant_of(match: PrincipalMatch, principal: Principal | None, *, cross_account: bool) -> Grant:
    """What one matching Allow gives, by how it named the caller.

    Same account: naming the user, the role session or the federated user is enough on its
    own; naming the role is enough without an identity-based policy but stays limited by the
    boundary and session policy; naming the account (`"AWS": "ACCT"` or `:root`) delegates to
    the account's identity-based policies. `"*"` counts as naming the caller.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    if principal is None or principal.kind != PrincipalKind.AWS:
        return Grant.FULL
    if cross_account:
        return Grant.NEEDS_IDENTITY
    if match is PrincipalMatch.EXACT:
        return Grant.FULL
    if match is PrincipalMatch.WILDCARD:
        return Grant.SKIPS_IDENTITY if principal.role_arn else Grant.FULL
    if match is PrincipalMatch.ROLE:
        return Grant.SKIPS_IDENTITY
    return Grant.NEEDS_IDENTITY
