"""Identity providers and the trust graph in a real browser: add an OIDC and a SAML provider, then see who can
assume a role that trusts the SAML provider."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from sandbox import provisioning
from sandbox.api import iam_call
from tests.browser.journey import screenshot
from tests.browser.journey import sign_in as _sign_in
from tests.console.provider_helpers import saml_metadata

pytestmark = pytest.mark.browser

OIDC_URL = "https://token.actions.githubusercontent.com"




def test_add_oidc_and_saml_providers_then_see_the_trust_graph(page: Page, live_server, student, tmp_path):
    page.set_default_timeout(10_000)
    _sign_in(page, live_server)

    page.goto(f"{live_server.url}/console/iam/identity-providers/")
    expect(page.get_by_text("No identity providers to display.")).to_be_visible()
    page.get_by_role("link", name="Add provider").click()
    page.get_by_role("radio", name="OpenID Connect").check()
    expect(page.get_by_label("Provider name")).to_be_hidden()
    page.get_by_label("Provider URL").fill("http://token.actions.githubusercontent.com")
    page.get_by_label("Audience").fill("sts.amazonaws.com")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_text("The provider URL must begin with https://.")).to_be_visible()
    page.get_by_label("Provider URL").fill(OIDC_URL)
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_role("heading", name="token.actions.githubusercontent.com", level=1)).to_be_visible()
    expect(page.get_by_test_id("provider-arn")).to_contain_text(":oidc-provider/token.actions.githubusercontent.com")
    screenshot(page, "providers-oidc-detail")

    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(saml_metadata(entity_id="https://idp.example.org/saml"))
    broken = tmp_path / "sp-metadata.xml"
    broken.write_text(saml_metadata(idp=False))
    page.goto(f"{live_server.url}/console/iam/identity-providers/create/")
    page.get_by_role("radio", name="SAML").check()
    page.get_by_label("Provider name").fill("CorpIdP")
    page.get_by_label("Metadata document").set_input_files(str(broken))
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_text("InvalidInput: Could not parse metadata")).to_be_visible()
    expect(page.get_by_text("no `IDPSSODescriptor`", exact=False)).to_be_visible()
    screenshot(page, "providers-saml-invalid-metadata")
    page.get_by_label("Or paste the metadata XML").fill("")
    page.get_by_label("Metadata document").set_input_files(str(metadata))
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_role("heading", name="CorpIdP", level=1)).to_be_visible()
    expect(page.get_by_test_id("entity-id")).to_have_text("https://idp.example.org/saml")
    screenshot(page, "providers-saml-detail")

    page.goto(f"{live_server.url}/console/iam/identity-providers/")
    expect(page.get_by_role("link", name="CorpIdP")).to_be_visible()
    expect(page.get_by_role("link", name="token.actions.githubusercontent.com")).to_be_visible()
    screenshot(page, "providers-list")

    identity = provisioning.learner_identity(user=student)
    provider_arn = f"arn:aws:iam::{identity.account_id}:saml-provider/CorpIdP"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
    iam_call(identity, "CreateRole", {"RoleName": "SamlDevelopers", "AssumeRolePolicyDocument": json.dumps(trust)})

    page.goto(f"{live_server.url}/console/iam/trust-graph/")
    graph = page.get_by_test_id("trust-graph-svg")
    expect(graph.locator(f'[data-node="{provider_arn}"]')).to_be_visible()
    expect(graph.get_by_role("link", name="Role SamlDevelopers")).to_be_visible()
    expect(graph.get_by_text("SAML:aud sign-in")).to_be_visible()
    row = page.get_by_test_id("trust-graph-table").get_by_role("row").filter(has_text="SamlDevelopers")
    expect(row).to_contain_text("identity provider")
    expect(row).to_contain_text("sts:AssumeRoleWithSAML")
    screenshot(page, "trust-graph")

    graph.get_by_role("link", name="Role SamlDevelopers").click()
    expect(page.get_by_role("heading", name="SamlDevelopers", level=1)).to_be_visible()
