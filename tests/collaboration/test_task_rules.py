"""The rules a task's status keeps, wherever it is changed: a task does not start or finish
before the tasks it depends on are done (the error names them), a start date before a
predecessor's due date is shown as a conflict (a warning, not a refusal), and a blocked task
says why. Pages are used as a person uses them: rendered in Chinese, and what was rendered is
posted back."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.models import Task, TaskStatus
from tests.factories import TaskFactory
from tests.html_forms import rendered_form, rendered_forms

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
WAITS_ZH = "尚未完成"  # the heart of the Chinese refusal
BLOCKED_ZH = "请说明任务受阻的原因"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def chinese(manager, member):
    for person in (manager, member):
        person.language = "zh-hans"
        person.save(update_fields=["language"])


@pytest.fixture
def survey(project, team_member):
    """The predecessor: not done yet, due in five days."""
    return TaskFactory(
        project=project,
        title="现场勘察",
        assignee=team_member,
        start_date=days(0),
        due_date=days(5),
    )


@pytest.fixture
def offer(project, team_member, survey):
    """The task that waits for the survey."""
    task = TaskFactory(
        project=project,
        title="Send the offer",
        assignee=team_member,
        start_date=days(6),
        due_date=days(9),
    )
    task.dependencies.add(survey)
    return task


def unchanged(task: Task) -> bool:
    fresh = Task.objects.get(pk=task.pk)
    return (fresh.status, fresh.progress, fresh.blocked_reason) == (
        task.status,
        task.progress,
        task.blocked_reason,
    )


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'<p class="field-error" id="id_{field}_error">([^<]*)</p>', html)


# --- dependencies: the task form ------------------------------------------------------------------
@pytest.mark.parametrize("status", [TaskStatus.IN_PROGRESS, TaskStatus.DONE])
def test_the_task_form_refuses_to_start_or_finish_before_the_predecessor(
    client, manager, chinese, survey, offer, status
):
    client.force_login(manager)
    edit = reverse("collaboration:task_edit", args=[offer.project_id, offer.pk])
    form = rendered_form(client.get(edit).content, data_testid="task-form")

    response = client.post(edit, form.data(status=status))

    assert response.status_code == 200
    (error,) = field_errors(response.content.decode(), "status")
    assert "现场勘察" in error and WAITS_ZH in error
    assert unchanged(offer)


def test_the_task_form_refuses_progress_that_starts_a_waiting_task(
    client, manager, chinese, survey, offer
):
    client.force_login(manager)
    edit = reverse("collaboration:task_edit", args=[offer.project_id, offer.pk])
    form = rendered_form(client.get(edit).content, data_testid="task-form")

    response = client.post(edit, form.data(progress=30))

    (error,) = field_errors(response.content.decode(), "progress")
    assert "现场勘察" in error
    assert unchanged(offer)


def test_once_the_predecessor_is_done_the_task_starts(client, manager, chinese, survey, offer):
    Task.objects.filter(pk=survey.pk).update(status=TaskStatus.DONE, progress=100)
    client.force_login(manager)
    edit = reverse("collaboration:task_edit", args=[offer.project_id, offer.pk])
    form = rendered_form(client.get(edit).content, data_testid="task-form")

    response = client.post(edit, form.data(status=TaskStatus.IN_PROGRESS))

    assert response.status_code == 302
    assert Task.objects.get(pk=offer.pk).status == TaskStatus.IN_PROGRESS


def test_a_new_task_cannot_be_created_started_on_an_unfinished_predecessor(
    client, manager, chinese, survey
):
    client.force_login(manager)
    create = reverse("collaboration:task_create", args=[survey.project_id])
    form = rendered_form(client.get(create).content, data_testid="task-form")

    response = client.post(
        create,
        form.data(title="Quote", status=TaskStatus.DONE, dependencies=[str(survey.pk)]),
    )

    assert "现场勘察" in field_errors(response.content.decode(), "status")[0]
    assert not Task.objects.filter(title="Quote").exists()


def test_a_started_task_cannot_be_made_to_wait_for_an_unfinished_one(
    client, manager, chinese, survey, project
):
    started = TaskFactory(project=project, title="Draft the contract", status="in_progress")
    client.force_login(manager)
    edit = reverse("collaboration:task_edit", args=[project.pk, started.pk])
    form = rendered_form(client.get(edit).content, data_testid="task-form")

    response = client.post(edit, form.data(dependencies=[str(survey.pk)]))

    assert "现场勘察" in field_errors(response.content.decode(), "dependencies")[0]
    assert not started.dependencies.exists()


# --- dependencies: one-click updates ----------------------------------------------------------
def _forms_posting_to(html: bytes, action: str):
    return [form for form in rendered_forms(html) if form.action == action]


def test_the_done_button_on_my_tasks_refuses_and_says_why_in_the_row(
    client, member, chinese, survey, offer
):
    client.force_login(member)
    action = reverse("collaboration:task_progress", args=[offer.project_id, offer.pk])
    page = client.get(reverse("collaboration:my_tasks")).content
    (form,) = [f for f in _forms_posting_to(page, action) if ("status", "done") in f.buttons]

    response = client.post(action, form.data(("status", TaskStatus.DONE)), HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    row = response.content.decode()
    assert f'id="task-{offer.pk}"' in row and "现场勘察" in row and WAITS_ZH in row
    assert unchanged(offer)


def test_progress_alone_on_my_tasks_cannot_start_a_waiting_task(
    client, member, chinese, survey, offer
):
    client.force_login(member)
    action = reverse("collaboration:task_progress", args=[offer.project_id, offer.pk])
    page = client.get(reverse("collaboration:my_tasks")).content
    (form,) = [f for f in _forms_posting_to(page, action) if "progress" in f.names]

    response = client.post(action, form.data(progress=40))  # without JavaScript

    assert response.status_code == 302
    messages = client.get(response.url).content.decode()
    assert "现场勘察" in messages and WAITS_ZH in messages
    assert unchanged(offer)


def test_a_kanban_move_is_refused_with_the_reason_on_the_card(
    client, manager, chinese, survey, offer
):
    client.force_login(manager)
    board = client.get(reverse("collaboration:task_board", args=[offer.project_id])).content
    action = reverse("collaboration:task_progress", args=[offer.project_id, offer.pk])
    move = ("status", TaskStatus.IN_PROGRESS)
    (form,) = [f for f in _forms_posting_to(board, action) if move in f.buttons]

    response = client.post(
        action, form.data(("status", TaskStatus.IN_PROGRESS)), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    card = re.search(
        rf'<article class="board-card[^"]*" id="kcard-{offer.pk}".*?</article>',
        response.content.decode(),
        re.S,
    ).group(0)
    assert "现场勘察" in card and WAITS_ZH in card
    assert unchanged(offer)


# --- dependencies: the API ----------------------------------------------------------------
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def task_url(task: Task) -> str:
    return reverse("api:project-tasks-detail", args=[task.project_id, task.pk])


@pytest.mark.parametrize(
    ("who", "change", "field"),
    [
        ("team_member", {"status": TaskStatus.IN_PROGRESS}, "status"),
        ("team_member", {"status": TaskStatus.DONE}, "status"),
        ("team_member", {"progress": 30}, "progress"),
        ("team_member", {"progress": 100}, "progress"),
        ("manager", {"status": TaskStatus.DONE, "title": "Send the offer now"}, "status"),
    ],
)
def test_the_api_refuses_to_start_a_waiting_task_with_a_field_error(
    request, survey, offer, who, change, field
):
    response = api(request.getfixturevalue(who)).patch(task_url(offer), change, format="json")

    assert response.status_code == 400
    assert "现场勘察" in response.json()[field][0]
    assert unchanged(offer)


def test_the_api_refuses_a_new_task_started_on_an_unfinished_predecessor(manager, survey):
    response = api(manager).post(
        reverse("api:project-tasks", args=[survey.project_id]),
        {"title": "Quote", "status": TaskStatus.IN_PROGRESS, "dependencies": [survey.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "现场勘察" in response.json()["status"][0]
    assert not Task.objects.filter(title="Quote").exists()


# --- dependencies: dates in conflict -------------------------------------------------------------
@pytest.fixture
def early_offer(offer):
    """The offer planned to start two days before the survey is due."""
    Task.objects.filter(pk=offer.pk).update(start_date=days(3))
    return Task.objects.get(pk=offer.pk)


def test_a_start_before_the_predecessors_due_date_is_a_warning_on_the_form(
    client, manager, chinese, survey, early_offer
):
    client.force_login(manager)
    edit = reverse("collaboration:task_edit", args=[early_offer.project_id, early_offer.pk])
    page = client.get(edit).content.decode()
    form = rendered_form(page, data_testid="task-form")
    warning = re.search(r'data-testid="dependency-conflicts".*?</div>', page, re.S).group(0)
    assert "现场勘察" in warning

    response = client.post(edit, form.data(title="Send the offer early"))

    assert response.status_code == 302  # a warning, not a refusal
    assert Task.objects.get(pk=early_offer.pk).title == "Send the offer early"
    task_page = client.get(response.url).content.decode()
    assert 'data-testid="dependency-conflicts"' in task_page and "现场勘察" in task_page


def test_no_warning_when_the_task_starts_after_its_predecessor_is_due(
    client, manager, chinese, survey, offer
):
    client.force_login(manager)

    page = client.get(reverse("collaboration:task_edit", args=[offer.project_id, offer.pk]))

    assert 'data-testid="dependency-conflicts"' not in page.content.decode()


def test_the_gantt_draws_the_conflict_in_red_and_lists_it(
    client, manager, chinese, survey, early_offer, offer
):
    later = TaskFactory(project=offer.project, title="Sign", start_date=days(10), due_date=days(12))
    later.dependencies.add(offer)
    client.force_login(manager)

    response = client.get(reverse("collaboration:project_gantt", args=[offer.project_id]))

    body = response.content.decode()
    svg = ET.fromstring(
        re.search(r'<svg xmlns="http://www.w3.org/2000/svg".*?</svg>', body, re.S).group(0)
    )
    arrows = {el.get("data-testid"): el for el in svg.iter() if el.get("data-testid", "")}
    conflict = arrows[f"gantt-arrow-{survey.pk}-{offer.pk}"]
    assert "conflict" in conflict.get("class").split()
    assert "现场勘察" in conflict.find(f"{SVG}title").text
    fine = arrows[f"gantt-arrow-{offer.pk}-{later.pk}"]
    assert "conflict" not in fine.get("class").split()
    row = re.search(rf'data-testid="gantt-task-{offer.pk}".*?</tr>', body, re.S).group(0)
    assert 'data-testid="gantt-conflict-' in row and "现场勘察" in row


# --- blocked needs a reason ---------------------------------------------------------------
def test_the_task_form_wants_a_reason_for_blocked(client, manager, chinese, offer):
    client.force_login(manager)
    edit = reverse("collaboration:task_edit", args=[offer.project_id, offer.pk])
    form = rendered_form(client.get(edit).content, data_testid="task-form")

    response = client.post(edit, form.data(status=TaskStatus.BLOCKED, blocked_reason="  "))

    (error,) = field_errors(response.content.decode(), "blocked_reason")
    assert BLOCKED_ZH in error
    assert unchanged(offer)


def test_the_one_click_blocked_asks_for_the_reason(client, member, chinese, task):
    client.force_login(member)
    action = reverse("collaboration:task_progress", args=[task.project_id, task.pk])
    page = client.get(reverse("collaboration:my_tasks")).content
    (form,) = [
        f for f in _forms_posting_to(page, action) if ("status", TaskStatus.BLOCKED) in f.buttons
    ]
    assert "blocked_reason" in form.names

    refused = client.post(
        action, form.data(("status", TaskStatus.BLOCKED), blocked_reason=""), HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 400 and BLOCKED_ZH in refused.content.decode()
    assert unchanged(task)

    response = client.post(
        action,
        form.data(("status", TaskStatus.BLOCKED), blocked_reason="等客户确认"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    fresh = Task.objects.get(pk=task.pk)
    assert (fresh.status, fresh.blocked_reason) == (TaskStatus.BLOCKED, "等客户确认")


def test_the_kanban_asks_for_the_reason_of_a_blocked_move(client, manager, chinese, task):
    client.force_login(manager)
    board = client.get(reverse("collaboration:task_board", args=[task.project_id])).content
    action = reverse("collaboration:task_progress", args=[task.project_id, task.pk])
    (form,) = [
        f for f in _forms_posting_to(board, action) if ("status", TaskStatus.BLOCKED) in f.buttons
    ]

    response = client.post(
        action,
        form.data(("status", TaskStatus.BLOCKED), blocked_reason="Waiting for the customer"),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).blocked_reason == "Waiting for the customer"


@pytest.mark.parametrize(
    "change", [{"status": "blocked"}, {"status": "blocked", "blocked_reason": " "}]
)
def test_the_api_wants_a_reason_for_blocked(task, team_member, change):
    response = api(team_member).patch(task_url(task), change, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["blocked_reason"]
    assert unchanged(task)


def test_the_api_refuses_a_new_blocked_task_without_a_reason(project, manager):
    response = api(manager).post(
        reverse("api:project-tasks", args=[project.pk]),
        {"title": "Quote", "status": TaskStatus.BLOCKED},
        format="json",
    )

    assert response.status_code == 400
    assert "blocked_reason" in response.json()
    assert not Task.objects.filter(title="Quote").exists()


def test_a_task_already_under_way_still_reports_progress(task, team_member, survey):
    """Started before the rule: its progress moves on, but it does not finish early."""
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.IN_PROGRESS, progress=20)
    task.dependencies.add(survey)
    client = api(team_member)

    assert client.patch(task_url(task), {"progress": 50}, format="json").status_code == 200
    finish = client.patch(task_url(task), {"status": TaskStatus.DONE}, format="json")
    assert finish.status_code == 400 and "现场勘察" in finish.json()["status"][0]
