"""IAM > Identity providers pages: list, add (SAML and OIDC), provider page, replace metadata, audiences, delete."""
from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.services import providers as provider_services
from console.services.providers import OIDC_PROVIDER_EXISTS, SAML_PROVIDER_EXISTS, ProviderPreset
from sandbox import provisioning
from sandbox.api import iam_call
from sandbox.models import Event
from tests.console.provider_helpers import OIDC_URL, THUMBPRINT, saml_metadata

HTMX = {"HX-Request": "true"}
OIDC_NAME = OIDC_URL.removeprefix("https://")


def _add_saml(client, *, name="CorpIdP", document=None, upload=False, headers=None):
    data = {"provider_type": "saml", "provider_name": name}
    if upload:
        data["metadata_file"] = SimpleUploadedFile("metadata.xml", (document or saml_metadata()).encode(), "text/xml")
    else:
        data["metadata_text"] = document if document is not None else saml_metadata()
    return client.post(reverse("console:provider-create"), data, headers=headers or {})


def _add_oidc(client, *, url=OIDC_URL, audiences="sts.amazonaws.com", thumbprints=THUMBPRINT, headers=None):
    data = {"provider_type": "oidc", "provider_url": url, "audiences": audiences, "thumbprints": thumbprints}
    return client.post(reverse("console:provider-create"), data, headers=headers or {})


def _detail(kind, name):
    return reverse("console:provider-detail", args=[kind, name])


@pytest.mark.django_db
class ProviderListTests:
    def test_full_page_is_empty_at_first(self, student_client):
        page = student_client.get(reverse("console:provider-list")).content.decode()
        assert "<html" in page
        assert 'id="provider-table"' in page
        assert "No identity providers to display." in page

    def test_lists_both_kinds_with_their_type(self, student_client):
        _add_saml(student_client)
        _add_oidc(student_client)
        page = student_client.get(reverse("console:provider-list")).content.decode()
        assert "CorpIdP" in page and "SAML" in page
        assert OIDC_NAME in page and "OpenID Connect" in page
        assert _detail("oidc", OIDC_NAME) in page

    def test_htmx_search_gets_only_the_table(self, student_client):
        _add_saml(student_client)
        _add_oidc(student_client)
        response = student_client.get(reverse("console:provider-list"), {"q": "corp"}, headers=HTMX)
        page = response.content.decode()
        assert page.strip().startswith('<div id="provider-table">')
        assert "CorpIdP" in page and OIDC_NAME not in page
        assert "HX-Request" in response["Vary"]

    def test_another_learners_providers_are_invisible(self, student_client, other_student, client):
        _add_saml(student_client)
        client.force_login(other_student)
        page = client.get(reverse("console:provider-list")).content.decode()
        assert "CorpIdP" not in page
        assert client.get(_detail("saml", "CorpIdP")).status_code == 404
        assert client.get(reverse("console:provider-delete", args=["saml", "CorpIdP"])).status_code == 404


