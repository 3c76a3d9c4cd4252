"""The project page: every stage's records, the gate, the allowed transitions, the history."""

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from collaboration.access import updatable_task_ids
from collaboration.models import ActivityVerb, TaskStatus
from collaboration.selectors import comments_of
from collaboration.views.comments import comment_form_context
from insights.lessons import similar_lessons
from monitoring.forms import ReviewForm
from monitoring.models import ReviewDecision
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
from ..selectors import closure_metrics, strategy_changes

SIMILAR_LESSONS_STAGES = (Stage.INITIATION, Stage.STRATEGY)
TASKS_SHOWN = 15
CHANGES_SHOWN = 10  # the latest changes on the page; the history page has them all


def project_page_context(
    request: HttpRequest, project: Project, *, bound: dict | None = None
) -> dict:
    """Everything the project page shows, in a fixed number of queries."""
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
    # The page shows the tasks to act on, open and soonest due first; the task list has all.
    tasks = list(
        project.tasks.select_related("assignee", "department")
        .annotate(
            finished=ExpressionWrapper(Q(status=TaskStatus.DONE), BooleanField()),
            total=Window(Count("id")),  # counted before the LIMIT, in the same query
        )
        .order_by("finished", F("due_date").asc(nulls_last=True), "id")[:TASKS_SHOWN]
    )
    tasks_total = tasks[0].total if tasks else 0
    reviews = list(project.reviews.all())
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
            "reviews": ReviewForm(project=project, prefix="reviews"),
            "closure": ClosureReportForm(instance=report, prefix="closure"),
            "lessons": LessonForm(prefix="lessons", initial={"stage": project.stage}),
        }
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
    # Where the closure step pays off: a new project and its strategy learn from earlier ones.
    show_similar_lessons = project.stage in SIMILAR_LESSONS_STAGES
    # A request sent back in this stage, and nothing asked since: the owner reads why here.
    sent_back = None
    if not project.awaiting_approval:
        sent_back = (
            project.activities.filter(
                verb=ActivityVerb.APPROVAL_SENT_BACK, created_at__gte=project.stage_entered_at
            )
            .select_related("actor")
            .first()
        )
    return {
        **comment_form_context(request, project),
        "sent_back": sent_back,
        "comments": list(comments_of(project)),
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
        "tasks": tasks,
        "tasks_total": tasks_total,
        "updatable_tasks": updatable_task_ids(user, project, tasks),
        "reviews": reviews,
        "decision_choices": ReviewDecision.choices,
        "now": timezone.now(),
        "report": report,
        "lessons": list(project.lessons.all()),
        "show_similar_lessons": show_similar_lessons,
        "similar_lessons": similar_lessons(project, user=user) if show_similar_lessons else [],
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
