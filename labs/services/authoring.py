"""Instructor-authored labs (writes): create, edit, duplicate, publish and unpublish, in the folder format.

An instructor's lab is stored as the folder format is (`lab.json` as `Lab.definition`, the two briefs) and is valid
exactly when a folder would be (`catalog.lab_problems`). Every saved change makes a new version, unpublishes the
lab and clears its self-test, because a publish-gate result belongs to one version. The uuid never changes.
"""
from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from labs.models import Lab
from labs.services.catalog import BRIEF_FILES, LabFormatError, lab_problems
from sandbox.errors import ApplicationError

# lab.json fields the authoring form sets; the editor holds every other one.
FORM_FIELDS = ("uuid", "slug", "title", "topics", "difficulty", "estimated_minutes", "version")
DROPPED_FIELDS = ("published",)  # `Lab.published` decides for an instructor's lab, after the self-test

SLUG_TAKEN = _("the slug `%(slug)s` is already used by another lab (built-in labs included): choose another one")
FIELD_IN_FORM = _("is set in the form above, not in the editor")
NOT_YOURS = _("only the instructor who wrote this lab can change it")
BUILTIN_READ_ONLY = _("built-in labs cannot be changed in the browser: duplicate the lab and edit the copy")
STALE_VERSION = _("this lab was saved elsewhere since you opened it (now version %(version)d): your text is kept "
                  "below; copy your changes, reload the page and apply them again")
BRIEF_EMPTY = _("the brief is empty: write what the learner has to do")
NOT_SELFTESTED = _("run the self-test for this version first: a lab is published only after it passes")
SLUG_RESERVED = _("the slug `%(slug)s` is a page of the site (/labs/%(slug)s/): choose another one")
SLUG_SUFFIX = "-copy"
# First parts of /labs/... addresses that are not labs (labs/urls.py): a lab with such a slug could not be opened.
RESERVED_SLUGS = frozenset({"authoring", "courses", "assignments", "join", "regrades", "submissions"})


