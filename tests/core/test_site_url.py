"""Where links that leave the app point (README, Configuration: SITE_URL).

SITE_URL, when set, is used everywhere. Unset: a link built while answering a request points to
the address that request reached; a link built in a background job (a notification e-mail) points
to http://$HOST:$PORT, the address `make demo` serves."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from collaboration.calendar import calendar_token_ensure
from collaboration.models import Notification, NotificationKind
from collaboration.notifications import notification_email_send
from core.site import served_url, site_url
from tests.factories import ProjectFactory, ReviewMeetingFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def feed_urls(client, user) -> set[str]:
    token = calendar_token_ensure(user=user).token
    response = client.get(reverse("collaboration:calendar_feed", args=[token]))
    return {str(event["URL"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}


def emailed_link(mailoutbox, member) -> str:
    notification = Notification.objects.create(
        recipient=member,
        kind=NotificationKind.MENTIONED,
        event_key="test:1",
        project=ProjectFactory(),
    )
    notification_email_send(notification_id=notification.pk)
    [message] = mailoutbox
    return next(word for word in message.body.split() if "://" in word)


def test_site_url_is_unset_by_default_and_host_and_port_come_from_the_environment():
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    code = "from django.conf import settings as s; print(repr((s.SITE_URL, s.HOST, s.PORT)))"
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    env = {**clean, "DJANGO_SETTINGS_MODULE": "salescycle.settings", "DEBUG": "true"}

    default = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    chosen = subprocess.run(
        run, cwd=ROOT, env={**env, "HOST": "0.0.0.0", "PORT": "8765"}, capture_output=True,
        text=True, check=True,
    )  # fmt: skip

    assert default.stdout.strip() == "('', '127.0.0.1', 8000)"
    assert chosen.stdout.strip() == "('', '0.0.0.0', 8765)"


def test_a_link_built_in_a_request_points_where_the_request_came(client, settings, member):
    settings.SITE_URL = ""
    review = ReviewMeetingFactory(project=ProjectFactory(owner=member))

    urls = feed_urls(client, member)

    assert urls == {f"http://testserver{review.get_absolute_url()}"}


def test_a_link_in_an_email_sent_by_a_job_points_to_host_and_port(settings, member, mailoutbox):
    settings.SITE_URL, settings.HOST, settings.PORT = "", "192.168.10.4", 8123

    assert emailed_link(mailoutbox, member) == "http://192.168.10.4:8123/notifications/"


def test_a_server_listening_on_every_interface_is_reached_on_this_machine(settings):
    settings.HOST, settings.PORT = "0.0.0.0", 8000

    assert served_url() == "http://127.0.0.1:8000"


def test_site_url_when_set_wins_everywhere(client, settings, member, mailoutbox):
    settings.SITE_URL, settings.HOST = "https://sales.example.com/", "192.168.10.4"
    review = ReviewMeetingFactory(project=ProjectFactory(owner=member))

    assert feed_urls(client, member) == {f"https://sales.example.com{review.get_absolute_url()}"}
    assert emailed_link(mailoutbox, member) == "https://sales.example.com/notifications/"
    assert site_url() == "https://sales.example.com"


def test_seed_demo_says_to_sign_in_at_the_served_address(settings):
    settings.SITE_URL, settings.HOST, settings.PORT = "", "127.0.0.1", 8777
    out = StringIO()

    call_command("seed_demo", "--people-only", stdout=out)

    assert "Sign in at http://127.0.0.1:8777/ " in out.getvalue()


def test_the_calendar_page_and_api_give_the_same_feed_address(client, settings, member):
    settings.SITE_URL = "https://sales.example.com"
    token = calendar_token_ensure(user=member).token
    client.force_login(member)

    page = client.get(reverse("collaboration:calendar")).content.decode()
    api = client.get("/api/v1/calendar-token/").json()

    assert api["feed_url"] == f"https://sales.example.com/calendar/{token}.ics"
    assert api["project_feed_url"] == (
        f"https://sales.example.com/calendar/{token}/projects/{{project_id}}.ics"
    )
    assert api["feed_url"] in page