@pytest.mark.django_db
class AddSamlProviderTests:
    def test_form_page_offers_both_types(self, student_client):
        page = student_client.get(reverse("console:provider-create")).content.decode()
        assert 'id="add-provider-form"' in page
        assert "Provider type" in page and "OpenID Connect" in page
        assert 'enctype="multipart/form-data"' in page

    def test_pasted_metadata_creates_and_redirects(self, student_client):
        response = _add_saml(student_client)
        assert response.status_code == 302
        assert response["Location"] == _detail("saml", "CorpIdP")

    def test_uploaded_file_creates_it_too(self, student_client):
        assert _add_saml(student_client, upload=True).status_code == 302

    def test_htmx_answers_with_hx_redirect(self, student_client):
        response = _add_saml(student_client, headers=HTMX)
        assert response["HX-Redirect"] == _detail("saml", "CorpIdP")

    def test_the_call_is_recorded_as_the_learner(self, student_client, student):
        _add_saml(student_client)
        event = Event.objects.get(event_name="CreateSAMLProvider")
        assert event.user_identity["arn"].endswith(":user/student1")

    def test_bad_metadata_shows_aws_error_and_why_and_keeps_the_text(self, student_client):
        broken = saml_metadata(with_key=False)
        response = _add_saml(student_client, document=broken, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200
        assert page.strip().startswith('<form id="add-provider-form"')
        assert "InvalidInput: Could not parse metadata" in page
        assert "Why: the `IDPSSODescriptor` has no signing `KeyDescriptor`" in html.unescape(page)
        assert html.escape(broken)[:200] in page

    def test_too_short_metadata_gives_the_length_error(self, student_client):
        page = _add_saml(student_client, document="<x/>").content.decode()
        assert "ValidationError: 1 validation error detected" in html.unescape(page)

    def test_no_metadata_at_all_is_a_field_error(self, student_client):
        page = _add_saml(student_client, document="").content.decode()
        assert "Choose a metadata document file or paste its XML." in page

    def test_invalid_name_is_refused(self, student_client):
        page = _add_saml(student_client, name="bad name!").content.decode()
        assert "Use up to 128 alphanumeric characters" in html.unescape(page)

    def test_a_second_provider_of_the_same_name_is_refused(self, student_client):
        _add_saml(student_client)
        page = _add_saml(student_client).content.decode()
        assert "EntityAlreadyExists: " + SAML_PROVIDER_EXISTS.format(name="CorpIdP") in page


@pytest.mark.django_db
class AddOidcProviderTests:
    def test_creates_and_redirects_to_its_page(self, student_client):
        response = _add_oidc(student_client)
        assert response.status_code == 302
        assert response["Location"] == _detail("oidc", OIDC_NAME)

    def test_thumbprints_are_optional(self, student_client):
        assert _add_oidc(student_client, thumbprints="").status_code == 302

    def test_http_url_is_refused(self, student_client):
        page = _add_oidc(student_client, url="http://token.example.com").content.decode()
        assert "The provider URL must begin with https://." in page

    def test_url_with_a_port_is_refused(self, student_client):
        page = _add_oidc(student_client, url="https://token.example.com:8443").content.decode()
        assert "no port, query or fragment" in page

    def test_thumbprint_that_is_not_40_hex_characters_is_refused(self, student_client):
        page = html.unescape(_add_oidc(student_client, thumbprints="abc123").content.decode())
        assert "Thumbprint `abc123` is not 40 hexadecimal characters." in page

    def test_six_thumbprints_are_too_many(self, student_client):
        many = "\n".join(f"{i:040x}" for i in range(6))
        page = _add_oidc(student_client, thumbprints=many).content.decode()
        assert "up to 5 thumbprints" in page

    def test_missing_audience_is_refused(self, student_client):
        page = _add_oidc(student_client, audiences=" \n ").content.decode()
        assert "Enter at least one audience (client ID)." in page

    def test_duplicate_url_gets_iams_message_not_motos(self, student_client):
        _add_oidc(student_client)
        response = _add_oidc(student_client, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200
        assert "EntityAlreadyExists: " + OIDC_PROVIDER_EXISTS.format(url=OIDC_NAME) in page
        assert 'value="' + OIDC_URL + '"' in page

    def test_an_audience_over_255_characters_is_refused(self, student_client):
        long_audience = "a" * 256
        page = _add_oidc(student_client, audiences=long_audience).content.decode()
        assert "Each audience can have up to 255 characters." in page


@pytest.mark.django_db
class ProviderDetailTests:
    def test_saml_page_shows_arn_issuer_and_certificate(self, student_client, student):
        _add_saml(student_client)
        account = provisioning.learner_identity(user=student).account_id
        page = student_client.get(_detail("saml", "CorpIdP")).content.decode()
        assert f"arn:aws:iam::{account}:saml-provider/CorpIdP" in page
        assert "https://idp.example.org/saml" in page
        assert "CN=idp.example.org" in page
        assert "Replace metadata" in page
        assert "sts:AssumeRoleWithSAML" in page

    def test_oidc_page_shows_audiences_and_thumbprints(self, student_client):
        _add_oidc(student_client)
        page = student_client.get(_detail("oidc", OIDC_NAME)).content.decode()
        assert "sts.amazonaws.com" in page
        assert THUMBPRINT in page
        assert f"{OIDC_NAME}:aud" in page

    def test_unknown_provider_is_404(self, student_client):
        assert student_client.get(_detail("saml", "Nope")).status_code == 404

    def test_unknown_kind_is_404(self, student_client):
        assert student_client.get(reverse("console:provider-detail", args=["ldap", "x"])).status_code == 404


@pytest.mark.django_db
class ReplaceMetadataTests:
    def _post(self, client, document, headers=None):
        url = reverse("console:provider-metadata-replace", args=["CorpIdP"])
        return client.post(url, {"metadata_text": document}, headers=headers or {})

    def test_good_metadata_replaces_it(self, student_client, student):
        _add_saml(student_client)
        response = self._post(student_client, saml_metadata(entity_id="https://new-idp.example.org"))
        assert response.status_code == 302
        identity = provisioning.learner_identity(user=student)
        stored = provider_services.provider_get(identity=identity, kind="saml", name="CorpIdP")
        assert stored.metadata is not None and stored.metadata.entity_id == "https://new-idp.example.org"

    def test_bad_metadata_is_refused_in_the_fragment(self, student_client):
        _add_saml(student_client)
        page = self._post(student_client, saml_metadata(idp=False), headers=HTMX).content.decode()
        assert page.strip().startswith('<form id="replace-metadata-form"')
        assert "InvalidInput: Could not parse metadata" in page

    def test_htmx_success_redirects_to_the_page(self, student_client):
        _add_saml(student_client)
        response = self._post(student_client, saml_metadata(), headers=HTMX)
        assert response["HX-Redirect"] == _detail("saml", "CorpIdP")


@pytest.mark.django_db
class AudienceAndThumbprintTests:
    def test_adding_an_audience_shows_the_sandboxs_answer_in_the_panel(self, student_client):
        # moto 5.2.5 has no AddClientIDToOpenIDConnectProvider: the sandbox answers with an AWS-style error,
        # which the panel shows instead of failing. When the sandbox serves the call, the audience appears.
        _add_oidc(student_client)
        url = reverse("console:provider-audience-add", args=[OIDC_NAME])
        response = student_client.post(url, {"audience": "second-client"}, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200
        assert page.strip().startswith('<section id="oidc-audiences"')
        assert "second-client" in page

    def test_removing_an_audience_answers_with_the_panel(self, student_client):
        _add_oidc(student_client)
        url = reverse("console:provider-audience-remove", args=[OIDC_NAME])
        response = student_client.post(url, {"audience": "sts.amazonaws.com"}, headers=HTMX)
        assert response.content.decode().strip().startswith('<section id="oidc-audiences"')

    def test_empty_audience_is_a_field_error(self, student_client):
        _add_oidc(student_client)
        url = reverse("console:provider-audience-add", args=[OIDC_NAME])
        page = student_client.post(url, {"audience": ""}, headers=HTMX).content.decode()
        assert "This field is required." in page

    def test_thumbprints_are_replaced(self, student_client, student):
        _add_oidc(student_client)
        new = "a" * 40
        url = reverse("console:provider-thumbprints", args=[OIDC_NAME])
        response = student_client.post(url, {"thumbprints": new})
        assert response.status_code == 302
        identity = provisioning.learner_identity(user=student)
        assert provider_services.provider_get(identity=identity, kind="oidc", name=OIDC_NAME).thumbprints == (new,)

    def test_bad_thumbprint_is_shown_in_the_fragment(self, student_client):
        _add_oidc(student_client)
        url = reverse("console:provider-thumbprints", args=[OIDC_NAME])
        page = student_client.post(url, {"thumbprints": "xyz"}, headers=HTMX).content.decode()
        assert page.strip().startswith('<section id="oidc-thumbprints"')
        assert "is not 40 hexadecimal characters" in page


@pytest.mark.django_db
class DeleteProviderTests:
    def test_confirmation_page(self, student_client):
        _add_saml(student_client)
        page = student_client.get(reverse("console:provider-delete", args=["saml", "CorpIdP"])).content.decode()
        assert "To confirm deletion, enter the provider name in the text input field." in page

    def test_wrong_name_does_not_delete(self, student_client):
        _add_saml(student_client)
        url = reverse("console:provider-delete", args=["saml", "CorpIdP"])
        page = student_client.post(url, {"confirm": "corpidp"}, headers=HTMX).content.decode()
        assert page.strip().startswith('<form id="delete-provider-form"')
        assert "Enter the provider name exactly as shown to confirm." in page
        assert student_client.get(_detail("saml", "CorpIdP")).status_code == 200

    def test_confirmed_delete_removes_it(self, student_client):
        _add_oidc(student_client)
        url = reverse("console:provider-delete", args=["oidc", OIDC_NAME])
        response = student_client.post(url, {"confirm": OIDC_NAME}, headers=HTMX)
        assert response["HX-Redirect"] == reverse("console:provider-list")
        assert student_client.get(_detail("oidc", OIDC_NAME)).status_code == 404


@pytest.mark.django_db
class ProviderPresetTests:
    """The hook a training identity provider uses: a preset fills in the "Add provider" form."""

    def test_a_registered_preset_is_offered_and_fills_the_form(self, student_client, monkeypatch):
        preset = ProviderPreset(slug="training-oidc", label="Use the training identity provider", kind="oidc",
                                url="https://idp.training.example", audiences=("console",))
        monkeypatch.setattr(provider_services, "PRESET_SOURCES", [lambda identity: preset])
        page = student_client.get(reverse("console:provider-create")).content.decode()
        assert "Use the training identity provider" in page
        filled = student_client.get(reverse("console:provider-create"), {"preset": "training-oidc"}).content.decode()
        assert 'value="https://idp.training.example"' in filled
        assert 'value="oidc" aria-describedby="provider-type-oidc-help" checked' in filled

    def test_no_presets_no_shortcuts(self, student_client):
        assert "Shortcuts" not in student_client.get(reverse("console:provider-create")).content.decode()


@pytest.mark.django_db
class ProviderDeniedTests:
    def test_a_denied_create_is_shown_in_the_form(self, student_client, student):
        identity = provisioning.learner_identity(user=student)
        deny = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateSAMLProvider",'
                '"Resource":"*"}]}')
        iam_call(identity, "PutUserPolicy", {"UserName": identity.name, "PolicyName": "no-idp", "PolicyDocument": deny})
        page = _add_saml(student_client).content.decode()
        assert "AccessDenied: " in page
        assert 'id="add-provider-form"' in page

    def test_a_denied_list_shows_the_denial_and_why(self, student_client, student):
        identity = provisioning.learner_identity(user=student)
        deny = ('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListSAMLProviders",'
                '"Resource":"*"}]}')
        iam_call(identity, "PutUserPolicy",
                 {"UserName": identity.name, "PolicyName": "no-list", "PolicyDocument": deny})
        response = student_client.get(reverse("console:provider-list"))
        assert response.status_code == 403
        assert 'data-testid="access-denied"' in response.content.decode()
        assert "iam:ListSAMLProviders" in html.unescape(response.content.decode())
