"""Load the built-in lab catalogue (`labs/catalog/<slug>/`) into the database, validating every lab first."""
from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Mapping
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
    """A lab that does not follow the lab format; the message names the file and the field.

    `file` is the file at fault (`lab.json`, `brief.ko.md`), `field` the JSON path inside it (`checks/0/points`)
    or "" when the whole file is at fault, and `detail` the message without them; `line` is set when the file
    could not be parsed at all.
    """

    def __init__(self, message: str, *, file: str = "", field: str = "", detail: str = "",
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.file, self.field, self.line = message, file, field, line
        self.detail = detail or message


@dataclass(frozen=True, slots=True)
class LabSource:
    definition: dict[str, Any]
    briefs: dict[str, str]
    folder: Path


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _path_key(path: Iterable[str | int]) -> list[tuple[int, int, str]]:
    """Sort errors by where they are (list items by index, so `checks/2` comes before `checks/10`)."""
    return [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in path]


def _field_error(file: str, field: str, message: str) -> LabFormatError:
    return LabFormatError(f"{file}: field `{field}`: {message}", file=file, field=field, detail=message)


def lab_validate(definition: Any, briefs: Mapping[str, str | None], *, folder: str = "",
                 slug: str | None = None) -> None:
    """Check a lab in the folder format (a parsed `lab.json` and its briefs); raise LabFormatError at the first fault.

    The catalogue loader and browser authoring both use this, so a lab is valid in the same way wherever it lives.
    `folder` prefixes the file names in messages; `slug`, when given, is the name the lab's folder must match.
    """
    problems = lab_problems(definition, briefs, folder=folder, slug=slug, limit=1)
    if problems:
        raise problems[0]


def lab_problems(definition: Any, briefs: Mapping[str, str | None], *, folder: str = "", slug: str | None = None,
                 limit: int = 10) -> list[LabFormatError]:
    """Every fault `lab_validate` would raise for, first ones first (schema faults, then the rules beyond it)."""
    lab_json = os.path.join(folder, "lab.json")
    errors = sorted(_validator().iter_errors(definition), key=lambda e: _path_key(e.absolute_path))
    problems = [_field_error(lab_json, "/".join(str(part) for part in error.absolute_path) or "(top level)",
                             error.message) for error in errors[:limit]]
    if problems:
        return problems  # the rules below read the structure the schema guarantees
    if slug is not None and definition["slug"] != slug:
        problems.append(_field_error(lab_json, "slug", f"`{definition['slug']}` differs from the folder name `{slug}`"))
    check_ids = [check["id"] for check in definition["checks"]]
    if len(check_ids) != len(set(check_ids)):
        problems.append(_field_error(lab_json, "checks", "check ids must be unique"))
    problems.extend(_variable_problems(lab_json, definition))
    for language, name in BRIEF_FILES.items():
        if briefs.get(language) is None:
            brief = os.path.join(folder, name)
            problems.append(LabFormatError(f"{brief}: missing", file=brief, detail="missing"))
    return problems[:limit]


def lab_read(folder: Path) -> LabSource:
    """Read and validate one lab folder; raise LabFormatError naming the file and field at fault."""
    path = folder / "lab.json"
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LabFormatError(f"{path}: missing", file=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise LabFormatError(f"{path}: line {exc.lineno}: {exc.msg}", file=str(path), line=exc.lineno) from exc
    briefs = {language: _read_text(folder / name) for language, name in BRIEF_FILES.items()}
    lab_validate(definition, briefs, folder=str(folder), slug=folder.name)
    return LabSource(definition=definition, briefs={k: v for k, v in briefs.items() if v is not None}, folder=folder)


def _read_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


BUILTIN_VARIABLES = frozenset({"account.management", "account.home", "account.dev", "account.prod", "user.name",
                               "user.arn", "org.id"})


def known_variables(definition: dict[str, Any]) -> set[str]:
    accounts = {f"account.{account['alias']}" for account in definition.get("setup", {}).get("accounts", [])}
    return set(BUILTIN_VARIABLES) | accounts | set(definition.get("variants", {}))


def _variable_problems(file: str, definition: dict[str, Any]) -> list[LabFormatError]:
    """Every `{{ name }}` must name a variant, a setup account or a built-in variable."""
    known = known_variables(definition)
    problems = []
    for field in ("checks", "setup", "solution"):
        unknown = sorted(placeholders(definition.get(field, [])) - known)
        if unknown:
            problems.append(_field_error(file, field, f"unknown variable `{{{{ {unknown[0]} }}}}`"))
    return problems


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
