"""The apps depend one way (README › Layout): each may import only the apps below it, so no two
apps import each other and `core` imports none of ours. Read from the source's import
statements (migrations and tests left out: a migration names the apps its state needs)."""

import ast
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# From the bottom up: an app may import the ones before it. `salescycle` is the configuration
# (settings, URLs, the Celery app) that puts them together.
LAYERS = [
    "core",
    "accounts",
    "customers",
    "projects",
    "collaboration",
    "monitoring",
    "insights",
    "dataio",
    "demo",
    "salescycle",
]


def imports_between_apps() -> dict[tuple[str, str], list[str]]:
    """(importing app, imported app) → where, for every import of one app by another."""
    found = defaultdict(list)
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    imported = name.split(".")[0]
                    if imported in LAYERS and imported != app:
                        where = f"{path.relative_to(ROOT)}:{node.lineno} {name}"
                        found[app, imported].append(where)
    return found


def test_no_app_imports_an_app_above_it():
    rank = {app: position for position, app in enumerate(LAYERS)}
    upward = {
        f"{app} → {imported}": where
        for (app, imported), where in imports_between_apps().items()
        if rank[imported] > rank[app]
    }
    assert upward == {}


def test_no_two_apps_import_each_other_even_through_others():
    graph = defaultdict(set)
    for app, imported in imports_between_apps():
        graph[app].add(imported)
    cycles = set()

    def visit(app: str, path: list[str]) -> None:
        for imported in sorted(graph[app]):
            if imported in path:
                cycle = path[path.index(imported) :]
                start = cycle.index(min(cycle))  # each cycle once, whichever app it is met at
                cycle = cycle[start:] + cycle[:start]
                cycles.add(" → ".join([*cycle, cycle[0]]))
            else:
                visit(imported, [*path, imported])

    for app in LAYERS:
        visit(app, [app])
    assert sorted(cycles) == []


def test_the_layer_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The checks above would fail on a new upward import, at the top of a module or inside a
    function."""
    fake = tmp_path / "core"
    fake.mkdir()
    (fake / "bad.py").write_text(
        "from projects.models import Project\n\n\ndef late():\n    import insights.kpis\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert imports_between_apps() == {
        ("core", "projects"): ["core/bad.py:1 projects.models"],
        ("core", "insights"): ["core/bad.py:5 insights.kpis"],
    }


def test_the_demo_app_is_not_installed_in_production():
    env = {key: value for key, value in os.environ.items() if key != "DEMO_DATA"}
    env |= {"DJANGO_SETTINGS_MODULE": "salescycle.settings", "DEBUG": "false"}
    env.setdefault("SECRET_KEY", "layout-test-secret-key-long-enough-for-the-checks")
    probe = "import django; django.setup(); from django.apps import apps; "
    probe += "print(apps.is_installed('demo'))"

    def installed(**extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip()

    assert installed() == "False"
    assert installed(DEMO_DATA="true") == "True"
