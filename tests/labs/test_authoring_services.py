"""Authoring services: instructor labs in the folder format, the editor's YAML/JSON, bundles, the self-test run."""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from labs import tasks
from labs.models import Lab, LabSelftestRun
from labs.services import authoring, authoring_bundle, authoring_selftest
from labs.services.authoring import STARTER_BODY, AuthoringError, LabDraft
from labs.services.authoring_editor import EditorError, editor_convert, editor_dump, editor_line, editor_parse
from labs.services.catalog import LabFormatError, lab_read, lab_validate
from labs.services.selftest import LabSelftest

pytestmark = pytest.mark.django_db


def draft_of(lab: Lab, **changes) -> LabDraft:
    return replace(LabDraft.of_lab(lab), **changes)


def with_body(draft: LabDraft, change) -> LabDraft:
    body = json.loads(json.dumps(dict(draft.body)))
    change(body)
    return replace(draft, body=body)


def problem_of(call) -> LabFormatError:
    with pytest.raises(AuthoringError) as caught:
        call()
    return caught.value.problems[0]


@pytest.fixture
def first_role(catalog):
    return catalog["first-role"]


@pytest.fixture
def my_lab(instructor, first_role):
    return authoring.lab_create(author=instructor, draft=draft_of(first_role, slug="my-role"))


def passed_selftest(lab: Lab) -> None:
    Lab.objects.filter(pk=lab.pk).update(selftest={"passed": True, "version": lab.version})
    lab.refresh_from_db()


# --- creating and validating -------------------------------------------------------------------------------------


class LabCreateTests:
    def test_a_valid_draft_becomes_an_unpublished_instructor_lab(self, my_lab, instructor):
        assert (my_lab.source, my_lab.author, my_lab.version, my_lab.published) == (
            Lab.Source.INSTRUCTOR, instructor, 1, False)

    def test_the_definition_is_in_the_folder_format(self, my_lab):
        assert my_lab.definition["uuid"] == str(my_lab.uuid)
        assert (my_lab.definition["slug"], my_lab.definition["version"]) == ("my-role", 1)
        assert "published" not in my_lab.definition
        lab_validate(my_lab.definition, {"en": my_lab.brief_en, "ko": my_lab.brief_ko})

    def test_a_schema_fault_names_the_file_and_field(self, instructor, first_role):
        draft = with_body(draft_of(first_role, slug="x"), lambda body: body["checks"][0].update(points="two"))
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft))
        assert problem.field == "checks/0/points"
        assert problem.message.startswith("lab.json: field `checks/0/points`: 'two' is not of type")

    def test_a_missing_property_names_its_parent(self, instructor, first_role):
        draft = with_body(draft_of(first_role, slug="x"), lambda body: body["checks"][0].pop("points"))
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft))
        assert (problem.field, problem.detail) == ("checks/0", "'points' is a required property")

    def test_every_schema_fault_is_listed(self, instructor, first_role):
        def two_faults(body):
            body["checks"][0]["points"] = "two"
            body["checks"][1]["kind"] = "role_is_nice"

        problems = authoring.lab_draft_problems(draft=with_body(draft_of(first_role, slug="x"), two_faults))
        assert [problem.field for problem in problems] == ["checks/0/points", "checks/1/kind"]

    def test_the_slug_of_a_built_in_lab_is_taken(self, instructor, first_role):
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft_of(first_role)))
        assert problem.field == "slug"
        assert problem.detail == str(authoring.SLUG_TAKEN % {"slug": "first-role"})

    def test_a_slug_that_is_a_page_of_the_site_is_refused(self, instructor, first_role):
        draft = draft_of(first_role, slug="courses")
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft))
        assert problem.detail == str(authoring.SLUG_RESERVED % {"slug": "courses"})

    def test_a_form_field_in_the_editor_is_refused(self, instructor, first_role):
        draft = with_body(draft_of(first_role, slug="x"), lambda body: body.update(slug="other"))
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft))
        assert (problem.file, problem.field, problem.detail) == ("editor", "slug", str(authoring.FIELD_IN_FORM))

    def test_an_empty_brief_is_refused(self, instructor, first_role):
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft_of(first_role, slug="x",
                                                                                             brief_ko="  ")))
        assert problem.file == "brief.ko.md"

    def test_an_unknown_variable_is_refused_like_in_a_folder(self, instructor, first_role):
        draft = with_body(draft_of(first_role, slug="x"),
                          lambda body: body["checks"][0]["params"].update(role_name="{{ nope }}"))
        problem = problem_of(lambda: authoring.lab_create(author=instructor, draft=draft))
        assert problem.message == "lab.json: field `checks`: unknown variable `{{ nope }}`"


