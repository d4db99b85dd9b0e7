"""Command line: `python -m iam validate` (a policy's findings as JSON) and `python -m iam simulate` (JSON Lines)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from iam import cli_simulate, cli_validate


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 valid, 1 invalid policy, 2 usage error)."""
    parser = argparse.ArgumentParser(prog="python -m iam", description="AWS IAM policy tools")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a policy document: errors, warnings, security warnings")
    cli_validate.add_arguments(validate)
    commands.add_parser("simulate", help="evaluate JSON Lines requests from stdin (see iam/cli_simulate.py)")
    arguments = parser.parse_args(argv)
    if arguments.command == "simulate":
        return cli_simulate.main()
    return cli_validate.run(arguments, validate)


if __name__ == "__main__":
    sys.exit(main())
