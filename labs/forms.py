"""Course forms: a course, an assignment's settings, a roster CSV."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from labs.models import Assignment, Lab
from labs.services.courses import DUE_BEFORE_OPEN, HIDDEN_NEEDS_DUE, AssignmentSettings

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
ROSTER_MAX_BYTES = 1024 * 1024


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))


class LabChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Lab) -> str:
        return f"{obj.title_ko if get_language() == 'ko' else obj.title_en} ({obj.slug})"


def _datetime_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, help_text=help_text, input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )


def assignable_labs(instructor: User | None) -> QuerySet[Lab]:
    """Published built-in labs and the instructor's own published labs (never another instructor's).

    Without an instructor every published lab is offered (all of them are open to students anyway).
    """
    labs = Lab.objects.filter(published=True)
    if instructor is not None:
        labs = labs.filter(Q(source=Lab.Source.BUILTIN) | Q(source=Lab.Source.INSTRUCTOR, author=instructor))
    return labs.order_by("slug")


class AssignmentForm(forms.Form):
    lab = LabChoiceField(label=_("Lab"), queryset=Lab.objects.none(),
                         help_text=_("Only published labs can be assigned."))
    opens_at = _datetime_field(_("Opens at"), _("Empty: open now. Students cannot submit before this time (UTC)."))
    due_at = _datetime_field(_("Due at"),
                             _("Empty: no due date. Submissions after this time get the late penalty (UTC)."))
    attempts = forms.IntegerField(label=_("Attempts"), min_value=0, max_value=1000, initial=0,
                                  help_text=_("How many submissions count; 0 means unlimited. Checks never count."))
    late_penalty = forms.IntegerField(
        label=_("Late penalty (% per day)"), min_value=0, max_value=100, initial=0,
        help_text=_("Percent of the score taken off for every day, or part of a day, after the due date."),
    )
    hide_scores_until_due = forms.BooleanField(label=_("Hide scores from students until the due date"),
                                               required=False)

    def __init__(self, *args: Any, instructor: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = assignable_labs(instructor)  # type: ignore[attr-defined]

    @classmethod
    def for_assignment(cls, assignment: Assignment) -> AssignmentForm:
        return cls(initial={"lab": assignment.lab, "opens_at": assignment.opens_at, "due_at": assignment.due_at,
                            "attempts": assignment.attempts, "late_penalty": assignment.late_penalty,
                            "hide_scores_until_due": assignment.hide_scores_until_due},
                   instructor=assignment.course.instructor)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens_at, due_at = data.get("opens_at"), data.get("due_at")
        if opens_at and due_at and due_at <= opens_at:
            self.add_error("due_at", str(DUE_BEFORE_OPEN))
        if data.get("hide_scores_until_due") and not due_at:
            self.add_error("hide_scores_until_due", str(HIDDEN_NEEDS_DUE))
        return data

    def settings(self) -> AssignmentSettings:
        data = self.cleaned_data
        return AssignmentSettings(lab=data["lab"], opens_at=data["opens_at"], due_at=data["due_at"],
                                  attempts=data["attempts"], late_penalty=data["late_penalty"],
                                  hide_scores_until_due=data["hide_scores_until_due"])


class RosterImportForm(forms.Form):
    csv_file = forms.FileField(label=_("CSV file"),
                               help_text=_("One username or email per line (the first column); a header row is "
                                           "skipped. Only existing users are enrolled."))

    def clean_csv_file(self) -> Any:
        upload = self.cleaned_data["csv_file"]
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload
