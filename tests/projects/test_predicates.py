"""The domain predicates, each defined once: what they include and what they leave out, on the
real database; and a scan of the source tree that fails when a filter restates one of them."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from collaboration.models import Task, TaskStatus, overdue_task
from projects.models import (
    Goal,
    Project,
    ProjectMembership,
    Stage,
    TeamRole,
    goal_attainment_ratio,
    goal_met,
    open_project,
)
from tests.factories import (
    GoalFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


# --- open project ----------------------------------------------------------------------------
def test_open_is_every_stage_but_closed():
    projects = {stage: ProjectFactory(stage=stage) for stage in Stage}

    open_ids = set(Project.objects.open().values_list("pk", flat=True))
    closed_ids = set(Project.objects.closed().values_list("pk", flat=True))

    assert open_ids == {p.pk for stage, p in projects.items() if stage != Stage.CLOSED}
    assert closed_ids == {projects[Stage.CLOSED].pk}
    assert all(p.is_open == (p.pk in open_ids) for p in projects.values())


def test_open_through_a_related_row_follows_the_project():
    on_open = TaskFactory(project=ProjectFactory(stage=Stage.EXECUTION))
    TaskFactory(project=ProjectFactory(stage=Stage.CLOSED))

    assert list(Task.objects.filter(open_project("project"))) == [on_open]


# --- visible to a person -----------------------------------------------------------------------
@pytest.fixture
def portfolio(manager, member):
    owned = ProjectFactory(owner=manager, name="Owned")
    on_team = ProjectFactory(name="On the team")
    ProjectMembershipFactory(project=on_team, user=member)
    left = ProjectFactory(name="Left the team")
    ProjectMembershipFactory(project=left, user=member, left_on=YESTERDAY)
    elsewhere = ProjectFactory(name="Someone else's")
    return owned, on_team, left, elsewhere


def test_visible_to_a_director_is_everything(director, portfolio):
    assert set(Project.objects.visible_to(director)) == set(Project.objects.all())


def test_visible_to_an_owner_and_a_team_member_is_their_projects(manager, member, portfolio):
    owned, on_team, _left, _elsewhere = portfolio

    assert list(Project.objects.visible_to(manager)) == [owned]
    assert list(Project.objects.visible_to(member)) == [on_team]


def test_visible_to_nobody_signed_in_is_nothing(portfolio):
    assert not Project.objects.visible_to(AnonymousUser()).exists()


def test_involving_a_director_is_only_their_own_projects(director, portfolio):
    mine = ProjectFactory(owner=director)

    assert list(Project.objects.involving(director)) == [mine]


def test_visible_to_narrows_a_given_queryset(member, portfolio):
    _owned, on_team, _left, _elsewhere = portfolio

    assert not Project.objects.closed().visible_to(member).exists()
    assert list(Project.objects.open().visible_to(member)) == [on_team]


def test_visible_to_is_one_query(django_assert_num_queries, member, portfolio):
    assert not member.is_director  # the roles are read once per request, before
    with django_assert_num_queries(1):
        list(Project.objects.visible_to(member))


# --- active team member ------------------------------------------------------------------------
def test_active_memberships_are_those_not_ended(member):
    project = ProjectFactory()
    owner_row = ProjectMembershipFactory(project=project, user=project.owner, role=TeamRole.OWNER)
    current = ProjectMembershipFactory(project=project, user=member)
    observer = ProjectMembershipFactory(project=project, role=TeamRole.OBSERVER)
    ProjectMembershipFactory(project=project, left_on=YESTERDAY)

    expected = {owner_row, current, observer}
    assert set(ProjectMembership.objects.active()) == expected
    assert set(project.memberships.active()) == expected


# --- directors ----------------------------------------------------------------------------------
def test_directors_are_the_active_members_of_the_director_group(director, manager):
    retired = UserFactory(username="retired-director", role=Role.DIRECTOR)
    retired.is_active = False
    retired.save(update_fields=["is_active"])

    assert list(User.objects.directors()) == [director]
    assert list(User.objects.filter(pk=manager.pk).directors()) == []


def test_user_manager_keeps_djangos_behaviour():
    user = User.objects.create_user("newcomer", password="a long pass phrase")

    assert user.check_password("a long pass phrase") and not user.is_staff
    assert User.objects.get_by_natural_key("newcomer") == user


# --- overdue task -------------------------------------------------------------------------------
def test_overdue_is_not_done_and_due_before_today():
    late = TaskFactory(due_date=YESTERDAY, status=TaskStatus.IN_PROGRESS)
    TaskFactory(due_date=YESTERDAY, status=TaskStatus.DONE)
    TaskFactory(due_date=TODAY, status=TaskStatus.TODO)
    TaskFactory(due_date=None, status=TaskStatus.TODO)

    assert list(Task.objects.overdue()) == [late]
    assert Task.objects.aggregate(n=Count("pk", filter=overdue_task()))["n"] == 1
    assert [t.is_overdue for t in Task.objects.order_by("pk")] == [True, False, False, False]


def test_overdue_on_a_given_day():
    task = TaskFactory(due_date=TODAY, status=TaskStatus.TODO)

    assert not Task.objects.overdue(TODAY).exists()
    assert list(Task.objects.overdue(TODAY + datetime.timedelta(days=1))) == [task]


# --- goal attainment ----------------------------------------------------------------------------
def test_goal_attainment_is_capped_between_nothing_and_met():
    project = ProjectFactory()
    half = GoalFactory(project=project, target=Decimal(100), current_value=Decimal(50))
    over = GoalFactory(project=project, target=Decimal(100), current_value=Decimal(150))
    exact = GoalFactory(project=project, target=Decimal(100), current_value=Decimal(100))

    ratios = dict(Goal.objects.annotate(r=goal_attainment_ratio()).values_list("pk", "r"))
    met = set(Goal.objects.filter(goal_met()).values_list("pk", flat=True))

    assert ratios == {half.pk: 0.5, over.pk: 1.0, exact.pk: 1.0}
    assert met == {over.pk, exact.pk}


# --- no second definition -----------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "migrations", "node_modules", "bench", "tools", "var"}
CLOSED_NAMES = {"CLOSED", "OPEN_STAGES", "MATRIX_STAGES"}
FILTERS = {"filter", "exclude", "get", "Q", "When", "get_object_or_404", "get_list_or_404"}
LOOKUPS = {"exact", "in", "lt", "lte", "gt", "gte", "isnull"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIPPED.intersection(path.relative_to(ROOT).parts):
            yield path, ast.parse(path.read_text(), str(path))


def _defines(tree: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.ClassDef | ast.FunctionDef) and n.name == name for n in ast.walk(tree)
    )


def _names(node: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)} | {
        n.id for n in ast.walk(node) if isinstance(n, ast.Name)
    }


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _field(key: str) -> str:
    """The field a lookup tests: "project__stage__in" → "stage"."""
    parts = key.split("__")
    return parts[-2] if len(parts) > 1 and parts[-1] in LOOKUPS else parts[-1]


def _restatements(tree: ast.AST) -> list[tuple[int, str]]:
    """Lookups passed to a filter (filter, exclude, Q, When, get_object_or_404…) that restate a
    predicate."""
    found = []
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        # StagePolicy rows are a stage's settings, not projects: a list of stages is no predicate.
        if _callee(call) not in FILTERS or "StagePolicy" in _names(call.func):
            continue
        for keyword in call.keywords:
            key, names = keyword.arg or "", _names(keyword.value)
            if key.endswith("left_on__isnull"):
                found.append((call.lineno, "active team member"))
            elif _field(key) == "stage" and names & CLOSED_NAMES:
                found.append((call.lineno, "open project"))
            elif key == "groups__name" and "DIRECTOR" in names:
                found.append((call.lineno, "directors"))
            elif key.endswith("due_date__lt"):
                found.append((call.lineno, "overdue task"))
            elif _field(key) == "current_value" and "F" in names:
                found.append((call.lineno, "goal met"))
    return sorted(found)


# Where each predicate is defined: the module holding this class or function may state it.
HOMES = {
    "active team member": "ProjectMembership",
    "open project": "open_project",
    "directors": "UserQuerySet",
    "overdue task": "overdue_task",
    "goal met": "goal_met",
}


def test_no_filter_restates_a_predicate():
    restated = [
        f"{path.relative_to(ROOT)}:{line}: {rule}"
        for path, tree in _sources()
        for line, rule in _restatements(tree)
        if not _defines(tree, HOMES[rule])
    ]

    assert restated == [], "use the one definition (README, 'One definition per predicate')"


def test_the_scan_finds_a_restatement():
    source = """
Project.objects.exclude(stage=Stage.CLOSED)
Task.objects.filter(project__stage__in=OPEN_STAGES)
memberships.filter(user=user, left_on__isnull=True)
User.objects.filter(groups__name=Role.DIRECTOR)
Count("pk", filter=Q(due_date__lt=day))
Goal.objects.filter(current_value__gte=F("target"))
project.transitions.filter(to_stage=Stage.CLOSED)
"""
    rules = [rule for _line, rule in _restatements(ast.parse(source))]

    assert rules == [
        "open project",
        "open project",
        "active team member",
        "directors",
        "overdue task",
        "goal met",
    ]
