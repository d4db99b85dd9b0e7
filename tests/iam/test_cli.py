"""`python -m iam validate [FILE|-] --type KIND [--account ID]`: findings as one JSON object."""

from __future__ import annotations

import json

import pytest

from iam.__main__ import main

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def write(tmp_path, document):
    path = tmp_path / "policy.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2), encoding="utf-8")
    return path


class ValidateTests:
    def test_a_valid_policy_prints_its_findings_and_exits_0(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, TRUST)), "--type", "trust"]) == 0
        assert json.loads(capsys.readouterr().out) == {"findings": [], "valid": True}

    def test_warnings_alone_keep_the_policy_valid(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, {"Statement": TRUST["Statement"]})), "--type", "trust"]) == 0
        output = json.loads(capsys.readouterr().out)
        assert (output["valid"], [f["code"] for f in output["findings"]]) == (True, ["MISSING_VERSION"])

    def test_an_invalid_policy_prints_every_finding_and_exits_1(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, TRUST))]) == 1
        output = json.loads(capsys.readouterr().out)
        assert (output["valid"], [f["code"] for f in output["findings"]]) == (
            False,
            ["MISSING_RESOURCE", "UNSUPPORTED_PRINCIPAL"],
        )

    def test_each_finding_has_severity_code_message_path_line_column_and_link(self, tmp_path, capsys):
        main(["validate", str(write(tmp_path, TRUST))])
        assert json.loads(capsys.readouterr().out)["findings"][1] == {
            "severity": "ERROR",
            "code": "UNSUPPORTED_PRINCIPAL",
            "message": "`Principal` is not allowed in an identity-based policy; "
            "only trust and resource-based policies name principals",
            "path": "$.Statement[0].Principal",
            "line": 6,
            "column": 7,
            "learn_more": "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
            "access-analyzer-reference-policy-checks.html"
            "#access-analyzer-reference-policy-checks-error-unsupported-principal",
        }

    def test_kind_is_the_old_name_of_type(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, TRUST)), "--kind", "trust"]) == 0

    def test_invalid_json_reports_its_line_and_column(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, '{\n"Version": "2012-10-17",\n}'))]) == 1
        [finding] = json.loads(capsys.readouterr().out)["findings"]
        assert (finding["code"], finding["line"], finding["column"]) == ("JSON_SYNTAX_ERROR", 3, 1)

    def test_account_tells_the_own_account_from_third_parties(self, tmp_path, capsys):
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}],
        }
        path = str(write(tmp_path, trust))
        main(["validate", path, "--type", "trust", "--account", "111122223333"])
        main(["validate", path, "--type", "trust", "--account", "444455556666"])
        own, other = (json.loads(line)["findings"] for line in capsys.readouterr().out.splitlines())
        assert (own, [f["code"] for f in other]) == ([], ["EXTERNAL_ACCOUNT_WITHOUT_EXTERNAL_ID"])

    def test_a_missing_file_is_a_usage_error(self, tmp_path, capsys):
        with pytest.raises(SystemExit) as caught:
            main(["validate", str(tmp_path / "nope.json")])
        assert (caught.value.code, "cannot read" in capsys.readouterr().err) == (2, True)

    def test_a_file_that_is_not_utf8_is_a_usage_error(self, tmp_path, capsys):
        path = tmp_path / "policy.json"
        path.write_bytes(b'{"Version": "\xff"}')
        with pytest.raises(SystemExit) as caught:
            main(["validate", str(path)])
        assert (caught.value.code, "not UTF-8" in capsys.readouterr().err) == (2, True)

    @pytest.mark.parametrize("option", [["--type", "role"], ["--kind", "role"], ["--account", "12345"]])
    def test_a_bad_option_is_a_usage_error(self, tmp_path, option):
        with pytest.raises(SystemExit) as caught:
            main(["validate", str(write(tmp_path, TRUST)), *option])
        assert caught.value.code == 2