# --- editing ---------------------------------------------------------------------------------------------------


class LabUpdateTests:
    def test_a_change_makes_a_new_version_unpublished_without_its_selftest(self, my_lab, instructor):
        passed_selftest(my_lab)
        Lab.objects.filter(pk=my_lab.pk).update(published=True)
        saved = authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab, title_en="Changed"))
        assert (saved.version, saved.published, saved.selftest) == (2, False, None)
        assert saved.definition["version"] == 2 and saved.definition["title"]["en"] == "Changed"

    def test_the_uuid_is_kept(self, my_lab, instructor):
        saved = authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab, brief_en="New brief"))
        assert saved.uuid == my_lab.uuid and saved.definition["uuid"] == str(my_lab.uuid)

    def test_saving_without_a_change_keeps_the_version(self, my_lab, instructor):
        assert authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab)).version == 1

    def test_a_save_from_an_older_version_is_refused(self, my_lab, instructor):
        authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab, title_en="First"))
        with pytest.raises(AuthoringError, match="now version 2"):
            authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab, title_en="Second"),
                                 base_version=1)

    def test_another_instructor_cannot_edit(self, my_lab, other_instructor):
        with pytest.raises(AuthoringError, match=str(authoring.NOT_YOURS)):
            authoring.lab_update(lab=my_lab, author=other_instructor, draft=draft_of(my_lab, title_en="Mine"))

    def test_a_built_in_lab_is_read_only(self, first_role, instructor):
        with pytest.raises(AuthoringError, match="built-in labs cannot be changed"):
            authoring.lab_update(lab=first_role, author=instructor, draft=draft_of(first_role, title_en="Mine"))

    def test_the_slug_cannot_move_onto_a_built_in_lab(self, my_lab, instructor):
        problem = problem_of(lambda: authoring.lab_update(lab=my_lab, author=instructor,
                                                          draft=draft_of(my_lab, slug="external-id")))
        assert problem.field == "slug"


class LabDuplicateTests:
    def test_a_built_in_lab_is_copied_with_a_new_uuid_and_slug(self, first_role, instructor):
        copy = authoring.lab_duplicate(lab=first_role, author=instructor)
        assert (copy.slug, copy.version, copy.author, copy.source) == ("first-role-copy", 1, instructor,
                                                                       Lab.Source.INSTRUCTOR)
        assert copy.uuid != first_role.uuid and copy.definition["checks"] == first_role.definition["checks"]

    def test_a_second_copy_gets_the_next_free_slug(self, first_role, instructor):
        authoring.lab_duplicate(lab=first_role, author=instructor)
        assert authoring.lab_duplicate(lab=first_role, author=instructor).slug == "first-role-copy-2"

    def test_another_instructors_lab_cannot_be_copied(self, my_lab, other_instructor):
        with pytest.raises(AuthoringError, match=str(authoring.NOT_YOURS)):
            authoring.lab_duplicate(lab=my_lab, author=other_instructor)


