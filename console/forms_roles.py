"""Forms of the Roles list and the role page; limits mirror AWS's, so bad input is refused in the form."""
from __future__ import annotations

import json
import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

import iam
from sandbox.roles import DESCRIPTION_MAX, DESCRIPTION_PATTERN, ROLE_NAME_MAX, ROLE_NAME_PATTERN

POLICY_DOCUMENT_MAX = 131072  # AWS API limit on a policy document; IAM's own quotas are checked by the engine
POLICY_NAME_MAX = 128
POLICY_ARN_MAX = 2048
HOURS = range(1, 13)  # AWS: MaxSessionDuration is 3600-43200 seconds
TAGS_MAX = 50
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# AWS: [\p{L}\p{Z}\p{N}_.:/=+\-@]; Python's Unicode \w and the two common spaces come nearest.
TAG_PATTERN = re.compile(r"[\w \u00a0.:/=+\-@]*")
DELETE_WORD = "delete"
ROLES_MAX = 100  # roles one "Delete" may name (more than a table page shows)
NEW_INLINE_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Action": [], "Resource": []}]},
    indent=4,
)

CONFIRM_ONE = _("Enter the role name to confirm the deletion.")
CONFIRM_MANY = _("Enter “delete” to confirm the deletion.")
NO_ROLE_SELECTED = _("Select at least one role.")
NO_POLICY_SELECTED = _("Select at least one policy.")
TOO_MANY_TAGS = _("You can add up to 50 tags.")
DUPLICATE_TAG_KEY = _("Tag keys must be unique (keys are not case-sensitive).")
TAG_KEY_REQUIRED = _("Enter a key.")
TAG_KEY_TOO_LONG = _("Maximum 128 characters.")
TAG_VALUE_TOO_LONG = _("Maximum 256 characters.")
TAG_CHARACTERS = _("Use letters, numbers, spaces and the characters _ . : / = + - @ only.")
TAG_RESERVED = _("Keys beginning with “aws:” are reserved for AWS use.")
POLICY_NAME_RULES = _("Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.")


