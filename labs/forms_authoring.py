"""Authoring forms: a lab's fields plus the YAML/JSON editor for the rest of lab.json, and a bundle upload."""
from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from labs.models import Lab
from labs.services.authoring import STARTER_BODY, LabDraft
from labs.services.authoring_bundle import BUNDLE_MAX_BYTES
from labs.services.authoring_editor import (
    EditorError,
    EditorFormat,
    editor_convert,
    editor_dump,
    editor_line,
    editor_parse,
)
from labs.services.catalog import LabFormatError

EDITOR_MAX_CHARS = 200_000
BRIEF_MAX_CHARS = 50_000
FORMAT_CHOICES = [("yaml", "YAML"), ("json", "JSON")]
DIFFICULTY_CHOICES = [("beginner", _("Beginner")), ("intermediate", _("Intermediate")), ("advanced", _("Advanced"))]
# Form fields a lab.json field belongs to; any other field is in the editor.
FORM_FIELD_OF = {"slug": "slug", "title/en": "title_en", "title/ko": "title_ko", "topics": "topics",
                 "difficulty": "difficulty", "estimated_minutes": "estimated_minutes"}
NOT_CONVERTED = _("not converted: the text stays as it is until it can be read")
BUNDLE_TOO_BIG = _("The file is larger than 1 MB.")

def _format(value: Any) -> EditorFormat:
    return "json" if value == "json" else "yaml"