class LabPublishTests:
    def test_publishing_before_a_selftest_is_refused(self, my_lab, instructor):
        with pytest.raises(AuthoringError, match=str(authoring.NOT_SELFTESTED)):
            authoring.lab_publish(lab=my_lab, author=instructor)

    def test_a_selftest_of_an_older_version_does_not_count(self, my_lab, instructor):
        Lab.objects.filter(pk=my_lab.pk).update(selftest={"passed": True, "version": 0})
        with pytest.raises(AuthoringError):
            authoring.lab_publish(lab=my_lab, author=instructor)

    def test_a_failed_selftest_does_not_count(self, my_lab, instructor):
        Lab.objects.filter(pk=my_lab.pk).update(selftest={"passed": False, "version": 1})
        with pytest.raises(AuthoringError):
            authoring.lab_publish(lab=my_lab, author=instructor)

    def test_a_passing_selftest_of_this_version_publishes(self, my_lab, instructor):
        passed_selftest(my_lab)
        assert authoring.lab_publish(lab=my_lab, author=instructor).published is True

    def test_unpublish_keeps_the_selftest(self, my_lab, instructor):
        passed_selftest(my_lab)
        authoring.lab_publish(lab=my_lab, author=instructor)
        lab = authoring.lab_unpublish(lab=my_lab, author=instructor)
        assert (lab.published, lab.selftest_passed) == (False, True)

    def test_another_instructor_cannot_publish(self, my_lab, other_instructor):
        passed_selftest(my_lab)
        with pytest.raises(AuthoringError):
            authoring.lab_publish(lab=my_lab, author=other_instructor)


# --- the editor ------------------------------------------------------------------------------------------------


class EditorTests:
    def test_yaml_and_json_convert_without_losing_content(self, first_role):
        body = dict(LabDraft.of_lab(first_role).body)
        yaml_text = editor_dump(body, "yaml")
        assert editor_parse(editor_convert(yaml_text, "yaml", "json"), "json") == body
        assert editor_parse(yaml_text, "yaml") == body

    def test_korean_text_stays_readable_in_yaml(self, first_role):
        assert "역할" in editor_dump(dict(LabDraft.of_lab(first_role).body), "yaml")

    def test_broken_yaml_names_the_line(self):
        with pytest.raises(EditorError) as caught:
            editor_parse("checks:\n  - id: a\n   points: 1\n", "yaml")
        assert caught.value.line == 3

    def test_broken_json_names_the_line(self):
        with pytest.raises(EditorError, match="line 3") as caught:
            editor_parse('{\n  "checks": [],\n}', "json")
        assert caught.value.line == 3

    def test_an_unquoted_yaml_date_is_refused_with_its_field_and_line(self):
        text = "solution:\n- params:\n    Version: 2012-10-17\n"
        with pytest.raises(EditorError, match="read as a date") as caught:
            editor_parse(text, "yaml")
        assert (caught.value.field, caught.value.line) == ("solution/0/params/Version", 3)

    def test_a_list_at_the_top_is_refused(self):
        with pytest.raises(EditorError, match="mapping"):
            editor_parse("- a\n- b\n", "yaml")

    def test_yaml_aliases_that_explode_are_refused(self):
        lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
        for index in range(8):
            previous, name = chr(97 + index), chr(98 + index)
            lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
        with pytest.raises(EditorError, match="repeats too much"):
            editor_parse("\n".join(lines), "yaml")

    def test_deep_json_is_refused_not_crashed_on(self):
        with pytest.raises(EditorError):
            editor_parse("[" * 50_000 + "]" * 50_000, "json")

    def test_the_line_of_a_field_is_found_in_json_and_yaml(self, first_role):
        body = dict(LabDraft.of_lab(first_role).body)
        for fmt in ("json", "yaml"):
            text = editor_dump(body, fmt)
            line = editor_line(text, "checks/1/points")
            assert "points" in text.splitlines()[line - 1], fmt


# --- bundles ---------------------------------------------------------------------------------------------------


