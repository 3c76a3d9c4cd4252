"""The API does what its OpenAPI schema says (issue 16): schemathesis, against gunicorn serving
the test database with the seeded demo (as `make serve` does, production settings), as a
director and as a member — the coverage phase (every documented
constraint, its edges and its violations) and a bounded fuzzing phase.

It fails on any server error, any response whose status code or content type the schema does
not document, any response body that does not match its documented schema, and any request that
breaks the schema (a wrong type, a length, a format) and is accepted. Not run:
`positive_data_acceptance` — the API rightly refuses schema-valid data on business rules the
schema cannot express (a gate not met, a task of another project, a date before the review was
held, an owner off the team) — nor the stateful phase, whose links the schema does not declare.
The token endpoints that revoke (`auth/tokens/<key>/`, `revoke-all/`) are left out: the run
would revoke its own token and test the rest as a stranger; tests/projects/test_api_auth.py
covers them."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from accounts.api_tokens import api_token_create
from accounts.models import User
from tests.processes import ROOT, database_url, wait_for

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.xdist_group("demo"),  # the demo is seeded once on that worker
    pytest.mark.django_db(transaction=True),
]

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def live_demo(demo_snapshot):
    """gunicorn on a free port, on the test database holding the demo's rows (committed, so
    that its own connections read them); its base URL."""
    with transaction.atomic():
        demo_snapshot.restore()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "salescycle.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": f"contract-{port}",
        "SECRET_KEY": "tests-only-secret-key-that-is-long-enough-for-django-checks",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SWEEP_ON_PAGE_LOAD": "false",
        "API_RATE_PER_USER": "1000000/min",
        "API_RATE_PER_ADDRESS": "1000000/min",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "gunicorn.conf.py",
            "salescycle.wsgi",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        assert wait_for(lambda: _answers(port), 30), "gunicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _token(username: str) -> str:
    """A token issued as the sign-in endpoint issues it (the suite hashes passwords with MD5,
    which the server's production settings do not read)."""
    _instance, token = api_token_create(user=User.objects.get(username=username))
    return token


# What each person's run covers. The director reaches every operation: both phases on all of
# them. A member is refused most writes (the answers the director's run already checks for shape),
# so their coverage phase — about a minute on its own — walks the reads, and every operation is
# fuzzed; that keeps `make test` under its ten minutes.
RUNS = {
    "director": [["--phases=coverage,fuzzing"]],
    "member": [
        ["--phases=coverage,fuzzing", "--include-method=GET"],
        ["--phases=fuzzing", "--exclude-method=GET"],
    ],
}


@pytest.mark.parametrize(("username", "seed"), [("director", 1), ("member", 2)])
def test_the_api_keeps_its_documented_contract(live_demo, username, seed, tmp_path):
    token = _token(username)
    for scope in RUNS[username]:
        command = [
            str(SCHEMATHESIS),
            "run",
            f"{live_demo}/api/schema/?format=json",
            *scope,
            "--max-examples=10",
            f"--seed={seed}",
            "--workers=2",
            f"--checks={','.join(CHECKS)}",
            "--generation-database=none",
            # The token is ours to give; schemathesis would otherwise send values of its own for
            # the documented Authorization header and cookie.
            "--generation-with-security-parameters=false",
            "--exclude-path-regex=auth/tokens/.+",
            "--request-timeout=30",
            "--no-color",
            f"--header=Authorization: Token {token}",
        ]

        run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)

        report = run.stdout[-20_000:] + run.stderr[-5_000:]
        assert run.returncode == 0, report
        assert "generated" in report, report  # it ran cases, not only loaded the schema
