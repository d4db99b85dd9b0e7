"""The corporate portal's forms: directory entries, role mappings, and what to sign a user in to."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sandbox.federation.issuers import PROFILES, Issuer

TAG_LINE_INVALID = _("Write one tag per line as Key=Value.")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class DirectoryUserForm(forms.Form):
    name = forms.CharField(label=_("User name"), max_length=64)
    display_name = forms.CharField(label=_("Display name"), max_length=128, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    groups = forms.CharField(label=_("Groups"), required=False, help_text=_("Separated by commas."))
    session_tags = forms.CharField(
        label=_("Session tags"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent as PrincipalTag attributes and in the https://aws.amazon.com/tags claim: one Key=Value a "
                    "line."),
    )
    transitive_tag_keys = forms.CharField(label=_("Transitive tag keys"), required=False)

    def clean_groups(self) -> list[str]:
        return _lines(self.cleaned_data["groups"])

    def clean_transitive_tag_keys(self) -> list[str]:
        return _lines(self.cleaned_data["transitive_tag_keys"])

    def clean_session_tags(self) -> dict[str, str]:
        tags: dict[str, str] = {}
        for line in self.cleaned_data["session_tags"].splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(TAG_LINE_INVALID)
            tags[key.strip()] = value.strip()
        return tags


class RoleMappingForm(forms.Form):
    group = forms.CharField(label=_("Group"), max_length=128)
    role_arn = forms.CharField(label=_("Role ARN"), max_length=2048)
    provider_arn = forms.CharField(label=_("SAML provider ARN"), max_length=2048)


class UserRoleForm(forms.Form):
    """A directory user and one of their roles (`role-arn,provider-arn`, as the Role attribute writes it)."""

    user = forms.CharField(max_length=64)
    role = forms.CharField(max_length=4200)

    def clean_role(self) -> tuple[str, str]:
        role_arn, sep, provider_arn = self.cleaned_data["role"].partition(",")
        if not sep:
            raise forms.ValidationError(_("Choose a role."))
        return role_arn, provider_arn


# The issuers that speak for a directory user (GitHub's tokens speak for a workflow run).
USER_TOKEN_ISSUERS = [(issuer.value, PROFILES[issuer].label) for issuer in PROFILES if issuer is not Issuer.GITHUB]


class IdTokenForm(forms.Form):
    """An ID token of one of the training IdP's OIDC issuers for a directory user."""

    user = forms.CharField(max_length=64)
    issuer = forms.ChoiceField(label=_("Issuer"), choices=USER_TOKEN_ISSUERS)
    audience = forms.CharField(label=_("Audience"), max_length=255, required=False)
    authenticated = forms.BooleanField(label=_("Authenticated (Cognito)"), required=False, initial=True)


class GitHubTokenForm(forms.Form):
    """A GitHub Actions ID token: which workflow run it speaks for."""

    repository = forms.RegexField(label=_("Repository"), regex=r"^[\w.-]+/[\w.-]+$", max_length=200,
                                  initial="example-org/example-repo")
    ref = forms.CharField(label=_("Git ref"), max_length=255, initial="refs/heads/main")
    event = forms.ChoiceField(label=_("Event"), choices=[("push", "push"), ("pull_request", "pull_request")])
    environment = forms.CharField(label=_("Environment"), max_length=255, required=False)
    audience = forms.CharField(label=_("Audience"), max_length=255, required=False, initial="sts.amazonaws.com")

    def token_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["audience"] = data.get("audience") or None
        return data


class SamlSignInForm(forms.Form):
    """What a portal posts to AWS sign-in's SAML endpoint: `SAMLResponse`, and `roleIndex` once a role is chosen."""

    SAMLResponse = forms.CharField(max_length=200_000)  # the SAML HTTP-POST binding's field name
    roleIndex = forms.CharField(max_length=4200, required=False)  # AWS sign-in's field name
