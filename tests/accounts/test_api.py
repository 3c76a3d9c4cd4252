"""The API's sign-in and tokens: one per client, expiring, listed without their secret and revoked
one by one or all at once, each person only their own."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def sign_in(user, password: str) -> dict:
    response = APIClient().post(
        url("token"), {"username": user.username, "password": password}, format="json"
    )
    assert response.status_code == 200
    return response.json()


def test_a_token_works_until_its_expiry(manager, password):
    before = timezone.now()
    body = sign_in(manager, password)

    response = with_token(body["token"]).get(url("project-list"))

    assert response.status_code == 200
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert (
        before + datetime.timedelta(days=30)
        <= expiry
        <= timezone.now() + datetime.timedelta(days=30)
    )
    assert body["token"].startswith(body["token_key"])


def test_the_lifetime_comes_from_the_settings(settings, manager, password):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(days=2)}

    body = sign_in(manager, password)

    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert timezone.now() + datetime.timedelta(days=1) < expiry
    assert expiry <= timezone.now() + datetime.timedelta(days=2)


def test_an_expired_token_is_a_401(manager):
    token, secret = api_token_create(user=manager)
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(1))

    response = with_token(secret).get(url("project-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_only_a_hash_of_the_token_is_stored(manager, password):
    body = sign_in(manager, password)

    stored = AuthToken.objects.get(user=manager)

    assert body["token"] not in (stored.digest, stored.token_key)


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "project-list", ()),
        ("get", "token-list", ()),
        ("post", "token-revoke-all", ()),
        ("delete", "token-detail", ("0123456789abcde",)),
    ],
)
def test_an_anonymous_call_is_a_401_with_a_token_challenge(db, method, name, args):
    response = getattr(APIClient(), method)(url(name, *args))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_a_401_with_a_token_challenge(db):
    response = with_token("not-a-real-token").get(url("project-list"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_signed_in_person_without_permission_is_a_403(member):
    _token, secret = api_token_create(user=member)

    response = with_token(secret).get(url("dashboard"))

    assert response.status_code == 403


def test_two_clients_get_two_tokens_and_revoking_one_keeps_the_other(manager, password):
    laptop = sign_in(manager, password)
    script = sign_in(manager, password)
    assert laptop["token"] != script["token"]

    response = with_token(script["token"]).delete(url("token-detail", laptop["token_key"]))

    assert response.status_code == 204
    assert with_token(laptop["token"]).get(url("project-list")).status_code == 401
    assert with_token(script["token"]).get(url("project-list")).status_code == 200


def test_the_list_shows_only_my_live_tokens_and_never_a_secret(manager, member):
    used, used_secret = api_token_create(user=manager)
    other, other_secret = api_token_create(user=manager)
    expired, _expired_secret = api_token_create(user=manager)
    AuthToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - datetime.timedelta(1))
    _theirs, theirs_secret = api_token_create(user=member)

    response = with_token(used_secret).get(url("token-list"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["token_key"]: row["current"] for row in rows} == {
        used.token_key: True,
        other.token_key: False,
    }
    assert set(rows[0]) == {"token_key", "created", "expiry", "current"}
    text = response.content.decode()
    for secret in (used_secret, other_secret, theirs_secret):
        assert secret not in text
    assert used.digest not in text


def test_revoking_another_person_s_token_is_a_404(manager, member):
    _mine, my_secret = api_token_create(user=manager)
    theirs, their_secret = api_token_create(user=member)

    response = with_token(my_secret).delete(url("token-detail", theirs.token_key))

    assert response.status_code == 404
    assert with_token(their_secret).get(url("token-list")).status_code == 200


def test_revoke_all_revokes_only_my_tokens(manager, member):
    _first, first = api_token_create(user=manager)
    _second, second = api_token_create(user=manager)
    _theirs, theirs = api_token_create(user=member)

    response = with_token(first).post(url("token-revoke-all"))

    assert response.status_code == 200
    assert response.json() == {"revoked": 2}
    assert with_token(first).get(url("token-list")).status_code == 401
    assert with_token(second).get(url("token-list")).status_code == 401
    assert with_token(theirs).get(url("token-list")).status_code == 200


def test_the_token_list_runs_a_fixed_number_of_queries(manager, django_assert_num_queries):
    _token, secret = api_token_create(user=manager)
    client = with_token(secret)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("token-list")).status_code == 200
    for _ in range(4):
        api_token_create(user=manager)

    with django_assert_num_queries(len(one)):
        response = client.get(url("token-list"))

    assert len(response.json()["results"]) == 5
