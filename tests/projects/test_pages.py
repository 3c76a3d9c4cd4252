"""The project pages: who sees what, bad input, and query counts that do not grow."""

import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from customers.models import Customer
from projects.models import Project, ProjectMembership, Stage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_project(owner, n: int = 0, **extra) -> Project:
    customer, _ = Customer.objects.get_or_create(
        name=f"Page customer {n}", defaults={"industry": "finance", "region": "east"}
    )
    return Project.objects.create(
        code=f"SP-2026-{9000 + n:04d}",
        name=f"Page project {n}",
        customer=customer,
        owner=owner,
        background="An opportunity.",
        estimated_value=1000 + n,
        expected_close_date=datetime.date(2027, 6, 30),
        **extra,
    )


@pytest.fixture
def project(manager):
    return make_project(manager)


@pytest.fixture
def team_member(project):
    user = UserFactory(username="tina-team", role=Role.MEMBER)
    ProjectMembership.objects.create(project=project, user=user, role="member")
    return user


@pytest.fixture
def observer(project):
    user = UserFactory(username="otto-observer", role=Role.MEMBER)
    ProjectMembership.objects.create(project=project, user=user, role="observer")
    return user


def test_anonymous_is_sent_to_sign_in(client, project):
    response = client.get(reverse("projects:project_detail", args=[project.pk]))

    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize(
    ("who", "status", "editable"),
    [
        ("owner", 200, True),
        ("director", 200, True),
        ("team_member", 200, False),
        ("observer", 200, False),
        ("outsider", 404, False),
        ("other_manager", 404, False),
    ],
)
def test_project_page_access(client, request, project, who, status, editable):
    users = {
        "owner": lambda: project.owner,
        "director": lambda: request.getfixturevalue("director"),
        "team_member": lambda: request.getfixturevalue("team_member"),
        "observer": lambda: request.getfixturevalue("observer"),
        "outsider": lambda: request.getfixturevalue("outsider"),
        "other_manager": lambda: UserFactory(username="olga-manager", role=Role.SALES_MANAGER),
    }
    client.force_login(users[who]())

    response = client.get(reverse("projects:project_detail", args=[project.pk]))

    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert ('data-testid="save-feasibility"' in body) is editable
        assert ('data-testid="action-advance-goal_setting"' in body) is editable


@pytest.mark.parametrize("who", ["team_member", "observer", "outsider"])
def test_only_owner_or_director_can_write_records(client, request, project, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(
        reverse("projects:section_save", args=[project.pk, "feasibility"]),
        {"feasibility-market_research": "x", "feasibility-decision": "go"},
    )

    assert response.status_code == (404 if who == "outsider" else 403)
    assert not hasattr(Project.objects.get(pk=project.pk), "feasibility")


def test_member_cannot_advance_stage_from_the_page(client, project, team_member):
    client.force_login(team_member)

    client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING, "from_stage": Stage.INITIATION},
    )

    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


def test_list_shows_only_visible_projects(client, manager, outsider, project):
    make_project(outsider, n=1)
    client.force_login(manager)

    body = client.get(reverse("projects:project_list")).content.decode()

    assert "Page project 0" in body
    assert "Page project 1" not in body


def test_advance_with_unmet_gate_keeps_stage_and_shows_criteria(client, manager, project):
    client.force_login(manager)
    client.cookies.load({"salescycle_language": "en"})

    response = client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING, "from_stage": Stage.INITIATION},
        follow=True,
    )

    project.refresh_from_db()
    assert project.stage == Stage.INITIATION
    assert 'data-testid="criterion-feasibility_go" data-met="false"' in response.content.decode()


def test_board_move_with_unmet_gate_shows_unmet_on_the_card(client, manager, project):
    client.force_login(manager)

    response = client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING, "from_stage": Stage.INITIATION, "source": "board"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert 'data-testid="unmet"' in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


