"""What revokes a person's API tokens: a new password (their own page, the administration) and a
deactivation; what does not: signing out of the browser, someone else's password."""

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from tests.factories import UserFactory
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-pass-phrase-42"


def works(secret: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(reverse("api:token-list")).status_code == 200


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_new_password_on_the_password_page_revokes_all_tokens(client, manager, member, password):
    _first, laptop = api_token_create(user=manager)
    _second, script = api_token_create(user=manager)
    _theirs, theirs = api_token_create(user=member)
    client.force_login(manager)
    page = client.get(reverse("password_change")).content
    form = rendered_form(page, action="")

    response = client.post(
        reverse("password_change"),
        form.data(old_password=password, new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD),
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert not works(laptop)
    assert not works(script)
    assert not AuthToken.objects.filter(user=manager).exists()
    assert works(theirs)


def test_a_refused_password_change_keeps_the_tokens(client, manager):
    _token, secret = api_token_create(user=manager)
    client.force_login(manager)
    form = rendered_form(client.get(reverse("password_change")).content, action="")

    response = client.post(
        reverse("password_change"),
        form.data(old_password="wrong", new_password1=NEW_PASSWORD, new_password2=NEW_PASSWORD),
    )

    assert response.status_code == 200
    assert works(secret)


def test_a_new_password_set_in_the_administration_revokes_all_tokens(admin_client, manager):
    _token, secret = api_token_create(user=manager)
    change = reverse("admin:auth_user_password_change", args=[manager.pk])
    form = rendered_form(admin_client.get(change).content, id="user_form")

    response = admin_client.post(change, form.data(password1=NEW_PASSWORD, password2=NEW_PASSWORD))

    assert response.status_code == 302
    assert not works(secret)


def test_deactivation_in_the_administration_revokes_all_tokens(admin_client, manager, member):
    _token, secret = api_token_create(user=manager)
    _theirs, theirs = api_token_create(user=member)
    change = reverse("admin:accounts_user_change", args=[manager.pk])
    form = rendered_form(admin_client.get(change).content, id="user_form")
    assert ("is_active", "on") in form.fields

    response = admin_client.post(change, form.data(is_active=[]))

    assert response.status_code == 302
    manager.refresh_from_db()
    assert not manager.is_active
    assert not AuthToken.objects.filter(user=manager).exists()
    manager.is_active = True
    manager.save()
    assert not works(secret)
    assert works(theirs)


def test_other_changes_in_the_administration_keep_the_tokens(admin_client, manager):
    _token, secret = api_token_create(user=manager)
    change = reverse("admin:accounts_user_change", args=[manager.pk])
    form = rendered_form(admin_client.get(change).content, id="user_form")

    response = admin_client.post(change, form.data(full_name="Mark Renamed"))

    assert response.status_code == 302
    assert works(secret)


def test_an_inactive_person_s_token_is_refused(manager):
    _token, secret = api_token_create(user=manager)
    manager.is_active = False
    manager.save()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")

    assert client.get(reverse("api:token-list")).status_code == 401


def test_signing_out_of_the_browser_keeps_the_api_tokens(client, manager):
    _token, secret = api_token_create(user=manager)
    client.force_login(manager)

    client.post(reverse("logout"))

    assert works(secret)