class LabForm(forms.Form):
    """The authoring page: a lab's fields, its briefs and the editor (the rest of lab.json as YAML or JSON).

    `text_format` is the format the editor's text is in; `editor_format` the one the author chose. They differ
    only until the text is converted (at once with htmx, or with the Convert button without it).
    """

    slug = forms.CharField(
        label=_("Slug"), max_length=80,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]{0,79}$",
                                   _("Use lowercase letters, digits and hyphens, starting with a letter or digit."))],
        help_text=_("The lab's address and folder name, e.g. partner-role; unique across all labs."))
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_ko = forms.CharField(label=_("Title (Korean)"), max_length=200)
    topics = forms.CharField(label=_("Topics"), max_length=500,
                             help_text=_("Separated by commas, e.g. roles, trust-policy"))
    difficulty = forms.ChoiceField(label=_("Difficulty"), choices=DIFFICULTY_CHOICES)
    estimated_minutes = forms.IntegerField(label=_("Estimated minutes"), min_value=1, max_value=600)
    brief_en = forms.CharField(label=_("Brief (English, Markdown)"), max_length=BRIEF_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 10}),
                               help_text=_("What the learner reads. {{ variables }} show each learner's values."))
    brief_ko = forms.CharField(label=_("Brief (Korean, Markdown)"), max_length=BRIEF_MAX_CHARS,
                               widget=forms.Textarea(attrs={"rows": 10}))
    text_format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="yaml", widget=forms.HiddenInput)
    editor_format = forms.ChoiceField(label=_("Editor format"), choices=FORMAT_CHOICES, initial="yaml")
    editor = forms.CharField(
        label=_("Definition (YAML or JSON)"), required=False, strip=False,
        max_length=EDITOR_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 28, "class": "code", "spellcheck": "false", "autocapitalize": "off",
                                     "autocomplete": "off", "wrap": "off"}),
        help_text=_("The rest of lab.json: timeout_s, variants, setup, checks, solution, equivalent_mutants (see "
                    "labs/catalog/AUTHORING.md). It is saved as lab.json, so YAML comments are not kept."))
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    body: dict[str, Any]

    @classmethod
    def for_lab(cls, lab: Lab, fmt: EditorFormat = "yaml") -> LabForm:
        draft = LabDraft.of_lab(lab)
        return cls(initial={
            "slug": draft.slug, "title_en": draft.title_en, "title_ko": draft.title_ko,
            "topics": ", ".join(draft.topics), "difficulty": draft.difficulty,
            "estimated_minutes": draft.estimated_minutes, "brief_en": draft.brief_en, "brief_ko": draft.brief_ko,
            "text_format": fmt, "editor_format": fmt, "editor": editor_dump(dict(draft.body), fmt),
            "base_version": lab.version,
        })

    @classmethod
    def blank(cls) -> LabForm:
        return cls(initial={"difficulty": "beginner", "estimated_minutes": 15, "text_format": "yaml",
                            "editor_format": "yaml", "editor": editor_dump(STARTER_BODY, "yaml")})

    def clean_topics(self) -> tuple[str, ...]:
        topics = tuple(topic.strip() for topic in self.cleaned_data["topics"].split(",") if topic.strip())
        if not topics:
            raise forms.ValidationError(_("Name at least one topic."))
        return topics

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = self.data.get("editor", "")
        self.body = {}
        if "editor" in self.errors:  # too long: not worth reading
            return data
        try:
            self.body = editor_parse(text if isinstance(text, str) else "", _format(data.get("text_format")))
        except EditorError as error:
            self.add_error("editor", error.message)
        return data

    def draft(self) -> LabDraft:
        data = self.cleaned_data
        return LabDraft(slug=data["slug"], title_en=data["title_en"], title_ko=data["title_ko"],
                        topics=data["topics"], difficulty=data["difficulty"],
                        estimated_minutes=data["estimated_minutes"], brief_en=data["brief_en"],
                        brief_ko=data["brief_ko"], body=self.body)

    def add_problems(self, problems: tuple[LabFormatError, ...] | list[LabFormatError]) -> None:
        """Put each fault the lab format found next to the field it is about (editor faults with their line)."""
        for problem in problems:
            field = _form_field(problem)
            if field == "editor":
                self.add_error("editor", self._editor_message(problem))
            elif field is not None and field in self.fields:
                self.add_error(field, problem.detail)
            else:
                self.add_error(None, problem.message)

    def _editor_message(self, problem: LabFormatError) -> str:
        if problem.field in ("", "(top level)"):
            return problem.detail
        line = editor_line(str(self.data.get("editor", "")), problem.field)
        where = _("line %(line)d, field `%(field)s`") % {"line": line, "field": problem.field} if line else \
            _("field `%(field)s`") % {"field": problem.field}
        return f"{where}: {problem.detail}"

    def error_list(self) -> list[tuple[str, str, str]]:
        """(field name, label, message) of every error, in the page's order, for the check panel."""
        labels = {name: str(field.label) for name, field in self.fields.items()}
        return [(name, labels.get(name, ""), str(message)) for name, messages in self.errors.items()
                for message in messages]

    def converted(self) -> LabForm:
        """This form with the editor's text in the chosen format (kept as it is, with the error, when unreadable)."""
        data = QueryDict(mutable=True)
        data.update(self.data)
        source, target = _format(data.get("text_format")), _format(data.get("editor_format"))
        failed = False
        try:
            data["editor"] = editor_convert(str(data.get("editor", "")), source, target)
            data["text_format"] = target
        except EditorError:
            data["editor_format"], failed = source, True
        form = LabForm(data)
        form.full_clean()
        for name in [name for name in form.errors if name != "editor"]:
            del form.errors[name]  # converting is not saving: only the editor's faults matter here
        if failed:
            form.add_error("editor", str(NOT_CONVERTED))
        return form


def _form_field(problem: LabFormatError) -> str | None:
    if problem.file == "editor":
        return "editor"
    if not problem.file:
        return None
    if problem.file.endswith("brief.en.md"):
        return "brief_en"
    if problem.file.endswith("brief.ko.md"):
        return "brief_ko"
    if problem.field in ("uuid", "version"):
        return None
    for path, name in FORM_FIELD_OF.items():
        if problem.field == path or problem.field.startswith(f"{path}/"):
            return name
    if problem.field == "title":
        return "title_en"
    return "editor"


class BundleImportForm(forms.Form):
    bundle = forms.FileField(label=_("Lab bundle (zip)"),
                             help_text=_("A zip of one lab folder: lab.json, brief.en.md and brief.ko.md (1 MB at "
                                         "most). A bundle of one of your labs updates it."))
    slug = forms.CharField(label=_("Import as (slug)"), required=False, max_length=80,
                           validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]{0,79}$",
                                                      _("Use lowercase letters, digits and hyphens."))],
                           help_text=_("Optional: a new slug, to import a copy next to a lab that has the bundle's."))

    def clean_bundle(self) -> Any:
        upload = self.cleaned_data["bundle"]
        if upload.size > BUNDLE_MAX_BYTES:
            raise forms.ValidationError(BUNDLE_TOO_BIG)
        return upload
