"""`python -m iam validate FILE [--kind KIND]`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iam.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def write(tmp_path, document):
    path = tmp_path / "policy.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=2), encoding="utf-8")
    return path


class ValidateTests:
    def test_a_valid_policy_prints_nothing_and_exits_0(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, TRUST)), "--kind", "trust"]) == 0
        assert capsys.readouterr().out == ""

    def test_an_invalid_policy_prints_a_json_line_and_exits_1(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, TRUST))]) == 1
        assert json.loads(capsys.readouterr().out) == {
            "path": "$.Statement[0].Principal",
            "line": 6,
            "code": "MalformedPolicyDocument",
            "message": "Policy document should not specify a principal.",
        }

    def test_invalid_json_reports_its_line(self, tmp_path, capsys):
        assert main(["validate", str(write(tmp_path, '{\n"Version": "2012-10-17",\n}'))]) == 1
        assert json.loads(capsys.readouterr().out)["line"] == 3

    def test_a_missing_file_is_a_usage_error(self, tmp_path, capsys):
        with pytest.raises(SystemExit) as caught:
            main(["validate", str(tmp_path / "nope.json")])
        assert (caught.value.code, "cannot read" in capsys.readouterr().err) == (2, True)

    def test_an_unknown_kind_is_a_usage_error(self, tmp_path):
        with pytest.raises(SystemExit) as caught:
            main(["validate", str(write(tmp_path, TRUST)), "--kind", "role"])
        assert caught.value.code == 2

    def test_runs_as_a_module(self, tmp_path):
        result = subprocess.run(
            [sys.executable, "-m", "iam", "validate", str(write(tmp_path, TRUST)), "--kind", "identity"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode, json.loads(result.stdout)["code"]) == (1, "MalformedPolicyDocument")
