"""`validate_policy`: every finding code, errors, where findings are placed, and the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest

from iam import FindingCode, PolicyKind, Severity, validate_policy
from iam.errors import PolicySyntaxError
from tests.iam.validation import (
    IDENTITY,
    ME,
    PARTNER,
    RESOURCE,
    TRUST,
    C,
    V,
    allow,
    codes,
    doc,
    external_id,
    found,
    trust,
)

# One document per code that must produce it (at `path`), for the code table and the per-code tests.
POSITIVE = [
    (C.JSON_SYNTAX_ERROR, IDENTITY, '{"Version": "2012-10-17",}', "$", None),
    (C.DATA_TYPE_MISMATCH, IDENTITY, doc(allow(action=5)), "$.Statement[0].Action", None),
    (C.UNKNOWN_ELEMENT, IDENTITY, doc(allow(Actions="s3:*")), "$.Statement[0].Actions", None),
    (C.UNSUPPORTED_ELEMENT_COMBINATION, IDENTITY, doc(allow(NotAction="s3:*")), "$.Statement[0].NotAction", None),
    (C.INVALID_VERSION, IDENTITY, doc(allow(), version="2012-10-18"), "$.Version", None),
    (C.MISSING_STATEMENT, IDENTITY, {"Version": V}, "$", None),
    (C.UNSUPPORTED_SID, IDENTITY, doc(allow(Sid="read-data")), "$.Statement[0].Sid", None),
    (C.UNIQUE_SIDS_REQUIRED, IDENTITY, doc(allow(Sid="A"), allow(Sid="A")), "$.Statement[1].Sid", None),
    (C.MISSING_EFFECT, IDENTITY, doc({"Action": "s3:*", "Resource": "*"}), "$.Statement[0]", None),
    (C.INVALID_EFFECT, IDENTITY, doc(allow(Effect="allow")), "$.Statement[0].Effect", None),
    (C.MISSING_ACTION, IDENTITY, doc({"Effect": "Allow", "Resource": "*"}), "$.Statement[0]", None),
    (C.INVALID_ACTION, IDENTITY, doc(allow(action="s3GetObject")), "$.Statement[0].Action", None),
    (C.UNSUPPORTED_ACTION_IN_POLICY, TRUST, doc(trust({"AWS": ME}, "s3:GetObject")), "$.Statement[0].Action", ME),
    (C.MISSING_RESOURCE, IDENTITY, doc({"Effect": "Allow", "Action": "s3:*"}), "$.Statement[0]", None),
    (C.INVALID_ARN, IDENTITY, doc(allow(resource="data")), "$.Statement[0].Resource", None),
    (
        C.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE,
        TRUST,
        doc(trust({"AWS": ME}, Resource="*")),
        "$.Statement[0].Resource",
        ME,
    ),
    (C.MISSING_PRINCIPAL, TRUST, doc({"Effect": "Allow", "Action": "sts:AssumeRole"}), "$.Statement[0]", ME),
    (C.UNSUPPORTED_PRINCIPAL, IDENTITY, doc(allow(Principal="*")), "$.Statement[0].Principal", None),
    (
        C.ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL,
        TRUST,
        doc({"Effect": "Allow", "NotPrincipal": {"AWS": ME}, "Action": "sts:AssumeRole"}),
        "$.Statement[0].NotPrincipal",
        ME,
    ),
    (C.INVALID_PRINCIPAL_FORMAT, TRUST, doc(trust("me")), "$.Statement[0].Principal", ME),
    (C.INVALID_PRINCIPAL_KEY, TRUST, doc(trust({"User": "alice"})), "$.Statement[0].Principal.User", ME),
    (
        C.INVALID_PRINCIPAL,
        TRUST,
        doc(trust({"AWS": f"arn:aws:iam::{ME}:user/*"})),
        "$.Statement[0].Principal.AWS",
        ME,
    ),
    (
        C.UNKNOWN_OPERATOR,
        IDENTITY,
        doc(allow(Condition={"StringEqual": {"aws:username": "a"}})),
        "$.Statement[0].Condition.StringEqual",
        None,
    ),
    (
        C.NULL_WITH_IF_EXISTS,
        IDENTITY,
        doc(allow(Condition={"NullIfExists": {"aws:TokenIssueTime": "true"}})),
        "$.Statement[0].Condition.NullIfExists",
        None,
    ),
    (
        C.INVALID_CONDITION_KEY_FORMAT,
        IDENTITY,
        doc(allow(Condition={"StringEquals": {"username": "a"}})),
        "$.Statement[0].Condition.StringEquals.username",
        None,
    ),
    (
        C.POLICY_SIZE_EXCEEDS_QUOTA,
        TRUST,
        doc(trust({"AWS": ME}, Condition={"StringEquals": {"aws:PrincipalTag/team": ["x" * 100] * 21}})),
        "$",
        ME,
    ),
    (C.TRUST_POLICY_OPEN_TO_EVERYONE, TRUST, doc(trust("*")), "$.Statement[0].Principal", ME),
    (
        C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID,
        TRUST,
        doc(trust({"AWS": PARTNER})),
        "$.Statement[0].Principal.AWS",
        ME,
    ),
    (
        C.ALLOW_WITH_NOT_PRINCIPAL,
        RESOURCE,
        doc({"Effect": "Allow", "NotPrincipal": {"AWS": ME}, "Action": "s3:GetObject", "Resource": "*"}),
        "$.Statement[0].NotPrincipal",
        ME,
    ),
    (
        C.FORALLVALUES_WITH_SINGLE_VALUED_KEY,
        IDENTITY,
        doc(allow(Condition={"ForAllValues:StringEquals": {"aws:username": ["alice"]}})),
        "$.Statement[0].Condition['ForAllValues:StringEquals']['aws:username']",
        None,
    ),
    (C.PASS_ROLE_WITH_STAR_IN_RESOURCE, IDENTITY, doc(allow("iam:PassRole", "*")), "$.Statement[0].Resource", None),
    (
        C.PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE,
        IDENTITY,
        doc(allow("iam:*", ["arn:aws:s3:::data", "*"])),
        "$.Statement[0].Resource[1]",
        None,
    ),
    (
        C.PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION,
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": f"arn:aws:iam::{ME}:role/*"}),
        "$.Statement[0].Resource",
        None,
    ),
    (
        C.PASS_ROLE_WITH_NOT_RESOURCE,
        IDENTITY,
        doc({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": f"arn:aws:iam::{ME}:role/Admin"}),
        "$.Statement[0].NotResource",
        None,
    ),
    (
        C.PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
        IDENTITY,
        doc({"Effect": "Allow", "Action": "iam:Pass*", "NotResource": f"arn:aws:iam::{ME}:role/Admin"}),
        "$.Statement[0].NotResource",
        None,
    ),
    (
        C.PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE,
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::data"}),
        "$.Statement[0].NotResource",
        None,
    ),
    (
        C.UNREACHABLE_STATEMENT,
        IDENTITY,
        doc(allow(), {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}),
        "$.Statement[0]",
        None,
    ),
    (C.MISSING_VERSION, IDENTITY, doc(allow(), version=None), "$", None),
    (C.REDUNDANT_STATEMENT, IDENTITY, doc(allow(), allow()), "$.Statement[1]", None),
    (C.EMPTY_OBJECT_CONDITION, IDENTITY, doc(allow(Condition={})), "$.Statement[0].Condition", None),
]

# Documents close to a positive case that must NOT produce the code.
NEGATIVE = [
    (C.JSON_SYNTAX_ERROR, IDENTITY, doc(allow(action=5)), None),
    (C.DATA_TYPE_MISMATCH, IDENTITY, doc(allow(action=["s3:GetObject", "s3:PutObject"])), None),
    (C.UNKNOWN_ELEMENT, IDENTITY, doc(allow(Sid="A", Condition={"Bool": {"aws:SecureTransport": True}})), None),
    (C.UNSUPPORTED_ELEMENT_COMBINATION, IDENTITY, doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), None),
    (C.INVALID_VERSION, IDENTITY, doc(allow(), version="2008-10-17"), None),
    (C.MISSING_STATEMENT, IDENTITY, {"Version": V, "Statement": allow()}, None),
    (C.UNSUPPORTED_SID, TRUST, doc(trust({"AWS": ME}, Sid="assume-from-ci")), ME),
    (C.UNIQUE_SIDS_REQUIRED, IDENTITY, doc(allow(Sid="A"), allow(Sid="B")), None),
    (C.MISSING_EFFECT, IDENTITY, doc(allow()), None),
    (C.INVALID_EFFECT, IDENTITY, doc({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}), None),
    (C.MISSING_ACTION, IDENTITY, doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), None),
    (C.INVALID_ACTION, IDENTITY, doc(allow(action=["*", "s3:*", "iam:*AccessKey*"])), None),
    (C.UNSUPPORTED_ACTION_IN_POLICY, TRUST, doc(trust({"AWS": ME}, ["sts:AssumeRole", "sts:TagSession"])), ME),
    (C.MISSING_RESOURCE, RESOURCE, doc({"Effect": "Allow", "Principal": {"AWS": ME}, "Action": "s3:*"}), ME),
    (C.INVALID_ARN, IDENTITY, doc(allow(resource=["*", "arn:aws:s3:::data"])), None),
    (C.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE, RESOURCE, doc(trust({"AWS": ME}, "s3:*", Resource="*")), ME),
    (C.MISSING_PRINCIPAL, IDENTITY, doc(allow()), None),
    (C.UNSUPPORTED_PRINCIPAL, RESOURCE, doc(allow(Principal={"AWS": ME})), ME),
    (
        C.ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL,
        RESOURCE,
        doc({"Effect": "Deny", "NotPrincipal": {"AWS": ME}, "Action": "s3:*", "Resource": "*"}),
        ME,
    ),
    (C.INVALID_PRINCIPAL_FORMAT, TRUST, doc(trust({"AWS": [ME, PARTNER]}, **external_id())), ME),
    (C.INVALID_PRINCIPAL_KEY, TRUST, doc(trust({"Federated": "accounts.google.com"})), ME),
    (C.INVALID_PRINCIPAL, TRUST, doc(trust({"AWS": f"arn:aws:iam::{ME}:role/path/Deployer"})), ME),
    (
        C.UNKNOWN_OPERATOR,
        IDENTITY,
        doc(allow(Condition={"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}})),
        None,
    ),
    (C.NULL_WITH_IF_EXISTS, IDENTITY, doc(allow(Condition={"Null": {"aws:TokenIssueTime": "true"}})), None),
    (C.INVALID_CONDITION_KEY_FORMAT, IDENTITY, doc(allow(Condition={"StringEquals": {"aws:username": "a"}})), None),
    (C.POLICY_SIZE_EXCEEDS_QUOTA, TRUST, doc(trust({"AWS": ME}, Sid=" " * 5000)), ME),
    (
        C.TRUST_POLICY_OPEN_TO_EVERYONE,
        TRUST,
        doc(trust("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})),
        ME,
    ),
    (C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID, TRUST, doc(trust({"AWS": PARTNER}, **external_id())), ME),
    (C.ALLOW_WITH_NOT_PRINCIPAL, RESOURCE, doc({"Effect": "Deny", "NotPrincipal": {"AWS": ME}, "Action": "s3:*"}), ME),
    (
        C.FORALLVALUES_WITH_SINGLE_VALUED_KEY,
        IDENTITY,
        doc(allow(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}})),
        None,
    ),
    (C.PASS_ROLE_WITH_STAR_IN_RESOURCE, IDENTITY, doc(allow("iam:PassRole", f"arn:aws:iam::{ME}:role/app-*")), None),
    (C.PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE, IDENTITY, doc(allow("iam:Get*", "*")), None),
    (
        C.PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION,
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}),
        None,
    ),
    (
        C.PASS_ROLE_WITH_NOT_RESOURCE,
        IDENTITY,
        doc({"Effect": "Deny", "Action": "iam:PassRole", "NotResource": f"arn:aws:iam::{ME}:role/App"}),
        None,
    ),
    (
        C.PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE,
        IDENTITY,
        doc({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret"}),
        None,
    ),
    (
        C.PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE,
        IDENTITY,
        doc({"Effect": "Allow", "NotAction": "iam:PassRole", "NotResource": "arn:aws:s3:::secret"}),
        None,
    ),
    (
        C.UNREACHABLE_STATEMENT,
        IDENTITY,
        doc(allow(), {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:X": "1"}}}),
        None,
    ),
    (C.MISSING_VERSION, IDENTITY, doc(allow()), None),
    (C.REDUNDANT_STATEMENT, IDENTITY, doc(allow(), allow(resource="arn:aws:s3:::other/*")), None),
    (C.EMPTY_OBJECT_CONDITION, IDENTITY, doc(allow(Condition={"Bool": {"aws:SecureTransport": "true"}})), None),
]


def _case_id(case):
    return case[0].value


class CodeTableTests:
    def test_every_code_has_a_positive_and_a_negative_case(self):
        tested = {case[0] for case in POSITIVE} & {case[0] for case in NEGATIVE}
        assert set(FindingCode) - tested == {C.SYNTAX_ERROR}  # the fallback is tested on its own below

    @pytest.mark.parametrize("case", POSITIVE, ids=_case_id)
    def test_the_code_is_found_at_its_path(self, case):
        code, kind, document, path, account = case
        assert (code, path) in codes(document, kind, account)

    @pytest.mark.parametrize("case", NEGATIVE, ids=_case_id)
    def test_a_close_document_does_not_get_the_code(self, case):
        code, kind, document, account = case
        assert code not in [found_code for found_code, _ in codes(document, kind, account)]

    @pytest.mark.parametrize("code", list(FindingCode))
    def test_every_code_has_a_severity_and_an_aws_link(self, code):
        assert code.severity in Severity
        assert code.learn_more.startswith("https://docs.aws.amazon.com/")

    def test_errors_are_exactly_what_iam_rejects(self):
        for code, kind, document, _, account in POSITIVE:
            findings = found(document, kind, account)
            errors = [f for f in findings if f.severity is Severity.ERROR]
            assert bool(errors) == (code.severity is Severity.ERROR), code

    def test_severities_follow_access_analyzer(self):
        assert [code.severity for code in (C.FORALLVALUES_WITH_SINGLE_VALUED_KEY, C.ALLOW_WITH_NOT_PRINCIPAL)] == [
            Severity.SECURITY_WARNING,
            Severity.SECURITY_WARNING,
        ]
        assert (C.UNREACHABLE_STATEMENT.severity, C.REDUNDANT_STATEMENT.severity) == (
            Severity.WARNING,
            Severity.SUGGESTION,
        )


class ErrorTests:
    def test_the_parser_error_is_reported_once_with_every_other_error(self):
        document = doc(allow(action="s3GetObject", Principal="*"), {"Effect": "Permit", "Action": "s3:*"})
        assert codes(document) == [
            (C.INVALID_ACTION, "$.Statement[0].Action"),
            (C.UNSUPPORTED_PRINCIPAL, "$.Statement[0].Principal"),
            (C.MISSING_RESOURCE, "$.Statement[1]"),
            (C.INVALID_EFFECT, "$.Statement[1].Effect"),
        ]

    @pytest.mark.parametrize("case", [case for case in POSITIVE if case[0].severity is Severity.ERROR], ids=_case_id)
    def test_a_single_problem_is_a_single_finding(self, case):
        code, kind, document, path, account = case
        assert codes(document, kind, account) == [(code, path)]

    def test_json_errors_have_the_line_and_column_of_the_json_parser(self):
        [finding] = found('{\n  "Version": "2012-10-17"\n  "Statement": []\n}')
        assert (finding.code, finding.line, finding.column) == (C.JSON_SYNTAX_ERROR, 3, 3)
        assert finding.message == "the policy is not valid JSON: expecting ',' delimiter"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{} {}", "the policy is not valid JSON: there is more text after the end of the policy"),
            (
                "\ufeff{}",
                "the policy is not valid JSON: it starts with a byte order mark; save it as UTF-8 without one",
            ),
            ('{"Version": "x\n"}', "the policy is not valid JSON: invalid control character"),
            ('{"Version": "x', "the policy is not valid JSON: unterminated string"),
        ],
    )
    def test_json_error_messages_speak_plainly(self, text, message):
        assert [f.message for f in found(text)] == [message]

    @pytest.mark.parametrize("text", ["NaN", '{"Version": Infinity}', "-Infinity"])
    def test_nan_and_infinity_are_not_json(self, text):
        assert [f.code for f in found(text)] == [C.JSON_SYNTAX_ERROR]

    def test_unknown_names_get_a_suggestion(self):
        messages = [f.message for f in found(doc(allow(Resources="*", Condition={"stringequals": {"a:b": "c"}})))]
        assert any("did you mean `Resource`?" in message for message in messages)
        assert any("did you mean `StringEquals`?" in message for message in messages)

    def test_the_size_error_says_how_long_the_policy_is(self):
        code, kind, document, _, account = next(case for case in POSITIVE if case[0] is C.POLICY_SIZE_EXCEEDS_QUOTA)
        [finding] = found(document, kind, account)
        assert re.fullmatch(
            r"the policy has `2\d{3}` characters, not counting whitespace; .* at most `2048`", finding.message
        )

    def test_a_session_policy_counts_whitespace(self):
        [finding] = found(json.dumps(doc(allow()), indent=4) + " " * 2048, PolicyKind.SESSION)
        assert (finding.code, finding.message.endswith("a session policy may have at most `2048`")) == (
            C.POLICY_SIZE_EXCEEDS_QUOTA,
            True,
        )

    def test_an_error_the_syntax_checks_miss_is_still_reported(self, monkeypatch):
        def rejects(*args, **kwargs):
            raise PolicySyntaxError("Something new.", path="$.Statement[0].Action")

        monkeypatch.setattr("iam.validate.parse_policy", rejects)
        [finding] = validate_policy(json.dumps(doc(allow())), kind=IDENTITY)
        assert (finding.code, finding.path, finding.line, finding.message) == (
            C.SYNTAX_ERROR,
            "$.Statement[0].Action",
            1,
            "the policy is rejected here with `Something new.`",
        )

    def test_warnings_are_not_checked_on_an_invalid_policy(self):
        assert codes(doc(trust("*"), trust({"AWS": ME}, "s3:*")), TRUST) == [
            (C.UNSUPPORTED_ACTION_IN_POLICY, "$.Statement[1].Action")
        ]


MULTILINE = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Trusted",
      "Effect": "Allow",
      "Principal": {"AWS": ["111122223333", "444455556666"]},
      "Action": "sts:AssumeRole"
    },
\t{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
  ]
}"""


