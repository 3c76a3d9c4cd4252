"""A JSON body nested a hundred thousand deep is a 400, signed in or not (issue 16)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def test_deep_json_to_the_token_endpoint_is_a_400(client):
    response = client.post(
        reverse("api:token"), DEEP, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_deep_json_from_a_signed_in_person_is_a_400(client, manager):
    client.force_login(manager)

    response = client.post(reverse("api:project-list"), DEEP, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_ordinary_json_still_parses(client, manager):
    client.force_login(manager)

    response = client.post(reverse("api:project-list"), "{}", content_type="application/json")

    assert response.status_code == 400
    assert "name" in response.json()
