"""The profile page: a person's API tokens, revoked one by one or all at once, only their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from knox.models import AuthToken

from accounts.api_tokens import api_token_create
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db

PROFILE = reverse("profile")


@pytest.fixture
def chinese_manager(manager):
    manager.language = "zh-hans"
    manager.save()
    return manager


def test_it_requires_sign_in(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_lists_my_tokens_in_chinese_without_their_secrets(client, chinese_manager, member):
    mine, my_secret = api_token_create(user=chinese_manager)
    theirs, _their_secret = api_token_create(user=member)
    client.force_login(chinese_manager)

    response = client.get(PROFILE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "你的 API 令牌" in page
    assert "撤销全部" in page
    assert f'href="{PROFILE}"' in page  # the user menu links here
    assert mine.token_key in page
    assert my_secret not in page and mine.digest not in page
    assert theirs.token_key not in page


def test_it_says_when_there_are_no_tokens(client, manager):
    client.force_login(manager)

    response = client.get(PROFILE)

    assert 'data-testid="no-api-tokens"' in response.content.decode()


def test_revoke_removes_that_token_only(client, chinese_manager):
    laptop, _laptop_secret = api_token_create(user=chinese_manager)
    script, _script_secret = api_token_create(user=chinese_manager)
    client.force_login(chinese_manager)
    form = rendered_form(client.get(PROFILE).content, action="")

    response = client.post(PROFILE, form.data(button=("revoke", laptop.token_key)), follow=True)

    assert response.redirect_chain == [(PROFILE, 302)]
    assert "令牌已撤销" in response.content.decode()
    assert list(AuthToken.objects.filter(user=chinese_manager)) == [script]


def test_revoke_all_removes_all_my_tokens_only(client, manager, member):
    api_token_create(user=manager)
    api_token_create(user=manager)
    theirs, _secret = api_token_create(user=member)
    client.force_login(manager)
    form = rendered_form(client.get(PROFILE).content, action="")

    response = client.post(PROFILE, form.data(button=("revoke_all", "1")))

    assert response.status_code == 302
    assert not AuthToken.objects.filter(user=manager).exists()
    assert list(AuthToken.objects.all()) == [theirs]


def test_revoking_another_person_s_token_is_a_404(client, manager, member):
    api_token_create(user=manager)
    theirs, _secret = api_token_create(user=member)
    client.force_login(manager)
    form = rendered_form(client.get(PROFILE).content, action="")
    body = form.data()
    body["revoke"] = [theirs.token_key]

    response = client.post(PROFILE, body)

    assert response.status_code == 404
    assert AuthToken.objects.filter(pk=theirs.pk).exists()


def test_a_post_without_a_choice_is_a_400(client, manager):
    api_token_create(user=manager)
    client.force_login(manager)
    form = rendered_form(client.get(PROFILE).content, action="")

    assert client.post(PROFILE, form.data()).status_code == 400
    assert AuthToken.objects.filter(user=manager).exists()


def test_the_page_runs_a_fixed_number_of_queries(client, manager, django_assert_num_queries):
    api_token_create(user=manager)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as one:
        assert client.get(PROFILE).status_code == 200
    for _ in range(4):
        api_token_create(user=manager)

    with django_assert_num_queries(len(one)):
        response = client.get(PROFILE)

    assert response.content.decode().count('data-testid="api-token"') == 5
