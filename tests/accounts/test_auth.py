import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_home(client, password, role):
    user = UserFactory(username=f"someone-{role.name.lower()}", role=role)

    response = client.post(
        reverse("login"), {"username": user.username, "password": password}, follow=True
    )

    assert response.status_code == 200
    assert response.wsgi_request.user == user
    assert response.redirect_chain[-1][0] == reverse("home")
    assert user.display_name in response.content.decode()
    assert str(role.label) in response.content.decode()


def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_wrong_password_shows_form_error(client, manager):
    response = client.post(
        reverse("login"),
        {"username": manager.username, "password": "nope"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_wrong_password_flood_is_throttled_with_clear_message(client, manager, password, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": manager.username, "password": "x"})
        assert response.status_code == 200

    response = client.post(reverse("login"), {"username": manager.username, "password": "x"})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()

    # Locked out even with the right password, still with the clear page, never a 500.
    response = client.post(reverse("login"), {"username": manager.username, "password": password})
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated


def test_lockout_message_is_translated(client, manager, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": manager.username, "password": "x"})

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_lockout_is_per_username(client, manager, member, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": manager.username, "password": "x"})

    response = client.post(
        reverse("login"), {"username": member.username, "password": password}, follow=True
    )
    assert response.wsgi_request.user == member


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "", "password": ""},
        {"username": "a" * 5000, "password": "b"},
        {"username": "nul\x00byte", "password": "x"},
        {"username": "李娜", "password": "密码"},
    ],
)
def test_odd_sign_in_input_gets_form_errors_not_500(client, data):
    response = client.post(reverse("login"), data)

    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode() or "field-error" in (
        response.content.decode()
    )


def test_sign_out(client, manager):
    client.force_login(manager)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, manager, password):
    client.force_login(manager)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-much-longer-new-secret",
            "new_password2": "a-much-longer-new-secret",
        },
    )

    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("a-much-longer-new-secret")


def test_password_change_rejects_wrong_old_password(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "x-y-z-1-2-3-4",
            "new_password2": "x-y-z-1-2-3-4",
        },
    )

    assert response.status_code == 200
    assert "field-error" in response.content.decode()


def test_axes_records_overlong_usernames_without_overflowing(rf):
    from accounts.auth import AXES_USERNAME_MAX_LENGTH, axes_username

    request = rf.post("/", {"username": "x" * 5000})

    assert len(axes_username(request, None)) == AXES_USERNAME_MAX_LENGTH
    assert axes_username(request, {"username": "li"}) == "li"


def test_role_groups_come_from_the_migration():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
