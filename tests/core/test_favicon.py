"""The app has an icon: an SVG linked from every page, and /favicon.ico (which browsers and
crawlers ask for on their own) leads to it instead of a 404."""

import pytest
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_every_page_links_the_svg_icon(client):
    html = client.get("/accounts/login/").content.decode()

    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in html


def test_the_icon_is_served_as_svg(client):
    response = client.get(static("favicon.svg"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(response.streaming_content)


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("favicon.svg")
