"""The engine must import without Django, boto3 or moto (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "boto3", "botocore", "moto")


def _loaded_after(statement: str) -> list[str]:
    code = f"import sys\n{statement}\nprint(' '.join(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_importing_iam_loads_no_framework():
    assert _loaded_after("import iam") == []


def test_running_an_evaluation_and_the_command_line_loads_no_framework():
    statement = (
        "import iam, iam.__main__\n"
        "policy = iam.parse_policy({'Version': '2012-10-17', 'Statement': {'Effect': 'Allow', 'Action': '*', "
        "'Resource': '*'}}, name='p')\n"
        "iam.explain(iam.evaluate(iam.Request(action='s3:GetObject', resource='*', "
        "principal=iam.Principal.aws('arn:aws:iam::111122223333:user/a')), iam.PolicyInputs(identity=(policy,))))"
    )
    assert _loaded_after(statement) == []
