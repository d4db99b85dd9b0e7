"""Command line: `python -m iam validate FILE [--kind trust]` prints errors as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from iam.errors import PolicySyntaxError
from iam.model import PolicyKind
from iam.parse import parse_policy


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 valid, 1 invalid policy, 2 usage error)."""
    parser = argparse.ArgumentParser(prog="python -m iam", description="AWS IAM policy tools")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a policy document as IAM would")
    validate.add_argument("file", type=Path)
    validate.add_argument("--kind", choices=[kind.value for kind in PolicyKind], default=PolicyKind.IDENTITY.value)
    arguments = parser.parse_args(argv)
    try:
        text = arguments.file.read_text(encoding="utf-8")
    except OSError as error:
        parser.error(f"cannot read {arguments.file}: {error.strerror}")
    try:
        parse_policy(text, name=arguments.file.stem, kind=PolicyKind(arguments.kind))
    except PolicySyntaxError as error:
        print(json.dumps(error.as_dict()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
