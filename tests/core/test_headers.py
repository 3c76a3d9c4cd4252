"""The security headers every response carries, and `Cache-Control: private, no-store` on what a
signed-in person is sent (core.middleware, the security settings)."""

import pytest
from django.urls import reverse

from collaboration.calendar import calendar_token_ensure, feed_path

pytestmark = pytest.mark.django_db

UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "*")


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


def signed_in_responses(client, project):
    """A page, an htmx fragment, an API answer and an export, as a signed-in manager."""
    return {
        "page": client.get(reverse("projects:project_detail", args=[project.pk])),
        "fragment": client.get(
            reverse("collaboration:notification_bell"), headers={"HX-Request": "true"}
        ),
        "api": client.get("/api/v1/projects/"),
        "export": client.get(reverse("dataio:task_export", args=[project.pk, "csv"])),
    }


def test_every_signed_in_response_carries_the_security_headers(client, manager, project):
    client.force_login(manager)

    for kind, response in signed_in_responses(client, project).items():
        assert response.status_code == 200, kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind
        assert response["X-Frame-Options"] == "DENY", kind
        assert "camera=()" in response["Permissions-Policy"], kind
        assert "Content-Security-Policy" in response, kind


def test_permissions_policy_refuses_the_devices_no_page_uses(client, manager):
    client.force_login(manager)

    policy = client.get(reverse("home"))["Permissions-Policy"]

    features = dict(entry.split("=") for entry in policy.split(", "))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
        assert features[feature] == "()", feature


def test_the_content_security_policy_allows_only_our_own_origin(client, manager):
    client.force_login(manager)

    policy = directives(client.get(reverse("home")))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    for sources in policy.values():
        assert not set(sources) & set(UNSAFE)


def test_the_sign_in_page_has_the_policy_and_keeps_djangos_own_caching(client, db):
    response = client.get(reverse("login"))

    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    # LoginView is never_cache: its header is Django's, left as it was.
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_an_anonymous_response_is_not_marked_private(client, db):
    response = client.get(reverse("projects:project_list"))

    assert response.status_code == 302
    assert "Cache-Control" not in response


def test_signed_in_responses_are_private_and_not_stored(client, manager, project):
    client.force_login(manager)

    for kind, response in signed_in_responses(client, project).items():
        assert response["Cache-Control"] == "private, no-store", kind


def test_a_signed_in_error_page_is_not_stored_either(client, manager):
    client.force_login(manager)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"


def test_static_files_keep_their_own_caching(client, manager):
    client.force_login(manager)

    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_healthz_keeps_its_own_cache_control(client, manager):
    client.force_login(manager)

    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]


def test_a_calendar_feed_signed_in_by_its_url_is_not_stored(client, manager):
    token = calendar_token_ensure(user=manager).token

    response = client.get(feed_path(token))

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_the_api_docs_run_under_the_same_policy(client, manager):
    client.force_login(manager)

    page = client.get(reverse("api-docs"))
    script = client.get(reverse("api-docs"), {"script": ""})

    assert page.status_code == 200
    assert "<script>" not in page.content.decode()
    assert "<style>" not in page.content.decode()
    assert directives(page)["script-src"] == ["'self'"]
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
