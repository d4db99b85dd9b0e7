"""`python -m iam validate [FILE|-] --type KIND [--account ID]`: a policy's findings as one JSON object."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from iam.findings import Severity
from iam.model import PolicyKind
from iam.validate import validate_policy


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `validate` subcommand's arguments (`--kind` is the older name of `--type`)."""
    parser.add_argument("file", nargs="?", default="-", help="the policy document; `-` (the default) reads stdin")
    parser.add_argument(
        "--type",
        "--kind",
        dest="kind",
        choices=[kind.value for kind in PolicyKind],
        default=PolicyKind.IDENTITY.value,
        help="the policy type (default: identity)",
    )
    parser.add_argument(
        "--account", type=_account_id, help="the 12-digit account the policy lives in; other accounts are third parties"
    )


def run(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Print `{"findings": [...], "valid": bool}`; 0 when valid, 1 with errors (usage errors exit 2 via `parser`)."""
    text = _read(arguments.file, parser)
    findings = validate_policy(text, kind=PolicyKind(arguments.kind), account_id=arguments.account)
    valid = not any(finding.severity is Severity.ERROR for finding in findings)
    print(json.dumps({"findings": [finding.as_dict() for finding in findings], "valid": valid}))
    return 0 if valid else 1


def _account_id(text: str) -> str:
    if not re.fullmatch(r"\d{12}", text):
        raise argparse.ArgumentTypeError(f"not a 12-digit account ID: {text}")
    return text


def _read(name: str, parser: argparse.ArgumentParser) -> str:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as error:
        parser.error(f"cannot read {name}: {error.strerror}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        parser.error(f"cannot read {name}: not UTF-8 text")
