"""Lab bundles: a zip of the folder format (`<slug>/lab.json`, `<slug>/brief.en.md`, `<slug>/brief.ko.md`).

An exported bundle unzipped into `labs/catalog/` is a lab folder `lab_read` loads. Imports are read in memory
(nothing is written to disk) and distrust the archive: the upload and every file have a size limit checked on the
bytes actually read, paths must stay inside one lab folder, and only the lab's own files may be there.
"""
from __future__ import annotations

import io
import json
import zipfile
import zlib
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from labs.models import Lab
from labs.services.authoring import AuthoringError, LabDraft, lab_create, lab_update
from labs.services.catalog import BRIEF_FILES, lab_problems

BUNDLE_MAX_BYTES = 1024 * 1024  # the uploaded zip
FILE_MAX_BYTES = 512 * 1024  # one file, unpacked
TOTAL_MAX_BYTES = 1024 * 1024  # all files, unpacked
MAX_ENTRIES = 20
LAB_FILE = "lab.json"
BUNDLE_FILES = (LAB_FILE, *BRIEF_FILES.values())
IGNORED_FILES = frozenset({"README.md", ".DS_Store"})  # instructors' notes in the folder format; Finder's litter
IGNORED_FOLDERS = ("__MACOSX/",)  # macOS "Compress" adds resource forks here

BUNDLE_TOO_BIG = _("the bundle is larger than %(limit)s: a lab bundle holds three text files")
NOT_A_ZIP = _("the file is not a zip archive: export a lab, or zip its folder (lab.json, brief.en.md, brief.ko.md)")
DAMAGED_ZIP = _("the zip archive is damaged or uses a compression this site does not read: zip the folder again")
TOO_MANY_ENTRIES = _("the bundle has more than %(count)d entries: it should hold one lab folder")
UNSAFE_PATH = _("`%(name)s`: a path outside the lab folder is not allowed in a bundle")
UNEXPECTED_FILE = _("`%(name)s`: unexpected file; a bundle holds only lab.json, brief.en.md and brief.ko.md")
DUPLICATE_FILE = _("`%(name)s` is in the bundle twice")
ENCRYPTED_FILE = _("`%(name)s` is encrypted: zip the folder without a password")
FILE_TOO_BIG = _("`%(name)s` is larger than %(limit)s once unpacked")
CONTENT_TOO_BIG = _("the bundle's files are larger than %(limit)s once unpacked")
NOT_UTF8 = _("`%(name)s` is not UTF-8 text")
SEVERAL_FOLDERS = _("the bundle holds several folders (%(folders)s): put one lab folder in it")
LAB_JSON_MISSING = _("`%(name)s`: missing")
BUILTIN_UUID = _("this bundle is the built-in lab `%(slug)s` (same uuid), which cannot be replaced: duplicate "
                 "`%(slug)s` in the list and edit the copy instead")


@dataclass(frozen=True, slots=True)
class BundleContent:
    """A bundle's validated lab.json and briefs; `folder` is its top folder ("" when the files sit at the root)."""

    definition: dict[str, Any]
    briefs: dict[str, str]
    folder: str


@dataclass(frozen=True, slots=True)
class BundleImport:
    lab: Lab
    created: bool  # False: one of the author's labs was updated (a new version when something changed)
    new_uuid: bool  # the bundle's uuid was another instructor's lab, so this copy got a new one


def lab_bundle_name(lab: Lab) -> str:
    return f"{lab.slug}-v{lab.version}.zip"


