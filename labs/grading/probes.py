"""Trust probes: could this principal assume this role? Decided by the `iam` engine, as STS would."""
from __future__ import annotations

import json
from collections.abc import Mapping

import iam
from labs.grading.context import RoleView

# A probe principal from another account acts with its own account's blessing: its identity policy allows
# sts:AssumeRole, so only the role's trust policy stands between it and the role (the attacker's best case).
PROBER_IDENTITY_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
)


def _principal(spec: Mapping[str, str]) -> iam.Principal:
    (kind, value), = spec.items()
    account = value.split(":")[4] if kind == "AWS" and value.startswith("arn:") else None
    return iam.Principal(kind=iam.PrincipalKind(kind), arn=value, account=account)


def probe_trust(role: RoleView, *, principal: Mapping[str, str], action: str) -> iam.Evaluation:
    """Evaluate `action` on `role` by `principal` against the role's trust policy (and the prober's policy)."""
    trust = iam.parse_policy(role.trust_policy, name=f"{role.name} trust policy", kind=iam.PolicyKind.TRUST)
    who = _principal(principal)
    identity: tuple[iam.Policy, ...] = ()
    if who.kind == "AWS":
        identity = (iam.parse_policy(PROBER_IDENTITY_POLICY, name="outsider's own identity policy"),)
    context = iam.make_context({"aws:PrincipalArn": who.arn} if who.kind == "AWS" else {})
    request = iam.Request(action=action, resource=role.arn, principal=who, context=context)
    return iam.evaluate(request, iam.PolicyInputs(identity=identity, resource=trust))
