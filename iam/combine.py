"""Results per policy type -> one decision, in the order AWS documents."""

from __future__ import annotations

from dataclasses import dataclass

from iam.fastinit import fast_init
from iam.model import PolicyKind, StatementRef
from iam.results import Decision, PolicyResult, Rule
from iam.trust import Access, Grant


@fast_init
@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision and what decided it."""

    decision: Decision
    reasons: tuple[StatementRef, ...] = ()
    blocked_by: tuple[PolicyKind, ...] = ()
    rule: Rule | None = None


def combine(
    *,
    scps: tuple[PolicyResult, ...],
    resource: PolicyResult | None,
    identity: PolicyResult | None,
    boundary: PolicyResult | None,
    session: PolicyResult | None,
    access: Access,
) -> Verdict:
    """Combine the policy results the way AWS's policy evaluation logic does.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

    1. Explicit deny: a matching Deny in any policy (SCP, resource-based, identity-based,
       permissions boundary, session policy) decides; reasons are the Deny statements.
       Then the root user asking to assume a role is refused (`Rule.ROOT_USER_CANNOT_ASSUME_ROLE`).
    2. Organizations: every SCP level must have a matching Allow.
    3. Resource-based policy (a role's trust policy for `sts:AssumeRole*`): `trust.py` grades
       its Allow (`Access.grant`). A grant naming the caller itself allows on its own; one
       naming the caller's role skips step 4; one naming the account needs step 4. Trust
       policies, cross-account requests and non-`AWS` callers require a grant.
    4. Identity-based policies: without a matching Allow, implicit deny. The root user's
       built-in policy (`root.py`) allows everything.
    5. Permissions boundary: if there is one, it must allow.
    6. Session policy: if there is one, it must allow; a federated-user session needs one.

    An implicit deny lists in `blocked_by` every policy type that failed to allow, except that
    a same-account trust (or resource-based) policy that names nobody matching hides the
    identity-based policies: naming the caller there would be enough on its own. An Allow lists
    the Allow statements of every policy type that took part.
    """
    results = [r for r in (*scps, resource, identity, boundary, session) if r is not None]
    denies = tuple([trace.ref for result in results for trace in result.deny])
    if denies:
        kinds = tuple(dict.fromkeys([result.kind for result in results if result.denied]))
        return Verdict(Decision.EXPLICIT_DENY, denies, kinds)
    if access.root_assumes_role:
        return Verdict(Decision.IMPLICIT_DENY, rule=Rule.ROOT_USER_CANNOT_ASSUME_ROLE)
    blocked = [PolicyKind.SCP] if any(not scp.allowed for scp in scps) else []
    if access.grant is Grant.FULL:
        return _verdict(blocked, (*scps, resource))
    missing_grant = access.resource_required and access.grant is Grant.NONE
    if missing_grant:
        blocked.append(access.resource_kind)
    needs_identity = access.identity_applies and access.grant is not Grant.SKIPS_IDENTITY
    if needs_identity and not (identity and identity.allowed) and (access.cross_account or not missing_grant):
        blocked.append(PolicyKind.IDENTITY)
    if boundary is not None and not boundary.allowed:
        blocked.append(PolicyKind.BOUNDARY)
    if (session is not None and not session.allowed) or (session is None and access.session_required):
        blocked.append(PolicyKind.SESSION)
    granting = resource if access.grant is not Grant.NONE else None
    return _verdict(blocked, (*scps, granting, identity if needs_identity else None, boundary, session))


def _verdict(blocked: list[PolicyKind], used: tuple[PolicyResult | None, ...]) -> Verdict:
    if blocked:
        return Verdict(Decision.IMPLICIT_DENY, (), tuple(blocked))
    return Verdict(Decision.ALLOW, tuple([trace.ref for result in used if result for trace in result.allow]))