def lab_bundle_export(*, lab: Lab) -> bytes:
    """The lab as a zip of its folder: `<slug>/lab.json`, `<slug>/brief.en.md`, `<slug>/brief.ko.md`."""
    stamp = lab.updated_at.timetuple()[:6]
    files = {LAB_FILE: json.dumps(lab.definition, indent=2, ensure_ascii=False) + "\n",
             BRIEF_FILES["en"]: lab.brief_en, BRIEF_FILES["ko"]: lab.brief_ko}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(f"{lab.slug}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _size(limit: int) -> str:
    return f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MB"


def _fail(message: Any) -> AuthoringError:
    return AuthoringError(str(message))


def _bundle_path(name: str) -> tuple[str, str]:
    """(folder, file name) of an entry: `<folder>/<file>` or `<file>`; anything else leaves the lab folder."""
    parts = name.split("/")
    if "\\" in name or ":" in name or len(parts) > 2 or any(part in ("", ".", "..") for part in parts):
        raise _fail(UNSAFE_PATH % {"name": name})
    return ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.flag_bits & 0x1:
        raise _fail(ENCRYPTED_FILE % {"name": info.filename})
    if info.file_size > FILE_MAX_BYTES:
        raise _fail(FILE_TOO_BIG % {"name": info.filename, "limit": _size(FILE_MAX_BYTES)})
    with archive.open(info) as handle:
        content = handle.read(FILE_MAX_BYTES + 1)  # the header's size may lie: count what comes out
    if len(content) > FILE_MAX_BYTES:
        raise _fail(FILE_TOO_BIG % {"name": info.filename, "limit": _size(FILE_MAX_BYTES)})
    return content


def _entries(data: bytes) -> tuple[str, dict[str, bytes]]:
    """The top folder and the lab's files in the archive (raw bytes), after every safety check."""
    if len(data) > BUNDLE_MAX_BYTES:
        raise _fail(BUNDLE_TOO_BIG % {"limit": _size(BUNDLE_MAX_BYTES)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise _fail(NOT_A_ZIP) from error
    infos = [info for info in archive.infolist() if not info.filename.startswith(IGNORED_FOLDERS)]
    if len(infos) > MAX_ENTRIES:
        raise _fail(TOO_MANY_ENTRIES % {"count": MAX_ENTRIES})
    folders, files, total = set(), {}, 0
    for info in infos:
        if info.is_dir():
            folder, _name = _bundle_path(info.filename.rstrip("/") + "/x")
            folders.add(folder)
            continue
        folder, name = _bundle_path(info.filename)
        if name in IGNORED_FILES:
            continue
        if name not in BUNDLE_FILES:
            raise _fail(UNEXPECTED_FILE % {"name": info.filename})
        if name in files:
            raise _fail(DUPLICATE_FILE % {"name": name})
        folders.add(folder)
        try:
            files[name] = _read_entry(archive, info)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as error:
            raise _fail(DAMAGED_ZIP) from error
        total += len(files[name])
        if total > TOTAL_MAX_BYTES:
            raise _fail(CONTENT_TOO_BIG % {"limit": _size(TOTAL_MAX_BYTES)})
    if len(folders) > 1:
        raise _fail(SEVERAL_FOLDERS % {"folders": ", ".join(sorted(f"`{name or '/'}`" for name in folders))})
    return (folders.pop() if folders else ""), files


def _text(folder: str, name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")  # a byte-order mark from a Windows editor is fine
    except UnicodeDecodeError as error:
        raise _fail(NOT_UTF8 % {"name": f"{folder}/{name}" if folder else name}) from error


def lab_bundle_read(*, data: bytes) -> BundleContent:
    """Read and validate a bundle; AuthoringError names the file (and field) at fault."""
    folder, files = _entries(data)
    lab_json = f"{folder}/{LAB_FILE}" if folder else LAB_FILE
    if LAB_FILE not in files:
        raise _fail(LAB_JSON_MISSING % {"name": lab_json})
    try:
        definition = json.loads(_text(folder, LAB_FILE, files[LAB_FILE]))
    except json.JSONDecodeError as error:
        raise _fail(f"{lab_json}: line {error.lineno}: {error.msg}") from error
    except RecursionError as error:
        raise _fail(f"{lab_json}: nested too deeply") from error
    briefs = {language: _text(folder, name, files[name]) if name in files else None
              for language, name in BRIEF_FILES.items()}
    problems = lab_problems(definition, briefs, folder=folder, slug=folder or None)
    if problems:
        raise AuthoringError.of(problems)
    definition.pop("published", None)  # an imported lab is published only after its self-test here
    return BundleContent(definition=definition, briefs={k: v or "" for k, v in briefs.items()}, folder=folder)


def lab_bundle_import(*, author: User, data: bytes, slug: str = "") -> BundleImport:
    """Import a bundle as `author`'s lab: their lab with the bundle's uuid is updated, otherwise a lab is created.

    A built-in lab's uuid or slug cannot be taken over. A bundle of another instructor's lab becomes a new lab with
    a new uuid. `slug`, when given, replaces the bundle's slug (to import a copy next to the original).
    """
    content = lab_bundle_read(data=data)
    definition = content.definition
    draft = LabDraft.of_definition(definition, content.briefs)
    if slug:
        draft = replace(draft, slug=slug)
    existing = Lab.objects.filter(uuid=definition["uuid"]).first()
    if existing is None:
        lab = lab_create(author=author, draft=draft, lab_uuid=definition["uuid"], version=definition["version"])
        return BundleImport(lab=lab, created=True, new_uuid=False)
    if existing.source == Lab.Source.BUILTIN:
        raise _fail(BUILTIN_UUID % {"slug": existing.slug})
    if existing.author_id == author.pk:
        return BundleImport(lab=lab_update(lab=existing, author=author, draft=draft), created=False, new_uuid=False)
    return BundleImport(lab=lab_create(author=author, draft=draft), created=True, new_uuid=True)
