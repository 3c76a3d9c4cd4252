"""Forms of reviews (agenda, minutes, decision, action items) and risks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from collaboration.selectors import team_users
from core.forms import DATE, DATETIME, short_text
from core.text import no_control_characters
from monitoring.models import ReviewActionItem, ReviewDecision, ReviewMeeting, Risk
from projects.models import (
    Project,
)


class ReviewForm(forms.ModelForm):
    """Schedule or move a review; the past-date and team rules are `review_schedule`'s."""

    attendees = forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Only members of the project's team can attend.")},
    )

    class Meta:
        model = ReviewMeeting
        fields = ["scheduled_for", "duration_minutes", "location", "attendees", "agenda"]
        widgets = {"scheduled_for": DATETIME, "agenda": short_text(6)}
        help_texts = {
            "agenda": _("Left empty, it is drafted from what changed since the last review."),
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = team_users(project)


class ReviewAgendaForm(forms.ModelForm):
    class Meta:
        model = ReviewMeeting
        fields = ["agenda"]
        widgets = {"agenda": short_text(8)}


class ReviewMinutesForm(forms.ModelForm):
    class Meta:
        model = ReviewMeeting
        fields = ["minutes"]
        widgets = {"minutes": short_text(10)}


class ReviewHoldForm(forms.Form):
    """Record a review as held: the decision drives the cycle (`review_hold`)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", "—"), *ReviewDecision.choices],
        error_messages={
            "required": _("Choose the decision of the review."),
            "invalid_choice": _("Choose one of the listed decisions."),
        },
    )
    decision_note = forms.CharField(
        validators=[no_control_characters],
        label=_("Reason for the decision"),
        required=False,
        max_length=2000,
        widget=short_text(2),
    )
    # Left out or empty, the minutes already saved are kept.
    minutes = forms.CharField(
        validators=[no_control_characters],
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=short_text(4),
    )


class ReviewActionItemForm(forms.ModelForm):
    class Meta:
        model = ReviewActionItem
        fields = ["title", "owner", "due_date"]
        widgets = {"due_date": DATE}
        error_messages = {
            "owner": {
                "invalid_choice": _("The owner of an action must be on the project's team."),
            },
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_users(project)


class RiskForm(forms.ModelForm):
    """A risk of the project; its owner is someone on the team."""

    class Meta:
        model = Risk
        fields = [
            "title",
            "category",
            "probability",
            "impact",
            "owner",
            "description",
            "mitigation",
            "status",
            "due_date",
            "last_reviewed_on",
        ]
        widgets = {
            "description": short_text(2),
            "mitigation": short_text(2),
            "due_date": DATE,
            "last_reviewed_on": DATE,
            "probability": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["owner"].queryset = team_users(project)