def test_a_card_sent_back_after_a_board_move_keeps_its_flags(client, manager, project):
    from tests.factories import ReviewMeetingFactory

    ReviewMeetingFactory(project=project, scheduled_for=timezone.now() - timedelta(days=2))
    client.force_login(manager)

    response = client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING, "from_stage": Stage.INITIATION, "source": "board"},
        HTTP_HX_REQUEST="true",
    )

    assert 'data-testid="flag-review-overdue"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"goals-target": "-5"}, "target"),
        ({"goals-target": "abc"}, "target"),
        ({"goals-deadline": "2020-01-01"}, "deadline"),
        ({"goals-metric": "bogus"}, "metric"),
        ({"goals-title": ""}, "title"),
        ({"goals-title": "x" * 201}, "title"),
    ],
)
def test_bad_goal_input_gets_a_field_error_and_saves_nothing(client, manager, project, data, field):
    client.force_login(manager)
    valid = {
        "goals-metric": "revenue",
        "goals-title": "Revenue",
        "goals-target": "100",
        "goals-unit": "CNY",
        "goals-current_value": "0",
        "goals-deadline": "2030-01-01",
        "goals-owner": str(manager.pk),
    }

    response = client.post(
        reverse("projects:section_save", args=[project.pk, "goals"]), {**valid, **data}
    )

    assert response.status_code == 200
    assert f'id="id_goals-{field}_error"' in response.content.decode()
    assert project.goals.count() == 0


def test_duplicate_customer_name_in_other_case_is_rejected(client, manager):
    Customer.objects.create(name="Acme Ltd", industry="finance", region="east")
    client.force_login(manager)

    response = client.post(
        reverse("customers:customer_create"),
        {"name": "ACME LTD", "industry": "finance", "region": "east"},
    )

    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert Customer.objects.count() == 1


def test_member_cannot_create_projects(client, member):
    client.force_login(member)

    assert client.get(reverse("projects:project_create")).status_code == 403


def test_new_project_gets_a_code_and_owner_membership(client, manager):
    customer = Customer.objects.create(name="Code Co", industry="retail", region="south")
    client.force_login(manager)

    response = client.post(
        reverse("projects:project_create"),
        {"name": "Fresh", "customer": customer.pk, "currency": "CNY", "review_cadence": "none"},
    )

    project = Project.objects.get(name="Fresh")
    assert response.status_code == 302
    assert project.code.startswith(f"SP-{datetime.date.today().year}-")
    assert project.owner == manager
    assert project.memberships.filter(user=manager, role="owner").exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["projects:project_list", "projects:project_board"])
def test_list_and_board_query_count_does_not_grow(client, director, url_name):
    owner = UserFactory(username="qc-owner", role=Role.SALES_MANAGER)
    make_project(owner, n=0)
    client.force_login(director)
    url = reverse(url_name)
    one = _queries(client, url)

    for n in range(1, 40):
        make_project(owner, n=n, stage=list(Stage)[n % 8] if n % 8 != 7 else Stage.INITIATION)

    assert _queries(client, url) == one


def test_board_column_shows_the_longest_waiting_cards_and_links_the_rest(
    client, director, manager, monkeypatch
):
    monkeypatch.setattr("projects.views.projects.BOARD_CARDS_PER_STAGE", 2)
    now = timezone.now()
    waiting = {}
    for n, days in enumerate([3, 40, 10, 25], start=1):
        project = make_project(manager, n=n, stage=Stage.STRATEGY)
        Project.objects.filter(pk=project.pk).update(stage_entered_at=now - timedelta(days=days))
        waiting[days] = project
    elsewhere = make_project(manager, n=9, stage=Stage.EXECUTION)
    client.force_login(director)

    response = client.get(reverse("projects:project_board"), HTTP_ACCEPT_LANGUAGE="en")

    columns = {stage: cards for stage, _count, cards in response.context["columns"]}
    assert [card.pk for card in columns[Stage.STRATEGY]] == [waiting[40].pk, waiting[25].pk]
    assert [card.pk for card in columns[Stage.EXECUTION]] == [elsewhere.pk]
    assert columns[Stage.INITIATION] == []
    counts = {stage: count for stage, count, _cards in response.context["columns"]}
    assert counts[Stage.STRATEGY] == 4
    html = response.content.decode()
    assert "All 4 in the list" in html
    assert f"card-{waiting[3].code}" not in html


def test_board_shows_a_manager_only_projects_they_may_see(client, manager, director):
    mine = make_project(manager, n=1, stage=Stage.EXECUTION)
    other_manager = UserFactory(username="board-other", role=Role.SALES_MANAGER)
    theirs = make_project(other_manager, n=2, stage=Stage.EXECUTION)
    on_team = make_project(other_manager, n=3, stage=Stage.EXECUTION)
    ProjectMembership.objects.create(project=on_team, user=manager, role="member")
    client.force_login(manager)

    html = client.get(reverse("projects:project_board")).content.decode()

    assert f"card-{mine.code}" in html
    assert f"card-{on_team.code}" in html
    assert f"card-{theirs.code}" not in html


