"""`manage.py run_sweeps` in a fresh process — as an operator or the embedded demo runs it,
with no task module imported beforehand and no Redis."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

from django.db import connection
from django.utils import timezone

from collaboration.models import Notification, NotificationKind
from projects.models import Stage
from tests.factories import ProjectFactory, ReviewMeetingFactory

ROOT = Path(__file__).resolve().parents[2]


def test_run_sweeps_reminds_from_a_fresh_process(transactional_db, require_postgres, manager):
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    review = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() + datetime.timedelta(hours=2)
    )
    review.attendees.set([manager])
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
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
    assert "projects.tasks.review_reminders: 1" in result.stdout
    assert Notification.objects.filter(
        recipient=manager, kind=NotificationKind.REVIEW_REMINDER
    ).exists()
