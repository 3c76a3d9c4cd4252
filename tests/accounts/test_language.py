import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_user_sees_home_in_saved_language(client, manager):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    response = client.get(reverse("home"))

    assert response.headers["Content-Language"] == "zh-hans"
    assert "欢迎" in response.content.decode()


def test_saved_preference_beats_browser_language(client, manager):
    manager.language = "en"
    manager.save()
    client.force_login(manager)

    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert "Welcome" in response.content.decode()


def test_switch_saves_preference_and_cookie(client, manager):
    client.force_login(manager)

    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    manager.refresh_from_db()
    assert manager.language == "zh-hans"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "欢迎" in client.get(reverse("home")).content.decode()


def test_switch_persists_across_sessions(client, manager):
    client.force_login(manager)
    client.post(reverse("set_language"), {"language": "zh-hans"})
    client.logout()
    client.cookies.clear()

    client.force_login(manager)

    assert "欢迎" in client.get(reverse("home")).content.decode()


def test_anonymous_switch_uses_cookie(client):
    client.post(reverse("set_language"), {"language": "en"})

    response = client.get(reverse("login"))

    assert "Sign in" in response.content.decode()


def test_unknown_language_is_rejected(client, manager):
    client.force_login(manager)

    response = client.post(reverse("set_language"), {"language": "klingon"})

    assert response.status_code == 400
    manager.refresh_from_db()
    assert manager.language == "en"


def test_switch_never_redirects_off_site(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example.com/"}
    )

    assert response.url == reverse("home")


def test_switch_requires_post(client):
    assert client.get(reverse("set_language")).status_code == 405
