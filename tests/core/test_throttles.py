"""Rate limits (issue 16): API requests per person and per address, and failed sign-ins per
address whatever usernames they try (password spraying), answered with 429 and Retry-After —
on the real Redis cache; a Redis that is away lifts the limits instead of failing requests."""

import time

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(settings):
    settings.API_RATE_PER_USER = "3/min"
    settings.API_RATE_PER_ADDRESS = "5/min"
    return settings


def _projects(client, user, address="10.0.0.1"):
    client.force_login(user)
    return client.get(reverse("api:project-list"), REMOTE_ADDR=address)


def test_a_person_past_their_rate_gets_429_with_retry_after(client, manager, limited):
    answers = [_projects(client, manager).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = _projects(client, manager)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Request was throttled.")


def test_one_persons_limit_leaves_another_alone(client, manager, director, limited):
    for _ in range(3):
        _projects(client, manager)

    assert _projects(client, manager).status_code == 429
    assert _projects(client, director).status_code == 200


def test_an_address_has_a_limit_of_its_own_across_people(client, manager, director, limited):
    people = [manager, director, manager, director, UserFactory(username="third-person")]
    answers = [_projects(client, person, "10.0.0.9").status_code for person in people]

    assert answers == [200, 200, 200, 200, 200]
    assert _projects(client, UserFactory(username="fourth"), "10.0.0.9").status_code == 429
    assert _projects(client, UserFactory(username="fifth"), "10.0.0.10").status_code == 200


def _sign_in(client, username, password, address="10.0.0.2"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )


@pytest.fixture
def spraying(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 3
    return settings


def test_password_spraying_from_one_address_is_stopped(client, spraying, manager, password):
    for name in ("alice", "bob", "carol"):  # one wrong guess each: django-axes sees nothing
        assert _sign_in(client, name, "Summer2026!").status_code == 200

    refused = _sign_in(client, manager.username, password)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= spraying.SIGN_IN_FAILURE_WINDOW_SECONDS
    assert "来自您网络的登录失败次数过多" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_token_endpoint_shares_the_address_limit(client, spraying, manager, password):
    for name in ("alice", "bob", "carol"):
        _sign_in(client, name, "Summer2026!")

    response = client.post(
        reverse("api:token"),
        {"username": manager.username, "password": password},
        content_type="application/json",
        REMOTE_ADDR="10.0.0.2",
    )

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_another_address_signs_in_meanwhile(client, spraying, manager, password):
    for name in ("alice", "bob", "carol"):
        _sign_in(client, name, "Summer2026!")

    assert _sign_in(client, manager.username, password, address="10.0.0.3").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_api_answers_without_limits(redis_server, client, manager, settings):
    settings.API_RATE_PER_USER = "1/min"
    assert _projects(client, manager).status_code == 200
    redis_server.stop()
    started = time.monotonic()

    answers = [_projects(client, manager).status_code for _ in range(3)]

    assert answers == [200, 200, 200]
    assert time.monotonic() - started < 5
