"""Authoring screens: instructors only (403), their own labs only (404), the editor never loses text, htmx fragments,
self-test progress polling, publish only after a passing self-test, bundles in and out, assigning in a course."""
from __future__ import annotations

import html
import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_htmx.http import HTMX_STOP_POLLING

from labs.forms import AssignmentForm
from labs.forms_authoring import LabForm
from labs.models import Assignment, Lab, LabSelftestRun
from labs.services import authoring, authoring_bundle, authoring_selftest
from labs.services.authoring import LabDraft
from labs.services.authoring_editor import editor_dump
from tests.labs.test_authoring_services import draft_of, make_zip, passed_selftest

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def my_lab(instructor, catalog):
    return authoring.lab_create(author=instructor, draft=draft_of(catalog["first-role"], slug="my-role"))


@pytest.fixture
def run(my_lab, instructor):
    return authoring_selftest.lab_selftest_start(lab=my_lab, requested_by=instructor)


def form_data(lab: Lab, fmt: str = "yaml", **changes) -> dict[str, str]:
    draft = LabDraft.of_lab(lab)
    data = {"slug": draft.slug, "title_en": draft.title_en, "title_ko": draft.title_ko,
            "topics": ", ".join(draft.topics), "difficulty": draft.difficulty,
            "estimated_minutes": str(draft.estimated_minutes), "brief_en": draft.brief_en, "brief_ko": draft.brief_ko,
            "text_format": fmt, "editor_format": fmt, "editor": editor_dump(dict(draft.body), fmt),
            "base_version": str(lab.version)}
    data.update(changes)
    return data


def editor_text(page: str) -> str:
    """The editor's text as the browser gets it (partials do not expose their context to the test client)."""
    match = re.search(r'<textarea[^>]*id="id_editor"[^>]*>\n?(.*?)</textarea>', page, re.S)
    assert match, "no editor in the page"
    return html.unescape(match.group(1))


def _urls(lab: Lab, run: LabSelftestRun) -> dict[str, list[str]]:
    pk = lab.pk
    return {
        "get": [reverse("labs:authoring-edit", args=[pk]), reverse("labs:authoring-preview", args=[pk]),
                reverse("labs:authoring-export", args=[pk]),
                reverse("labs:authoring-selftest-progress", args=[run.pk])],
        "post": [reverse(f"labs:authoring-{name}", args=[pk]) for name in
                 ("edit", "check", "convert", "duplicate", "selftest", "publish", "unpublish")],
    }


class PermissionTests:
    def test_a_student_gets_403_everywhere(self, student_client, my_lab, run):
        urls = _urls(my_lab, run)
        for url in [reverse("labs:authoring-list"), reverse("labs:authoring-create"), *urls["get"]]:
            assert student_client.get(url).status_code == 403, url
        for url in [reverse("labs:authoring-import"), reverse("labs:authoring-check-new"), *urls["post"]]:
            assert student_client.post(url).status_code == 403, url

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, my_lab):
        response = client.get(reverse("labs:authoring-edit", args=[my_lab.pk]))
        assert response.status_code == 302 and reverse("signin") in response["Location"]

    def test_another_instructors_lab_is_a_404(self, client, other_instructor, my_lab, run):
        client.force_login(other_instructor)
        urls = _urls(my_lab, run)
        for url in urls["get"]:
            assert client.get(url).status_code == 404, url
        for url in urls["post"]:
            assert client.post(url, form_data(my_lab)).status_code == 404, url
        assert Lab.objects.get(pk=my_lab.pk).version == 1

    def test_a_built_in_lab_cannot_be_edited(self, instructor_client, catalog):
        lab = catalog["first-role"]
        assert instructor_client.get(reverse("labs:authoring-edit", args=[lab.pk])).status_code == 404
        assert instructor_client.post(reverse("labs:authoring-edit", args=[lab.pk]), form_data(lab)).status_code == 404


