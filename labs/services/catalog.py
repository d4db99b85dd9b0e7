"""Load the built-in lab catalogue (`labs/catalog/<slug>/`) into the database, validating every lab first."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from django.db import transaction

from labs.grading.template import placeholders
from labs.models import Lab

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "lab.schema.json"
BRIEF_FILES = {"en": "brief.en.md", "ko": "brief.ko.md"}


class LabFormatError(Exception):
    """A lab folder that does not follow the lab format; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class LabSource:
    definition: dict[str, Any]
    briefs: dict[str, str]
    folder: Path


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def lab_read(folder: Path) -> LabSource:
    """Read and validate one lab folder; raise LabFormatError naming the file and field at fault."""
    path = folder / "lab.json"
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LabFormatError(f"{path}: missing") from exc
    except json.JSONDecodeError as exc:
        raise LabFormatError(f"{path}: line {exc.lineno}: {exc.msg}") from exc
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(definition), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        field = "/".join(str(part) for part in first.absolute_path) or "(top level)"
        raise LabFormatError(f"{path}: field `{field}`: {first.message}")
    if definition["slug"] != folder.name:
        slug = definition["slug"]
        raise LabFormatError(f"{path}: field `slug`: `{slug}` differs from the folder name `{folder.name}`")
    check_ids = [check["id"] for check in definition["checks"]]
    if len(check_ids) != len(set(check_ids)):
        raise LabFormatError(f"{path}: field `checks`: check ids must be unique")
    _check_variables(path, definition)
    briefs = {}
    for language, name in BRIEF_FILES.items():
        brief = folder / name
        if not brief.is_file():
            raise LabFormatError(f"{brief}: missing")
        briefs[language] = brief.read_text(encoding="utf-8")
    return LabSource(definition=definition, briefs=briefs, folder=folder)


BUILTIN_VARIABLES = frozenset({"account.management", "account.home", "account.dev", "account.prod", "user.name",
                               "user.arn", "org.id"})


def known_variables(definition: dict[str, Any]) -> set[str]:
    accounts = {f"account.{account['alias']}" for account in definition.get("setup", {}).get("accounts", [])}
    return set(BUILTIN_VARIABLES) | accounts | set(definition.get("variants", {}))


def _check_variables(path: Path, definition: dict[str, Any]) -> None:
    """Every `{{ name }}` must name a variant, a setup account or a built-in variable."""
    known = known_variables(definition)
    for field in ("checks", "setup", "solution"):
        unknown = sorted(placeholders(definition.get(field, [])) - known)
        if unknown:
            raise LabFormatError(f"{path}: field `{field}`: unknown variable `{{{{ {unknown[0]} }}}}`")


def catalog_read(directory: Path = CATALOG_DIR) -> list[LabSource]:
    return [lab_read(folder) for folder in sorted(directory.iterdir()) if folder.is_dir()]


@transaction.atomic
def catalog_load(directory: Path = CATALOG_DIR) -> list[Lab]:
    """Create or update every built-in lab (all validated before any is written)."""
    sources = catalog_read(directory)
    labs = []
    for source in sources:
        definition = source.definition
        lab, _ = Lab.objects.update_or_create(
            uuid=definition["uuid"],
            defaults={
                "slug": definition["slug"],
                "title_en": definition["title"]["en"],
                "title_ko": definition["title"]["ko"],
                "brief_en": source.briefs["en"],
                "brief_ko": source.briefs["ko"],
                "topics": definition["topics"],
                "difficulty": definition["difficulty"],
                "estimated_minutes": definition["estimated_minutes"],
                "version": definition["version"],
                "definition": definition,
                "source": Lab.Source.BUILTIN,
                "published": definition.get("published", True),
            },
        )
        labs.append(lab)
    return labs
