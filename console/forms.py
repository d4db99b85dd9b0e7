"""Console forms: field-level limits mirror AWS's, so oversized input is refused with a message."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

COLOR_CHOICES = [
    ("", _("None")), ("red", _("Red")), ("orange", _("Orange")), ("yellow", _("Yellow")), ("green", _("Green")),
    ("blue", _("Blue")),
]


class SwitchRoleForm(forms.Form):
    """The console's Switch role form (fields as the AWS console labels them)."""

    account = forms.CharField(
        label=_("Account ID"), max_length=64,
        help_text=_("The 12-digit account ID or the account alias."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role_name = forms.CharField(
        label=_("IAM role name"), max_length=576,
        help_text=_("The role name, with its path if it has one (for example division_abc/roleToDoX)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # No form limit: the console refuses a display name over 64 characters with its one switch-role message.
    display_name = forms.CharField(
        label=_("Display name"), max_length=600, required=False,
        help_text=_("Optional. Shown in the navigation bar while the role is active. Maximum 64 characters."),
    )
    color = forms.ChoiceField(label=_("Display color"), choices=COLOR_CHOICES, required=False)


class RevokeSessionsForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_("I acknowledge that I am revoking all active sessions for this role."), required=True,
    )


class LanguageForm(forms.Form):
    """The top bar's language select (the same fields as Django's `set_language`)."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2048)
