"""Forms of the event history filters and the policy simulator (their limits refuse oversized input with a message)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import iam
from console.selectors.events import EventFilters
from console.services.simulator import ContextEntry, SimulationSpec

# --- Event history -------------------------------------------------------------------------------------------

ATTRIBUTE_CHOICES = [
    ("EventName", _("Event name")),
    ("Username", _("User name")),
    ("ResourceName", _("Resource name")),
    ("ResourceType", _("Resource type")),
    ("EventSource", _("Event source")),
    ("AccessKeyId", _("AWS access key")),
    ("ReadOnly", _("Read-only")),
    ("EventId", _("Event ID")),
]
RANGE_CHOICES = [
    ("", _("Any time")),
    ("1h", _("Last 1 hour")),
    ("3h", _("Last 3 hours")),
    ("12h", _("Last 12 hours")),
    ("1d", _("Last 1 day")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
]
RANGE_DELTAS = {"1h": timedelta(hours=1), "3h": timedelta(hours=3), "12h": timedelta(hours=12),
                "1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
READ_ONLY_VALUES = ("true", "false")
READ_ONLY_ERROR = _("Read-only takes the value true or false.")
RANGE_ORDER_ERROR = _("The start of the time range must be before its end.")


class EventFilterForm(forms.Form):
    """CloudTrail's lookup: one attribute and its value, a time range, and (ours) errors only."""

    attribute = forms.ChoiceField(label=_("Lookup attributes"), choices=ATTRIBUTE_CHOICES, required=False)
    value = forms.CharField(
        label=_("Enter a lookup value"), max_length=256, required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    range = forms.ChoiceField(label=_("Time range"), choices=RANGE_CHOICES, required=False)
    start = forms.DateTimeField(
        label=_("Start (UTC)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    end = forms.DateTimeField(
        label=_("End (UTC)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    errors_only = forms.BooleanField(label=_("Only events with errors"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("attribute") == "ReadOnly" and cleaned.get("value"):
            if cleaned["value"].strip().lower() not in READ_ONLY_VALUES:
                self.add_error("value", READ_ONLY_ERROR)
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", RANGE_ORDER_ERROR)
        return cleaned

    def filters(self, *, now: datetime | None = None) -> EventFilters:
        """The filters of a valid form (an invalid one filters nothing)."""
        if not self.is_valid():
            return EventFilters()
        data = self.cleaned_data
        since: datetime | None = data.get("start")
        if data.get("range") in RANGE_DELTAS:
            relative = (now or timezone.now()) - RANGE_DELTAS[data["range"]]
            since = max(since, relative) if since else relative
        return EventFilters(
            attribute=data.get("attribute") or "EventName", value=(data.get("value") or "").strip(),
            since=since, until=data.get("end"), errors_only=bool(data.get("errors_only")),
        )


# --- Policy simulator ----------------------------------------------------------------------------------------

MODE_CHOICES = [("principal", _("Existing user or role")), ("custom", _("Custom policies"))]
POLICY_MAX = 131072  # AWS's API limit on a policy document parameter
ACTIONS_MAX = 20
RESOURCES_MAX = 10
PAIRS_MAX = 50  # each action is simulated on each resource
CONTEXT_ROWS_DEFAULT = 2
CONTEXT_ROWS_MAX = 20
_ACTION = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9]+\Z")
_PRINCIPAL = re.compile(r"(user|role):[\w+=,.@-]{1,64}\Z", re.ASCII)
_CALLER_ARN = re.compile(r"arn:aws:(iam|sts)::\d{12}:(root|(user|role|assumed-role|federated-user)/\S+)\Z")
_CONTEXT_KEY = re.compile(r"[A-Za-z0-9-]+:[\w+=,.@/:-]+\Z")
ACTION_ERROR = _("Enter actions as service:ActionName (for example s3:GetObject), separated by commas: %(value)s")
TOO_MANY_ACTIONS = _("Simulate at most %(max)s actions at a time.")
TOO_MANY_PAIRS = _("Simulate at most %(max)s action and resource pairs at a time.")
RESOURCE_ERROR = _("A resource is an ARN (arn:aws:...) or *: %(value)s")
TOO_MANY_RESOURCES = _("Simulate at most %(max)s resources at a time.")
CALLER_ARN_ERROR = _("The caller is an IAM user, role or role session ARN, e.g. arn:aws:iam::111122223333:user/alice.")
CONTEXT_KEY_ERROR = _("A context key looks like aws:MultiFactorAuthPresent or aws:PrincipalTag/team.")
CONTEXT_VALUE_MISSING = _("Enter a value for this key.")
PRINCIPAL_FORMAT = _("Enter user:NAME or role:NAME, e.g. role:ReadOnly.")
PRINCIPAL_REQUIRED = _("Choose a user or role.")
IDENTITY_POLICY_REQUIRED = _("Paste at least an identity-based policy.")


def _split_actions(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text) if part]


def _context_count(data: Any, initial: Mapping[str, Any]) -> int:
    raw = (data or {}).get("context_rows") or initial.get("context_rows") or CONTEXT_ROWS_DEFAULT
    try:
        count = int(raw)
    except (TypeError, ValueError):
        count = CONTEXT_ROWS_DEFAULT
    return max(1, min(count, CONTEXT_ROWS_MAX))


class SimulatorForm(forms.Form):
    """A principal of this account or pasted policies; actions, resources and context keys to simulate."""

    mode = forms.ChoiceField(label=_("Simulate"), choices=MODE_CHOICES, initial="principal",
                             widget=forms.RadioSelect)
    principal = forms.ChoiceField(label=_("User or role"), required=False)
    identity_policy = forms.CharField(
        label=_("Identity-based policy"), required=False, max_length=POLICY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
    )
    boundary_policy = forms.CharField(
        label=_("Permissions boundary (optional)"), required=False, max_length=POLICY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
    )
    session_policy = forms.CharField(
        label=_("Session policy (optional)"), required=False, max_length=POLICY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
    )
    caller_arn = forms.CharField(
        label=_("Caller ARN (optional)"), required=False, max_length=2048,
        help_text=_("Who makes the requests; by default the identity you are signed in as."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    resource_policy = forms.CharField(
        label=_("Resource-based policy or trust policy (optional)"), required=False, max_length=POLICY_MAX,
        strip=False, widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "code"}),
        help_text=_("A bucket policy, or for sts:AssumeRole the role's trust policy."),
    )
    actions = forms.CharField(
        label=_("Actions"), max_length=2000,
        help_text=_("One or several, separated by commas: s3:GetObject, iam:CreateRole"),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    resources = forms.CharField(
        label=_("Resource ARNs"), max_length=4000, required=False, initial="*",
        help_text=_("One per line; * when empty."),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false", "class": "code"}),
    )

    def __init__(self, *args: Any, principals: list[tuple[str, list[tuple[str, str]]]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if principals is None:
            # The users and roles could not be listed: the learner names one (still looked up in this account only).
            self.fields["principal"] = forms.RegexField(
                label=_("User or role"), required=False, max_length=80, regex=_PRINCIPAL,
                error_messages={"invalid": PRINCIPAL_FORMAT}, help_text=_("user:NAME or role:NAME"),
                widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            )
        else:
            select = self.fields["principal"]
            assert isinstance(select, forms.ChoiceField)
            select.choices = [("", _("Choose a user or role")), *principals]
        self.context_count = _context_count(self.data if self.is_bound else None, self.initial)
        for index in range(self.context_count):
            self.fields[f"context_key_{index}"] = forms.CharField(
                label=_("Context key %(n)s") % {"n": index + 1}, required=False, max_length=256,
                widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off",
                                              "placeholder": "aws:MultiFactorAuthPresent"}),
            )
            self.fields[f"context_value_{index}"] = forms.CharField(
                label=_("Value %(n)s") % {"n": index + 1}, required=False, max_length=1024,
                widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off",
                                              "placeholder": "true"}),
            )

    def context_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"context_key_{i}"], self[f"context_value_{i}"]) for i in range(self.context_count)]

    def clean_caller_arn(self) -> str:
        arn = (self.cleaned_data.get("caller_arn") or "").strip()
        if arn and not _CALLER_ARN.match(arn):
            raise forms.ValidationError(CALLER_ARN_ERROR)
        return arn

    def clean_actions(self) -> list[str]:
        actions = _split_actions(self.cleaned_data.get("actions", ""))
        bad = [action for action in actions if not _ACTION.match(action)]
        if bad or not actions:
            raise forms.ValidationError(ACTION_ERROR, params={"value": ", ".join(bad)})
        if len(actions) > ACTIONS_MAX:
            raise forms.ValidationError(TOO_MANY_ACTIONS, params={"max": ACTIONS_MAX})
        return list(dict.fromkeys(actions))

    def clean_resources(self) -> list[str]:
        resources = [part for part in self.cleaned_data.get("resources", "").split() if part] or ["*"]
        bad = [r for r in resources if r != "*" and not (r.startswith("arn:") and r.count(":") >= 5)]
        if bad:
            raise forms.ValidationError(RESOURCE_ERROR, params={"value": ", ".join(bad)})
        if len(resources) > RESOURCES_MAX:
            raise forms.ValidationError(TOO_MANY_RESOURCES, params={"max": RESOURCES_MAX})
        return list(dict.fromkeys(resources))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == "principal" and not cleaned.get("principal") and "principal" not in self.errors:
            self.add_error("principal", PRINCIPAL_REQUIRED)
        if cleaned.get("mode") == "custom" and not (cleaned.get("identity_policy") or "").strip():
            if "identity_policy" not in self.errors:
                self.add_error("identity_policy", IDENTITY_POLICY_REQUIRED)
        pairs = len(cleaned.get("actions") or []) * len(cleaned.get("resources") or [])
        if pairs > PAIRS_MAX:
            self.add_error("resources", TOO_MANY_PAIRS % {"max": PAIRS_MAX})
        self._check_policies(cleaned)
        cleaned["context"] = self._context()
        return cleaned

    def _check_policies(self, cleaned: dict[str, Any]) -> None:
        """Each pasted policy must parse as IAM would parse it; the error names the line, the text stays."""
        custom = cleaned.get("mode") == "custom"
        kinds = {"identity_policy": [iam.PolicyKind.IDENTITY] if custom else [],
                 "boundary_policy": [iam.PolicyKind.BOUNDARY] if custom else [],
                 "session_policy": [iam.PolicyKind.SESSION] if custom else [],
                 "resource_policy": _resource_kinds(cleaned.get("actions") or [])}
        for field, wanted in kinds.items():
            text = cleaned.get(field) or ""
            for kind in wanted if text.strip() else []:
                try:
                    iam.parse_policy(text, name=field, kind=kind)
                except iam.PolicySyntaxError as error:
                    where = _(" (line %(line)s)") % {"line": error.line} if error.line else ""
                    self.add_error(field, f"{error.code}: {error.message}{where}")
                    break

    def _context(self) -> tuple[ContextEntry, ...]:
        entries: list[ContextEntry] = []
        for index in range(self.context_count):
            key = (self.cleaned_data.get(f"context_key_{index}") or "").strip()
            value = (self.cleaned_data.get(f"context_value_{index}") or "").strip()
            if not key and not value:
                continue
            if not _CONTEXT_KEY.match(key):
                self.add_error(f"context_key_{index}", CONTEXT_KEY_ERROR)
            elif not value:
                self.add_error(f"context_value_{index}", CONTEXT_VALUE_MISSING)
            else:
                values = tuple(part.strip() for part in value.split(",") if part.strip())
                entries.append(ContextEntry(key=key, values=values))
        return tuple(entries)

    def spec(self) -> SimulationSpec:
        """What to simulate, from a valid form."""
        data = self.cleaned_data
        return SimulationSpec(
            mode=data["mode"], principal=data.get("principal") or "",
            identity_policy=data.get("identity_policy") or "", boundary_policy=data.get("boundary_policy") or "",
            session_policy=data.get("session_policy") or "", resource_policy=data.get("resource_policy") or "",
            caller_arn=(data.get("caller_arn") or "").strip(), actions=tuple(data["actions"]),
            resources=tuple(data["resources"]), context=data["context"],
        )


def _resource_kinds(actions: list[str]) -> list[iam.PolicyKind]:
    """A pasted resource policy is a trust policy for sts:AssumeRole* and a resource-based policy otherwise."""
    trust = {action.lower() for action in iam.TRUST_ACTIONS}
    kinds = []
    if any(action.lower() in trust for action in actions):
        kinds.append(iam.PolicyKind.TRUST)
    if any(action.lower() not in trust for action in actions):
        kinds.append(iam.PolicyKind.RESOURCE)
    return kinds
