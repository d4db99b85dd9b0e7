"""Condition operators: small tables of (operator, policy values, request values, result)."""

from __future__ import annotations

import pytest

from iam import ConditionClause, Context, IssueCode, PolicyVersion
from iam.conditions import evaluate_condition, parse_operator_name

ABSENT = None
INVALID = IssueCode.INVALID_CONDITION_VALUE
UNRESOLVED = IssueCode.UNRESOLVED_VARIABLE


def check(operator, policy_values, request_values, *, extra=None, version=PolicyVersion.V2012_10_17):
    parsed = parse_operator_name(operator)
    assert parsed is not None, operator
    clause = ConditionClause(
        operator=parsed.operator,
        key="test:Key",
        values=tuple(policy_values),
        set_qualifier=parsed.set_qualifier,
        if_exists=parsed.if_exists,
    )
    keys = dict(extra or {})
    if request_values is not None:
        keys["test:Key"] = list(request_values)
    return evaluate_condition(clause, context=Context.from_mapping(keys), version=version)


def table(*rows):
    return [pytest.param(*row, id=f"{row[0]} {list(row[1])} vs {row[2]}") for row in rows]


ROWS = table(
    ("StringEquals", ["a"], ["a"], True),
    ("StringEquals", ["a"], ["A"], False),
    ("StringEquals", ["a", "b"], ["b"], True),
    ("StringEquals", ["a*"], ["abc"], False),
    ("StringEquals", ["a"], ABSENT, False),
    ("StringEquals", ["a"], ["b", "a"], True),
    ("StringNotEquals", ["a"], ["b"], True),
    ("StringNotEquals", ["a", "b"], ["b"], False),
    ("StringNotEquals", ["a"], ABSENT, True),
    ("StringNotEquals", ["a"], ["b", "a"], False),
    ("StringEqualsIgnoreCase", ["Abc"], ["aBC"], True),
    ("StringNotEqualsIgnoreCase", ["Abc"], ["aBC"], False),
    ("StringNotEqualsIgnoreCase", ["Abc"], ["xyz"], True),
    ("StringLike", ["a*c"], ["abbbc"], True),
    ("StringLike", ["a?c"], ["abbc"], False),
    ("StringLike", ["a*"], ["A1"], False),
    ("StringLike", ["*"], ["anything/at:all"], True),
    ("StringNotLike", ["a*"], ["b"], True),
    ("StringNotLike", ["a*"], ["abc"], False),
    ("StringNotLike", ["a*"], ABSENT, True),
    ("StringEqualsIfExists", ["a"], ABSENT, True),
    ("StringEqualsIfExists", ["a"], ["b"], False),
    ("StringNotLikeIfExists", ["a*"], ["abc"], False),
    ("Bool", ["true"], ["true"], True),
    ("Bool", ["true"], ["TRUE"], True),
    ("Bool", ["false"], ["true"], False),
    ("Bool", ["true"], ABSENT, False),
    ("BoolIfExists", ["true"], ABSENT, True),
    ("Null", ["true"], ABSENT, True),
    ("Null", ["true"], [], True),
    ("Null", ["true"], ["x"], False),
    ("Null", ["false"], ["x"], True),
    ("Null", ["false"], ABSENT, False),
    ("NumericEquals", ["10"], ["10.0"], True),
    ("NumericNotEquals", ["10"], ["11"], True),
    ("NumericNotEquals", ["10"], ["10"], False),
    ("NumericLessThan", ["10"], ["9"], True),
    ("NumericLessThan", ["10"], ["10"], False),
    ("NumericLessThanEquals", ["10"], ["10"], True),
    ("NumericGreaterThan", ["10"], ["11"], True),
    ("NumericGreaterThan", ["10"], ["-11"], False),
    ("NumericGreaterThanEquals", ["10"], ["9"], False),
    ("NumericLessThan", ["10"], ["abc"], False),
    ("NumericLessThan", ["10"], ["Infinity"], False),
    ("NumericNotEquals", ["10"], ["abc"], True),
    ("NumericLessThan", ["10"], ABSENT, False),
    ("DateLessThan", ["2024-01-01T00:00:00Z"], ["2023-12-31T23:59:59Z"], True),
    ("DateGreaterThan", ["2024-01-01T00:00:00Z"], ["2023-12-31T23:59:59Z"], False),
    ("DateEquals", ["2024-01-01T00:00:00Z"], ["1704067200"], True),
    ("DateEquals", ["2024-01-01"], ["2024-01-01T00:00:00Z"], True),
    ("DateNotEquals", ["2024-01-01T00:00:00Z"], ["2024-01-01T01:00:00+01:00"], False),
    ("DateLessThanEquals", ["1704067200"], ["2024-01-01T00:00:00Z"], True),
    ("DateGreaterThanEquals", ["2024-01-01T00:00:00Z"], ["2024-01-01T00:00:01Z"], True),
    ("DateLessThan", ["2024-01-01"], ["yesterday"], False),
    ("IpAddress", ["203.0.113.0/24"], ["203.0.113.9"], True),
    ("IpAddress", ["203.0.113.0/24"], ["198.51.100.1"], False),
    ("IpAddress", ["203.0.113.9"], ["203.0.113.9"], True),
    ("IpAddress", ["203.0.113.9"], ["203.0.113.10"], False),
    ("IpAddress", ["2001:db8::/32"], ["2001:db8::1"], True),
    ("IpAddress", ["2001:db8::/32"], ["203.0.113.9"], False),
    ("IpAddress", ["10.0.0.0/8"], ["not-an-ip"], False),
    ("NotIpAddress", ["203.0.113.0/24"], ["198.51.100.1"], True),
    ("NotIpAddress", ["203.0.113.0/24"], ["203.0.113.1"], False),
    ("ArnLike", ["arn:aws:iam::*:role/Admin*"], ["arn:aws:iam::111122223333:role/AdminX"], True),
    ("ArnEquals", ["arn:aws:iam::*:role/Admin*"], ["arn:aws:iam::111122223333:role/AdminX"], True),
    ("ArnLike", ["arn:aws:iam::*:role/*"], ["arn:aws:iam::111122223333:user/x"], False),
    ("ArnLike", ["arn:aws:sns:*:111122223333:*"], ["arn:aws:sns:us-east-1:444455556666:111122223333:t"], False),
    ("ArnLike", ["arn:aws:iam::*:role/*"], ["Dev"], False),
    ("ArnNotLike", ["arn:aws:iam::*:role/Admin"], ["arn:aws:iam::111122223333:role/Dev"], True),
    ("ArnNotEquals", ["arn:aws:iam::*:role/Admin"], ABSENT, True),
    ("BinaryEquals", ["QmluYXJ5"], ["QmluYXJ5"], True),
    ("BinaryEquals", ["QmluYXJ5"], ["QmluYXJ6"], False),
    ("BinaryEquals", ["QmluYXJ5"], ["!!"], False),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
    ("ForAllValues:StringEquals", ["a"], ABSENT, True),
    ("ForAllValues:StringEquals", ["a"], [], True),
    ("ForAllValues:StringLike", ["proj*"], ["project", "projx"], True),
    ("ForAllValues:StringNotEquals", ["a"], ["b", "c"], True),
    ("ForAllValues:StringNotEquals", ["a"], ["a", "c"], False),
    ("ForAnyValue:StringEquals", ["a"], ["x", "a"], True),
    ("ForAnyValue:StringEquals", ["a"], ["x", "y"], False),
    ("ForAnyValue:StringEquals", ["a"], ABSENT, False),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "c"], True),
    ("ForAnyValue:StringNotEquals", ["a", "b"], ["a", "b"], False),
    ("ForAnyValue:StringNotEquals", ["a"], ABSENT, False),
    ("ForAnyValue:StringEqualsIfExists", ["a"], ABSENT, True),
)


