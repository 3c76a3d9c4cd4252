"""The modules that compose the pages of the lower apps import no app above their own
(STYLE rule 11): the apps above register with them instead (tests/test_page_registries.py)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
]
MODULES = [
    "customers/views.py",
    "customers/pages.py",
    "projects/views/detail.py",
    "projects/views/sections.py",
    "projects/history.py",
    "projects/selectors.py",
    "projects/filters.py",
    "projects/pages.py",
    "projects/panels.py",
    "collaboration/calendar.py",
    "collaboration/gantt.py",
    "collaboration/labels.py",
    "collaboration/templatetags/collaboration_tags.py",
]
# The team's models move into projects (issue 17): until then projects reads them here.
PENDING_MOVE = {
    ("collaboration.models", "ProjectMembership"),
    ("collaboration.models", "IRON_TRIANGLE"),
}


def imported(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every absolute import in the file; name is "" for `import x`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
    return found


def higher_apps(module: str) -> set[str]:
    return set(LAYERS[LAYERS.index(module.split("/")[0]) + 1 :])


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_no_higher_app(module):
    above = higher_apps(module)
    upward = [
        f"{name} from {source}" if name else source
        for source, name in imported(ROOT / module)
        if source.split(".")[0] in above and (source, name) not in PENDING_MOVE
    ]
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The parser finds both forms of import, so a module that imported upward would fail."""
    module = tmp_path / "views.py"
    module.write_text("import insights.lessons\nfrom monitoring.models import ReviewMeeting\n")
    assert imported(module) == [("insights.lessons", ""), ("monitoring.models", "ReviewMeeting")]
    assert {"monitoring", "insights"} <= higher_apps("projects/views.py")