# A new lab starts from a small complete example that passes the publish gate, so the editor shows the shape.
STARTER_BODY: dict[str, Any] = {
    "timeout_s": 20,
    "checks": [
        {"id": "role-exists", "title": {"en": "The role MyEc2Role exists", "ko": "MyEc2Role 역할이 존재함"},
         "points": 1, "kind": "role_exists", "params": {"role_name": "MyEc2Role"},
         "feedback": {"pass": {"en": "the role exists", "ko": "역할이 있습니다"},
                      "fail": {"en": "no role named `MyEc2Role` in your account",
                               "ko": "계정에 `MyEc2Role` 역할이 없습니다"}}},
        {"id": "ec2-only", "title": {"en": "Only Amazon EC2 can assume the role",
                                     "ko": "Amazon EC2만 역할을 수임할 수 있음"},
         "points": 2, "kind": "trust_probes",
         "params": {"role_name": "MyEc2Role", "probes": [
             {"principal": {"Service": "ec2.amazonaws.com"}, "expect": "allow"},
             {"principal": {"Service": "lambda.amazonaws.com"}, "expect": "deny"},
             {"principal": {"AWS": "arn:aws:iam::999988887777:user/outsider"}, "expect": "deny"}]},
         "feedback": {"pass": {"en": "only EC2 is trusted", "ko": "EC2만 신뢰합니다"},
                      "fail": {"en": "the trust policy does not trust EC2, and EC2 alone",
                               "ko": "신뢰 정책이 EC2만 신뢰하지 않습니다"}}},
    ],
    "solution": [
        {"action": "CreateRole", "params": {"RoleName": "MyEc2Role", "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}}},
    ],
}


class AuthoringError(ApplicationError):
    """A lab that cannot be saved as it is; `problems` name the file and field of each fault (first one first)."""

    def __init__(self, message: str, *, problems: Sequence[LabFormatError] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (LabFormatError(message, detail=message),)

    @classmethod
    def of(cls, problems: Sequence[LabFormatError]) -> AuthoringError:
        return cls(problems[0].message, problems=problems)


@dataclass(frozen=True, slots=True)
class LabDraft:
    """What the authoring page edits: the form's fields, the briefs and the rest of lab.json (`body`)."""

    slug: str
    title_en: str
    title_ko: str
    topics: tuple[str, ...]
    difficulty: str
    estimated_minutes: int
    brief_en: str
    brief_ko: str
    body: Mapping[str, Any]

    @classmethod
    def of_lab(cls, lab: Lab) -> LabDraft:
        body = {key: value for key, value in lab.definition.items() if key not in (*FORM_FIELDS, *DROPPED_FIELDS)}
        return cls(slug=lab.slug, title_en=lab.title_en, title_ko=lab.title_ko, topics=tuple(lab.topics),
                   difficulty=lab.difficulty, estimated_minutes=lab.estimated_minutes, brief_en=lab.brief_en,
                   brief_ko=lab.brief_ko, body=body)

    @classmethod
    def of_definition(cls, definition: Mapping[str, Any], briefs: Mapping[str, str]) -> LabDraft:
        """A lab.json (already validated) and its briefs, as a draft."""
        body = {key: value for key, value in definition.items() if key not in (*FORM_FIELDS, *DROPPED_FIELDS)}
        return cls(slug=definition["slug"], title_en=definition["title"]["en"], title_ko=definition["title"]["ko"],
                   topics=tuple(definition["topics"]), difficulty=definition["difficulty"],
                   estimated_minutes=definition["estimated_minutes"], brief_en=briefs["en"], brief_ko=briefs["ko"],
                   body=body)

    def definition(self, *, lab_uuid: str, version: int) -> dict[str, Any]:
        """The lab.json this draft stands for, its fields in the folder format's order."""
        head = {"uuid": lab_uuid, "slug": self.slug, "title": {"en": self.title_en, "ko": self.title_ko},
                "topics": list(self.topics), "difficulty": self.difficulty,
                "estimated_minutes": self.estimated_minutes, "version": version}
        return {**head, **{key: value for key, value in self.body.items() if key not in head}}

    @property
    def briefs(self) -> dict[str, str]:
        return {"en": self.brief_en, "ko": self.brief_ko}


def lab_draft_problems(*, draft: LabDraft, lab: Lab | None = None) -> list[LabFormatError]:
    """Every fault of `draft` as a lab (`lab` is the one being edited, None for a new one); empty when it is valid."""
    problems = [LabFormatError(f"editor: field `{key}`: {FIELD_IN_FORM}", file="editor", field=key,
                               detail=str(FIELD_IN_FORM))
                for key in draft.body if key in (*FORM_FIELDS, *DROPPED_FIELDS)]
    if problems:
        return problems
    version = lab.version if lab is not None else 1
    lab_uuid = str(lab.uuid) if lab is not None else str(uuid_lib.uuid4())
    problems = lab_problems(draft.definition(lab_uuid=lab_uuid, version=version), draft.briefs)
    for language, name in BRIEF_FILES.items():
        if not draft.briefs[language].strip():
            problems.append(LabFormatError(f"{name}: {BRIEF_EMPTY}", file=name, detail=str(BRIEF_EMPTY)))
    others = Lab.objects.exclude(pk=lab.pk) if lab is not None else Lab.objects.all()
    if draft.slug in RESERVED_SLUGS:
        problems.append(_slug_problem(SLUG_RESERVED % {"slug": draft.slug}))
    elif others.filter(slug=draft.slug).exists():
        problems.append(_slug_problem(SLUG_TAKEN % {"slug": draft.slug}))
    return problems


def _slug_problem(message: Any) -> LabFormatError:
    return LabFormatError(f"lab.json: field `slug`: {message}", file="lab.json", field="slug", detail=str(message))


def _check(draft: LabDraft, lab: Lab | None) -> None:
    problems = lab_draft_problems(draft=draft, lab=lab)
    if problems:
        raise AuthoringError.of(problems)


def lab_author_check(*, lab: Lab, author: User) -> None:
    """Only the author changes an instructor's lab; built-in labs are read-only in the browser."""
    if lab.source != Lab.Source.INSTRUCTOR:
        raise AuthoringError(str(BUILTIN_READ_ONLY))
    if lab.author_id != author.pk:
        raise AuthoringError(str(NOT_YOURS))


def _slug_taken(slug: str) -> AuthoringError:
    return AuthoringError.of([_slug_problem(SLUG_TAKEN % {"slug": slug})])


def lab_create(*, author: User, draft: LabDraft, lab_uuid: str | None = None, version: int = 1) -> Lab:
    """A new, unpublished lab by `author` (AuthoringError naming each fault when the draft is not a valid lab)."""
    _check(draft, None)
    lab_uuid = lab_uuid or str(uuid_lib.uuid4())
    definition = draft.definition(lab_uuid=lab_uuid, version=version)
    try:
        with transaction.atomic():
            return Lab.objects.create(
                uuid=uuid_lib.UUID(lab_uuid), slug=draft.slug, title_en=draft.title_en, title_ko=draft.title_ko,
                brief_en=draft.brief_en, brief_ko=draft.brief_ko, topics=list(draft.topics),
                difficulty=draft.difficulty, estimated_minutes=draft.estimated_minutes, version=version,
                definition=definition, source=Lab.Source.INSTRUCTOR, author=author, published=False, selftest=None,
            )
    except IntegrityError as error:  # another save took the slug between the check and the insert
        raise _slug_taken(draft.slug) from error


def lab_update(*, lab: Lab, author: User, draft: LabDraft, base_version: int | None = None) -> Lab:
    """Save `draft` as `lab`'s next version (unpublished, self-test cleared); an unchanged draft changes nothing.

    `base_version` is the version the author started from: when someone saved since, the save is refused rather
    than silently overwriting their work.
    """
    lab_author_check(lab=lab, author=author)
    try:
        with transaction.atomic():
            current = Lab.objects.select_for_update().get(pk=lab.pk)
            if base_version is not None and base_version != current.version:
                raise AuthoringError(str(STALE_VERSION % {"version": current.version}))
            _check(draft, current)
            definition = draft.definition(lab_uuid=str(current.uuid), version=current.version)
            if definition == current.definition and draft.briefs == {"en": current.brief_en, "ko": current.brief_ko}:
                return current
            current.version += 1
            definition["version"] = current.version
            current.slug, current.title_en, current.title_ko = draft.slug, draft.title_en, draft.title_ko
            current.brief_en, current.brief_ko, current.topics = draft.brief_en, draft.brief_ko, list(draft.topics)
            current.difficulty, current.estimated_minutes = draft.difficulty, draft.estimated_minutes
            current.definition, current.published, current.selftest = definition, False, None
            current.save()
            return current
    except IntegrityError as error:
        raise _slug_taken(draft.slug) from error


def _free_slug(base: str) -> str:
    base = base[: 80 - len(SLUG_SUFFIX) - 3]
    slug, number = f"{base}{SLUG_SUFFIX}", 1
    while Lab.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}{SLUG_SUFFIX}-{number}"
    return slug


def lab_duplicate(*, lab: Lab, author: User) -> Lab:
    """A copy of a built-in lab or of the author's own: a new instructor lab (new uuid and slug, version 1)."""
    if lab.source == Lab.Source.INSTRUCTOR:
        lab_author_check(lab=lab, author=author)
    return lab_create(author=author, draft=replace(LabDraft.of_lab(lab), slug=_free_slug(lab.slug)))


def lab_publish(*, lab: Lab, author: User) -> Lab:
    """Open the lab to students, only when its stored self-test passed for the current version."""
    lab_author_check(lab=lab, author=author)
    with transaction.atomic():
        current = Lab.objects.select_for_update().get(pk=lab.pk)
        if not current.selftest_passed:
            raise AuthoringError(str(NOT_SELFTESTED))
        current.published = True
        current.save(update_fields=["published", "updated_at"])
        return current


def lab_unpublish(*, lab: Lab, author: User) -> Lab:
    """Hide the lab from students again (its self-test stays valid: publishing again needs no new run)."""
    lab_author_check(lab=lab, author=author)
    Lab.objects.filter(pk=lab.pk).update(published=False)
    lab.refresh_from_db()
    return lab
