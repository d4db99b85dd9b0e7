"""The publish gate on the built-in catalogue: every published lab's reference solution scores 1.0, a blank sandbox
0, and every automatic mutant of the solution less than 1.0 (the same run as `manage.py lab_selftest`)."""
from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from labs.services.catalog import catalog_read
from labs.services.selftest import lab_selftest

pytestmark = pytest.mark.django_db(transaction=True)
PUBLISHED = [source.definition for source in catalog_read() if source.definition.get("published", True)]


@pytest.mark.parametrize("definition", PUBLISHED, ids=[definition["slug"] for definition in PUBLISHED])
def test_the_lab_passes_the_publish_gate(definition):
    result = lab_selftest(definition).as_json()
    assert not result["errors"], result["errors"]
    assert (result["reference"], result["blank"]) == (1.0, 0.0)
    kept_full_marks = [mutant["name"] for mutant in result["mutants"] if mutant["score"] >= 1.0]
    assert not kept_full_marks, f"mutants keeping full marks (checks grade looks, not behaviour): {kept_full_marks}"


def test_the_command_prints_one_json_object_and_exits_zero(settings):
    out = StringIO()
    call_command("lab_selftest", "--lab", "first-role", "--json", stdout=out)
    report = json.loads(out.getvalue())
    (lab,) = report["labs"]
    assert lab["slug"] == "first-role" and lab["passed"] is True
    assert {mutant["name"] for mutant in lab["mutants"]} >= {"call 1 (CreateRole) left out"}


def test_an_unknown_lab_is_a_command_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no lab 'nope'"):
        call_command("lab_selftest", "--lab", "nope", "--json", stdout=StringIO())
