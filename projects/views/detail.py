"""The project page: every stage's records, the gate, the allowed transitions, the history."""

from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from projects.models import IRON_TRIANGLE

from ..access import can_edit_project
from ..forms import (
    AllocationForm,
    ClosureReportForm,
    FeasibilityForm,
    GoalForm,
    GoalProgressForm,
    LessonForm,
    MembershipForm,
    StrategyForm,
    TransitionForm,
)
from ..history import changes_described, project_changes
from ..lifecycle import available_actions, evaluate_gate, stage_durations, stage_policies
from ..models import (
    ClosureReport,
    Feasibility,
    Outcome,
    Project,
    ReasonCategory,
    Stage,
    StrategyStatus,
)
from ..pages import TASKS_SHOWN, ProjectPage, panels_context
from ..selectors import closure_metrics, strategy_changes

__all__ = ["TASKS_SHOWN", "project_page_context"]

CHANGES_SHOWN = 10  # the latest changes on the page; the history page has them all


def project_page_context(
    request: HttpRequest, project: Project, *, bound: dict | None = None
) -> dict:
    """Everything the project page shows, in a fixed number of queries: what projects owns,
    then what each app above it adds (`projects.pages.project_panels`)."""
    user: User = request.user
    editable = can_edit_project(user, project)
    feasibility = Feasibility.objects.filter(project=project).select_related("decided_by").first()
    report = ClosureReport.objects.filter(project=project).first()
    goals = list(project.goals.select_related("owner"))
    allocations = list(project.allocations.select_related("department", "person"))
    strategies = list(
        project.strategies.select_related("created_by", "supersedes").prefetch_related("tasks")
    )
    team = list(project.memberships.active().select_related("user", "department"))
    history = list(project.transitions.select_related("actor"))
    policies = stage_policies()
    bound = bound or {}
    forms = {}
    if editable:
        forms = {
            "feasibility": FeasibilityForm(instance=feasibility, prefix="feasibility"),
            "goals": GoalForm(prefix="goals", initial={"owner": project.owner_id}),
            "resources": AllocationForm(prefix="resources"),
            "strategies": StrategyForm(prefix="strategies"),
            "team": MembershipForm(project=project, prefix="team"),
            "closure": ClosureReportForm(instance=report, prefix="closure"),
            "lessons": LessonForm(prefix="lessons", initial={"stage": project.stage}),
        }
    panels = panels_context(ProjectPage(request, project, editable, forms))
    if editable:
        forms.update(bound)
        _share_people(
            forms["goals"].fields["owner"],
            forms["resources"].fields["person"],
            forms["team"].fields["user"],
        )
    for strategy in strategies:
        if strategy.status == StrategyStatus.DRAFT:
            # A draft revision: what it changed, and (for the owner) its own edit form.
            strategy.changes = strategy_changes(strategy)
            if editable:
                prefix = f"strategy-{strategy.pk}"
                strategy.edit_form = bound.get(prefix) or StrategyForm(
                    instance=strategy, prefix=prefix
                )
    current = Stage(project.stage)
    order = list(Stage)
    path = [
        {
            "stage": stage,
            "state": "done"
            if order.index(stage) < order.index(current)
            else ("current" if stage == current else "ahead"),
        }
        for stage in order
    ]
    policy = policies.get(project.stage)
    lead_roles = {m.role for m in team if m.department_id}
    return {
        **panels,
        "project": project,
        "editable": editable,
        "gate": evaluate_gate(project),
        "actions": available_actions(project, user),
        "transition_form": TransitionForm(),
        "outcome_choices": [
            (Outcome.LOST, Outcome.LOST.label),
            (Outcome.CANCELLED, Outcome.CANCELLED.label),
        ],
        "reason_choices": ReasonCategory.choices,
        "path": path,
        "norm_days": policy.norm_days if policy else None,
        "feasibility": feasibility,
        "goals": goals,
        "goal_rows": [
            (goal, GoalProgressForm(instance=goal, prefix=f"goal-{goal.pk}") if editable else None)
            for goal in goals
        ],
        "allocations": allocations,
        "metrics": closure_metrics(project),
        "strategies": strategies,
        "team": team,
        "iron_triangle": [(role, role.value in lead_roles) for role in IRON_TRIANGLE],
        "now": timezone.now(),
        "report": report,
        "lessons": list(project.lessons.all()),
        "history": history,
        "changes": changes_described(project_changes(project)[:CHANGES_SHOWN]),
        "durations": [
            (Stage(stage).label, days) for stage, days in stage_durations(history, project).items()
        ],
        "forms": forms,
    }


def _share_people(*fields) -> None:
    """Three pickers of a person (goal owner, resource person, new team member) offer the same
    active people: read them once and give each field the list. Choosing still checks the
    field's own queryset."""
    rows = fields[0].queryset.values_list("pk", *User.NAME_FIELDS)
    people = [(pk, User.name_from(*names)) for pk, *names in rows]
    for field in fields:
        field.choices = (
            [("", field.empty_label)] if field.empty_label is not None else []
        ) + people