def make_zip(files: dict[str, str | bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot write encrypted entries: set the flag in the first entry's two headers
        data[6] |= 0x1
        data[data.index(b"PK\x01\x02") + 8] |= 0x1
    return bytes(data)


def bundle_files(lab: Lab, folder: str | None = None, **overrides) -> dict[str, str | bytes]:
    folder = lab.slug if folder is None else folder
    prefix = f"{folder}/" if folder else ""
    files = {f"{prefix}lab.json": json.dumps(lab.definition), f"{prefix}brief.en.md": lab.brief_en,
             f"{prefix}brief.ko.md": lab.brief_ko}
    files.update(overrides)
    return files


def import_error(author, data: bytes, **kwargs) -> str:
    with pytest.raises(AuthoringError) as caught:
        authoring_bundle.lab_bundle_import(author=author, data=data, **kwargs)
    return caught.value.message


class BundleExportTests:
    def test_the_bundle_is_a_lab_folder_that_lab_read_loads(self, my_lab, tmp_path):
        with zipfile.ZipFile(io.BytesIO(authoring_bundle.lab_bundle_export(lab=my_lab))) as archive:
            assert sorted(archive.namelist()) == ["my-role/brief.en.md", "my-role/brief.ko.md", "my-role/lab.json"]
            archive.extractall(tmp_path)
        source = lab_read(tmp_path / "my-role")
        assert source.definition == my_lab.definition and source.briefs["ko"] == my_lab.brief_ko

    def test_a_built_in_lab_exports_too(self, first_role):
        with zipfile.ZipFile(io.BytesIO(authoring_bundle.lab_bundle_export(lab=first_role))) as archive:
            assert json.loads(archive.read("first-role/lab.json"))["uuid"] == str(first_role.uuid)


class BundleImportTests:
    def test_a_new_bundle_creates_an_unpublished_lab_with_its_uuid(self, instructor, my_lab, other_instructor):
        definition = {**my_lab.definition, "uuid": "0b4b1a52-8d0e-4f57-9a0b-6c1f2f4f7c11", "slug": "imported",
                      "published": True}
        data = make_zip(bundle_files(my_lab, "imported", **{"imported/lab.json": json.dumps(definition)}))
        result = authoring_bundle.lab_bundle_import(author=other_instructor, data=data)
        assert (result.created, str(result.lab.uuid), result.lab.published) == (
            True, definition["uuid"], False)
        assert result.lab.author == other_instructor and "published" not in result.lab.definition

    def test_a_bundle_of_my_own_lab_updates_it(self, instructor, my_lab):
        definition = {**my_lab.definition, "title": {"en": "Renamed", "ko": "이름"}}
        data = make_zip(bundle_files(my_lab, **{"my-role/lab.json": json.dumps(definition)}))
        result = authoring_bundle.lab_bundle_import(author=instructor, data=data)
        assert (result.created, result.lab.pk, result.lab.version, result.lab.title_en) == (
            False, my_lab.pk, 2, "Renamed")

    def test_a_bundle_of_another_instructors_lab_becomes_a_new_lab(self, my_lab, other_instructor):
        result = authoring_bundle.lab_bundle_import(author=other_instructor,
                                                    data=authoring_bundle.lab_bundle_export(lab=my_lab),
                                                    slug="their-role")
        assert (result.created, result.new_uuid, result.lab.slug) == (True, True, "their-role")
        assert result.lab.uuid != my_lab.uuid and Lab.objects.get(pk=my_lab.pk).author != other_instructor

    def test_a_built_in_labs_uuid_cannot_be_taken_over(self, instructor, first_role):
        message = import_error(instructor, authoring_bundle.lab_bundle_export(lab=first_role))
        assert message == str(authoring_bundle.BUILTIN_UUID % {"slug": "first-role"})
        assert Lab.objects.get(pk=first_role.pk).source == Lab.Source.BUILTIN

    def test_a_built_in_labs_slug_cannot_be_taken_over(self, instructor, first_role):
        definition = {**first_role.definition, "uuid": "1c4b1a52-8d0e-4f57-9a0b-6c1f2f4f7c11"}
        data = make_zip(bundle_files(first_role, **{"first-role/lab.json": json.dumps(definition)}))
        assert "`first-role` is already used" in import_error(instructor, data)

    def test_files_at_the_root_are_accepted(self, instructor, my_lab):
        definition = {**my_lab.definition, "uuid": "2d4b1a52-8d0e-4f57-9a0b-6c1f2f4f7c11", "slug": "rooted"}
        data = make_zip(bundle_files(my_lab, "", **{"lab.json": json.dumps(definition)}))
        assert authoring_bundle.lab_bundle_import(author=instructor, data=data).lab.slug == "rooted"

    def test_macos_litter_and_a_readme_are_ignored(self, instructor, my_lab):
        files = bundle_files(my_lab, **{"__MACOSX/my-role/._lab.json": b"\x00", "my-role/.DS_Store": b"\x00",
                                        "my-role/README.md": "notes"})
        assert authoring_bundle.lab_bundle_import(author=instructor, data=make_zip(files)).lab.pk == my_lab.pk

    @pytest.mark.parametrize("name", ["../my-role/lab.json", "/etc/lab.json", "my-role/../../lab.json",
                                      "a/b/lab.json", "my-role\\..\\lab.json", "C:/lab.json"])
    def test_a_path_leaving_the_lab_folder_is_refused(self, instructor, my_lab, name):
        files = bundle_files(my_lab)
        files[name] = files.pop("my-role/lab.json")
        assert import_error(instructor, make_zip(files)) == str(authoring_bundle.UNSAFE_PATH % {"name": name})

    def test_an_unexpected_file_is_named(self, instructor, my_lab):
        data = make_zip(bundle_files(my_lab, **{"my-role/setup.py": "import os"}))
        assert import_error(instructor, data) == str(authoring_bundle.UNEXPECTED_FILE % {"name": "my-role/setup.py"})

    def test_an_upload_over_the_limit_is_refused(self, instructor):
        data = b"PK" + b"\x00" * authoring_bundle.BUNDLE_MAX_BYTES
        assert "larger than 1 MB" in import_error(instructor, data)

    def test_a_file_that_unpacks_too_big_is_refused(self, instructor, my_lab):
        data = make_zip(bundle_files(my_lab, **{"my-role/brief.en.md": "a" * (authoring_bundle.FILE_MAX_BYTES + 1)}))
        assert len(data) < 10_000  # a zip bomb in miniature
        assert "larger than 512 KB once unpacked" in import_error(instructor, data)

    def test_a_size_the_header_lies_about_is_refused(self, instructor, my_lab, monkeypatch):
        data = make_zip(bundle_files(my_lab, **{"my-role/brief.en.md": "a" * (authoring_bundle.FILE_MAX_BYTES + 1)}))
        real_infolist = zipfile.ZipFile.infolist

        def lying_infolist(self):
            infos = real_infolist(self)
            for info in infos:
                info.file_size = 10
            return infos

        monkeypatch.setattr(zipfile.ZipFile, "infolist", lying_infolist)
        assert import_error(instructor, data) == str(authoring_bundle.DAMAGED_ZIP)  # never more than it declared

    def test_an_encrypted_file_is_refused(self, instructor, my_lab):
        data = make_zip(bundle_files(my_lab), encrypted=True)
        assert "encrypted" in import_error(instructor, data)

    def test_something_else_than_a_zip_is_refused(self, instructor):
        assert import_error(instructor, b"lab.json, honest") == str(authoring_bundle.NOT_A_ZIP)

    def test_a_missing_brief_is_named(self, instructor, my_lab):
        files = bundle_files(my_lab)
        files.pop("my-role/brief.ko.md")
        assert import_error(instructor, make_zip(files)) == "my-role/brief.ko.md: missing"

    def test_broken_json_names_the_file_and_line(self, instructor, my_lab):
        data = make_zip(bundle_files(my_lab, **{"my-role/lab.json": '{\n  "uuid": \n'}))
        assert import_error(instructor, data).startswith("my-role/lab.json: line 3")

    def test_a_schema_fault_names_the_file_and_field(self, instructor, my_lab):
        definition = json.loads(json.dumps(my_lab.definition))
        definition["checks"][0]["points"] = "two"
        data = make_zip(bundle_files(my_lab, **{"my-role/lab.json": json.dumps(definition)}))
        assert import_error(instructor, data).startswith("my-role/lab.json: field `checks/0/points`")

    def test_the_folder_must_be_named_after_the_slug(self, instructor, my_lab):
        assert "differs from the folder name `other`" in import_error(instructor, make_zip(bundle_files(my_lab,
                                                                                                          "other")))

    def test_two_folders_are_refused(self, instructor, my_lab):
        files = bundle_files(my_lab)
        files["other/brief.ko.md"] = files.pop("my-role/brief.ko.md")
        assert "several folders" in import_error(instructor, make_zip(files))


# --- the self-test run -----------------------------------------------------------------------------------------


def fake_gate(monkeypatch, *, passed: bool = True, during=None):
    """Replace the gate with one that reports two steps and passes (or not); `during` runs in the middle."""

    def gate(definition, *, progress=None):
        result = LabSelftest(slug=definition["slug"], reference=1.0, blank=0.0)
        progress(0, 3, "blank sandbox", result)
        progress(2, 3, "call 1 left out", result)
        if during is not None:
            during()
        result.mutants.append({"name": "call 1 left out", "score": 0.0 if passed else 1.0})
        progress(3, 3, "", result)
        return result

    monkeypatch.setattr(authoring_selftest, "lab_selftest", gate)


class SelftestStartTests:
    def test_a_queued_run_is_sent_after_commit(self, my_lab, instructor, monkeypatch,
                                               django_capture_on_commit_callbacks):
        sent = []
        monkeypatch.setattr(tasks.lab_selftest_task, "delay", sent.append)
        with django_capture_on_commit_callbacks(execute=True):
            run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        assert (run.status, run.version, sent) == (LabSelftestRun.Status.QUEUED, 1, [run.pk])

    def test_starting_twice_returns_the_run_already_going(self, my_lab, instructor):
        first = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        assert authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor).pk == first.pk

    def test_a_stalled_run_is_closed_and_a_new_one_started(self, my_lab, instructor):
        first = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        LabSelftestRun.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=10))
        second = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        first.refresh_from_db()
        assert second.pk != first.pk
        assert (first.status, first.error_message) == (LabSelftestRun.Status.ERROR,
                                                      authoring_selftest.SELFTEST_STALLED)

    def test_a_built_in_lab_cannot_be_self_tested_here(self, first_role, instructor):
        with pytest.raises(AuthoringError):
            authoring_selftest.lab_selftest_start(lab=first_role, requested_by=instructor)