class PositionTests:
    def test_findings_carry_line_and_column_in_document_order(self):
        placed = [(f.code, f.line, f.column) for f in validate_policy(MULTILINE, kind=TRUST, account_id=ME)]
        assert placed == [
            (C.REDUNDANT_STATEMENT, 4, 5),
            (C.EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID, 7, 45),
            (C.TRUST_POLICY_OPEN_TO_EVERYONE, 10, 22),
        ]

    def test_errors_in_a_multi_line_document(self):
        text = MULTILINE.replace('"Sid": "Trusted"', '"Sid": "Trusted", "Resource": "*"')
        text = text.replace("sts:Assume", "s3:Get", 1)
        placed = [(f.code, f.line, f.column) for f in validate_policy(text, kind=TRUST, account_id=ME)]
        assert placed == [
            (C.ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE, 5, 25),
            (C.UNSUPPORTED_ACTION_IN_POLICY, 8, 7),
        ]

    def test_windows_line_endings_count_one_line(self):
        text = json.dumps(doc(allow(Principal="*")), indent=2).replace("\n", "\r\n")
        [finding] = validate_policy(text, kind=IDENTITY)
        assert (finding.line, finding.column) == (8, 7)

    def test_a_mapping_has_no_positions_but_keeps_document_order(self):
        document = doc(allow(action="x", Principal="*"), allow(action="y"), version=None)
        findings = validate_policy(document, kind=IDENTITY)
        assert [(f.path, f.line, f.column) for f in findings] == [
            ("$.Statement[0].Action", None, None),
            ("$.Statement[0].Principal", None, None),
            ("$.Statement[1].Action", None, None),
        ]

    def test_any_mapping_is_read_as_a_json_object(self):
        document = MappingProxyType({"Version": V, "Statement": MappingProxyType(allow(Principal="*"))})
        assert [f.code for f in validate_policy(document, kind=IDENTITY)] == [C.UNSUPPORTED_PRINCIPAL]

    def test_a_mapping_and_its_text_give_the_same_findings(self):
        document = doc(allow(action="x", Principal="*"), trust("*"))
        from_text = [(f.code, f.path, f.message) for f in found(document)]
        assert [(f.code, f.path, f.message) for f in validate_policy(document, kind=IDENTITY)] == from_text

    def test_as_dict_is_json_ready(self):
        [finding] = found(doc(allow(action="x")))
        assert json.loads(json.dumps(finding.as_dict())) == {
            "severity": "ERROR",
            "code": "INVALID_ACTION",
            "message": finding.message,
            "path": "$.Statement[0].Action",
            "line": 6,
            "column": 7,
            "learn_more": "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        }


ROOT = Path(__file__).resolve().parents[2]


def run_module(*arguments, stdin):
    return subprocess.run(
        [sys.executable, "-m", "iam", "validate", *arguments],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


class CliTests:
    def test_a_valid_policy_prints_one_json_object_and_exits_0(self):
        result = run_module("-", "--type", "trust", "--account", ME, stdin=json.dumps(doc(trust({"AWS": PARTNER}))))
        output = json.loads(result.stdout)
        assert (result.returncode, output["valid"], list(output), list(output["findings"][0])) == (
            0,
            True,
            ["findings", "valid"],
            ["severity", "code", "message", "path", "line", "column", "learn_more"],
        )

    def test_an_invalid_policy_exits_1(self, tmp_path):
        path = tmp_path / "policy.json"
        path.write_text('{"Statement": [}', encoding="utf-8")
        result = run_module(str(path), "--type", "identity", stdin="")
        output = json.loads(result.stdout)
        assert (result.returncode, output["valid"], output["findings"][0]["code"]) == (1, False, "JSON_SYNTAX_ERROR")

    def test_a_usage_error_exits_2_with_nothing_on_stdout(self):
        result = run_module("--type", "role", stdin="{}")
        assert (result.returncode, result.stdout) == (2, "")
