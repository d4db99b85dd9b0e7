"""Forms of IAM > Identity providers: add a SAML or OpenID Connect provider, replace metadata, audiences, delete.

Field limits mirror IAM's API (and the console's own checks); the metadata document itself is checked by the
service, so the same rules hold for every caller.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from console.services.providers import (
    CLIENT_ID_MAX,
    CLIENT_IDS_MAX,
    METADATA_MAX,
    OIDC_URL_MAX,
    SAML_NAME_MAX,
    SAML_NAME_PATTERN,
    THUMBPRINTS_MAX,
)

PROVIDER_TYPES = [("saml", _("SAML")), ("oidc", _("OpenID Connect"))]
THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")
TEXTAREA_ATTRS = {"spellcheck": "false", "autocomplete": "off"}

URL_NOT_HTTPS = _("The provider URL must begin with https://.")
URL_INVALID = _("Enter a valid provider URL, such as https://server.example.com (no port, query or fragment).")
URL_TOO_LONG = _("The provider URL can have up to 255 characters.")
NAME_INVALID = _("Use up to 128 alphanumeric characters and '._-' only.")
METADATA_MISSING = _("Choose a metadata document file or paste its XML.")
METADATA_UNREADABLE = _("The metadata document must be a UTF-8 text file.")
AUDIENCE_MISSING = _("Enter at least one audience (client ID).")
AUDIENCE_TOO_MANY = _("A provider can have up to 100 audiences.")
AUDIENCE_TOO_LONG = _("Each audience can have up to 255 characters.")
THUMBPRINT_INVALID = _("Thumbprint `%(value)s` is not 40 hexadecimal characters.")
THUMBPRINT_TOO_MANY = _("A provider can have up to 5 thumbprints.")
CONFIRM_MISMATCH = _("Enter the provider name exactly as shown to confirm.")


def _lines(text: str) -> tuple[str, ...]:
    """Non-empty lines (or comma-separated values), trimmed, first occurrence kept."""
    values = [value.strip() for value in re.split(r"[\n,]", text)]
    return tuple(dict.fromkeys(value for value in values if value))


def _read_upload(upload: UploadedFile) -> str:
    data = upload.read(METADATA_MAX * 4 + 1)  # a character is at most 4 bytes in UTF-8
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(METADATA_UNREADABLE) from None


class MetadataDocumentMixin(forms.Form):
    """A metadata document, uploaded as a file (as AWS's console asks) or pasted."""

    metadata_file = forms.FileField(
        label=_("Metadata document"), required=False,
        help_text=_("The SAML metadata XML file your identity provider generates."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    metadata_text = forms.CharField(
        label=_("Or paste the metadata XML"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "code", **TEXTAREA_ATTRS}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("metadata_file")
        document = _read_upload(upload) if upload else cleaned.get("metadata_text", "")
        if not document.strip() and not self.has_error("metadata_file"):
            self.add_error("metadata_text", METADATA_MISSING)
        cleaned["metadata_document"] = document
        if upload and isinstance(self.data, QueryDict):
            # Keep what was uploaded visible (and re-submittable) if anything else needs fixing.
            data = self.data.copy()
            data[self.add_prefix("metadata_text")] = document
            self.data = data
        return cleaned


class SamlProviderForm(MetadataDocumentMixin):
    field_order = ("provider_name", "metadata_file", "metadata_text")

    provider_name = forms.CharField(
        label=_("Provider name"), max_length=SAML_NAME_MAX,
        help_text=_("Maximum 128 characters. Use alphanumeric or '._-' characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_provider_name(self) -> str:
        name: str = self.cleaned_data["provider_name"]
        if not SAML_NAME_PATTERN.fullmatch(name):
            raise forms.ValidationError(NAME_INVALID)
        return name


class ReplaceMetadataForm(MetadataDocumentMixin):
    pass


class OidcProviderForm(forms.Form):
    provider_url = forms.CharField(
        label=_("Provider URL"), max_length=OIDC_URL_MAX + 1,
        help_text=_("Specify the secure OpenID Connect URL for authentication requests, e.g. https://server.example.com."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
    )
    audiences = forms.CharField(
        label=_("Audience"), max_length=CLIENT_IDS_MAX * (CLIENT_ID_MAX + 2),
        error_messages={"required": AUDIENCE_MISSING},
        help_text=_("The client ID issued by the identity provider for your app. One per line to add several "
                    "(up to 100)."),
        widget=forms.Textarea(attrs={"rows": 2, **TEXTAREA_ATTRS}),
    )
    thumbprints = forms.CharField(
        label=_("Thumbprints (optional)"), required=False, max_length=THUMBPRINTS_MAX * 42 + 200,
        help_text=_("SHA-1 thumbprints of the provider's certificate (40 hexadecimal characters), one per line, "
                    "up to 5. AWS no longer requires them for most providers."),
        widget=forms.Textarea(attrs={"rows": 2, "class": "code", **TEXTAREA_ATTRS}),
    )

    def clean_provider_url(self) -> str:
        url: str = self.cleaned_data["provider_url"]
        if len(url) > OIDC_URL_MAX:
            raise forms.ValidationError(URL_TOO_LONG)
        if not url.lower().startswith("https://"):
            raise forms.ValidationError(URL_NOT_HTTPS)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise forms.ValidationError(URL_INVALID) from None
        if not parts.hostname or port is not None or parts.query or parts.fragment or " " in url:
            raise forms.ValidationError(URL_INVALID)
        return url

    def clean_audiences(self) -> tuple[str, ...]:
        return clean_audience_list(self.cleaned_data["audiences"])

    def clean_thumbprints(self) -> tuple[str, ...]:
        return clean_thumbprint_list(self.cleaned_data.get("thumbprints", ""), required=False)


def clean_audience_list(text: str) -> tuple[str, ...]:
    audiences = _lines(text)
    if not audiences:
        raise forms.ValidationError(AUDIENCE_MISSING)
    if len(audiences) > CLIENT_IDS_MAX:
        raise forms.ValidationError(AUDIENCE_TOO_MANY)
    if any(len(audience) > CLIENT_ID_MAX for audience in audiences):
        raise forms.ValidationError(AUDIENCE_TOO_LONG)
    return audiences


def clean_thumbprint_list(text: str, *, required: bool) -> tuple[str, ...]:
    thumbprints = _lines(text)
    for value in thumbprints:
        if not THUMBPRINT.fullmatch(value):
            raise forms.ValidationError(THUMBPRINT_INVALID, params={"value": value[:48]})
    if len(thumbprints) > THUMBPRINTS_MAX:
        raise forms.ValidationError(THUMBPRINT_TOO_MANY)
    if required and not thumbprints:
        raise forms.ValidationError(_("Enter at least one thumbprint."))
    return tuple(value.lower() for value in thumbprints)


class AddAudienceForm(forms.Form):
    audience = forms.CharField(
        label=_("Audience"), max_length=CLIENT_ID_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RemoveAudienceForm(forms.Form):
    audience = forms.CharField(max_length=CLIENT_ID_MAX, widget=forms.HiddenInput)


class ThumbprintsForm(forms.Form):
    thumbprints = forms.CharField(
        label=_("Thumbprints"), required=False, max_length=THUMBPRINTS_MAX * 42 + 200,
        help_text=_("One per line, up to 5 (40 hexadecimal characters each). Leave empty to remove them all."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "code", **TEXTAREA_ATTRS}),
    )

    def clean_thumbprints(self) -> tuple[str, ...]:
        return clean_thumbprint_list(self.cleaned_data.get("thumbprints", ""), required=False)


class DeleteProviderForm(forms.Form):
    """AWS asks to type the provider's name before deleting it."""

    confirm = forms.CharField(
        label=_("To confirm deletion, enter the provider name in the text input field."), max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, provider_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider_name = provider_name

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"]
        if value.strip() != self.provider_name:
            raise forms.ValidationError(CONFIRM_MISMATCH)
        return value
