"""The account root user: every action in its own account, but it cannot assume roles."""

from __future__ import annotations

from iam.model import Effect, Policy, PolicyKind, PolicyVersion, Principal, Statement, StatementRef

ROOT_USER_POLICY_NAME = "root-user"
"""Name of the built-in identity-based policy that stands for the root user's own access."""

ROOT_USER_REF = StatementRef(ROOT_USER_POLICY_NAME, 0, "RootUser")
"""Shown as `root-user#RootUser` among the reasons of a request the root user may make."""

ROOT_USER_POLICY = Policy(
    name=ROOT_USER_POLICY_NAME,
    kind=PolicyKind.IDENTITY,
    version=PolicyVersion.V2012_10_17,
    statements=(Statement(ref=ROOT_USER_REF, effect=Effect.ALLOW, actions=("*",), resources=("*",)),),
)
"""The root user needs no identity-based policy: AWS allows it everything in its own account.

Only SCPs and explicit denies (for example in a resource-based policy) limit it.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

ROOT_CANNOT_ASSUME_ROLE = "Roles may not be assumed by root accounts."
"""STS's message when the root user calls `sts:AssumeRole` (third-party reports, not AWS documentation)."""


def identity_policies(principal: Principal | None, policies: tuple[Policy, ...]) -> tuple[Policy, ...]:
    """The identity-based policies of the caller, with the root user's built-in one added."""
    if principal is not None and principal.is_root_user:
        return (*policies, ROOT_USER_POLICY)
    return policies
