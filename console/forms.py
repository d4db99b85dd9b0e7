"""Console forms: field-level limits mirror AWS's, so oversized input is refused with a message."""
from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from sandbox.roles import DESCRIPTION_MAX, ROLE_NAME_MAX

TRUST_POLICY_MAX = 131072  # AWS API limit on AssumeRolePolicyDocument; the 2,048 quota is checked by the engine
DEFAULT_TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Statement1", "Effect": "Allow", "Principal": {}, "Action": "sts:AssumeRole"}],
    },
    indent=4,
)


class CreateRoleForm(forms.Form):
    role_name = forms.CharField(
        label=_("Role name"),
        max_length=ROLE_NAME_MAX,
        help_text=_("Maximum 64 characters. Use alphanumeric and '+=,.@-_' characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        required=False,
        help_text=_("Maximum 1000 characters."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    trust_policy = forms.CharField(
        label=_("Trust policy"),
        max_length=TRUST_POLICY_MAX,
        strip=False,
        initial=DEFAULT_TRUST_POLICY,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "code"}),
    )


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
