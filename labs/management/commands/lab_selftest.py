"""`manage.py lab_selftest [--lab SLUG] --json`: the publish gate for the built-in catalogue (or one lab).

Prints `{"labs": [{"slug", "reference", "blank", "mutants": [{"name", "score"}], "passed"}]}` and exits non-zero
when any lab fails; labs that pass are marked with their result (a failing one cannot be published).
"""
from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labs.models import Lab
from labs.services.catalog import CATALOG_DIR, catalog_read, lab_read
from labs.services.selftest import lab_selftest


class Command(BaseCommand):
    help = "Grade each lab's reference solution (1.0), a blank sandbox (0) and mutants of the solution (< 1.0)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lab", help="only this lab (slug)")
        parser.add_argument("--json", action="store_true", help="print the result as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["lab"]:
            folder = CATALOG_DIR / options["lab"]
            if not folder.is_dir():
                raise CommandError(f"no lab {options['lab']!r} in the catalogue")
            sources = [lab_read(folder)]  # only this folder: another lab being written cannot stop it
        else:
            sources = catalog_read()
        results = []
        for source in sources:
            result = lab_selftest(source.definition)
            Lab.objects.filter(uuid=source.definition["uuid"], version=source.definition["version"]).update(
                selftest=result.as_json())
            results.append(result.as_json())
            if not options["json"]:
                verdict = "passed" if result.passed else "FAILED"
                self.stdout.write(f"{result.slug}: {verdict} (reference {result.reference}, blank {result.blank}, "
                                  f"{len(result.mutants)} mutants)")
        if options["json"]:
            self.stdout.write(json.dumps({"labs": results}))
        if not all(result["passed"] for result in results):
            sys.exit(1)
