"""Invariants over generated requests and policies (Hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam import Decision, PolicyInputs, PolicyKind, Principal, Request, evaluate, parse_policy

V = "2012-10-17"
ACTIONS = ("s3:GetObject", "s3:PutObject", "ec2:RunInstances", "sts:AssumeRole", "iam:CreateUser", "sts:TagSession")
RESOURCES = (
    "arn:aws:s3:::data/x",
    "arn:aws:iam::111122223333:role/Target",
    "arn:aws:iam::444455556666:role/Other",
    "*",
)
PRINCIPALS = (
    Principal.aws("arn:aws:iam::111122223333:user/alice", unique_id="AIDAJQABLZS4A3QDU576Q"),
    Principal.aws("arn:aws:sts::111122223333:assumed-role/Dev/s", unique_id="AROADBQP57FF2AEXAMPLE:s"),
    Principal.aws("arn:aws:iam::444455556666:user/bob"),
    Principal.aws("arn:aws:sts::111122223333:federated-user/carol"),
    Principal.aws("arn:aws:iam::111122223333:root"),
    Principal.service("ec2.amazonaws.com"),
    Principal.federated("accounts.google.com"),
    None,
)
CONTEXTS = (
    {},
    {"aws:PrincipalTag/team": "blue", "aws:SecureTransport": "true", "aws:SourceIp": "203.0.113.9"},
    {"aws:PrincipalTag/team": "green", "aws:SecureTransport": "false", "aws:RequestedRegion": "eu-west-1"},
    {"aws:TagKeys": ["Project", "Owner"], "aws:MultiFactorAuthPresent": "true"},
)
SLOTS = ("identity", "resource", "boundary", "session", "scp")
FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

action_patterns = st.sampled_from(("*", "s3:*", "s3:Get*", "ec2:*", "sts:AssumeRole", "sts:*", "iam:*", "*:*"))
resource_patterns = st.sampled_from(
    ("*", "arn:aws:s3:::data/*", "arn:aws:iam::*:role/*", "arn:aws:s3:::${aws:username}")
)
principal_values = st.sampled_from(
    (
        "*",
        {"AWS": "111122223333"},
        {"AWS": "arn:aws:iam::111122223333:role/Dev"},
        {"AWS": "444455556666"},
        {"AWS": "arn:aws:iam::111122223333:user/alice"},
        {"AWS": "AROADBQP57FF2AEXAMPLE"},
        {"AWS": "arn:aws:iam::111122223333:root"},
        {"Service": "ec2.amazonaws.com"},
        {"Federated": "accounts.google.com"},
    )
)
conditions = st.sampled_from(
    (
        None,
        {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
        {"Bool": {"aws:SecureTransport": "false"}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
        {"ForAllValues:StringEquals": {"aws:TagKeys": ["Project"]}},
        {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Owner"]}},
        {"Null": {"aws:MultiFactorAuthPresent": "true"}},
        {"StringLike": {"aws:PrincipalTag/team": "${aws:username}"}},
    )
)


@st.composite
def statements(draw, *, effect, with_principal, sid=None):
    statement = {"Effect": effect}
    if sid:
        statement["Sid"] = sid
    if with_principal:
        value = draw(principal_values)
        negated = effect == "Deny" and value != "*" and draw(st.booleans())
        statement["NotPrincipal" if negated else "Principal"] = value
    actions = draw(st.lists(action_patterns, min_size=1, max_size=2))
    statement["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = actions
    statement["Resource"] = draw(st.lists(resource_patterns, min_size=1, max_size=2))
    condition = draw(conditions)
    if condition:
        statement["Condition"] = condition
    return statement


def policy(name, kind, statement_list):
    return parse_policy({"Version": V, "Statement": statement_list}, name=name, kind=kind)


@st.composite
def inputs(draw, effects=("Allow",)):
    return {
        slot: draw(
            st.lists(
                st.sampled_from(effects).flatmap(
                    lambda effect, slot=slot: statements(effect=effect, with_principal=slot == "resource")
                ),
                max_size=2,
            )
        )
        for slot in SLOTS
    }


@st.composite
def requests(draw):
    return Request(
        action=draw(st.sampled_from(ACTIONS)),
        resource=draw(st.sampled_from(RESOURCES)),
        principal=draw(st.sampled_from(PRINCIPALS)),
        context=draw(st.sampled_from(CONTEXTS)),
    )


def build(documents, extra_slot=None, extra=None):
    def statements_for(slot):
        found = list(documents[slot])
        if slot == extra_slot:
            found.append(extra)
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


def _outcome(evaluation):
    return evaluation.decision, evaluation.reasons, evaluation.blocked_by


@FAST
@given(
    documents=inputs(),
    action=st.sampled_from(ACTIONS),
    resource=st.sampled_from(RESOURCES),
    principal=st.sampled_from(PRINCIPALS[:5]),
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
@given(documents=inputs(effects=("Allow", "Deny")), request=requests())
def test_an_explicit_deny_anywhere_never_yields_allow(documents, request):
    evaluation = evaluate(request, build(documents))
    matched_denies = [trace.ref for result in evaluation.policy_results for trace in result.deny]
    if matched_denies:
        assert evaluation.decision is Decision.EXPLICIT_DENY
        assert list(evaluation.reasons) == matched_denies
    else:
        assert evaluation.decision is not Decision.EXPLICIT_DENY


@FAST
@given(
    documents=inputs(effects=("Allow", "Deny")),
    request=requests(),
    deny_slot=st.sampled_from(SLOTS),
    data=st.data(),
)
def test_adding_a_deny_never_turns_a_deny_into_an_allow(documents, request, deny_slot, data):
    deny = data.draw(statements(effect="Deny", with_principal=deny_slot == "resource", sid="Added"))
    before = evaluate(request, build(documents))
    after = evaluate(request, build(documents, deny_slot, deny))
    if before.decision is not Decision.ALLOW:
        assert after.decision is not Decision.ALLOW
    if before.decision is Decision.EXPLICIT_DENY:
        assert after.decision is Decision.EXPLICIT_DENY


@FAST
@given(documents=inputs(), request=requests(), data=st.data())
def test_adding_an_identity_based_allow_never_turns_an_allow_into_a_deny(documents, request, data):
    allow = data.draw(statements(effect="Allow", with_principal=False, sid="Added"))
    before = evaluate(request, build(documents))
    after = evaluate(request, build(documents, "identity", allow))
    if before.decision is Decision.ALLOW:
        assert after.decision is Decision.ALLOW


def _recase(text, flips):
    return (
        "".join(char.swapcase() if flip else char for char, flip in zip(text, flips, strict=False)) + text[len(flips) :]
    )


@FAST
@given(documents=inputs(effects=("Allow", "Deny")), request=requests(), flips=st.lists(st.booleans(), max_size=24))
def test_the_case_of_action_names_never_changes_the_decision(documents, request, flips):
    recased_request = Request(
        action=_recase(request.action, flips),
        resource=request.resource,
        principal=request.principal,
        context=request.context,
    )
    recased_documents = {
        slot: [
            {
                **statement,
                **{
                    key: [_recase(action, flips) for action in statement[key]]
                    for key in ("Action", "NotAction")
                    if key in statement
                },
            }
            for statement in statement_list
        ]
        for slot, statement_list in documents.items()
    }
    assert _outcome(evaluate(recased_request, build(recased_documents))) == _outcome(
        evaluate(request, build(documents))
    )


@FAST
@given(documents=inputs(), request=requests())
def test_decisions_always_carry_their_reasons(documents, request):
    evaluation = evaluate(request, build(documents))
    if evaluation.decision is Decision.IMPLICIT_DENY:
        assert evaluation.reasons == ()
        assert evaluation.blocked_by or evaluation.rule
    else:
        assert evaluation.reasons
    allowed_refs = {trace.ref for result in evaluation.policy_results for trace in result.allow}
    if evaluation.decision is Decision.ALLOW:
        assert set(evaluation.reasons) <= allowed_refs
