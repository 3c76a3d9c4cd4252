"""The embedded default of `make demo` — SQLite, no Redis — serves every main page.

The suite runs on PostgreSQL; SQLite differs (no LIMIT inside a UNION, for one — the board once
failed there). This builds the demo on a fresh SQLite file in a child process, as `make demo`
does, and opens the main pages as a director, a sales manager and a member."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAGES = """
import django
django.setup()
from django.test import Client
from accounts.models import User
from projects.models import Project

project = Project.objects.exclude(stage="closed").order_by("pk").first()
paths = [
    "/", "/projects/", "/projects/?page=2", "/projects/board/", "/my/tasks/", "/my/activity/",
    "/risks/", "/tasks/", "/reviews/", "/lessons/", "/api/v1/projects/", "/api/v1/tasks/mine/",
    f"/customers/{project.customer_id}/", f"/projects/?customer={project.customer_id}",
]
for tail in ("", "tasks/", "tasks/board/", "gantt/", "risks/"):
    paths.append(f"/projects/{project.pk}/{tail}")
for name in ("director", "manager", "member"):
    client = Client()
    client.force_login(User.objects.get(username=name))
    for path in paths + (["/dashboard/"] if name == "director" else []):
        print(name, path, client.get(path, HTTP_HOST="127.0.0.1").status_code)
"""


@pytest.mark.slow
def test_the_demo_on_sqlite_serves_every_main_page(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "true",
        "SWEEP_ON_PAGE_LOAD": "false",
        "DJANGO_SETTINGS_MODULE": "salescycle.settings",
    }

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done.stdout

    run("manage.py", "migrate", "--noinput", "-v0")
    run("manage.py", "seed_demo")
    answers = [line.split() for line in run("-c", PAGES).splitlines() if line.strip()]

    assert len(answers) == 3 * 19 + 1
    failed = [answer for answer in answers if answer[2] != "200"]
    assert failed == []
