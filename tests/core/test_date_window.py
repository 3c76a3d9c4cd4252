"""Dates people enter stay within 2000–2100 (issue 16): a year 1 or 9999 is refused next to the
field and with a 400 in the API, and dates stored before the window was enforced neither break
nor bloat the Gantt chart and the calendar feeds."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from collaboration.calendar import calendar_token_ensure
from collaboration.models import Task
from projects.models import Project
from tests.browser_forms import form_with
from tests.factories import CustomerFactory, TaskFactory

pytestmark = pytest.mark.django_db

MESSAGE_ZH = "请输入 2000-01-01 至 2100-12-31 之间的日期。"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_chinese_task_form_refuses_year_9999_next_to_the_field(client, manager, project):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    url = reverse("collaboration:task_create", args=[project.pk])
    data = dict(form_with(client.get(url).content.decode(), "title").submission())
    data.update(title="准备报价", due_date="9999-12-31")

    response = client.post(url, data)

    assert response.context["form"].errors["due_date"] == [MESSAGE_ZH]
    assert not Task.objects.filter(project=project).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_the_api_answers_400_for_a_date_outside_the_window(manager, day):
    body = {"name": "Deal", "customer": CustomerFactory().pk, "expected_close_date": day}

    response = _api(manager).post(reverse("api:project-list"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["expected_close_date"]
    assert not Project.objects.exists()


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:00Z"])
def test_a_review_at_the_ends_of_time_is_a_400(manager, project, moment):
    body = {"project": project.pk, "scheduled_for": moment, "duration_minutes": 60}

    response = _api(manager).post(reverse("api:review-list"), body, format="json")

    assert response.status_code == 400
    assert "scheduled_for" in response.json()


@pytest.fixture
def stored_far_apart(project, manager):
    """Tasks saved before the window existed: one in year 100, one in 9900."""
    early = TaskFactory(project=project, assignee=manager, title="early")
    late = TaskFactory(project=project, assignee=manager, title="late")
    Task.objects.filter(pk=early.pk).update(
        start_date=datetime.date(1, 1, 1), due_date=datetime.date(100, 1, 1)
    )
    Task.objects.filter(pk=late.pk).update(
        start_date=datetime.date(9900, 1, 1), due_date=datetime.date(9999, 12, 31)
    )
    return early, late


@pytest.mark.parametrize("zoom", ["week", "month"])
def test_the_gantt_of_dates_far_apart_stays_a_page(
    client, manager, project, stored_far_apart, zoom
):
    client.force_login(manager)

    response = client.get(reverse("collaboration:project_gantt", args=[project.pk]), {"zoom": zoom})

    assert response.status_code == 200
    assert len(response.content) < 500_000
    gantt = response.context["gantt"]
    assert (gantt.end - gantt.start).days <= 3650 + 62


def test_the_calendar_feeds_skip_dates_outside_the_window(
    client, manager, project, stored_far_apart
):
    token = calendar_token_ensure(user=manager).token
    in_window = TaskFactory(
        project=project, assignee=manager, title="in window", due_date=datetime.date(2030, 1, 1)
    )

    personal = client.get(reverse("collaboration:calendar_feed", args=[token]))
    of_project = client.get(
        reverse("collaboration:calendar_project_feed", args=[token, project.pk])
    )

    for feed in (personal, of_project):
        assert feed.status_code == 200
        text = feed.content.decode()
        assert f"task-{in_window.pk}-due" in text
        assert "early" not in text and "late" not in text
