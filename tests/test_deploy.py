"""Production configuration: `check --deploy` is clean and docker-compose.yml has its shape."""

import os
import subprocess
import sys
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
