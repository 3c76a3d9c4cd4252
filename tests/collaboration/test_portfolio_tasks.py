"""The open projects' task list (/tasks/): only what the reader may see and never a closed
project's work, overdue first, every filter, names offered only from the tasks listed, bad
input shown without a 500, a query count that does not grow with the rows, and page links that
keep a filter chosen several times."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from collaboration.models import TaskStatus
from core.templatetags.core_tags import page_url
from projects.models import Stage, TeamRole
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate  # called at use: a run may cross midnight


def days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def tasks_url() -> str:
    return reverse("collaboration:portfolio_tasks")


def listed(response) -> set[int]:
    return {task.pk for task in response.context["page"]}


def choices(response, name: str) -> set:
    return set(response.context["filter"].form.fields[name].queryset)


# --- who sees which tasks ----------------------------------------------------------------------
@pytest.fixture
def workload(manager, member):
    """The manager's open project with the member on its team, someone else's open project the
    member is not on, and a closed project the member was on: one task on each."""
    own = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=own, user=member, role=TeamRole.MEMBER)
    theirs = ProjectFactory(stage=Stage.STRATEGY)
    closed = ProjectFactory(owner=manager, stage=Stage.CLOSED)
    ProjectMembershipFactory(project=closed, user=member, role=TeamRole.MEMBER)
    return {
        "own": TaskFactory(project=own, assignee=member, due_date=days(3)),
        "theirs": TaskFactory(
            project=theirs, assignee=UserFactory(username="hana-hidden"), due_date=days(3)
        ),
        "closed": TaskFactory(
            project=closed, assignee=UserFactory(username="cleo-closed"), due_date=days(-3)
        ),
    }


def test_it_requires_sign_in(client, workload):
    response = client.get(tasks_url())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_member_sees_only_tasks_of_open_projects_they_are_on(client, member, workload):
    client.force_login(member)

    response = client.get(tasks_url())

    assert response.status_code == 200
    assert listed(response) == {workload["own"].pk}
    page = response.content.decode()
    assert f'data-testid="task-{workload["own"].pk}"' in page
    assert f'data-testid="task-{workload["theirs"].pk}"' not in page
    assert f'data-testid="task-{workload["closed"].pk}"' not in page


def test_outsider_sees_no_tasks(client, outsider, workload):
    client.force_login(outsider)

    response = client.get(tasks_url())

    assert response.status_code == 200
    assert listed(response) == set()


def test_director_sees_every_open_projects_tasks_but_no_closed_ones(client, director, workload):
    client.force_login(director)

    response = client.get(tasks_url())

    assert listed(response) == {workload["own"].pk, workload["theirs"].pk}


def test_overdue_tasks_come_first(client, director):
    project = ProjectFactory(stage=Stage.EXECUTION)
    later = TaskFactory(project=project, due_date=days(10))
    soon = TaskFactory(project=project, due_date=days(1))
    done_late = TaskFactory(project=project, due_date=days(-9), status=TaskStatus.DONE)
    overdue = TaskFactory(project=project, due_date=days(-2))
    undated = TaskFactory(project=project, due_date=None)
    client.force_login(director)

    response = client.get(tasks_url())

    order = [task.pk for task in response.context["page"]]
    assert order == [overdue.pk, soon.pk, later.pk, undated.pk, done_late.pk]
    assert f'data-testid="task-{overdue.pk}" class="row-overdue"' in response.content.decode()


# --- filters -----------------------------------------------------------------------------------
@pytest.fixture
def spread(director):
    """Two open projects of owners in different departments, with customers in different
    industries and regions; tasks of both in two (other) task departments."""
    ann = UserFactory(
        username="ann-accounts",
        role=Role.SALES_MANAGER,
        department=DepartmentFactory(code="key-accounts"),
    )
    ben = UserFactory(
        username="ben-channels",
        role=Role.SALES_MANAGER,
        department=DepartmentFactory(code="channels"),
    )
    delivery = DepartmentFactory(code="delivery")
    solution = DepartmentFactory(code="solution")
    a = ProjectFactory(
        owner=ann,
        stage=Stage.EXECUTION,
        customer=CustomerFactory(industry="finance", region="east"),
    )
    b = ProjectFactory(
        owner=ben,
        stage=Stage.MONITORING,
        customer=CustomerFactory(industry="energy", region="south"),
    )

    def task(project, status, due, department):
        return TaskFactory(
            project=project, status=status, due_date=days(due), department=department
        )

    return {
        "delivery": delivery,
        "solution": solution,
        "ann": ann,
        "ben": ben,
        "a_overdue": task(a, TaskStatus.TODO, -1, delivery),
        "a_blocked": task(a, TaskStatus.BLOCKED, 7, solution),
        "a_done": task(a, TaskStatus.DONE, -1, delivery),
        "b_todo": task(b, TaskStatus.TODO, 3, solution),
        "b_late": task(b, TaskStatus.IN_PROGRESS, -2, delivery),
    }


FILTERS = [
    ("department", lambda s: {"department": s["delivery"].pk}, {"a_overdue", "a_done", "b_late"}),
    ("overdue", lambda s: {"overdue": "true"}, {"a_overdue", "b_late"}),
    ("not-overdue", lambda s: {"overdue": "false"}, {"a_blocked", "a_done", "b_todo"}),
    ("one-status", lambda s: {"status": "todo"}, {"a_overdue", "b_todo"}),
    (
        "two-statuses",
        lambda s: {"status": ["todo", "blocked"]},
        {"a_overdue", "a_blocked", "b_todo"},
    ),
    (
        "project-department",
        lambda s: {"project_department": "key-accounts"},
        {"a_overdue", "a_blocked", "a_done"},
    ),
    # The owner's department, not the task's: nobody owning a project works in delivery.
    ("project-department-not-task", lambda s: {"project_department": "delivery"}, set()),
    ("industry", lambda s: {"industry": "energy"}, {"b_todo", "b_late"}),
    ("region", lambda s: {"region": "east"}, {"a_overdue", "a_blocked", "a_done"}),
    ("project-owner", lambda s: {"project_owner": s["ben"].pk}, {"b_todo", "b_late"}),
    (
        "combined",
        lambda s: {"project_department": "channels", "overdue": "true"},
        {"b_late"},
    ),
]


@pytest.mark.parametrize(
    ("params", "expected"), [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS]
)
def test_each_filter_narrows_the_list(client, director, spread, params, expected):
    client.force_login(director)

    response = client.get(tasks_url(), params(spread))

    assert response.status_code == 200
    assert listed(response) == {spread[name].pk for name in expected}


def test_without_filters_every_task_is_listed(client, director, spread):
    client.force_login(director)

    response = client.get(tasks_url())

    assert len(listed(response)) == 5


def test_names_offered_are_only_the_people_of_the_tasks_listed(
    client, manager, member, outsider, workload
):
    client.force_login(manager)

    response = client.get(tasks_url())

    assignees = choices(response, "assignee")
    owners = choices(response, "project_owner")
    assert assignees == {member}
    assert owners == {manager}
    hidden = workload["theirs"]
    for person in (hidden.assignee, hidden.project.owner, workload["closed"].assignee, outsider):
        assert person not in assignees | owners
    page = response.content.decode()
    assert "hana-hidden" not in page
    assert "cleo-closed" not in page


def test_director_is_not_offered_people_only_on_closed_projects(client, director, workload):
    client.force_login(director)

    response = client.get(tasks_url())

    assert workload["closed"].assignee not in choices(response, "assignee")
    assert workload["theirs"].assignee in choices(response, "assignee")
    assert workload["theirs"].project.owner in choices(response, "project_owner")


@pytest.mark.parametrize(
    "params",
    [
        {"department": "abc"},
        {"project_department": "no-such-department"},
        {"project_owner": "abc"},
        {"assignee": "999999"},
        {"status": "bogus"},
        {"industry": "mars"},
        {"region": "moon"},
        {"overdue": "maybe"},
        {"page": "999"},
        {"page": "abc"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_bad_input_is_a_page_not_a_500(client, director, spread, params):
    client.force_login(director)

    response = client.get(tasks_url(), params)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"department": "abc"}, {"project_department": "no-such-department"}, {"status": "bogus"}],
)
def test_invalid_filter_shows_the_error_by_the_field_and_lists_nothing(
    client, director, spread, params
):
    client.force_login(director)

    response = client.get(tasks_url(), params)

    assert set(response.context["filter"].errors) == set(params)
    assert 'class="field-error"' in response.content.decode()
    assert listed(response) == set()


def test_an_unknown_overdue_value_does_not_filter(client, director, spread):
    client.force_login(director)

    response = client.get(tasks_url(), {"overdue": "maybe"})

    assert len(listed(response)) == 5


def test_a_page_past_the_end_shows_the_last_page(client, director):
    TaskFactory.create_batch(55, project=ProjectFactory(stage=Stage.EXECUTION))
    client.force_login(director)

    response = client.get(tasks_url(), {"page": "999"})

    assert response.context["page"].number == 2
    assert len(listed(response)) == 5


# --- queries -----------------------------------------------------------------------------------
def _add_tasks(count: int) -> None:
    """Tasks each on its own project, owner, assignee and department, so that nothing is
    shared between rows that a query per row could hide behind."""
    for n in range(count):
        TaskFactory(
            project=ProjectFactory(stage=Stage.EXECUTION),
            assignee=UserFactory(role=Role.MEMBER),
            department=DepartmentFactory(),
            due_date=days(n - 5),
        )


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(tasks_url(), params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"status": ["todo", "blocked"], "overdue": "true"}])
def test_query_count_does_not_grow_with_the_tasks(client, director, params):
    client.force_login(director)
    _add_tasks(3)
    few = _queries(client, params)

    _add_tasks(27)

    assert _queries(client, params) == few


# --- pagination keeps repeated filters ---------------------------------------------------------
def next_href(page: str) -> str:
    links = re.findall(r'<nav class="pagination".*?</nav>', page, flags=re.S)
    assert links, "no pagination on the page"
    hrefs = re.findall(r'<a class="button" href="([^"]*)"', links[0])
    return unescape(hrefs[-1])


def test_page_links_keep_both_status_values(client, director):
    project = ProjectFactory(stage=Stage.EXECUTION)
    TaskFactory.create_batch(30, project=project, status=TaskStatus.TODO)
    TaskFactory.create_batch(25, project=project, status=TaskStatus.BLOCKED)
    TaskFactory.create_batch(10, project=project, status=TaskStatus.DONE)
    client.force_login(director)

    first = client.get(tasks_url(), {"status": ["todo", "blocked"]})

    assert first.context["page"].paginator.count == 55
    href = next_href(first.content.decode())
    assert "status=todo&status=blocked" in href
    assert "page=2" in href
    second = client.get(tasks_url() + href)
    statuses = {task.status for task in second.context["page"]}
    assert second.context["page"].number == 2
    assert len(second.context["page"]) == 5
    assert statuses <= {TaskStatus.TODO, TaskStatus.BLOCKED}


def test_previous_link_keeps_both_status_values(client, director):
    project = ProjectFactory(stage=Stage.EXECUTION)
    TaskFactory.create_batch(30, project=project, status=TaskStatus.TODO)
    TaskFactory.create_batch(25, project=project, status=TaskStatus.BLOCKED)
    client.force_login(director)

    second = client.get(tasks_url(), {"status": ["todo", "blocked"], "page": "2"})

    href = next_href(second.content.decode())
    assert "status=todo&status=blocked" in href
    assert "page=1" in href


def test_page_url_replaces_the_page_and_keeps_every_other_value():
    request = RequestFactory().get("/tasks/?status=todo&status=blocked&q=pilot&page=3")

    url = page_url({"request": request}, 4)

    assert url == "?status=todo&status=blocked&q=pilot&page=4"
