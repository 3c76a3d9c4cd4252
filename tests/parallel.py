"""The suite in parallel: pytest-xdist workers (`make test` passes -n), each with a database, a
Redis database and a Celery queue of its own (tests/settings.py).

Tests are handed to the workers one at a time, except those that share something costly to
build, which go to one worker together: the tests that read the demo (seeded once there, see
tests/seeded_demo.py), the tests of a module that uses a module- or class-scoped fixture of ours
(built once there), and tests marked `xdist_group(name)`. Slow tests (a child process that
builds a database of its own) start first, side by side with the rest, instead of being left for
the end.

xdist's own `--dist loadgroup` passes the groups in node ids it rewrites, which pytest 9 no
longer allows (pytest-xdist issue 1386: the groups are silently ignored). Here each worker writes
the groups it collected to a file that the scheduler in the controller reads.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

GROUPS_DIRECTORY = "SALESCYCLE_TEST_GROUPS"  # environment variable the workers inherit
groups_directory = pytest.StashKey[str]()
SHARED_SCOPES = {"module", "class", "package"}


def worker_group(item: pytest.Item) -> str | None:
    if marker := item.get_closest_marker("xdist_group"):
        return str(marker.args[0] if marker.args else marker.kwargs.get("name", "default"))
    if "demo" in getattr(item, "fixturenames", ()):
        return "demo"
    fixtures = getattr(item, "_fixtureinfo", None)
    definitions = [chain[-1] for chain in fixtures.name2fixturedefs.values() if chain]
    if any(
        definition.scope in SHARED_SCOPES and definition.func.__module__.startswith("tests.")
        for definition in definitions
    ):
        return item.nodeid.split("::")[0]
    return None


def start_order(item: pytest.Item) -> int:
    if item.get_closest_marker("slow") or item.get_closest_marker("fuzz"):
        return 0
    return 1 if "demo" in getattr(item, "fixturenames", ()) else 2


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    result = yield
    # After pytest-django's own order (plain database tests, transactional ones, the rest); the
    # sort is stable, so that order holds within each rank.
    items.sort(key=start_order)
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker and os.environ.get(GROUPS_DIRECTORY):
        groups = {item.nodeid: group for item in items if (group := worker_group(item))}
        path = Path(os.environ[GROUPS_DIRECTORY]) / f"{worker}.json"
        path.with_suffix(".tmp").write_text(json.dumps(groups))
        path.with_suffix(".tmp").replace(path)
    return result


def pytest_configure(config: pytest.Config) -> None:
    """In the controller, before the workers start: where they will write their groups."""
    if not hasattr(config, "workerinput") and config.getoption("numprocesses", None):
        directory = tempfile.mkdtemp(prefix="salescycle-test-groups-")
        config.stash[groups_directory] = os.environ[GROUPS_DIRECTORY] = directory


def pytest_unconfigure(config: pytest.Config) -> None:
    if directory := config.stash.get(groups_directory, None):
        shutil.rmtree(directory, ignore_errors=True)
        os.environ.pop(GROUPS_DIRECTORY, None)


def _groups_collected() -> dict[str, str]:
    for path in sorted(Path(os.environ.get(GROUPS_DIRECTORY, "/nonexistent")).glob("*.json")):
        return json.loads(path.read_text())
    return {}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getoption("dist") not in ("load", "loadgroup"):
        return None  # a distribution mode asked for by name
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """One work unit per test, or per group; in the order collected."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # read once every worker has collected
                self.groups = _groups_collected()
            return self.groups.get(nodeid, nodeid)

    config.option.loadscopereorder = False  # keep the order: slow tests first
    return GroupScheduling(config, log)