@pytest.mark.parametrize(("operator", "policy_values", "request_values", "expected"), ROWS)
def test_operator(operator, policy_values, request_values, expected):
    trace = check(operator, policy_values, request_values)
    assert (trace.result, trace.issue) == (expected, None)


INVALID_ROWS = table(
    ("Bool", ["yes"], ["true"], INVALID),
    ("Null", ["maybe"], ABSENT, INVALID),
    ("NumericLessThan", ["ten"], ["1"], INVALID),
    ("NumericLessThan", ["NaN"], ["1"], INVALID),
    ("DateLessThan", ["not a date"], ["2024-01-01"], INVALID),
    ("IpAddress", ["999.0.0.0/8"], ["1.1.1.1"], INVALID),
    ("ArnLike", ["not-an-arn"], ["arn:aws:iam::1:role/x"], INVALID),
    ("BinaryEquals", ["***"], ["x"], INVALID),
    ("StringEquals", ["${aws:username}"], ["alice"], UNRESOLVED),
    ("NotIpAddress", ["bad"], ["1.1.1.1"], INVALID),
)


@pytest.mark.parametrize(("operator", "policy_values", "request_values", "code"), INVALID_ROWS)
def test_values_the_operator_cannot_read_make_the_condition_false_and_are_reported(
    operator, policy_values, request_values, code
):
    trace = check(operator, policy_values, request_values)
    assert (trace.result, trace.issue.code, trace.issue.operator) == (False, code, operator)


class VariableConditionTests:
    def test_string_operators_substitute_variables(self):
        trace = check("StringLike", ["${aws:username}/*"], ["alice/x"], extra={"aws:username": "alice"})
        assert trace.result is True

    def test_arn_operators_substitute_variables(self):
        trace = check(
            "ArnLike",
            ["arn:aws:iam::${aws:PrincipalAccount}:role/*"],
            ["arn:aws:iam::111122223333:role/a"],
            extra={"aws:PrincipalAccount": "111122223333"},
        )
        assert trace.result is True

    def test_2008_policies_compare_variables_as_text(self):
        trace = check("StringEquals", ["${aws:username}"], ["${aws:username}"], version=PolicyVersion.V2008_10_17)
        assert (trace.result, trace.issue) == (True, None)

    def test_a_missing_key_skips_variable_resolution(self):
        trace = check("StringLikeIfExists", ["${aws:username}/*"], ABSENT)
        assert (trace.result, trace.issue) == (True, None)

    def test_binary_equals_takes_no_variables(self):
        trace = check("BinaryEquals", ["${aws:username}"], ["QmluYXJ5"], extra={"aws:username": "QmluYXJ5"})
        assert trace.issue.code is INVALID


class ConditionTraceTests:
    def test_trace_records_operator_key_values_and_presence(self):
        trace = check("ForAnyValue:StringNotEqualsIfExists", ["a"], ["b"])
        assert (
            trace.operator,
            trace.key,
            trace.policy_values,
            trace.request_values,
            trace.key_present,
            trace.negated,
        ) == (
            "ForAnyValue:StringNotEqualsIfExists",
            "test:Key",
            ("a",),
            ("b",),
            True,
            True,
        )

    def test_trace_of_a_missing_key(self):
        trace = check("StringEquals", ["a"], ABSENT)
        assert (trace.request_values, trace.key_present) == ((), False)


@pytest.mark.parametrize(
    "name", ["StringEqualz", "NullIfExists", "ForAllValue:StringEquals", "stringequals", "IfExists", ""]
)
def test_unknown_operator_names(name):
    assert parse_operator_name(name) is None