def test_project_page_shows_open_tasks_soonest_due_first_and_links_all(client, manager, project):
    from collaboration.models import TaskStatus
    from projects.views.detail import TASKS_SHOWN
    from tests.factories import TaskFactory

    start = datetime.date(2027, 1, 1)
    done = [
        TaskFactory(project=project, title=f"Done {n}", status=TaskStatus.DONE, due_date=start)
        for n in range(2)
    ]
    undated = TaskFactory(project=project, title="Undated")
    open_tasks = [
        TaskFactory(project=project, title=f"Open {n}", due_date=start + timedelta(days=n))
        for n in range(TASKS_SHOWN)
    ]
    client.force_login(manager)

    response = client.get(
        reverse("projects:project_detail", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    shown = [task.pk for task in response.context["tasks"]]
    assert shown == [task.pk for task in open_tasks]  # dated open tasks, soonest first
    assert undated.pk not in shown and not {t.pk for t in done} & set(shown)
    html = response.content.decode()
    assert f"{TASKS_SHOWN} of {TASKS_SHOWN + 3} tasks shown" in html
    assert 'data-testid="all-tasks-link"' in html


def test_project_page_query_count_does_not_grow(client, manager, project):
    client.force_login(manager)
    url = reverse("projects:project_detail", args=[project.pk])

    def add_records(n: int) -> None:
        project.goals.create(
            metric="revenue",
            title=f"g{n}",
            target=10,
            unit="CNY",
            deadline=datetime.date(2030, 1, 1),
            owner=manager,
        )
        project.strategies.create(kind="pricing", summary=f"s{n}", actions="a\nb")
        project.allocations.create(kind="people", description=f"r{n}")

    add_records(0)
    before = _queries(client, url)
    for n in range(1, 10):
        add_records(n)

    assert _queries(client, url) == before


@pytest.fixture
def goal(project, manager):
    return project.goals.create(
        metric="revenue",
        title="R",
        target=200,
        unit="CNY",
        deadline=datetime.date(2030, 1, 1),
        owner=manager,
    )


def _post_progress(client, project, goal, value: str):
    return client.post(
        reverse("projects:goal_progress", args=[project.pk, goal.pk]),
        {f"goal-{goal.pk}-current_value": value},
    )


def test_goal_progress_update(client, manager, project, goal):
    client.force_login(manager)

    _post_progress(client, project, goal, "50")

    goal.refresh_from_db()
    assert goal.progress_percent == 25
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert '<progress class="progress-bar" max="100" value="25"' in response.content.decode()


def test_goal_progress_rejects_non_numbers_and_readers(client, manager, project, goal, team_member):
    client.force_login(manager)
    _post_progress(client, project, goal, "lots")
    client.force_login(team_member)

    response = _post_progress(client, project, goal, "150")

    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.current_value == 0


def test_removing_a_superseded_strategy_is_refused_not_an_error(client, manager, project):
    from projects.services import strategies_open_revisions

    old = project.strategies.create(kind="pricing", summary="s", actions="a")
    strategies_open_revisions(project=project, actor=manager)
    client.force_login(manager)

    response = client.post(
        reverse("projects:section_item_delete", args=[project.pk, "strategies", old.pk]),
        follow=True,
    )

    assert response.status_code == 200
    assert project.strategies.filter(pk=old.pk).exists()


def test_a_record_never_moves_to_another_project(manager, project):
    from django.core.exceptions import PermissionDenied

    from projects.services import stage_record_save

    other = make_project(manager, n=5)
    goal = project.goals.create(
        metric="revenue",
        title="R",
        target=1,
        unit="x",
        deadline=datetime.date(2030, 1, 1),
        owner=manager,
    )

    with pytest.raises(PermissionDenied):
        stage_record_save(record=goal, project=other, actor=manager)
    goal.refresh_from_db()
    assert goal.project == project


def test_changing_the_owner_moves_the_owner_membership(director, manager, project):
    from projects.services import project_update

    ProjectMembership.objects.create(project=project, user=manager, role="owner")
    new_owner = UserFactory(username="nora-new", role=Role.SALES_MANAGER)

    project.owner = new_owner
    project_update(project=project, actor=director, fields=["owner"])

    active = project.memberships.filter(left_on__isnull=True)
    assert list(active.filter(role="owner").values_list("user__username", flat=True)) == [
        "nora-new"
    ]
    assert not active.filter(user=manager).exists()


def test_a_sales_manager_cannot_change_the_owner_through_the_service(manager, project):
    from django.core.exceptions import PermissionDenied

    from projects.services import project_update

    project.owner = UserFactory(username="nick-new", role=Role.SALES_MANAGER)
    with pytest.raises(PermissionDenied):
        project_update(project=project, actor=manager, fields=["owner", "name"])

    assert Project.objects.get(pk=project.pk).owner == manager
    # Written back unchanged, the owner is no change.
    project = Project.objects.get(pk=project.pk)
    project.name = "Renamed"
    project_update(project=project, actor=manager, fields=["owner", "name"])
    assert Project.objects.get(pk=project.pk).name == "Renamed"


def test_project_update_refuses_the_stage(manager, project):
    from projects.services import project_update

    with pytest.raises(ValueError):
        project_update(project=project, actor=manager, fields=["stage"])


def test_closure_metrics_from_the_records(manager, project):
    from projects.selectors import closure_metrics

    for current, target in [(50, 100), (300, 200)]:
        project.goals.create(
            metric="revenue",
            title="g",
            target=target,
            current_value=current,
            unit="x",
            deadline=datetime.date(2030, 1, 1),
            owner=manager,
        )
    project.allocations.create(kind="budget", description="b", planned_cost=1000, actual_cost=1200)
    project.allocations.create(kind="people", description="p", planned_cost=1000, actual_cost=900)
    from projects.models import ClosureReport

    ClosureReport.objects.create(
        project=project,
        outcome="won",
        closed_on=project.expected_close_date + datetime.timedelta(days=12),
    )
    project.refresh_from_db()

    metrics = closure_metrics(project)

    assert metrics.goal_attainment == 75  # (50% + capped 100%) / 2
    assert (metrics.goals_met, metrics.goals_total) == (1, 2)
    assert metrics.schedule_variance_days == 12
    assert metrics.budget_variance == 100
    assert metrics.budget_variance_percent == 5


def test_closure_metrics_without_records(project):
    from projects.selectors import closure_metrics

    metrics = closure_metrics(project)

    assert metrics.goal_attainment is None
    assert metrics.budget_variance_percent is None
    assert metrics.goals_total == 0


def test_won_closure_report_needs_the_actual_value_on_the_page(client, manager):
    project = make_project(manager, n=7, stage=Stage.CLOSURE)
    client.force_login(manager)

    response = client.post(
        reverse("projects:section_save", args=[project.pk, "closure"]),
        {"closure-outcome": "won", "closure-went_well": "w"},
    )

    assert response.status_code == 200
    assert 'id="id_closure-actual_value_error"' in response.content.decode()
    assert not hasattr(Project.objects.get(pk=project.pk), "closure_report")


@pytest.mark.parametrize(
    "language, due, not_wanted", [("zh-hans", "截止", "操作人"), ("en", "due", "by ")]
)
def test_a_goal_reads_due_before_its_deadline(
    client, manager, project, goal, language, due, not_wanted
):
    manager.language = language
    manager.save()
    client.force_login(manager)

    page = client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()

    line = page.split(f'data-testid="goal-{goal.pk}"', 1)[1].split("<progress", 1)[0]
    assert f"{due} {goal.deadline:%Y-%m-%d}" in line
    assert not_wanted not in line


@pytest.mark.parametrize(
    "value, shown", [("4450000", "4,450,000 CNY"), ("4450000.50", "4,450,000.50 CNY")]
)
def test_a_deal_value_reads_the_same_on_the_list_the_board_and_the_project(
    client, manager, value, shown
):
    from decimal import Decimal

    from tests.factories import ProjectFactory

    project = ProjectFactory(owner=manager, estimated_value=Decimal(value), currency="CNY")
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    for url in (
        reverse("projects:project_list"),
        reverse("projects:project_board"),
        project.get_absolute_url(),
    ):
        assert shown in client.get(url).content.decode(), url


def test_days_in_stage_show_a_norm_only_where_there_is_one_and_not_once_closed(client, manager):
    from projects.models import StagePolicy
    from tests.factories import ProjectFactory

    StagePolicy.objects.filter(stage=Stage.GOAL_SETTING).delete()  # no norm set for it
    no_norm = ProjectFactory(owner=manager, stage=Stage.GOAL_SETTING)
    closed = ProjectFactory(owner=manager, stage=Stage.CLOSED)
    client.force_login(manager)

    open_page = client.get(no_norm.get_absolute_url()).content.decode()
    closed_page = client.get(closed.get_absolute_url()).content.decode()

    days = open_page.split('data-testid="days-in-stage">', 1)[1].split("</span>", 1)[0]
    assert "days in stage" in days and "norm" not in days and "–" not in days
    assert 'data-testid="days-in-stage"' not in closed_page