class SelftestRunTests:
    def test_a_passing_run_is_stored_on_the_run_and_the_lab(self, my_lab, instructor, monkeypatch):
        fake_gate(monkeypatch)
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        tasks.lab_selftest_task.apply(args=[run.pk])
        run.refresh_from_db()
        my_lab.refresh_from_db()
        assert (run.status, run.done, run.total, run.percent) == (LabSelftestRun.Status.PASSED, 3, 3, 100)
        assert run.result["mutants"] == [{"name": "call 1 left out", "score": 0.0}]
        assert my_lab.selftest["version"] == 1 and my_lab.selftest_passed

    def test_a_failing_run_does_not_allow_publishing(self, my_lab, instructor, monkeypatch):
        fake_gate(monkeypatch, passed=False)
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        tasks.lab_selftest_task.apply(args=[run.pk])
        run.refresh_from_db()
        assert run.status == LabSelftestRun.Status.FAILED
        with pytest.raises(AuthoringError):
            authoring.lab_publish(lab=my_lab, author=instructor)

    def test_running_twice_leaves_one_result(self, my_lab, instructor, monkeypatch):
        fake_gate(monkeypatch)
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        tasks.lab_selftest_task.apply(args=[run.pk])
        finished = LabSelftestRun.objects.get(pk=run.pk).finished_at
        fake_gate(monkeypatch, passed=False)
        tasks.lab_selftest_task.apply(args=[run.pk])
        run.refresh_from_db()
        assert (run.status, run.finished_at) == (LabSelftestRun.Status.PASSED, finished)

    def test_an_edit_during_the_run_keeps_the_result_off_the_new_version(self, my_lab, instructor, monkeypatch):
        fake_gate(monkeypatch, during=lambda: authoring.lab_update(lab=my_lab, author=instructor,
                                                                   draft=draft_of(my_lab, title_en="Edited")))
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        tasks.lab_selftest_task.apply(args=[run.pk])
        my_lab.refresh_from_db()
        assert (my_lab.version, my_lab.selftest) == (2, None)

    def test_a_run_for_an_older_version_errors(self, my_lab, instructor):
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab, title_en="Edited"))
        tasks.lab_selftest_task.apply(args=[run.pk])
        run.refresh_from_db()
        assert (run.status, run.error_message) == (LabSelftestRun.Status.ERROR, authoring_selftest.SELFTEST_OUTDATED)

    def test_the_soft_time_limit_records_an_error(self, my_lab, instructor, monkeypatch):
        def too_slow(definition, *, progress=None):
            raise SoftTimeLimitExceeded()

        monkeypatch.setattr(authoring_selftest, "lab_selftest", too_slow)
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        tasks.lab_selftest_task.apply(args=[run.pk])
        run.refresh_from_db()
        assert (run.status, run.error_message) == (LabSelftestRun.Status.ERROR, authoring_selftest.SELFTEST_TIMED_OUT)

    def test_a_lab_that_breaks_the_grader_is_reported_to_its_author(self, my_lab, instructor, monkeypatch):
        def broken(definition, *, progress=None):
            raise KeyError("role_name")

        monkeypatch.setattr(authoring_selftest, "lab_selftest", broken)
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        tasks.lab_selftest_task.apply(args=[run.pk])
        run.refresh_from_db()
        assert run.status == LabSelftestRun.Status.ERROR and "role_name" in run.error_message

    def test_a_crash_marks_the_run_as_error(self, my_lab, instructor, monkeypatch):
        def crash(definition, *, progress=None):
            raise ZeroDivisionError()

        monkeypatch.setattr(authoring_selftest, "lab_selftest", crash)
        run = authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)
        assert tasks.lab_selftest_task.apply(args=[run.pk]).failed()
        run.refresh_from_db()
        assert (run.status, run.error_message) == (LabSelftestRun.Status.ERROR, authoring_selftest.SELFTEST_FAILED)


STARTER = LabDraft(slug="starter", title_en="Starter", title_ko="시작", topics=("roles",), difficulty="beginner",
                   estimated_minutes=10, brief_en="Create `MyEc2Role`.", brief_ko="`MyEc2Role`을 만드세요.",
                   body=STARTER_BODY)


def test_the_new_lab_example_is_a_valid_lab(db):
    assert authoring.lab_draft_problems(draft=STARTER) == []


@pytest.mark.django_db(transaction=True)
def test_the_real_gate_passes_the_new_lab_example_with_progress(instructor):
    lab = authoring.lab_create(author=instructor, draft=STARTER)
    run = authoring_selftest.lab_selftest_start(lab=lab, requested_by=instructor)
    authoring_selftest.lab_selftest_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == LabSelftestRun.Status.PASSED, run.result
    assert run.done == run.total == len(run.result["mutants"]) + 2
    assert authoring.lab_publish(lab=lab, author=instructor).published
