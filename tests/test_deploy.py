"""Production configuration: `check --deploy` is clean and docker-compose.yml has its shape."""

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-of-sufficient-length-and-entropy-0123456789",
    "ALLOWED_HOSTS": "salescycle.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://salescycle.example.com",
    "DATABASE_URL": "postgres://salescycle:secret@db:5432/salescycle",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test run's own variables (test settings, async-unsafe flag) are not production's.
    dropped = {"CI", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_docker_compose_has_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]

    assert set(services) >= {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert "build" in service or "image" in service
        environment = service["environment"]
        keys = (
            set(environment)
            if isinstance(environment, dict)
            else {item.split("=", 1)[0] for item in environment}
        )
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"} <= keys, name
    assert "migrate" in " ".join(_as_list(services["web"]["command"]))
    assert "gunicorn" in " ".join(_as_list(services["web"]["command"]))
    assert "worker" in _as_list(services["worker"]["command"])
    assert "beat" in _as_list(services["beat"]["command"])
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert "volumes" in compose and compose["volumes"]
    assert (ROOT / "Dockerfile").is_file()


def _as_list(command) -> list[str]:
    return command if isinstance(command, list) else command.split()


def test_gunicorn_serves_with_threads_everywhere_it_is_started():
    """One slow request holds a thread, not a whole worker process (README, Reliability)."""
    conf = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)  # noqa: S102 — our own config file
    assert conf["worker_class"] == "gthread" and conf["threads"] > 1 and conf["timeout"] <= 60
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    started = [
        " ".join(_as_list(compose["services"]["web"]["command"])),
        (ROOT / "Dockerfile").read_text(),
        (ROOT / "Makefile").read_text(),
    ]
    for text in started:
        assert "-c gunicorn.conf.py" in text or '"-c", "gunicorn.conf.py"' in text


def test_dead_workers_are_started_again():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("worker", "beat"):
        assert compose["services"][name]["restart"] == "unless-stopped", name
    assert "inspect ping" in " ".join(compose["services"]["worker"]["healthcheck"]["test"])
    makefile = (ROOT / "Makefile").read_text()
    assert "tools/supervise.sh $(VENV)/bin/celery -A salescycle worker" in makefile
    assert "--without-gossip" in makefile
    assert "--without-gossip" in compose["services"]["worker"]["command"]
    assert "tools/supervise.sh $(VENV)/bin/celery -A salescycle beat" in makefile


def test_supervise_starts_a_command_again_when_it_dies(tmp_path):
    runs = tmp_path / "runs"
    process = subprocess.Popen(
        [str(ROOT / "tools" / "supervise.sh"), "sh", "-c", f"echo run >> {runs}; exit 1"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not (runs.exists() and len(runs.read_text().split()) >= 2):
            assert time.monotonic() < deadline, "the command was not started again"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(10)
