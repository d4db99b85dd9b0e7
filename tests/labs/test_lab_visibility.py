"""Who may open which lab: built-in labs are everyone's, an instructor's lab is open to its author and to the
students and instructor of a course that sets it, never to the rest of the installation."""
from __future__ import annotations

import pytest
from django.urls import reverse

from labs import selectors
from labs.services import authoring
from labs.services.courses import assignment_create, course_join
from tests.labs.conftest import assignment_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_lab(instructor, catalog):
    """A published copy of first-role written by the instructor."""
    lab = authoring.lab_duplicate(lab=catalog["first-role"], author=instructor)
    lab.published = True
    lab.save(update_fields=["published"])
    return lab


class LabVisibilityTests:
    def test_a_student_outside_the_course_cannot_open_it(self, student, their_lab, client):
        client.force_login(student)
        assert their_lab not in selectors.labs_visible(user=student)
        assert client.get(reverse("labs:lab-detail", args=[their_lab.slug])).status_code == 404
        assert client.post(reverse("labs:lab-start", args=[their_lab.slug])).status_code == 404
        assert their_lab.slug not in client.get(reverse("labs:lab-list")).content.decode()

    def test_a_student_of_a_course_setting_it_can(self, student, course, their_lab, client):
        assignment_create(course=course, settings=assignment_settings(their_lab))
        course_join(student=student, course=course)
        client.force_login(student)
        assert client.get(reverse("labs:lab-detail", args=[their_lab.slug])).status_code == 200

    def test_its_author_can(self, instructor, their_lab):
        assert their_lab in selectors.labs_visible(user=instructor)

    def test_another_instructor_cannot(self, other_instructor, their_lab):
        assert their_lab not in selectors.labs_visible(user=other_instructor)

    def test_built_in_published_labs_are_everyones(self, student, catalog):
        assert catalog["first-role"] in selectors.labs_visible(user=student)

    def test_an_unpublished_lab_is_nobodys_but_staff(self, student, their_lab, admin_user):
        their_lab.published = False
        their_lab.save(update_fields=["published"])
        assert their_lab not in selectors.labs_visible(user=their_lab.author)
        assert their_lab in selectors.labs_visible(user=admin_user)
