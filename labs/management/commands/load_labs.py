"""`manage.py load_labs`: validate and load the built-in lab catalogue."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from labs.services.catalog import LabFormatError, catalog_load


class Command(BaseCommand):
    help = "Validate every lab in labs/catalog/ and create or update it in the database."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            labs = catalog_load()
        except LabFormatError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"loaded {len(labs)} built-in lab(s): {', '.join(lab.slug for lab in labs)}")
