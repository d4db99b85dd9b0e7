"""Forms of the create-role wizard: field limits and messages mirror AWS's, so bad input is refused in the page."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from console.selectors.wizard import POLICY_ARN, IdentityProviders, TrustCheck, trust_policy_check
from console.services.wizard import RolePlan
from console.services.wizard_trust import (
    BUILT_IN_WEB_PROVIDERS,
    CUSTOM_TEMPLATE,
    ENTITY_TYPES,
    SAML_ATTRIBUTES,
    SERVICES,
    USE_CASES,
    EntityType,
    SamlAccess,
    TrustChoice,
    trust_policy_text,
)
from console.wizard_state import ReviewDraft
from sandbox import roles
from sandbox.errors import ValidationError as AwsValidationError

TRUST_POLICY_MAX = 131072  # AWS API limit on AssumeRolePolicyDocument; the engine checks the 2,048 quota
ACCOUNT_ID = re.compile(r"\d{12}")
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)  # AWS: 2-1,224 characters, [\w+=,.@:/-]
NO_SPACE = re.compile(r"\S+")
POLICIES_PER_ROLE = 10  # AWS default quota "Managed policies per role"
TAGS_MAX = 50
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256
TAG_EXTRA_CHARACTERS = "_.:/=+-@"

TRUST_POLICY_HAS_ERRORS = _("Fix the errors in the trust policy first (listed under the policy).")
ACCOUNT_ID_INVALID = _("The account ID must be 12 digits.")
EXTERNAL_ID_INVALID = _(
    "The external ID must be 2 to 1,224 characters: letters, digits and the characters +=,.@:/-_ (no spaces)."
)
REQUIRED = _("This field is required.")
TOO_MANY_POLICIES = _("A role can have at most %(max)d managed policies attached (IAM quota). You selected %(count)d.")


def browser_newlines(text: str) -> str:
    """A textarea's text as typed: browsers send its line breaks as CRLF, the console's editor keeps LF."""
    return text.replace("\r\n", "\n")


def _checkbox(label: Any, help_text: Any = "") -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, help_text=help_text)


def _text(label: Any, *, max_length: int, help_text: Any = "") -> forms.CharField:
    widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text, widget=widget)


class TrustedEntityForm(forms.Form):
    """Step 1 "Select trusted entity": each type's options, turned into a `TrustChoice` by `clean`."""

    entity_type = forms.ChoiceField(
        label=_("Trusted entity type"), choices=[(kind.value, label) for kind, label, _d in ENTITY_TYPES],
        widget=forms.RadioSelect,
    )
    service = forms.ChoiceField(
        label=_("Service or use case"), required=False, choices=[(s.key, s.label) for s in SERVICES],
    )
    use_case = forms.ChoiceField(label=_("Use case"), required=False, choices=[(key, key) for key in USE_CASES])
    account = forms.ChoiceField(
        label=_("An AWS account"), required=False, widget=forms.RadioSelect,
        choices=[("this", _("This account")), ("other", _("Another AWS account"))],
    )
    account_id = _text(_("Account ID"), max_length=64,
                       help_text=_("Identifier of the account that can use this role"))
    require_external_id = _checkbox(
        _("Require external ID"), _("(Best practice when a third party will assume this role)"),
    )
    external_id = _text(_("External ID"), max_length=1300, help_text=_(
        "You can increase the security of your role by requiring an optional external identifier, which prevents "
        "\"confused deputy\" attacks. This is recommended if you do not own or have administrative access to the "
        "account that can assume this role. The external ID can include any characters that you choose. To assume "
        "this role, users must be in the trusted account and provide this exact external ID."
    ))
    require_mfa = _checkbox(_("Require MFA"), _("Requires that the assuming entity use multi-factor authentication."))
    web_provider = forms.ChoiceField(label=_("Identity provider"), required=False)
    audience = _text(_("Audience"), max_length=255, help_text=_(
        "The Application ID (Login with Amazon, Facebook), the Identity Pool ID (Amazon Cognito) or the "
        "audience / client ID (Google, OpenID Connect providers) that tokens must carry."
    ))
    saml_provider = forms.ChoiceField(label=_("SAML 2.0-based provider"), required=False)
    saml_access = forms.ChoiceField(
        label=_("Access to be allowed"), required=False, widget=forms.RadioSelect,
        choices=[(SamlAccess.PROGRAMMATIC.value, _("Allow programmatic access only")),
                 (SamlAccess.CONSOLE.value, _("Allow programmatic and AWS Management Console access"))],
    )
    saml_attribute = forms.ChoiceField(
        label=_("Attribute"), required=False, choices=[("", "-"), *[(a, a) for a in SAML_ATTRIBUTES]],
    )
    saml_value = _text(_("Value"), max_length=1024)
    custom_policy = forms.CharField(
        label=_("Trust policy"), required=False, max_length=TRUST_POLICY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "code"}),
    )

    def __init__(self, *args: Any, account_id: str, providers: IdentityProviders, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner_account = account_id
        self.providers = providers
        self.choice: TrustChoice = {}
        self.trust_check: TrustCheck | None = None
        web = [(p.key, p.label) for p in BUILT_IN_WEB_PROVIDERS] + [(p.value, p.label) for p in providers.oidc]
        web_field, saml_field = self.fields["web_provider"], self.fields["saml_provider"]
        assert isinstance(web_field, forms.ChoiceField) and isinstance(saml_field, forms.ChoiceField)
        web_field.choices = web
        if any(p.audiences for p in providers.oidc):
            self.fields["audience"].widget.attrs["list"] = "oidc-audiences"
        saml_field.choices = [("", _("Choose a provider"))] + [
            (p.value, p.label) for p in providers.saml
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("entity_type")
        builders = {
            EntityType.AWS_SERVICE: self._aws_service, EntityType.AWS_ACCOUNT: self._aws_account,
            EntityType.WEB_IDENTITY: self._web_identity, EntityType.SAML: self._saml, EntityType.CUSTOM: self._custom,
        }
        if kind:
            choice = builders[EntityType(kind)](data)
            if not self.errors:
                self.choice = choice
        return data

    def _require(self, data: Mapping[str, Any], name: str) -> str:
        value = str(data.get(name) or "")
        if not value and name not in self.errors:
            self.add_error(name, REQUIRED)
        return value

    def _aws_service(self, data: Mapping[str, Any]) -> TrustChoice:
        service, use_case = self._require(data, "service"), self._require(data, "use_case")
        if use_case and USE_CASES[use_case][0].key != service:
            self.add_error("use_case", _("Choose a use case for the selected service."))
        return {"entity_type": EntityType.AWS_SERVICE.value, "service": service, "use_case": use_case}

    def _aws_account(self, data: Mapping[str, Any]) -> TrustChoice:
        account_id = self.owner_account
        if self._require(data, "account") == "other":
            account_id = self._require(data, "account_id").strip()
            if account_id and not ACCOUNT_ID.fullmatch(account_id):
                self.add_error("account_id", ACCOUNT_ID_INVALID)
        choice: TrustChoice = {
            "entity_type": EntityType.AWS_ACCOUNT.value, "account": str(data.get("account")),
            "account_id": account_id, "require_external_id": bool(data.get("require_external_id")),
            "require_mfa": bool(data.get("require_mfa")),
        }
        if choice["require_external_id"]:
            external_id = self._require(data, "external_id")
            if external_id and not EXTERNAL_ID.fullmatch(external_id):
                self.add_error("external_id", EXTERNAL_ID_INVALID)
            choice["external_id"] = external_id
        return choice

    def _web_identity(self, data: Mapping[str, Any]) -> TrustChoice:
        provider, audience = self._require(data, "web_provider"), self._require(data, "audience").strip()
        if audience and not NO_SPACE.fullmatch(audience):
            self.add_error("audience", _("The audience cannot contain spaces."))
        known = next((p.audiences for p in self.providers.oidc if p.value == provider), ())
        if audience and known and audience not in known:
            self.add_error("audience", _("Choose one of the provider's audiences: %(audiences)s") % {
                "audiences": ", ".join(known)})
        return {"entity_type": EntityType.WEB_IDENTITY.value, "web_provider": provider, "audience": audience}

    def _saml(self, data: Mapping[str, Any]) -> TrustChoice:
        provider, access = self._require(data, "saml_provider"), self._require(data, "saml_access")
        attribute, value = str(data.get("saml_attribute") or ""), str(data.get("saml_value") or "").strip()
        if access == SamlAccess.PROGRAMMATIC and not attribute:
            self.add_error("saml_attribute", _("Programmatic access needs at least one condition: choose an "
                                               "attribute and its value."))
        if attribute and not value:
            self.add_error("saml_value", REQUIRED)
        if access == SamlAccess.CONSOLE and attribute.lower() == "saml:aud":
            self.add_error("saml_attribute", _("Console access already sets SAML:aud; choose another attribute."))
        choice: TrustChoice = {"entity_type": EntityType.SAML.value, "saml_provider": provider, "saml_access": access}
        if attribute:
            choice["saml_attribute"], choice["saml_value"] = attribute, value
        return choice

    def _custom(self, data: Mapping[str, Any]) -> TrustChoice:
        text = browser_newlines(self._require(data, "custom_policy"))
        if text:
            self.trust_check = trust_policy_check(document=text, account_id=self.owner_account)
            if self.trust_check.has_errors:
                self.add_error("custom_policy", TRUST_POLICY_HAS_ERRORS)
        return {"entity_type": EntityType.CUSTOM.value, "custom_policy": text}

    def preview(self) -> str:
        """The trust policy the current input generates ("" while the options are incomplete or invalid)."""
        return trust_policy_text(self.choice) if self.is_valid() else ""

    def custom_check(self) -> TrustCheck:
        """Findings for the custom trust policy text as typed (also when the rest of the form is invalid)."""
        if self.trust_check is None:
            text = browser_newlines(str(self.data.get("custom_policy", ""))) if self.is_bound else CUSTOM_TEMPLATE
            self.trust_check = trust_policy_check(document=text[:TRUST_POLICY_MAX], account_id=self.owner_account)
        return self.trust_check


def entity_form_data(choice: TrustChoice, *, account_id: str) -> dict[str, Any]:
    """Step 1's form input for a saved choice (or the console's defaults: AWS service, EC2)."""
    data: dict[str, Any] = {
        "entity_type": EntityType.AWS_SERVICE.value, "service": "ec2", "use_case": "ec2", "account": "this",
        "saml_access": SamlAccess.CONSOLE.value, "web_provider": BUILT_IN_WEB_PROVIDERS[0].key,
        "custom_policy": CUSTOM_TEMPLATE,
    }
    data.update({key: value for key, value in choice.items() if value not in (False, None)})
    if choice.get("account") == "this":
        data.pop("account_id", None)
    if choice.get("entity_type") and choice.get("entity_type") != EntityType.CUSTOM:
        data["custom_policy"] = CUSTOM_TEMPLATE
    return data


def with_service_use_case(data: Mapping[str, Any]) -> dict[str, Any]:
    """Step 1's input after the Service select changed: a use case of another service becomes the new service's
    first use case, as the console preselects it."""
    values = {key: data.get(key) for key in data}
    service = next((s for s in SERVICES if s.key == values.get("service")), SERVICES[0])
    if values.get("use_case") not in {case.key for case in service.use_cases}:
        values["use_case"] = service.use_cases[0].key
    values["service"] = service.key
    return values


class ArnListField(forms.MultipleChoiceField):
    """Policy ARNs from check boxes or hidden inputs: any well-formed policy ARN (IAM checks it exists)."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value: str) -> bool:
        return bool(POLICY_ARN.fullmatch(value))


class PermissionsForm(forms.Form):
    """Step 2 "Add permissions": the ticks on the rows shown, and the permissions boundary."""

    policy = ArnListField(required=False)
    shown = ArnListField(required=False)
    boundary_mode = forms.ChoiceField(
        label=_("Permissions boundary"), required=False, widget=forms.RadioSelect, initial="none",
        choices=[("none", _("Create role without a permissions boundary")),
                 ("use", _("Use a permissions boundary to control the maximum role permissions"))],
    )
    boundary = forms.CharField(label=_("Permissions boundary policy"), required=False, max_length=2048)

    def __init__(self, *args: Any, current: list[str], finishing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.finishing = finishing

    def clean_boundary(self) -> str:
        boundary = str(self.cleaned_data.get("boundary") or "")
        if boundary and not POLICY_ARN.fullmatch(boundary):
            raise forms.ValidationError(_("Choose a policy for the permissions boundary."))
        return boundary

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        on_screen, ticked = set(data.get("shown") or ()), list(dict.fromkeys(data.get("policy") or ()))
        kept = [arn for arn in self.current if arn not in on_screen or arn in ticked]
        data["selected"] = kept + [arn for arn in ticked if arn not in kept]
        if data.get("boundary_mode") != "use":
            data["boundary"] = ""
        elif self.finishing and not data.get("boundary") and "boundary" not in self.errors:
            self.add_error("boundary", _("Choose a policy for the permissions boundary."))
        if self.finishing and len(data["selected"]) > POLICIES_PER_ROLE:
            self.add_error(None, TOO_MANY_POLICIES % {"max": POLICIES_PER_ROLE, "count": len(data["selected"])})
        return data


@dataclass
class TagRow:
    key: str = ""
    value: str = ""
    errors: list[str] = field(default_factory=list)


def _tag_text_ok(text: str) -> bool:
    """AWS tag pattern `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*`: letters, separators (spaces), numbers and `_.:/=+-@`."""
    return all(
        unicodedata.category(ch)[0] in "LZN" or ch in TAG_EXTRA_CHARACTERS for ch in text
    )


class ReviewForm(forms.Form):
    """Step 3 "Name, review, and create": the role's name, description, trust policy and tags."""

    role_name = forms.CharField(
        label=_("Role name"), max_length=roles.ROLE_NAME_MAX,
        help_text=_("Maximum 64 characters. Use alphanumeric and '+=,.@-_' characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=roles.DESCRIPTION_MAX, required=False,
        help_text=_("Maximum 1000 characters."), widget=forms.Textarea(attrs={"rows": 2}),
    )
    trust_policy = forms.CharField(
        label=_("Trust policy"), max_length=TRUST_POLICY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "code"}),
    )

    def __init__(self, *args: Any, account_id: str, tags: list[list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner_account = account_id
        if self.is_bound:
            keys, values = _getlist(self.data, "tag_key"), _getlist(self.data, "tag_value")
            self.tag_rows = [TagRow(str(k), str(v)) for k, v in zip(keys, values, strict=False)][: TAGS_MAX + 10]
        else:
            self.tag_rows = [TagRow(str(row[0]), str(row[1])) for row in tags if len(row) == 2]
        self.trust_check: TrustCheck | None = None
        self.focus_last_tag = False

    def add_tag_row(self) -> None:
        """"Add tag": one more empty row (up to AWS's 50 tags per role), its key focused."""
        if len(self.tag_rows) < TAGS_MAX:
            self.tag_rows.append(TagRow())
            self.focus_last_tag = True

    def remove_tag_row(self, index: str) -> None:
        """"Remove" on the row at `index` (a string from the button's value)."""
        if index.isdigit() and int(index) < len(self.tag_rows):
            del self.tag_rows[int(index)]

    def clean_role_name(self) -> str:
        name = str(self.cleaned_data["role_name"])
        try:
            roles.validate_role_name(name)
        except AwsValidationError as invalid:
            raise forms.ValidationError(invalid.message) from invalid
        return name

    def clean_description(self) -> str:
        description = str(self.cleaned_data.get("description") or "")
        try:
            roles.validate_description(description)
        except AwsValidationError as invalid:
            raise forms.ValidationError(invalid.message) from invalid
        return description

    def clean_trust_policy(self) -> str:
        text = browser_newlines(str(self.cleaned_data["trust_policy"]))
        self.trust_check = trust_policy_check(document=text, account_id=self.owner_account)
        if self.trust_check.has_errors:
            raise forms.ValidationError(TRUST_POLICY_HAS_ERRORS)
        return text

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["tags"] = self._clean_tags()
        return data

    def _clean_tags(self) -> tuple[tuple[str, str], ...]:
        rows = [row for row in self.tag_rows if row.key or row.value]
        seen: set[str] = set()
        for row in rows:
            row.errors = _tag_errors(row)
            if row.key.lower() in seen:
                row.errors.append(str(_("Duplicate tag keys found. Please note that Tag keys are case insensitive.")))
            seen.add(row.key.lower())
        if len(rows) > TAGS_MAX:
            self.add_error(None, _("A role can have at most %(max)d tags.") % {"max": TAGS_MAX})
        if any(row.errors for row in rows):
            self.add_error(None, _("Fix the tags marked below."))
        return tuple((row.key, row.value) for row in rows)

    def trust_text(self) -> str:
        """The trust policy as typed (for keeping and validating while the rest may be invalid)."""
        return browser_newlines(str(self.data.get("trust_policy", "")))[:TRUST_POLICY_MAX] if self.is_bound else ""

    def draft(self) -> ReviewDraft:
        """Step 3 as typed, cut to AWS's limits plus a margin (it is kept in the session)."""
        return ReviewDraft(
            role_name=str(self.data.get("role_name", ""))[:200],
            description=str(self.data.get("description", ""))[:2000],
            tags=[[row.key[:300], row.value[:300]] for row in self.tag_rows[: TAGS_MAX + 10]],
        )

    def plan(self, *, policies: list[str], boundary: str) -> RolePlan:
        data = self.cleaned_data
        return RolePlan(
            role_name=data["role_name"], trust_policy=data["trust_policy"], description=data["description"],
            policies=tuple(policies), boundary=boundary, tags=data["tags"],
        )


def _getlist(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    return [str(item) for item in getlist(name)] if callable(getlist) else []


def _tag_errors(row: TagRow) -> list[str]:
    errors: list[str] = []
    if not row.key:
        errors.append(str(_("The tag key is required.")))
    elif len(row.key) > TAG_KEY_MAX:
        errors.append(str(_("The tag key can have at most 128 characters.")))
    elif row.key.lower().startswith("aws:"):
        errors.append(str(_("Tag keys beginning with aws: are reserved for AWS use.")))
    if len(row.value) > TAG_VALUE_MAX:
        errors.append(str(_("The tag value can have at most 256 characters.")))
    if not (_tag_text_ok(row.key) and _tag_text_ok(row.value)):
        errors.append(str(_("Tags can use letters, numbers, spaces and the characters _.:/=+-@ only.")))
    return errors