class RoleDeleteForm(forms.Form):
    """The "Delete" dialog: type the role name (or `delete` for several roles), as the console asks."""

    role = forms.MultipleChoiceField(required=True, error_messages={"required": NO_ROLE_SELECTED})
    confirmation = forms.CharField(label=_("Confirmation"), max_length=ROLE_NAME_MAX, required=False, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any well-formed role name may be chosen; IAM answers for names that do not exist.
        cast(forms.ChoiceField, self.fields["role"]).choices = [(name, name) for name in selected_role_names(self.data)]

    @property
    def expected(self) -> str:
        names = self.cleaned_data.get("role") or []
        return names[0] if len(names) == 1 else DELETE_WORD

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        names = cleaned.get("role") or []
        if names and cleaned.get("confirmation", "") != self.expected:
            self.add_error("confirmation", CONFIRM_ONE if len(names) == 1 else CONFIRM_MANY)
        return cleaned


def selected_role_names(data: Any) -> list[str]:
    """The well-formed role names ticked in the table (`role`), without repeats, at most ROLES_MAX of them."""
    names = data.getlist("role") if hasattr(data, "getlist") else []
    valid = [name for name in names if 0 < len(name) <= ROLE_NAME_MAX and ROLE_NAME_PATTERN.fullmatch(name)]
    return list(dict.fromkeys(valid))[:ROLES_MAX]


def _hours_label(hours: int) -> str:
    return ngettext("%(hours)d hour", "%(hours)d hours", hours) % {"hours": hours}


class RoleSummaryForm(forms.Form):
    """The Summary's Edit: description and maximum session duration (1 to 12 hours)."""

    description = forms.CharField(
        label=_("Description"), max_length=DESCRIPTION_MAX, required=False,
        help_text=_("Maximum 1000 characters."), widget=forms.Textarea(attrs={"rows": 2}),
    )
    max_session_duration = forms.TypedChoiceField(
        label=_("Maximum session duration"), coerce=int,
        help_text=_("Applies the next time the role is assumed; sessions already issued keep their expiry."),
    )

    def __init__(self, *args: Any, current_seconds: int = 3600, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(hours * 3600, _hours_label(hours)) for hours in HOURS]
        if current_seconds not in {seconds for seconds, _label in choices} and 3600 <= current_seconds <= 43200:
            # A custom duration set through the API stays selectable as it is.
            label = ngettext("%(seconds)d second", "%(seconds)d seconds", current_seconds)
            choices.append((current_seconds, label % {"seconds": current_seconds}))
        cast(forms.ChoiceField, self.fields["max_session_duration"]).choices = sorted(choices)

    def clean_description(self) -> str:
        description = str(self.cleaned_data.get("description", ""))
        if not DESCRIPTION_PATTERN.fullmatch(description):
            raise forms.ValidationError(_("Use printable characters only (no control characters)."))
        return description


class PolicyPickerForm(forms.Form):
    """Attach policies, or choose a permissions boundary: the chosen managed policy ARNs."""

    policy_arn = forms.MultipleChoiceField(required=True, error_messages={"required": NO_POLICY_SELECTED})

    def __init__(self, *args: Any, single: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.single = single
        arns = self.data.getlist("policy_arn") if hasattr(self.data, "getlist") else []
        cast(forms.ChoiceField, self.fields["policy_arn"]).choices = [(arn, arn) for arn in arns]

    def clean_policy_arn(self) -> list[str]:
        # Only something shaped like a policy ARN is sent to IAM (which answers for ARNs that do not exist).
        given = self.cleaned_data.get("policy_arn") or []
        arns = list(dict.fromkeys(arn for arn in given if arn.startswith("arn:") and len(arn) <= POLICY_ARN_MAX))
        if not arns:
            raise forms.ValidationError(NO_POLICY_SELECTED)
        if self.single and len(arns) > 1:
            raise forms.ValidationError(_("Choose one policy as the permissions boundary."))
        return arns


def findings_for(document: str, *, kind: iam.PolicyKind, account_id: str) -> tuple[iam.Finding, ...]:
    """The engine's policy validation, as the console's editors show it (errors first by line)."""
    return iam.validate_policy(document, kind=kind, account_id=account_id)


class PolicyEditorForm(forms.Form):
    """A JSON policy editor: the text is kept as typed; the engine's findings are shown at their line."""

    kind = iam.PolicyKind.IDENTITY
    policy_document = forms.CharField(
        label=_("Policy editor"), max_length=POLICY_DOCUMENT_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, account_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_id = account_id
        self.findings: tuple[iam.Finding, ...] = ()

    def clean_policy_document(self) -> str:
        document = str(self.cleaned_data["policy_document"])
        self.findings = findings_for(document, kind=self.kind, account_id=self.account_id)
        errors = [finding for finding in self.findings if finding.severity == iam.Severity.ERROR]
        if errors:
            raise forms.ValidationError(
                ngettext("Fix %(count)d error before saving.", "Fix %(count)d errors before saving.", len(errors))
                % {"count": len(errors)}
            )
        return document


class InlinePolicyForm(PolicyEditorForm):
    """Create inline policy (the name is asked for) or edit one (the name is fixed)."""

    policy_name = forms.CharField(
        label=_("Policy name"), max_length=POLICY_NAME_MAX, help_text=POLICY_NAME_RULES,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["policy_name", "policy_document"]

    def clean_policy_name(self) -> str:
        name = str(self.cleaned_data["policy_name"])
        if not ROLE_NAME_PATTERN.fullmatch(name):
            raise forms.ValidationError(POLICY_NAME_RULES)
        return name


class TrustPolicyForm(PolicyEditorForm):
    """Edit trust policy: reviewed (a diff against the current policy) before it is saved."""

    kind = iam.PolicyKind.TRUST
    reviewed = forms.CharField(required=False, strip=False, max_length=POLICY_DOCUMENT_MAX, widget=forms.HiddenInput)

    @property
    def confirmed(self) -> bool:
        """"Update policy" was pressed for exactly the text whose diff the learner saw."""
        return (
            self.data.get("action") == "save"
            and self.cleaned_data.get("reviewed") == self.cleaned_data.get("policy_document")
        )


class RoleTagsForm(forms.Form):
    """Manage tags: rows of key and value (`tag_key` / `tag_value` lists), checked as IAM checks tags."""

    def __init__(self, data: Any = None, *, initial_rows: list[tuple[str, str]] | None = None) -> None:
        super().__init__(data)
        if data is not None:
            keys, values = data.getlist("tag_key"), data.getlist("tag_value")
            values += [""] * (len(keys) - len(values))
            self.rows = list(zip(keys, values, strict=False))
        else:
            self.rows = list(initial_rows or [])
        self.row_errors: dict[int, list[str]] = {}

    @property
    def cleaned_tags(self) -> list[tuple[str, str]]:
        return [(key.strip(), value.strip()) for key, value in self.rows if key.strip() or value.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tags = self.cleaned_tags
        if len(tags) > TAGS_MAX:
            self.add_error(None, TOO_MANY_TAGS)
        seen: set[str] = set()
        for index, (key, value) in enumerate(self.rows):
            problems = _tag_problems(key.strip(), value.strip(), seen) if key.strip() or value.strip() else []
            if problems:
                self.row_errors[index] = [str(problem) for problem in problems]
        if self.row_errors:
            self.add_error(None, _("Fix the tags marked below."))
        return cleaned

    def add_row(self) -> bool:
        """"Add tag": one more empty row, while fewer than 50."""
        if len(self.rows) >= TAGS_MAX:
            return False
        self.rows.append(("", ""))
        return True

    def remove_row(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            del self.rows[index]


def _tag_problems(key: str, value: str, seen: set[str]) -> list[Any]:
    problems: list[Any] = []
    if not key:
        problems.append(TAG_KEY_REQUIRED)
    if len(key) > TAG_KEY_MAX:
        problems.append(TAG_KEY_TOO_LONG)
    if len(value) > TAG_VALUE_MAX:
        problems.append(TAG_VALUE_TOO_LONG)
    if not TAG_PATTERN.fullmatch(key) or not TAG_PATTERN.fullmatch(value):
        problems.append(TAG_CHARACTERS)
    if key.lower().startswith("aws:"):
        problems.append(TAG_RESERVED)
    if key and key.lower() in seen:
        problems.append(DUPLICATE_TAG_KEY)
    seen.add(key.lower())
    return problems
