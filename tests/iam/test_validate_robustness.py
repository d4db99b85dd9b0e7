"""`validate_policy` agrees with the parser on generated documents and never raises on garbage."""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iam import Finding, PolicyKind, PolicySyntaxError, Severity, parse_policy, validate_policy
from iam.validate_syntax import STATEMENT_ELEMENTS
from tests.iam.test_validate import POSITIVE
from tests.iam.validation import (
    FAST,
    IDENTITY,
    ME,
    PARTNER,
    TRUST,
    C,
    V,
    allow,
    doc,
    found,
    trust,
)

# Pieces for generated documents: valid and broken values for every element.
VALUES = [
    "*", "Allow", "Deny", "allow", "s3:GetObject", "s3GetObject", "a:b:c", "sts:AssumeRole", "iam:PassRole",
    "arn:aws:s3:::data/*", "data", f"arn:aws:iam::{ME}:role/x", V, "", "A1", "a-b", 5, 1.5, True, None, [], {},
    ["s3:GetObject", 5], ["*"], [None], {"AWS": ME}, {"AWS": ["*", "bad"]}, {"Service": "ec2.amazonaws.com"},
    {"User": "x"}, {"AWS": []}, {"AWS": PARTNER}, {"StringEquals": {"aws:username": "a"}},
    {"StringEqual": {"a:b": "x"}}, {"NullIfExists": {"a:b": "true"}}, {"StringEquals": {"nokey": [None]}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["a", 1, True]}}, {"Bool": "x"}, {"Bool": {"aws:X": {}}},
]  # fmt: skip
GOOD = {
    "Sid": ["A1", "B2"],
    "Effect": ["Allow", "Deny"],
    "Action": ["*", "s3:*", "s3:GetObject", "iam:PassRole", "iam:Pass*", "sts:AssumeRole", ["sts:*", "s3:Get*"]],
    "NotAction": ["s3:*", "iam:PassRole"],
    "Resource": ["*", "arn:aws:s3:::data/*", f"arn:aws:iam::{ME}:role/*", ["arn:aws:s3:::data", "*"]],
    "NotResource": ["arn:aws:s3:::data"],
    "Principal": ["*", {"AWS": ME}, {"AWS": [PARTNER, f"arn:aws:iam::{PARTNER}:role/R"]}, {"AWS": "*"}],
    "NotPrincipal": [{"AWS": ME}],
    "Condition": [
        {},
        {"StringEquals": {"sts:ExternalId": "x"}},
        {"ForAllValues:StringEquals": {"aws:username": ["a"], "aws:TagKeys": ["t"]}},
        {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        {"Bool": {"aws:SecureTransport": "true"}},
    ],
}
BASES = [
    allow(),
    {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::data"},
    trust({"AWS": PARTNER}),
    {"Effect": "Allow", "Principal": {"AWS": ME}, "Action": "s3:GetObject", "Resource": "*"},
]
good_edits = st.sampled_from(sorted(GOOD)).flatmap(lambda key: st.tuples(st.just(key), st.sampled_from(GOOD[key])))
bad_edits = st.tuples(st.sampled_from((*STATEMENT_ELEMENTS, "Actions")), st.sampled_from([*VALUES, "DELETE"]))
edits = st.lists(st.one_of(good_edits, good_edits, bad_edits), max_size=3)
statements = st.builds(
    lambda base, changes: {
        **{k: v for k, v in base.items() if k not in {key for key, value in changes if value == "DELETE"}},
        **{key: value for key, value in changes if value != "DELETE"},
    },
    st.sampled_from(BASES),
    edits,
)
documents = st.builds(
    lambda version, statement_list, extra: {**version, "Statement": statement_list, **extra},
    st.sampled_from([{"Version": V}] * 4 + [{}, {"Version": "2012-10-18"}, {"Version": 2012}]),
    st.one_of(st.lists(statements, min_size=1, max_size=4), statements, st.sampled_from(VALUES)),
    st.sampled_from([{}] * 4 + [{"Id": "x"}, {"Id": 5}, {"Foo": 1}]),
)


def _parser_error(text, kind):
    try:
        parse_policy(text, name="policy", kind=kind)
    except PolicySyntaxError as error:
        return error
    return None


class ConsistencyTests:
    @FAST
    @given(document=documents)
    def test_findings_agree_with_the_parser(self, document):
        text = json.dumps(document, indent=1)
        for kind in PolicyKind:
            findings = validate_policy(text, kind=kind, account_id=ME)
            error = _parser_error(text, kind)
            assert any(f.severity is Severity.ERROR for f in findings) == (error is not None)
            assert C.SYNTAX_ERROR not in [f.code for f in findings]
            keys = [(f.code, f.path) for f in findings]
            assert len(keys) == len(set(keys)), keys
            assert [(f.line, f.column) for f in findings] == sorted((f.line, f.column) for f in findings)
            if error is not None:
                assert error.path in [f.path for f in findings]

    @FAST
    @given(document=documents)
    def test_messages_are_in_cedar_style(self, document):
        for kind in PolicyKind:
            for finding in validate_policy(document, kind=kind):
                assert_cedar_style(finding)

    def test_positive_cases_are_in_cedar_style(self):
        for _, kind, document, _, account in POSITIVE:
            for finding in found(document, kind, account):
                assert_cedar_style(finding)


def assert_cedar_style(finding: Finding):
    message = finding.message
    assert message[0].islower() or message[0] == "`", message
    assert not message.endswith("."), message
    assert not re.search(r"\b(dict|list|str|int|float|NoneType|bool|tuple)\b", message), message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


class GarbageTests:
    @FAST
    @given(text=st.text(max_size=200))
    def test_any_text_is_findings_never_an_exception(self, text):
        for kind in PolicyKind:
            assert all(isinstance(f, Finding) for f in validate_policy(text, kind=kind))

    @FAST
    @given(data=st.binary(max_size=200))
    def test_random_bytes_read_as_text_never_raise(self, data):
        assert validate_policy(data.decode("latin-1"), kind=TRUST)

    @FAST
    @given(value=json_values)
    def test_any_json_value_never_raises(self, value):
        for kind in PolicyKind:
            validate_policy(json.dumps(value), kind=kind)
            if isinstance(value, dict):
                validate_policy(value, kind=kind)

    @pytest.mark.parametrize("depth", [50, 400, 900, 5000])
    def test_deeply_nested_json_is_an_error(self, depth):
        text = '{"Version": "2012-10-17", "Statement": ' + "[" * depth + "]" * depth + "}"
        findings = validate_policy(text, kind=IDENTITY)
        assert [f.severity for f in findings] == [Severity.ERROR]

    def test_deeply_nested_mappings_are_an_error(self):
        nested: list = []
        for _ in range(5000):
            nested = [nested]
        assert [f.code for f in validate_policy({"Statement": nested}, kind=IDENTITY)] == [C.JSON_SYNTAX_ERROR]

    @pytest.mark.parametrize(
        "text",
        ["1" * 5000, '{"Version": 1e999999}', '{"Statement": [{"Effect": 123456789012345678901234567890}]}', "-0"],
    )
    def test_huge_numbers_never_raise(self, text):
        assert validate_policy(text, kind=IDENTITY)[0].severity is Severity.ERROR

    def test_values_json_cannot_hold_are_an_error(self):
        cyclic: dict = {"Statement": []}
        cyclic["Statement"].append(cyclic)
        for value in (cyclic, {"Statement": {1, 2}}, {"Version": float("nan")}, {"Statement": object()}):
            assert [f.code for f in validate_policy(value, kind=IDENTITY)] == [C.JSON_SYNTAX_ERROR]

    @pytest.mark.parametrize("value", [None, 5, ["Statement"], b"{}"])
    def test_input_that_is_neither_text_nor_a_mapping_is_an_error(self, value):
        assert [f.code for f in validate_policy(value, kind=IDENTITY)] == [C.DATA_TYPE_MISMATCH]

    def test_random_documents_are_deterministic(self):
        rng = random.Random(7)
        text = json.dumps(doc(*(rng.choice(BASES) for _ in range(6))))
        assert validate_policy(text, kind=TRUST) == validate_policy(text, kind=TRUST)