class ListTests:
    def test_my_labs_and_the_built_in_ones_are_listed(self, instructor_client, my_lab):
        page = instructor_client.get(reverse("labs:authoring-list")).content.decode()
        assert 'data-lab="my-role"' in page and 'data-lab="first-role"' in page

    def test_another_instructors_labs_are_not(self, client, other_instructor, my_lab):
        client.force_login(other_instructor)
        assert 'data-lab="my-role"' not in client.get(reverse("labs:authoring-list")).content.decode()


class CreateTests:
    def test_the_new_lab_page_starts_from_a_yaml_example(self, instructor_client, catalog):
        page = instructor_client.get(reverse("labs:authoring-create")).content.decode()
        assert "kind: role_exists" in page and 'name="editor_format"' in page

    def test_a_valid_post_creates_the_lab_and_opens_it(self, instructor_client, instructor, catalog):
        data = form_data(catalog["first-role"], slug="partner-role")
        response = instructor_client.post(reverse("labs:authoring-create"), data)
        lab = Lab.objects.get(slug="partner-role")
        assert response.status_code == 302 and response["Location"] == reverse("labs:authoring-edit", args=[lab.pk])
        assert (lab.author, lab.source, lab.published) == (instructor, Lab.Source.INSTRUCTOR, False)

    def test_broken_yaml_is_shown_with_its_line_and_the_text_is_kept(self, instructor_client, catalog):
        text = "checks:\n  - id: a\n   points: 1\n"
        data = form_data(catalog["first-role"], slug="partner-role", editor=text)
        response = instructor_client.post(reverse("labs:authoring-create"), data)
        page = response.content.decode()
        assert response.status_code == 200 and 'data-testid="editor-error"' in page and "line 3" in page
        assert response.context["form"]["editor"].value() == text
        assert not Lab.objects.filter(slug="partner-role").exists()

    def test_a_schema_fault_is_shown_next_to_the_editor_with_line_and_field(self, instructor_client, catalog):
        data = form_data(catalog["first-role"], slug="partner-role")
        data["editor"] = data["editor"].replace("points: 2", "points: two")
        response = instructor_client.post(reverse("labs:authoring-create"), data)
        errors = response.context["form"].errors["editor"]
        assert response.status_code == 200
        assert any("field `checks/1/points`" in error and error.startswith("line ") for error in errors), errors

    def test_a_taken_slug_is_an_error_on_the_slug(self, instructor_client, catalog):
        response = instructor_client.post(reverse("labs:authoring-create"), form_data(catalog["first-role"]))
        assert "already used" in response.context["form"].errors["slug"][0]

    def test_json_is_accepted_too(self, instructor_client, catalog):
        data = form_data(catalog["first-role"], "json", slug="json-role")
        response = instructor_client.post(reverse("labs:authoring-create"), data)
        assert response.status_code == 302 and response["Location"].endswith("?format=json")


class EditTests:
    def test_the_page_shows_the_definition_in_yaml_or_json(self, instructor_client, my_lab):
        url = reverse("labs:authoring-edit", args=[my_lab.pk])
        assert "kind: role_exists" in instructor_client.get(url).content.decode()
        assert '"kind": "role_exists"' in editor_text(instructor_client.get(f"{url}?format=json").content.decode())

    def test_saving_a_change_makes_version_2(self, instructor_client, my_lab):
        url = reverse("labs:authoring-edit", args=[my_lab.pk])
        response = instructor_client.post(url, form_data(my_lab, title_en="Partner role"), follow=True)
        my_lab.refresh_from_db()
        assert (my_lab.version, my_lab.title_en) == (2, "Partner role")
        assert "Saved as version 2" in response.content.decode()

    def test_a_stale_save_is_refused_and_the_text_kept(self, instructor_client, my_lab, instructor):
        data = form_data(my_lab, title_en="Mine")
        authoring.lab_update(lab=my_lab, author=instructor, draft=draft_of(my_lab, title_en="Theirs"))
        response = instructor_client.post(reverse("labs:authoring-edit", args=[my_lab.pk]), data)
        assert response.status_code == 200 and "now version 2" in response.content.decode()
        assert response.context["form"]["title_en"].value() == "Mine"

    def test_publish_is_disabled_before_a_passing_selftest(self, instructor_client, my_lab):
        page = instructor_client.get(reverse("labs:authoring-edit", args=[my_lab.pk])).content.decode()
        assert 'disabled aria-describedby="publish-help"' in page

    def test_an_assigned_lab_warns_that_saving_unpublishes(self, instructor_client, my_lab, course):
        Assignment.objects.create(course=course, lab=my_lab)
        page = instructor_client.get(reverse("labs:authoring-edit", args=[my_lab.pk])).content.decode()
        assert "This lab is assigned in 1 course." in page


