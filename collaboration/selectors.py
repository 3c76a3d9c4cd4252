"""Reads of the team work, each in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Department, User
from accounts.people import team_eligible_people
from projects.access import projects_visible_to
from projects.models import OPEN_STAGES, Project, ProjectMembership, Stage, TeamRole

from .models import Activity, Comment, Task, TaskStatus, overdue_task

# Which lead role of the iron triangle answers for each stage (DESIGN.md, "Collaboration"):
# the account lead carries the customer from first contact to closing, the solution lead
# shapes the offer, the fulfilment lead plans and delivers what was sold.
STAGE_LEADS: dict[str, tuple[str, ...]] = {
    Stage.INITIATION: (TeamRole.ACCOUNT_LEAD,),
    Stage.GOAL_SETTING: (TeamRole.ACCOUNT_LEAD,),
    Stage.RESOURCE_ALLOCATION: (TeamRole.ACCOUNT_LEAD, TeamRole.FULFILMENT_LEAD),
    Stage.STRATEGY: (TeamRole.ACCOUNT_LEAD, TeamRole.SOLUTION_LEAD),
    Stage.EXECUTION: (TeamRole.SOLUTION_LEAD, TeamRole.FULFILMENT_LEAD),
    Stage.MONITORING: (TeamRole.ACCOUNT_LEAD,),
    Stage.CLOSURE: (TeamRole.ACCOUNT_LEAD, TeamRole.FULFILMENT_LEAD),
}


def team_members(project: Project) -> list[ProjectMembership]:
    return list(
        project.memberships.active()
        .select_related("user", "department")
        .order_by("department__sort_order", "department__code", "role", "user__username")
    )


def team_by_department(members: list[ProjectMembership]) -> list[tuple[Department | None, list]]:
    groups: dict[int | None, tuple[Department | None, list]] = {}
    for membership in members:
        groups.setdefault(membership.department_id, (membership.department, []))[1].append(
            membership
        )
    return list(groups.values())


@dataclass
class MatrixCell:
    tasks: int = 0
    open_tasks: int = 0
    leads: list[str] = field(default_factory=list)


@dataclass
class MatrixRow:
    department: Department | None
    cells: list[MatrixCell]


@dataclass
class Matrix:
    stages: list[Stage]
    rows: list[MatrixRow]
    gaps: list[tuple[Stage, list[str]]]  # per stage, what is missing (translated text)


def responsibility_matrix(project: Project, members: list[ProjectMembership]) -> Matrix:
    """Departments × stages: tasks each department holds and the lead roles it fills, and for
    each stage what nobody holds (no lead for a role the stage needs, no task at all)."""
    from django.utils.translation import gettext as _

    counts = (
        project.tasks.values("department", "stage")
        .annotate(total=Count("id"), open=Count("id", filter=~Q(status=TaskStatus.DONE)))
        .order_by()
    )
    by_cell = {(row["department"], row["stage"]): row for row in counts}
    departments: dict[int | None, Department | None] = {
        m.department_id: m.department for m in members
    }
    for department_id, _stage in by_cell:
        departments.setdefault(department_id, None)
    missing = [pk for pk, dept in departments.items() if pk is not None and dept is None]
    for dept in Department.objects.filter(pk__in=missing):
        departments[dept.pk] = dept
    roles_by_department: dict[int | None, set[str]] = {}
    for membership in members:
        roles_by_department.setdefault(membership.department_id, set()).add(membership.role)
    ordered = sorted(
        departments.items(),
        key=lambda item: (item[1] is None, item[1].sort_order if item[1] else 0, item[0] or 0),
    )
    rows = []
    for department_id, department in ordered:
        cells = []
        for stage in OPEN_STAGES:
            row = by_cell.get((department_id, stage.value), {})
            held = roles_by_department.get(department_id, set())
            cells.append(
                MatrixCell(
                    tasks=row.get("total", 0),
                    open_tasks=row.get("open", 0),
                    leads=[str(TeamRole(r).label) for r in STAGE_LEADS[stage] if r in held],
                )
            )
        rows.append(MatrixRow(department=department, cells=cells))
    held_anywhere = {m.role for m in members}
    gaps = []
    for index, stage in enumerate(OPEN_STAGES):
        problems = [
            _("no %(role)s") % {"role": TeamRole(role).label.lower()}
            for role in STAGE_LEADS[stage]
            if role not in held_anywhere
        ]
        if not any(row.cells[index].tasks for row in rows):
            problems.append(_("no tasks"))
        gaps.append((stage, problems))
    return Matrix(stages=OPEN_STAGES, rows=rows, gaps=gaps)


def tasks_with_people(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.select_related("assignee", "department", "project").prefetch_related(
        Prefetch(
            "dependencies",
            queryset=Task.objects.only("id", "title", "project_id", "status", "due_date"),
        )
    )


def overdue_first(queryset: QuerySet[Task], today: datetime.date | None = None) -> QuerySet[Task]:
    """Overdue tasks first (oldest due first), then by due date, undated last."""
    today = today or timezone.localdate()
    return queryset.annotate(
        overdue=Case(
            When(overdue_task(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        finished=Case(
            When(status=TaskStatus.DONE, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).order_by("-overdue", "finished", F("due_date").asc(nulls_last=True), "id")


def my_tasks(user: User) -> QuerySet[Task]:
    """The tasks assigned to `user` on projects they can still see, overdue first."""
    mine = Task.objects.filter(assignee=user, project__in=projects_visible_to(user))
    return overdue_first(tasks_with_people(mine))


def activity_of(projects: QuerySet[Project]) -> QuerySet[Activity]:
    return Activity.objects.filter(project__in=projects).select_related(
        "actor", "subject_user", "task", "project"
    )


def personal_feed(user: User) -> QuerySet[Activity]:
    """What happened on the projects `user` owns or is on the team of (for directors too:
    their own projects, not the whole company), newest first."""
    return activity_of(Project.objects.involving(user))


def comments_of(project: Project, task: Task | None = None) -> QuerySet[Comment]:
    comments = Comment.objects.filter(project=project, deleted_at__isnull=True, task=task)
    # The people mentioned, to show their names (collaboration_tags.comment_body): one query.
    return (
        comments.select_related("author").prefetch_related("mentions").order_by("created_at", "id")
    )


def mentionable_people(project: Project) -> QuerySet[User]:
    """Who can be @mentioned on the project: its owner and current team, if team-eligible."""
    on_team = project.memberships.active().values("user")
    return team_eligible_people().filter(Q(pk__in=on_team) | Q(pk=project.owner_id))


def mention_candidates(project: Project) -> list[dict]:
    """The people who can be @mentioned on the project, for the autocomplete."""
    people = mentionable_people(project)
    return [
        {"username": username, "name": User.name_from(*names)}
        for username, *names in people.order_by("username").values_list(
            "username", *User.NAME_FIELDS
        )
    ]


def team_users(project: Project) -> QuerySet[User]:
    """The active people on the project's team now: who may attend its reviews and own its
    actions and risks."""
    on_team = User.objects.filter(pk__in=project.memberships.active().values("user"))
    return team_eligible_people(on_team).distinct().order_by("full_name", "username")
