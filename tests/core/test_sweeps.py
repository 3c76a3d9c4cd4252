"""`manage.py run_sweeps` in a fresh process — as an operator or the embedded demo runs it,
with no task module imported beforehand and no Redis."""

import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboration.models import Notification, NotificationKind
from projects.models import Stage
from tests.factories import ProjectFactory, ReviewMeetingFactory
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]


def test_run_sweeps_reminds_from_a_fresh_process(transactional_db, require_postgres, manager):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    review = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() + datetime.timedelta(hours=2)
    )
    review.attendees.set([manager])
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "salescycle.settings",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "run_sweeps"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "monitoring.tasks.review_reminders: 1" in result.stdout
    assert Notification.objects.filter(
        recipient=manager, kind=NotificationKind.REVIEW_REMINDER
    ).exists()


# --- without Redis: a page load starts the sweeps in the background (issue 15) ---------------
GATE = threading.Event()
DONE: list[str] = []


def blocking_sweep() -> None:
    """A sweep that takes as long as the test wants."""
    GATE.wait(10)
    DONE.append("short")


def daily_sweep() -> None:
    DONE.append("daily")


def _wait_for(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_the_kpi_rollup_is_not_a_page_load_sweep(settings):
    assert "insights.tasks.kpis_rollup" in settings.DAILY_SWEEPS
    assert "insights.tasks.kpis_rollup" not in settings.PAGE_LOAD_SWEEPS
    assert set(settings.PAGE_LOAD_SWEEPS) | set(settings.DAILY_SWEEPS) == set(settings.SWEEPS)


@pytest.mark.django_db
def test_a_page_load_answers_at_once_and_the_sweeps_run_after_in_the_background(
    client, manager, settings
):
    settings.SWEEP_ON_PAGE_LOAD = True
    settings.PAGE_LOAD_SWEEPS = ["tests.core.test_sweeps.blocking_sweep"]
    settings.DAILY_SWEEPS = ["tests.core.test_sweeps.daily_sweep"]
    GATE.clear()
    DONE.clear()
    client.force_login(manager)

    started = time.monotonic()
    response = client.get(reverse("home"))
    seconds = time.monotonic() - started

    assert response.status_code == 200
    assert seconds < 2, f"the page waited {seconds:.1f} s for a sweep"
    assert DONE == []  # still running, in its own thread
    GATE.set()
    _wait_for(lambda: DONE == ["short", "daily"])

    # Within five minutes (and a day) another page load starts nothing.
    assert client.get(reverse("home")).status_code == 200
    time.sleep(0.3)
    assert DONE == ["short", "daily"]
