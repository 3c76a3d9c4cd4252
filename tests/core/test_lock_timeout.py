"""A row lock held elsewhere never hangs a person's request (issue 15): PostgreSQL's lock_timeout
ends the wait and the page, the htmx fragment or the API answers 409 with a message, while
requests that need no such lock answer as usual."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from projects.models import Stage
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Someone else is changing this project right now. Try again in a moment."


@pytest.fixture
def project(manager):
    return ProjectFactory(owner=manager, stage=Stage.INITIATION)


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_the_lock_timeout_is_set_on_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        assert cursor.fetchone()[0] == f"{int(settings.DB_LOCK_TIMEOUT_SECONDS)}s"


def test_a_transition_on_a_locked_project_answers_409_in_the_page(
    client, manager, project, held_lock
):
    held_lock(project)
    client.force_login(manager)

    response, seconds = _timed(
        lambda: client.post(
            reverse("projects:project_transition", args=[project.pk]),
            {"to_stage": Stage.GOAL_SETTING, "from_stage": project.stage},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )

    assert response.status_code == 409
    assert seconds < settings.DB_LOCK_TIMEOUT_SECONDS + 1
    assert MESSAGE in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION


def test_the_409_reads_in_chinese(client, manager, project, held_lock):
    held_lock(project)
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    response = client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    # The fragment asked for stays as it was; the reason comes in the messages region.
    assert response["HX-Reswap"] == "none"
    body = response.content.decode()
    assert "hx-swap-oob" in body and "其他人正在修改这个项目" in body


def test_a_transition_on_a_locked_project_answers_409_in_the_api(
    client, manager, project, held_lock
):
    held_lock(project)
    client.force_login(manager)

    response, seconds = _timed(
        lambda: client.post(
            f"/api/v1/projects/{project.pk}/transitions/",
            {"to_stage": Stage.GOAL_SETTING},
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )

    assert response.status_code == 409
    assert seconds < settings.DB_LOCK_TIMEOUT_SECONDS + 1
    assert response.json() == {"detail": MESSAGE, "code": "locked"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/api/v1/projects/{pk}/", {"name": "Renamed meanwhile"}),
        ("put", "/api/v1/projects/{pk}/feasibility/", {"market_research": "Notes."}),
    ],
    ids=["project-edit", "stage-record"],
)
def test_any_api_write_on_a_locked_project_answers_409(
    client, manager, project, held_lock, method, path, body
):
    held_lock(project)
    client.force_login(manager)

    response, seconds = _timed(
        lambda: getattr(client, method)(
            path.format(pk=project.pk),
            body,
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )

    assert response.status_code == 409
    assert seconds < settings.DB_LOCK_TIMEOUT_SECONDS + 1
    assert response.json() == {"detail": MESSAGE, "code": "locked"}
    project.refresh_from_db()
    assert project.name != "Renamed meanwhile"


def test_other_pages_answer_while_a_project_is_locked(client, manager, project, held_lock):
    other = ProjectFactory(owner=manager)
    held_lock(project)
    client.force_login(manager)

    for url in (reverse("projects:project_detail", args=[other.pk]), "/healthz"):
        response, seconds = _timed(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        assert seconds < 1, f"{url} took {seconds:.1f} s"
