"""Page forms: validation of what people type, with errors next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.people import team_eligible_people
from core.forms import DATE, short_text
from core.text import no_control_characters
from projects.models import ProjectMembership

from .access import can_choose_owner, possible_owners
from .models import (
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Outcome,
    Project,
    ReasonCategory,
    ResourceAllocation,
    Stage,
    Strategy,
)
from .rules import (
    check_closure_values,
    check_expected_close_date,
    check_goal_deadline,
    check_goal_target,
)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "customer",
            "owner",
            "background",
            "estimated_value",
            "currency",
            "expected_close_date",
            "review_cadence",
        ]
        widgets = {"background": short_text(4), "expected_close_date": DATE}

    def __init__(self, *args, actor: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offered to whom `project_create` and `project_update` let choose the owner.
        if can_choose_owner(actor):
            self.fields["owner"].queryset = possible_owners()
            self.fields["owner"].required = False
        else:
            del self.fields["owner"]

    def clean_expected_close_date(self):
        value = self.cleaned_data.get("expected_close_date")
        check_expected_close_date(value, changed="expected_close_date" in self.changed_data)
        return value


class FeasibilityForm(forms.ModelForm):
    class Meta:
        model = Feasibility
        fields = ["market_research", "customer_needs", "competitors", "decision"]
        widgets = {
            "market_research": short_text(),
            "customer_needs": short_text(),
            "competitors": short_text(2),
        }


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = [
            "metric",
            "title",
            "baseline",
            "target",
            "unit",
            "current_value",
            "deadline",
            "owner",
            "achievable",
            "relevant",
        ]
        widgets = {"deadline": DATE, "achievable": short_text(2), "relevant": short_text(2)}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_eligible_people()

    def clean_target(self):
        target = self.cleaned_data.get("target")
        check_goal_target(target)
        return target

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        check_goal_deadline(deadline, changed="deadline" in self.changed_data)
        return deadline


class GoalProgressForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["current_value"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["current_value"].widget.attrs["data-testid"] = (
            f"goal-current-{self.instance.pk}"
        )


class AllocationForm(forms.ModelForm):
    class Meta:
        model = ResourceAllocation
        fields = [
            "kind",
            "description",
            "department",
            "person",
            "quantity",
            "planned_cost",
            "actual_cost",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = team_eligible_people()
        self.fields["department"].queryset = Department.objects.filter(is_active=True)


class StrategyForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = ["kind", "summary", "actions"]
        widgets = {"summary": short_text(), "actions": short_text(4)}


class ClosureReportForm(forms.ModelForm):
    class Meta:
        model = ClosureReport
        fields = [
            "outcome",
            "actual_value",
            "reason_category",
            "reason",
            "summary",
            "went_well",
            "to_improve",
            "recommendations",
        ]
        widgets = {
            "reason": short_text(2),
            "summary": short_text(),
            "went_well": short_text(),
            "to_improve": short_text(),
            "recommendations": short_text(2),
        }

    def clean(self):
        cleaned = super().clean()
        try:
            check_closure_values(
                outcome=cleaned.get("outcome"), actual_value=cleaned.get("actual_value")
            )
        except forms.ValidationError as error:
            self.add_error(None, error)
        return cleaned


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["text", "stage"]
        widgets = {"text": short_text(2)}


class MembershipForm(forms.ModelForm):
    class Meta:
        model = ProjectMembership
        fields = ["user", "department", "role", "responsibilities"]
        widgets = {"responsibilities": short_text(2)}

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["user"].queryset = team_eligible_people()
        self.fields["department"].queryset = Department.objects.filter(is_active=True)

    def clean_user(self):
        user = self.cleaned_data["user"]
        on_team = ProjectMembership.objects.active().filter(project=self.project, user=user)
        if self.instance.pk:
            on_team = on_team.exclude(pk=self.instance.pk)
        if on_team.exists():
            raise forms.ValidationError(_("This person is already on the team."))
        return user


class TransitionForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("To stage"), choices=Stage.choices)
    note = forms.CharField(
        validators=[no_control_characters],
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=short_text(2),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", "—"),
            (Outcome.LOST, Outcome.LOST.label),
            (Outcome.CANCELLED, Outcome.CANCELLED.label),
        ],
    )
    reason_category = forms.ChoiceField(
        label=_("Main reason"), required=False, choices=[("", "—"), *ReasonCategory.choices]
    )
