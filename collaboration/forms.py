"""Page forms of the team work. The rules themselves live in `collaboration.services`; a form
that fails them gets the service's errors next to its fields."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.people import team_eligible_people
from core.forms import DateInput
from core.text import no_control_characters
from projects.models import Project, TeamRole

from .access import active_members
from .models import Comment, Interaction, Task, TaskStatus


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "title",
            "description",
            "stage",
            "department",
            "assignee",
            "status",
            "blocked_reason",
            "priority",
            "start_date",
            "due_date",
            "progress",
            "estimate_hours",
            "is_milestone",
            "dependencies",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "due_date": DateInput(),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
            "dependencies": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        people = active_members(project).exclude(role=TeamRole.OBSERVER).values("user")
        self.fields["assignee"].queryset = team_eligible_people().filter(
            Q(pk__in=people) | Q(pk=project.owner_id)
        )
        # Every task of the project is offered; the service refuses a cycle with a clear error.
        others = project.tasks.exclude(pk=self.instance.pk) if self.instance.pk else project.tasks
        self.fields["dependencies"].queryset = others.all()
        self.fields["dependencies"].required = False
        if not self.instance.pk:
            self.initial.setdefault("stage", project.stage)

    def date_conflicts(self) -> list[Task]:
        """The tasks it depends on that are due after it starts (a warning shown by the form):
        as submitted when the form was posted, else as stored."""
        if hasattr(self, "cleaned_data"):
            start = self.cleaned_data.get("start_date")
            dependencies = self.cleaned_data.get("dependencies") or []
        elif self.instance.pk:
            start, dependencies = self.instance.start_date, self.instance.dependencies.all()
        else:
            return []
        planned = Task(start_date=start)
        return [task for task in dependencies if planned.starts_before_due_of(task)]


class TaskProgressForm(forms.Form):
    """The one-click update of status and progress (My tasks, the kanban, the task page)."""

    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, required=False)
    progress = forms.IntegerField(
        label=_("Progress (%)"), min_value=0, max_value=100, required=False
    )
    blocked_reason = forms.CharField(
        validators=[no_control_characters],
        label=_("Blocked reason"),
        max_length=500,
        required=False,
    )


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "data-mentions": ""})}
        labels = {"body": _("Comment")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The service trims and checks it, so an all-blank comment gets the service's message.
        self.fields["body"].required = False
        self.fields["body"].strip = False


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["project", "kind", "occurred_on", "contact", "summary", "next_step"]
        widgets = {"occurred_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, projects, contacts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["contact"].queryset = contacts
        self.fields["summary"].required = False
