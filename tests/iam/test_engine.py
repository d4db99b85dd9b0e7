"""`evaluate` internals: statement traces, policy results and how trust grants are graded."""

from __future__ import annotations

import pytest

from iam import (
    Decision,
    Effect,
    IssueCode,
    MismatchReason,
    PolicyInputs,
    PolicyKind,
    Principal,
    PrincipalMatch,
    Request,
    evaluate,
    parse_policy,
)
from iam.trust import Grant, grant_of, is_cross_account, is_trust_request

V = "2012-10-17"
ALICE = Principal.aws("arn:aws:iam::111122223333:user/alice")
SESSION = Principal.aws("arn:aws:sts::111122223333:assumed-role/Dev/s")
ROLE = "arn:aws:iam::111122223333:role/Target"


def trust(*statements):
    return parse_policy({"Version": V, "Statement": list(statements)}, name="Trust", kind=PolicyKind.TRUST)


def identity(*statements, version=V):
    return parse_policy({"Version": version, "Statement": list(statements)}, name="Id")


class StatementTraceTests:
    def test_a_trust_statement_for_another_account_mismatches_on_account(self):
        evaluation = evaluate(
            Request(action="sts:AssumeRole", resource=ROLE, principal=ALICE),
            PolicyInputs(
                resource=trust({"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "sts:AssumeRole"})
            ),
        )
        (trace,) = evaluation.policy_results[0].unmatched
        assert (trace.mismatch, trace.principal_match, trace.principal_matched, trace.matched) == (
            MismatchReason.ACCOUNT,
            PrincipalMatch.NONE,
            False,
            False,
        )

    def test_a_wrong_external_id_has_its_own_reason(self):
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": "111122223333"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "x"}},
        }
        evaluation = evaluate(
            Request(action="sts:AssumeRole", resource=ROLE, principal=ALICE, context={"sts:ExternalId": "y"}),
            PolicyInputs(resource=trust(statement)),
        )
        (trace,) = evaluation.policy_results[0].unmatched
        assert (trace.mismatch, [c.result for c in trace.conditions]) == (MismatchReason.EXTERNAL_ID_MISMATCH, [False])

    def test_other_failed_conditions(self):
        statement = {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        }
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="*", principal=ALICE, context={"aws:SecureTransport": False}),
            PolicyInputs(identity=(identity(statement),)),
        )
        assert evaluation.policy_results[0].unmatched[0].mismatch is MismatchReason.CONDITION

    @pytest.mark.parametrize(
        ("statement", "reason"),
        [
            ({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}, MismatchReason.ACTION),
            ({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}, MismatchReason.ACTION),
            ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::other/*"}, MismatchReason.RESOURCE),
            ({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::data/*"}, MismatchReason.RESOURCE),
            (
                {
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": "*",
                    "Condition": {"Null": {"aws:TokenIssueTime": "false"}},
                },
                MismatchReason.CONDITION_KEY_MISSING,
            ),
        ],
    )
    def test_first_mismatch_reason(self, statement, reason):
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="arn:aws:s3:::data/x", principal=ALICE),
            PolicyInputs(identity=(identity(statement),)),
        )
        (trace,) = evaluation.policy_results[0].unmatched
        assert (trace.mismatch, trace.principal_matched) == (reason, None)

    def test_conditions_are_traced_only_when_the_rest_matches(self):
        statement = {
            "Effect": "Allow",
            "Action": "ec2:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        }
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="*", principal=ALICE), PolicyInputs(identity=(identity(statement),))
        )
        assert evaluation.policy_results[0].unmatched[0].conditions == ()

    def test_issues_carry_the_statement_ref(self):
        statement = {
            "Sid": "Home",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::home/${aws:username}/*",
        }
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="arn:aws:s3:::home/a/b", principal=SESSION),
            PolicyInputs(identity=(identity(statement),)),
        )
        (issue,) = evaluation.issues
        assert (issue.code, issue.subject, str(issue.ref), evaluation.decision) == (
            IssueCode.UNRESOLVED_VARIABLE,
            "${aws:username}",
            "Id#Home",
            Decision.IMPLICIT_DENY,
        )
        assert evaluation.policy_results[0].unmatched[0].mismatch is MismatchReason.NOT_EVALUATED


class PolicyResultTests:
    def test_results_come_in_aws_order(self):
        allow_all = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        evaluation = evaluate(
            Request(action="sts:AssumeRole", resource=ROLE, principal=SESSION),
            PolicyInputs(
                identity=(identity(allow_all),),
                resource=trust({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}),
                boundary=parse_policy({"Version": V, "Statement": allow_all}, name="B", kind=PolicyKind.BOUNDARY),
                session=(parse_policy({"Version": V, "Statement": allow_all}, name="S", kind=PolicyKind.SESSION),),
                scps=(
                    (parse_policy({"Version": V, "Statement": allow_all}, name="Root", kind=PolicyKind.SCP),),
                    (parse_policy({"Version": V, "Statement": allow_all}, name="Ou", kind=PolicyKind.SCP),),
                ),
            ),
        )
        assert [(r.kind, r.level, r.policy_names) for r in evaluation.policy_results] == [
            (PolicyKind.SCP, 0, ("Root",)),
            (PolicyKind.SCP, 1, ("Ou",)),
            (PolicyKind.TRUST, None, ("Trust",)),
            (PolicyKind.IDENTITY, None, ("Id",)),
            (PolicyKind.BOUNDARY, None, ("B",)),
            (PolicyKind.SESSION, None, ("S",)),
        ]
        assert (evaluation.decision, evaluation.allowed, evaluation.cross_account) == (Decision.ALLOW, True, False)

    def test_statements_are_sorted_into_allow_deny_and_unmatched(self):
        policy = identity(
            {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {"Sid": "D", "Effect": "Deny", "Action": "s3:Get*", "Resource": "*"},
            {"Sid": "U", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
        )
        result = evaluate(
            Request(action="s3:GetObject", resource="*", principal=ALICE), PolicyInputs(identity=(policy,))
        ).policy_results[0]
        assert (
            [str(t.ref) for t in result.allow],
            [str(t.ref) for t in result.deny],
            [str(t.ref) for t in result.unmatched],
        ) == (
            ["Id#A"],
            ["Id#D"],
            ["Id#U"],
        )
        assert (result.allowed, result.denied, result.deny[0].effect) == (True, True, Effect.DENY)

    def test_service_principals_skip_identity_based_policies(self):
        evaluation = evaluate(
            Request(action="sts:AssumeRole", resource=ROLE, principal=Principal.service("ec2.amazonaws.com")),
            PolicyInputs(identity=(identity({"Effect": "Deny", "Action": "*", "Resource": "*"}),)),
        )
        assert ([r.kind for r in evaluation.policy_results], evaluation.blocked_by) == ([], (PolicyKind.TRUST,))

    def test_a_non_trust_policy_in_the_resource_slot_is_a_resource_based_policy(self):
        bucket = parse_policy(
            {"Version": V, "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}},
            name="Bucket",
            kind=PolicyKind.RESOURCE,
        )
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="arn:aws:s3:::b/k", principal=ALICE), PolicyInputs(resource=bucket)
        )
        assert [r.kind for r in evaluation.policy_results] == [PolicyKind.RESOURCE, PolicyKind.IDENTITY]

    def test_a_resource_slot_statement_without_principal_delegates_to_identity_based_policies(self):
        loose = identity({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="arn:aws:s3:::b/k", principal=ALICE), PolicyInputs(resource=loose)
        )
        (trace,) = evaluation.policy_results[0].allow
        assert (trace.principal_match, evaluation.blocked_by) == (PrincipalMatch.NOT_APPLICABLE, (PolicyKind.IDENTITY,))


@pytest.mark.parametrize(
    ("match", "principal", "cross_account", "grant"),
    [
        (PrincipalMatch.EXACT, ALICE, False, Grant.FULL),
        (PrincipalMatch.EXACT, SESSION, False, Grant.FULL),
        (PrincipalMatch.ROLE, SESSION, False, Grant.SKIPS_IDENTITY),
        (PrincipalMatch.WILDCARD, ALICE, False, Grant.FULL),
        (PrincipalMatch.WILDCARD, SESSION, False, Grant.SKIPS_IDENTITY),
        (PrincipalMatch.ACCOUNT, ALICE, False, Grant.NEEDS_IDENTITY),
        (PrincipalMatch.EXACT, ALICE, True, Grant.NEEDS_IDENTITY),
        (PrincipalMatch.EXACT, Principal.service("ec2.amazonaws.com"), False, Grant.FULL),
        (PrincipalMatch.WILDCARD, None, False, Grant.FULL),
    ],
)
def test_grant_of(match, principal, cross_account, grant):
    assert grant_of(match, principal, cross_account=cross_account) is grant


class TrustFactsTests:
    def test_assume_role_actions_are_trust_requests_in_any_case(self):
        request = Request(action="STS:AssumeRoleWithSAML", resource=ROLE)
        assert (
            is_trust_request(request, None),
            is_trust_request(Request(action="s3:GetObject", resource=ROLE), None),
        ) == (True, False)

    def test_cross_account_compares_principal_and_resource_accounts(self):
        other = Request(
            action="s3:GetObject", resource="arn:aws:s3:::b", principal=ALICE, resource_account="444455556666"
        )
        same = Request(action="sts:AssumeRole", resource=ROLE, principal=ALICE)
        unknown = Request(action="s3:GetObject", resource="arn:aws:s3:::b", principal=ALICE)
        assert [is_cross_account(r) for r in (other, same, unknown)] == [True, False, False]

    def test_a_2008_identity_policy_resource_with_a_variable_never_matches_the_real_path(self):
        policy = identity(
            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::h/${aws:username}"}, version="2008-10-17"
        )
        evaluation = evaluate(
            Request(action="s3:GetObject", resource="arn:aws:s3:::h/alice", principal=ALICE),
            PolicyInputs(identity=(policy,)),
        )
        assert (evaluation.decision, evaluation.issues) == (Decision.IMPLICIT_DENY, ())
