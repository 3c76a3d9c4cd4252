"""Lists of ids in API bodies (issue 16): repeats are dropped, a list longer than any team is
refused, and the ids are checked in one query however many are sent."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.models import Task
from core.fields import MAX_IDS
from monitoring.models import ReviewMeeting
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _queries(call) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


def test_repeated_dependency_ids_cost_no_more_queries_than_one(project, manager):
    first, second = TaskFactory(project=project), TaskFactory(project=project)
    task = TaskFactory(project=project)
    url = reverse("api:project-tasks-detail", args=[project.pk, task.pk])

    few, few_queries = _queries(
        lambda: _api(manager).patch(url, {"dependencies": [first.pk, second.pk]}, format="json")
    )
    many, many_queries = _queries(
        lambda: _api(manager).patch(
            url, {"dependencies": [first.pk, second.pk] * 2_500}, format="json"
        )
    )

    assert few.status_code == many.status_code == 200, many.json()
    assert many_queries <= few_queries  # the second changes nothing, so it writes less
    assert set(Task.objects.get(pk=task.pk).dependencies.all()) == {first, second}


def test_more_distinct_ids_than_the_cap_is_a_400_before_any_lookup(project, manager):
    task = TaskFactory(project=project)
    url = reverse("api:project-tasks-detail", args=[project.pk, task.pk])
    ids = list(range(1, 20_001))

    response, queries = _queries(
        lambda: _api(manager).patch(url, {"dependencies": ids}, format="json")
    )

    assert response.status_code == 400
    assert response.json()["dependencies"] == [f"Give at most {MAX_IDS} ids."]
    assert queries < 15


def test_twenty_thousand_attendees_are_refused(project, manager):
    body = {
        "project": project.pk,
        "scheduled_for": (timezone.now() + datetime.timedelta(days=3)).isoformat(),
        "duration_minutes": 60,
        "attendees": [manager.pk] * 10_000 + list(range(10**9, 10**9 + 10_000)),
    }

    response = _api(manager).post(reverse("api:review-list"), body, format="json")

    assert response.status_code == 400
    assert "attendees" in response.json()
    assert not ReviewMeeting.objects.exists()


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ("1,2", 'Expected a list of items but got type "str".'),
        ([True], "Incorrect type. Expected pk value, received bool."),
        ([1.5], "Incorrect type. Expected pk value, received float."),
        (["x"], "Incorrect type. Expected pk value, received str."),
        ([10**30], f'Invalid pk "{10**30}" - object does not exist.'),
        ([-1], 'Invalid pk "-1" - object does not exist.'),
    ],
)
def test_bad_ids_are_a_400_with_the_reason(project, manager, ids, message):
    task = TaskFactory(project=project)
    url = reverse("api:project-tasks-detail", args=[project.pk, task.pk])

    response = _api(manager).patch(url, {"dependencies": ids}, format="json")

    assert response.status_code == 400
    assert response.json()["dependencies"] == [message]
