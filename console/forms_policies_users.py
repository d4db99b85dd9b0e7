"""Forms of the Policies and Users pages: field limits mirror IAM's, labels are the AWS console's."""
from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# AWS: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html and API_CreateUser.html
NAME_PATTERN = re.compile(r"[\w+=,.@-]+", re.ASCII)
POLICY_NAME_MAX = 128
USER_NAME_MAX = 64
POLICY_DESCRIPTION_MAX = 1000
POLICY_DOCUMENT_MAX = 131072  # the API's limit; the 6,144-character managed policy quota is the engine's check
PASSWORD_MAX = 128
MFA_DEVICE_NAME_MAX = 128  # the console's limit (the API allows 226)
ACCESS_KEY_ID_PATTERN = re.compile(r"[\w]{16,128}", re.ASCII)
POLICY_ARN_PATTERN = re.compile(r"arn:aws:iam::(aws|[0-9]{12}):policy/[\u0021-\u007E]{1,1000}", re.ASCII)
VERSION_ID_PATTERN = re.compile(r"v[1-9][0-9]{0,8}", re.ASCII)
MFA_SERIAL_PATTERN = re.compile(r"arn:aws:iam::[0-9]{12}:mfa/[\w+=,./@-]{1,512}", re.ASCII)
NAME_CHARACTERS = _("Use alphanumeric and '+=,.@-_' characters.")
DEFAULT_POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Action": [], "Resource": []}]},
    indent=4,
)


def _full(pattern: re.Pattern[str], message: Any = None) -> RegexValidator:
    """A validator matching the whole value (RegexValidator alone searches)."""
    return RegexValidator(re.compile(rf"\A(?:{pattern.pattern})\Z", pattern.flags), message=message)


def _name_validator() -> RegexValidator:
    return _full(NAME_PATTERN, NAME_CHARACTERS)


def _code_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, min_length=6, max_length=6,
        validators=[RegexValidator(r"\A[0-9]{6}\Z", message=_("Enter the 6-digit code from your device."))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
    )


# --- Policies ---------------------------------------------------------------------------------------------------

SCOPE_CHOICES = [("All", _("All types")), ("AWS", _("AWS managed")), ("Local", _("Customer managed"))]


class PolicyFilterForm(forms.Form):
    """The policy table's filter: type, search, "Used as permissions policy" only, page."""

    scope = forms.ChoiceField(label=_("Filter by Type"), choices=SCOPE_CHOICES, required=False)
    q = forms.CharField(label=_("Search"), max_length=128, required=False)
    only_attached = forms.BooleanField(label=_("Attached policies only"), required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "scope": data.get("scope") or "All", "query": data.get("q") or "",
            "only_attached": bool(data.get("only_attached")), "page": data.get("page") or 1,
        }


class PolicyDocumentForm(forms.Form):
    document = forms.CharField(
        label=_("Policy editor"), max_length=POLICY_DOCUMENT_MAX, strip=False, initial=DEFAULT_POLICY,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code", "autocomplete": "off"}),
    )


class PolicyCreateForm(PolicyDocumentForm):
    policy_name = forms.CharField(
        label=_("Policy name"), max_length=POLICY_NAME_MAX, validators=[_name_validator()],
        help_text=_("Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=_("Description - optional"), max_length=POLICY_DESCRIPTION_MAX, required=False,
        help_text=_("Maximum 1,000 characters."), widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["document", "policy_name", "description"]


class PolicyEditForm(PolicyDocumentForm):
    # Set by the "delete the oldest version and save" button when the policy already has five versions.
    delete_version = forms.CharField(required=False, max_length=10, validators=[_full(VERSION_ID_PATTERN)],
                                     widget=forms.HiddenInput)


class PolicyVersionForm(forms.Form):
    version_id = forms.CharField(max_length=10, validators=[_full(VERSION_ID_PATTERN)])


class ConfirmNameForm(forms.Form):
    """AWS's delete dialogs: type the name to confirm."""

    confirm = forms.CharField(label=_("To confirm deletion, enter the name in the text input field."), max_length=200)

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm(self) -> str:
        value = str(self.cleaned_data["confirm"])
        if value != self.expected:
            raise forms.ValidationError(_("Enter the name exactly as it is shown."))
        return value


# --- Users ------------------------------------------------------------------------------------------------------

PASSWORD_TYPE_CHOICES = [("autogenerated", _("Autogenerated password")), ("custom", _("Custom password"))]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=64, required=False)
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"query": data.get("q") or "", "page": data.get("page") or 1}


class PasswordFieldsForm(forms.Form):
    password_type = forms.ChoiceField(
        label=_("Console password"), choices=PASSWORD_TYPE_CHOICES, initial="autogenerated", required=False,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Custom password"), max_length=PASSWORD_MAX, required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    require_reset = forms.BooleanField(
        label=_("Users must create a new password at next sign-in - Recommended"), required=False, initial=True,
    )

    def _check_password(self, data: dict[str, Any]) -> None:
        if data.get("password_type") == "custom" and not data.get("password"):
            self.add_error("password", _("Enter a custom password."))


class UserCreateForm(PasswordFieldsForm):
    user_name = forms.CharField(
        label=_("User name"), max_length=USER_NAME_MAX, validators=[_name_validator()],
        help_text=_("The user name can have up to 64 characters. Valid characters: A-Z, a-z, 0-9, and + = , . @ _ - "
                    "(hyphen)"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    console_access = forms.BooleanField(
        label=_("Provide user access to the AWS Management Console - optional"), required=False,
    )

    field_order = ["user_name", "console_access", "password_type", "password", "require_reset"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("console_access"):
            self._check_password(data)
        return data


class ConsoleAccessForm(PasswordFieldsForm):
    console_access = forms.ChoiceField(
        label=_("Console access"), choices=[("enable", _("Enable")), ("disable", _("Disable"))], initial="enable",
        widget=forms.RadioSelect,
    )

    field_order = ["console_access", "password_type", "password", "require_reset"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("console_access") == "enable":
            self._check_password(data)
        return data


class PolicyArnsField(forms.MultipleChoiceField):
    """Policy ARNs chosen from a searchable list (any ARN of the right shape; IAM says whether it exists)."""

    def valid_value(self, value: Any) -> bool:
        return bool(POLICY_ARN_PATTERN.fullmatch(str(value)))


class AttachPoliciesForm(forms.Form):
    policy_arns = PolicyArnsField(
        label=_("Permissions policies"), error_messages={"required": _("Select at least one policy.")},
    )


class PolicyArnForm(forms.Form):
    policy_arn = forms.CharField(max_length=1100, validators=[_full(POLICY_ARN_PATTERN)])


class OneTimeForm(forms.Form):
    """A form that may be submitted once: its token is spent by the first POST (a reload cannot repeat it)."""

    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class AccessKeyStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("Active", "Active"), ("Inactive", "Inactive")])


class MfaAssignForm(forms.Form):
    device_name = forms.CharField(
        label=_("Device name"), max_length=MFA_DEVICE_NAME_MAX, validators=[_name_validator()],
        help_text=_("Enter a meaningful name to identify this device. Maximum 128 characters. "
                    "Use alphanumeric and '+=,.@-_' characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class MfaEnableForm(forms.Form):
    code1 = _code_field(_("MFA code 1"))
    code2 = _code_field(_("MFA code 2"))


class MfaSerialForm(forms.Form):
    serial_number = forms.CharField(max_length=600, validators=[_full(MFA_SERIAL_PATTERN)])
