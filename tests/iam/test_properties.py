"""Invariants over generated requests and policies (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam import Decision, PolicyInputs, PolicyKind, Principal, Request, evaluate, parse_policy

V = "2012-10-17"
ACTIONS = ("s3:GetObject", "s3:PutObject", "ec2:RunInstances", "sts:AssumeRole", "iam:CreateUser")
RESOURCES = (
    "arn:aws:s3:::data/x",
    "arn:aws:iam::111122223333:role/Target",
    "arn:aws:iam::444455556666:role/Other",
    "*",
)
PRINCIPALS = (
    Principal.aws("arn:aws:iam::111122223333:user/alice"),
    Principal.aws("arn:aws:sts::111122223333:assumed-role/Dev/s"),
    Principal.aws("arn:aws:iam::444455556666:user/bob"),
    Principal.aws("arn:aws:sts::111122223333:federated-user/carol"),
)
SLOTS = ("identity", "resource", "boundary", "session", "scp")
FAST = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

action_patterns = st.sampled_from(("*", "s3:*", "s3:Get*", "ec2:*", "sts:AssumeRole", "iam:*", "*:*"))
resource_patterns = st.sampled_from(("*", "arn:aws:s3:::data/*", "arn:aws:iam::*:role/*"))
principal_values = st.sampled_from(("*", "111122223333", "arn:aws:iam::111122223333:role/Dev", "444455556666"))


@st.composite
def statements(draw, *, effect, with_principal):
    statement = {"Effect": effect, "Action": draw(st.lists(action_patterns, min_size=1, max_size=2))}
    if with_principal:
        statement["Principal"] = {"AWS": draw(principal_values)}
    statement["Resource"] = draw(st.lists(resource_patterns, min_size=1, max_size=2))
    return statement


def policy(name, kind, statement_list):
    return parse_policy({"Version": V, "Statement": statement_list}, name=name, kind=kind)


@st.composite
def inputs(draw):
    return {
        slot: draw(st.lists(statements(effect="Allow", with_principal=slot == "resource"), max_size=2))
        for slot in SLOTS
    }


def build(documents, deny_slot=None, deny=None):
    def statements_for(slot):
        found = list(documents[slot])
        if slot == deny_slot:
            found.append(deny)
        return found

    def single(slot, kind):
        found = statements_for(slot)
        return policy(slot, kind, found) if found else None

    scp = statements_for("scp")
    session = statements_for("session")
    identity = statements_for("identity")
    return PolicyInputs(
        identity=(policy("identity", PolicyKind.IDENTITY, identity),) if identity else (),
        resource=single("resource", PolicyKind.RESOURCE),
        boundary=single("boundary", PolicyKind.BOUNDARY),
        session=(policy("session", PolicyKind.SESSION, session),) if session else (),
        scps=((policy("scp", PolicyKind.SCP, scp),),) if scp else (),
    )


@FAST
@given(
    documents=inputs(),
    action=st.sampled_from(ACTIONS),
    resource=st.sampled_from(RESOURCES),
    principal=st.sampled_from(PRINCIPALS),
    deny_slot=st.sampled_from(SLOTS),
    deny_action=st.sampled_from(("*", "{action}", "{service}:*")),
)
def test_a_matching_explicit_deny_is_never_allowed(documents, action, resource, principal, deny_slot, deny_action):
    deny = {
        "Sid": "Guard",
        "Effect": "Deny",
        "Action": deny_action.format(action=action, service=action.split(":")[0]),
        "Resource": "*",
    }
    if deny_slot == "resource":
        deny["Principal"] = "*"
    evaluation = evaluate(
        Request(action=action, resource=resource, principal=principal), build(documents, deny_slot, deny)
    )
    assert evaluation.decision is Decision.EXPLICIT_DENY
    assert f"{deny_slot}#Guard" in [str(ref) for ref in evaluation.reasons]


@FAST
@given(
    documents=inputs(),
    action=st.sampled_from(ACTIONS),
    resource=st.sampled_from(RESOURCES),
    principal=st.sampled_from(PRINCIPALS),
)
def test_decisions_always_carry_their_reasons(documents, action, resource, principal):
    evaluation = evaluate(Request(action=action, resource=resource, principal=principal), build(documents))
    if evaluation.decision is Decision.IMPLICIT_DENY:
        assert (evaluation.reasons, bool(evaluation.blocked_by)) == ((), True)
    else:
        assert evaluation.reasons
    allowed_refs = {trace.ref for result in evaluation.policy_results for trace in result.allow}
    if evaluation.decision is Decision.ALLOW:
        assert set(evaluation.reasons) <= allowed_refs