class CheckTests:
    def test_htmx_gets_the_check_panel_only(self, instructor_client, my_lab):
        response = instructor_client.post(reverse("labs:authoring-check", args=[my_lab.pk]), form_data(my_lab),
                                          headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200 and "<html" not in page and 'id="editor-check"' in page
        assert 'data-verdict="valid"' in page

    def test_faults_are_listed_with_their_field(self, instructor_client, my_lab):
        data = form_data(my_lab)
        data["editor"] = data["editor"].replace("kind: role_exists", "kind: role_is_nice")
        page = instructor_client.post(reverse("labs:authoring-check", args=[my_lab.pk]), data,
                                      headers=HTMX).content.decode()
        assert 'data-verdict="invalid"' in page and "field `checks/0/kind`" in page

    def test_checking_a_new_lab_finds_a_taken_slug(self, instructor_client, catalog):
        page = instructor_client.post(reverse("labs:authoring-check-new"), form_data(catalog["first-role"]),
                                      headers=HTMX).content.decode()
        assert 'data-field="slug"' in page

    def test_without_htmx_the_whole_page_comes_back(self, instructor_client, my_lab):
        response = instructor_client.post(reverse("labs:authoring-check", args=[my_lab.pk]), form_data(my_lab))
        assert "<html" in response.content.decode() and 'data-verdict="valid"' in response.content.decode()

    def test_checking_never_saves(self, instructor_client, my_lab):
        instructor_client.post(reverse("labs:authoring-check", args=[my_lab.pk]), form_data(my_lab, title_en="X"))
        assert Lab.objects.get(pk=my_lab.pk).version == 1


class ConvertTests:
    def test_htmx_gets_the_editor_in_json_with_the_same_content(self, instructor_client, my_lab):
        data = form_data(my_lab, editor_format="json")
        response = instructor_client.post(reverse("labs:authoring-convert", args=[my_lab.pk]), data, headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200 and "<html" not in page and 'id="lab-editor"' in page
        assert json.loads(editor_text(page)) == dict(LabDraft.of_lab(my_lab).body)
        assert json.loads(response["HX-Trigger"]) == {"editor-converted": {}}

    def test_unreadable_text_is_kept_as_it_is(self, instructor_client, my_lab):
        text = "checks: [\n"
        data = form_data(my_lab, editor=text, editor_format="json")
        response = instructor_client.post(reverse("labs:authoring-convert", args=[my_lab.pk]), data, headers=HTMX)
        page = response.content.decode()
        assert editor_text(page) == text
        assert '<option value="yaml" selected>' in page and 'name="text_format" value="yaml"' in page
        assert "not converted" in page

    def test_without_htmx_the_page_comes_back_converted(self, instructor_client, catalog):
        data = form_data(catalog["first-role"], slug="", editor_format="json")
        response = instructor_client.post(reverse("labs:authoring-convert-new"), data)
        assert "<html" in response.content.decode() and response.context["form"]["text_format"].value() == "json"
        assert "slug" not in response.context["form"].errors  # converting is not saving


class PreviewTests:
    def test_the_author_sees_the_student_page_with_a_banner(self, instructor_client, my_lab):
        page = instructor_client.get(reverse("labs:authoring-preview", args=[my_lab.pk])).content.decode()
        assert 'data-testid="preview-banner"' in page and "FirstEc2Role" in page
        assert 'data-check="only-ec2"' in page and "Check my progress</button>" not in page

    def test_students_cannot_open_the_unpublished_lab(self, student_client, my_lab):
        assert student_client.get(reverse("labs:lab-detail", args=[my_lab.slug])).status_code == 404


class SelftestViewTests:
    def test_the_button_queues_a_run_and_opens_its_progress(self, instructor_client, my_lab):
        response = instructor_client.post(reverse("labs:authoring-selftest", args=[my_lab.pk]))
        run = LabSelftestRun.objects.get(lab=my_lab)
        assert response["Location"] == reverse("labs:authoring-selftest-progress", args=[run.pk])

    def test_the_progress_page_shows_a_bar(self, instructor_client, run):
        page = instructor_client.get(reverse("labs:authoring-selftest-progress", args=[run.pk])).content.decode()
        assert "<html" in page and "<progress" in page

    def test_the_fragment_polls_while_running(self, instructor_client, run):
        LabSelftestRun.objects.filter(pk=run.pk).update(status="running", done=1, total=4,
                                                        result={"blank": 0.0, "mutants": []})
        response = instructor_client.get(reverse("labs:authoring-selftest-progress", args=[run.pk]), headers=HTMX)
        page = response.content.decode()
        assert response.status_code == 200 and "<html" not in page
        assert 'hx-trigger="every 1s"' in page and 'value="25"' in page

    def test_the_final_fragment_stops_polling_and_lists_each_mutant(self, instructor_client, run, my_lab):
        result = {"blank": 0.0, "reference": 1.0, "errors": [], "passed": False,
                  "mutants": [{"name": "call 1 left out", "score": 0.0}, {"name": "principal widened", "score": 1.0}]}
        LabSelftestRun.objects.filter(pk=run.pk).update(status="failed", done=4, total=4, result=result)
        response = instructor_client.get(reverse("labs:authoring-selftest-progress", args=[run.pk]), headers=HTMX)
        page = response.content.decode()
        assert response.status_code == HTMX_STOP_POLLING and "hx-trigger" not in page
        assert page.count('data-step="mutant"') == 2 and "Keeps full marks" in page

    def test_publish_is_offered_after_a_passing_run(self, instructor_client, run, my_lab):
        LabSelftestRun.objects.filter(pk=run.pk).update(status="passed", done=3, total=3,
                                                        result={"blank": 0.0, "reference": 1.0, "mutants": []})
        passed_selftest(my_lab)
        page = instructor_client.get(reverse("labs:authoring-selftest-progress", args=[run.pk])).content.decode()
        publish = page[page.index(reverse("labs:authoring-publish", args=[my_lab.pk])):]
        assert "disabled" not in publish[:publish.index("</form>")]


class PublishViewTests:
    def test_publishing_before_the_selftest_is_refused(self, instructor_client, my_lab):
        response = instructor_client.post(reverse("labs:authoring-publish", args=[my_lab.pk]), follow=True)
        assert str(authoring.NOT_SELFTESTED) in response.content.decode()
        assert not Lab.objects.get(pk=my_lab.pk).published

    def test_publishing_after_a_passing_selftest(self, instructor_client, my_lab):
        passed_selftest(my_lab)
        instructor_client.post(reverse("labs:authoring-publish", args=[my_lab.pk]))
        assert Lab.objects.get(pk=my_lab.pk).published

    def test_unpublishing(self, instructor_client, my_lab):
        passed_selftest(my_lab)
        Lab.objects.filter(pk=my_lab.pk).update(published=True)
        instructor_client.post(reverse("labs:authoring-unpublish", args=[my_lab.pk]))
        assert not Lab.objects.get(pk=my_lab.pk).published


class DuplicateViewTests:
    def test_duplicating_a_built_in_lab_opens_the_copy(self, instructor_client, instructor, catalog):
        response = instructor_client.post(reverse("labs:authoring-duplicate", args=[catalog["first-role"].pk]))
        copy = Lab.objects.get(slug="first-role-copy")
        assert copy.author == instructor and response["Location"] == reverse("labs:authoring-edit", args=[copy.pk])


class BundleViewTests:
    def test_export_downloads_the_zip(self, instructor_client, my_lab):
        response = instructor_client.get(reverse("labs:authoring-export", args=[my_lab.pk]))
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == 'attachment; filename="my-role-v1.zip"'
        assert "my-role/lab.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()

    def test_a_built_in_lab_can_be_exported(self, instructor_client, catalog):
        response = instructor_client.get(reverse("labs:authoring-export", args=[catalog["first-role"].pk]))
        assert response.status_code == 200

    def test_importing_a_bundle_opens_the_lab(self, instructor_client, my_lab, instructor):
        definition = {**my_lab.definition, "title": {"en": "From the bundle", "ko": "번들"}}
        data = authoring_bundle.lab_bundle_export(lab=my_lab)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        files["my-role/lab.json"] = json.dumps(definition).encode()
        upload = SimpleUploadedFile("my-role.zip", make_zip(files), content_type="application/zip")
        response = instructor_client.post(reverse("labs:authoring-import"), {"bundle": upload})
        assert response["Location"] == reverse("labs:authoring-edit", args=[my_lab.pk])
        assert Lab.objects.get(pk=my_lab.pk).title_en == "From the bundle"

    def test_a_zip_slip_bundle_is_refused_with_the_path_named(self, instructor_client, my_lab):
        upload = SimpleUploadedFile("evil.zip", make_zip({"../../etc/lab.json": "{}"}))
        response = instructor_client.post(reverse("labs:authoring-import"), {"bundle": upload})
        assert response.status_code == 200
        assert "`../../etc/lab.json`: a path outside the lab folder" in response.content.decode()

    def test_an_oversize_upload_is_refused(self, instructor_client):
        upload = SimpleUploadedFile("big.zip", b"PK" + b"\x00" * authoring_bundle.BUNDLE_MAX_BYTES)
        response = instructor_client.post(reverse("labs:authoring-import"), {"bundle": upload})
        assert response.context["import_form"].errors["bundle"] == ["The file is larger than 1 MB."]


class AssignmentChoiceTests:
    def test_my_published_lab_can_be_assigned_in_my_course(self, instructor_client, my_lab, course):
        passed_selftest(my_lab)
        Lab.objects.filter(pk=my_lab.pk).update(published=True)
        response = instructor_client.post(reverse("labs:assignment-create", args=[course.pk]),
                                          {"lab": my_lab.pk, "attempts": 0, "late_penalty": 0})
        assert response.status_code == 302 and Assignment.objects.filter(course=course, lab=my_lab).exists()

    def test_the_form_offers_built_in_labs_and_my_own_published_ones(self, instructor, other_instructor, my_lab,
                                                                     catalog):
        theirs = authoring.lab_create(author=other_instructor, draft=draft_of(catalog["first-role"], slug="theirs"))
        Lab.objects.filter(pk__in=[my_lab.pk, theirs.pk]).update(published=True)
        slugs = set(AssignmentForm(instructor=instructor).fields["lab"].queryset.values_list("slug", flat=True))
        assert "my-role" in slugs and "first-role" in slugs and "theirs" not in slugs

    def test_an_unpublished_lab_of_mine_is_not_offered(self, instructor, my_lab):
        queryset = AssignmentForm(instructor=instructor).fields["lab"].queryset
        assert not queryset.filter(pk=my_lab.pk).exists()


def test_the_form_maps_a_brief_fault_to_the_brief_field(my_lab):
    form = LabForm(form_data(my_lab, brief_ko=""))
    assert not form.is_valid() and "brief_ko" in form.errors
