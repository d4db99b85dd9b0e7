"""Every built-in lab validates against the schema; a broken lab is refused naming the file and the field."""
from __future__ import annotations

import json
import shutil

import pytest

from labs.models import Lab
from labs.services.catalog import CATALOG_DIR, LabFormatError, catalog_load, catalog_read, lab_read


def test_every_built_in_lab_is_valid():
    sources = catalog_read()
    assert {source.definition["slug"] for source in sources} >= {"first-role"}


@pytest.fixture
def broken_lab(tmp_path):
    folder = tmp_path / "first-role"
    shutil.copytree(CATALOG_DIR / "first-role", folder)
    return folder


def _edit(folder, change):
    path = folder / "lab.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


class LabFormatTests:
    def test_a_missing_field_names_the_file_and_field(self, broken_lab):
        _edit(broken_lab, lambda data: data["checks"][0].pop("points"))
        with pytest.raises(LabFormatError, match=r"lab\.json: field `checks/0`: 'points' is a required property"):
            lab_read(broken_lab)

    def test_an_unknown_kind_of_check_is_refused(self, broken_lab):
        _edit(broken_lab, lambda data: data["checks"][0].update(kind="role_is_nice"))
        with pytest.raises(LabFormatError, match="field `checks/0/kind`"):
            lab_read(broken_lab)

    def test_a_missing_korean_title_is_refused(self, broken_lab):
        _edit(broken_lab, lambda data: data["title"].pop("ko"))
        with pytest.raises(LabFormatError, match="field `title`: 'ko' is a required property"):
            lab_read(broken_lab)

    def test_invalid_json_names_the_line(self, broken_lab):
        (broken_lab / "lab.json").write_text('{\n  "uuid": \n')
        with pytest.raises(LabFormatError, match="line 3"):
            lab_read(broken_lab)

    def test_a_missing_brief_is_refused(self, broken_lab):
        (broken_lab / "brief.ko.md").unlink()
        with pytest.raises(LabFormatError, match=r"brief\.ko\.md: missing"):
            lab_read(broken_lab)

    def test_duplicate_check_ids_are_refused(self, broken_lab):
        _edit(broken_lab, lambda data: data["checks"][1].update(id=data["checks"][0]["id"]))
        with pytest.raises(LabFormatError, match="check ids must be unique"):
            lab_read(broken_lab)


@pytest.mark.django_db
def test_loading_twice_updates_instead_of_duplicating():
    catalog_load()
    catalog_load()
    assert Lab.objects.filter(slug="first-role").count() == 1
