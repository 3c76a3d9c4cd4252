"""The page cache (core/page_cache.py) on the real Redis cache: a person's page is served again
until anything is written, never to someone else, never with a stale token or message."""

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import page_cache
from core.roles import Role
from core.tasks import ping
from projects.models import Project, Stage
from tests.factories import ProjectFactory, UserFactory

LIST = "/projects/"


@pytest.fixture
def cached(settings):
    settings.PAGE_CACHE_SECONDS = 60


def _get(client, path=LIST, **headers):
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en", **headers)


def _sign_in(client, user):
    """Signed in with a CSRF cookie, as after the sign-in page (a response setting the cookie
    is not kept)."""
    client.force_login(user)
    client.get(reverse("home"))
    assert client.cookies.get("csrftoken")


@pytest.mark.django_db
def test_off_when_page_cache_seconds_is_zero(client, manager):
    _sign_in(client, manager)
    _get(client)
    assert "X-Page-Cache" not in _get(client)


@pytest.mark.django_db
def test_a_page_is_kept_and_served_again_without_the_views_queries(client, cached, manager):
    ProjectFactory(owner=manager, name="Kept project")
    _sign_in(client, manager)

    first = _get(client)
    with CaptureQueriesContext(connection) as queries:
        second = _get(client)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert b"Kept project" in second.content
    assert second["Content-Type"].startswith("text/html")
    assert len(queries) <= 2  # the session and the user; no query of the page itself


@pytest.mark.django_db(transaction=True)
def test_a_saved_model_drops_every_kept_page(client, cached, manager):
    project = ProjectFactory(owner=manager, name="Before")
    _sign_in(client, manager)
    _get(client)

    project.name = "After the save"
    project.save()
    response = _get(client)

    assert response["X-Page-Cache"] == "miss"
    assert b"After the save" in response.content


@pytest.mark.django_db
def test_any_write_request_moves_the_generation_on_even_without_a_signal(client, cached, manager):
    _sign_in(client, manager)
    _get(client)
    before = page_cache.generation()

    # Marking notifications read writes with update(): no signal, but a POST.
    client.post(reverse("collaboration:notifications_mark_read"), {"all": "1"})

    assert page_cache.generation() > before
    assert _get(client)["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_people_never_get_each_others_pages(client, cached, manager, director):
    other = UserFactory(username="cache-other", role=Role.SALES_MANAGER)
    ProjectFactory(owner=other, name="Only for directors and its owner")
    _sign_in(client, director)
    assert b"Only for directors and its owner" in _get(client).content

    _sign_in(client, manager)
    response = _get(client)

    assert b"Only for directors and its owner" not in response.content
    assert response["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_each_language_is_kept_apart(client, cached, manager):
    _sign_in(client, manager)
    english = _get(client)
    manager.language = "zh-hans"
    manager.save()

    chinese = _get(client)

    assert english.content != chinese.content
    assert chinese["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_no_cache_from_the_browser_renders_afresh(client, cached, manager):
    _sign_in(client, manager)
    _get(client)

    response = _get(client, HTTP_CACHE_CONTROL="no-cache")

    assert "X-Page-Cache" not in response


@pytest.mark.django_db
def test_a_flash_message_shows_once_and_is_never_kept(client, cached, manager):
    project = ProjectFactory(owner=manager, stage=Stage.INITIATION)
    _sign_in(client, manager)
    page = reverse("projects:project_detail", args=[project.pk])
    _get(client, page)

    client.post(
        reverse("projects:project_edit", args=[project.pk]),
        {
            "name": "Renamed with a message",
            "customer": project.customer_id,
            "owner": manager.pk,
            "estimated_value": "1000",
            "currency": "CNY",
            "expected_close_date": "2027-06-30",
            "background": "Why.",
            "review_cadence": project.review_cadence,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    with_message = _get(client, page)
    after = _get(client, page)

    assert b"Project saved." in with_message.content
    assert "X-Page-Cache" not in with_message  # carried a message: not kept
    assert b"Project saved." not in after.content


@pytest.mark.django_db
def test_a_kept_pages_form_token_still_posts(cached, manager):
    client = Client(enforce_csrf_checks=True)
    _sign_in(client, manager)
    project = ProjectFactory(owner=manager)
    page = reverse("projects:project_detail", args=[project.pk])
    _get(client, page)
    kept = _get(client, page)
    assert kept["X-Page-Cache"] == "hit"
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', kept.content).group(1)

    response = client.post(
        reverse("projects:section_save", args=[project.pk, "lessons"]),
        {
            "csrfmiddlewaretoken": token.decode(),
            "lessons-text": "Ask early.",
            "lessons-stage": "initiation",
        },
    )

    assert response.status_code != 403
    assert project.lessons.filter(text="Ask early.").exists()


@pytest.mark.django_db
def test_api_json_is_kept_per_person_too(client, cached, manager):
    ProjectFactory(owner=manager, name="In the API")
    _sign_in(client, manager)
    _get(client, "/api/v1/projects/")

    response = _get(client, "/api/v1/projects/")

    assert response["X-Page-Cache"] == "hit"
    assert response.json()["results"][0]["name"] == "In the API"


@pytest.mark.django_db(transaction=True)
def test_a_background_job_moves_the_generation_on(cached, celery_worker):
    before = page_cache.generation()

    ping.delay().get(timeout=10)

    # task_postrun runs just after the result is stored: wait for it, a little.
    deadline = time.monotonic() + 10
    while page_cache.generation() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert page_cache.generation() > before


@pytest.mark.django_db
def test_an_update_in_a_sweep_drops_kept_pages(client, cached, manager):
    from core.sweeps import sweeps_run

    project = ProjectFactory(owner=manager, name="Swept")
    _sign_in(client, manager)
    _get(client)
    Project.objects.filter(pk=project.pk).update(name="Changed by update()")

    sweeps_run()

    assert b"Changed by update()" in _get(client).content


@pytest.mark.django_db
def test_pages_are_still_served_when_the_cache_is_down(client, cached, manager, settings):
    _sign_in(client, manager)
    # A real Redis client on a port where nothing listens: every cache call fails.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = _get(client)

    assert response.status_code == 200
    assert "X-Page-Cache" not in response


@pytest.mark.django_db
def test_each_host_is_kept_apart(client, cached, manager):
    _sign_in(client, manager)
    _get(client)
    assert _get(client)["X-Page-Cache"] == "hit"

    assert _get(client, HTTP_HOST="localhost")["X-Page-Cache"] == "miss"
