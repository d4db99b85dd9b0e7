"""A lab whose setup cannot be applied to the learner's sandbox (typically: they started an earlier version of it)
is refused with a message saying what to do, never a 500, and nothing of the half-applied setup is kept."""
from __future__ import annotations

import pytest
from django.urls import reverse

from labs.models import LabStart
from labs.services.lab_start import LabStartRefused, lab_reset, lab_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def bumped(student, catalog):
    """saml-federation started at its version, then given a new version whose setup creates the same provider."""
    lab = catalog["saml-federation"]
    lab_start(student=student, lab=lab)
    lab.version += 1
    lab.save(update_fields=["version"])
    return lab


class LabStartRefusedTests:
    def test_the_service_says_what_to_do(self, student, bumped):
        with pytest.raises(LabStartRefused, match="Reset to lab start"):
            lab_start(student=student, lab=bumped)
        assert LabStart.objects.get(student=student, lab=bumped).version == bumped.version - 1

    def test_the_page_shows_the_message_instead_of_an_error(self, student_client, bumped):
        page = student_client.post(reverse("labs:lab-start", args=[bumped.slug]), follow=True)
        assert page.status_code == 200
        assert "could not be set up in your sandbox" in page.content.decode()

    def test_reset_to_lab_start_then_works(self, student, bumped):
        lab_reset(student=student, lab=bumped)
        assert LabStart.objects.get(student=student, lab=bumped).version == bumped.version

    def test_the_assignment_page_shows_it_too(self, student, student_client, course, bumped):
        from labs.services.courses import assignment_create, course_join
        from tests.labs.conftest import assignment_settings

        assignment = assignment_create(course=course, settings=assignment_settings(bumped))
        course_join(student=student, course=course)
        page = student_client.post(reverse("labs:assignment-lab-start", args=[assignment.pk]), follow=True)
        assert page.status_code == 200
        assert "could not be set up in your sandbox" in page.content.decode()
