from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Agency

from .constants import FeedbackStatus, Subject
from .selectors_staff import DUE_OVERDUE, DUE_SOON, DUE_TODAY

# The subjects as staff read them (the citizen's "One of my dossiers" is the sender's dossier here).
SUBJECT_FOR_STAFF = {**dict(Subject.choices), Subject.DOSSIER: _("The sender's dossier")}


class FeedbackInboxFilterForm(forms.Form):
    """The inbox's filters (GET); a value it does not know is dropped, never an error page."""

    q = forms.CharField(label=_("Feedback code"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            (FeedbackStatus.RECEIVED, _("Waiting for an answer")),
            (FeedbackStatus.ANSWERED, pgettext_lazy("feedback", "Answered")),
        ],
    )
    due = forms.ChoiceField(
        label=_("Deadline"),
        required=False,
        choices=[
            ("", _("All")),
            (DUE_OVERDUE, _("Overdue")),
            (DUE_TODAY, _("Due today")),
            (DUE_SOON, _("Due within a working day")),
        ],
    )
    subject = forms.ChoiceField(label=_("About"), required=False, choices=[("", _("All")), *SUBJECT_FOR_STAFF.items()])

    def filters(self) -> dict:
        """The valid filters, each dropped on its own when it is not one the form knows."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class FeedbackAnswerForm(forms.Form):
    """The unit's answer, sent to the sender only; when the sender allowed publication, also the
    question and the answer as they are published, without personal data."""

    answer = forms.CharField(
        label=_("Text of the answer"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent to the sender only; it is never published."),
        error_messages={"required": _("Write the answer.")},
    )
    public_summary = forms.CharField(
        label=_("The question, as published"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Restate the question without names, numbers or addresses; it is published with the answer."),
        error_messages={
            "required": _("The sender allowed publication: restate the question without names, numbers or addresses.")
        },
    )
    public_answer = forms.CharField(
        label=_("The answer, as published"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Published with the question instead of your answer: no names, numbers, addresses or dossier codes."
        ),
        error_messages={
            "required": _(
                "The sender allowed publication: write the answer as it is published, without names, numbers or "
                "addresses."
            )
        },
    )

    PUBLIC_FIELDS = ("public_summary", "public_answer")

    def __init__(self, *args, feedback, **kwargs):
        super().__init__(*args, **kwargs)
        if not feedback.may_publish:
            for name in self.PUBLIC_FIELDS:
                del self.fields[name]

    def public_fields(self) -> list:
        """The bound fields of what is published (none when the sender did not allow publication)."""
        return [self[name] for name in self.PUBLIC_FIELDS if name in self.fields]


class FeedbackMoveForm(forms.Form):
    """Pass the feedback to one of the units ``targets`` (from ``move_targets``), saying why."""

    to_agency = forms.ModelChoiceField(
        label=_("Pass it to"),
        queryset=Agency.objects.none(),
        empty_label=_("— Choose a unit —"),
        error_messages={
            "required": _("Choose the unit."),
            "invalid_choice": _("You cannot pass this feedback to that unit."),
        },
    )
    note = forms.CharField(
        label=_("Why it goes to that unit"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why it goes to that unit.")},
    )

    def __init__(self, *args, targets: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(pk__in=[unit.pk for unit in targets]).order_by("path")
