"""Walking the create-role wizard from Django tests: open it, post each step, create a role."""
from __future__ import annotations

import json
import re
import urllib.parse

from django.urls import reverse

HTMX = {"HX-Request": "true"}
STEPS = ("entity", "permissions", "review")


def trust_text(statement: dict) -> str:
    """A one-statement trust policy exactly as the wizard generates it (indented JSON, AWS's key order)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def wizard_open(client) -> str:
    """"Create role": the new wizard's id."""
    response = client.get(reverse("console:role-create"))
    assert response.status_code == 302, response
    found = re.search(r"/create/([0-9a-f-]{36})/trusted-entity/$", response["Location"])
    assert found, response["Location"]
    return found.group(1)


def step_url(wizard_id: str, step: str) -> str:
    return reverse(f"console:role-create-{step}", args=[wizard_id])


def post_entity(client, wizard_id: str, *, action: str = "next", headers=None, **fields):
    return client.post(step_url(wizard_id, "entity"), {"_action": action, **fields}, headers=headers or {})


def post_permissions(client, wizard_id: str, *, action: str = "next", headers=None, **fields):
    return client.post(step_url(wizard_id, "permissions"), {"_action": action, **fields}, headers=headers or {})


def post_review(client, wizard_id: str, *, action: str = "create", headers=None, **fields):
    return client.post(step_url(wizard_id, "review"), {"_action": action, **fields}, headers=headers or {})


def wizard_state(client, wizard_id: str) -> dict:
    return client.session["role_wizards"][wizard_id]


def create_role_through_wizard(client, *, role_name: str, trust_policy: str, description: str = "", headers=None):
    """The custom-trust-policy path: step 1 with the policy, no permissions, then "Create role"."""
    wizard_id = wizard_open(client)
    response = post_entity(client, wizard_id, entity_type="custom", custom_policy=trust_policy)
    if response.status_code != 302:
        return response
    post_permissions(client, wizard_id)
    return post_review(client, wizard_id, role_name=role_name, description=description, trust_policy=trust_policy,
                       headers=headers)


def document_of(role: dict) -> str:
    """GetRole's AssumeRolePolicyDocument comes URL-encoded, as from AWS."""
    return urllib.parse.unquote(role["AssumeRolePolicyDocument"])
