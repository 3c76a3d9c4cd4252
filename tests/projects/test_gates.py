"""The gates' registry (`projects.gates`): each stage's exit criteria in their documented order,
each registered by the app that owns the records it reads, and a lifecycle that imports no app
above projects (STYLE rule 11: the higher app registers with the lower one)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

import collaboration.gates
import projects
from projects.gates import GATES, Criterion, GateFacts, register_criteria
from projects.models import Stage
from tests.factories import ProjectFactory

S = Stage

# Each gate's checklist as DESIGN.md lists it, with the app whose records each criterion reads.
DOCUMENTED_GATES = {
    S.INITIATION: [
        ("customer_set", "projects"),
        ("background_written", "projects"),
        ("value_and_close_date", "projects"),
        ("feasibility_go", "projects"),
    ],
    S.GOAL_SETTING: [
        ("has_goal", "projects"),
        ("goals_smart", "projects"),
        ("revenue_goal", "projects"),
    ],
    S.RESOURCE_ALLOCATION: [
        ("iron_triangle", "projects"),
        ("people_allocated", "projects"),
        ("budget_planned", "projects"),
    ],
    S.STRATEGY: [
        ("active_strategy", "projects"),
        ("action_as_task", "collaboration"),
    ],
    S.EXECUTION: [
        ("task_started", "collaboration"),
        ("cadence_set", "projects"),
        ("next_review_scheduled", "monitoring"),
    ],
    S.MONITORING: [
        ("review_decided_close", "monitoring"),
    ],
    S.CLOSURE: [
        ("outcome_recorded", "projects"),
        ("actual_value_if_won", "projects"),
        ("went_well", "projects"),
        ("to_improve", "projects"),
        ("lesson_recorded", "projects"),
    ],
}

# The apps projects may not import: those above it in the one-way order (README, "Layout").
HIGHER_APPS = {"collaboration", "monitoring", "insights", "dataio", "demo"}
# Names projects still takes from a higher app because they have not moved into it yet: the
# team and its iron triangle become projects' own models, and this set empties.


def _imports_from_higher_apps(module: str) -> set[tuple[str, str]]:
    """(module, name) for every name `projects/<module>` imports from a higher app, at the top or
    inside a function."""
    tree = ast.parse((Path(projects.__file__).parent / module).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {(alias.name, "") for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {(node.module, alias.name) for alias in node.names}
    return {(mod, name) for mod, name in found if mod.split(".")[0] in HIGHER_APPS}


def test_each_gate_lists_its_criteria_in_the_documented_order_with_the_owning_app():
    registered = {
        stage: [(criterion.code, criterion.app) for criterion in criteria]
        for stage, criteria in GATES.items()
    }

    assert registered == DOCUMENTED_GATES
    assert list(GATES) == [stage for stage in Stage if stage != Stage.CLOSED]


def test_every_app_that_registers_criteria_is_installed():
    owners = {criterion.app for criteria in GATES.values() for criterion in criteria}

    assert owners == {"projects", "collaboration", "monitoring"}
    assert owners <= set(settings.INSTALLED_APPS)


def test_the_lifecycle_imports_no_app_above_projects():
    assert _imports_from_higher_apps("lifecycle.py") == set()


def test_the_gates_import_from_above_only_the_team_that_is_moving_into_projects():
    assert _imports_from_higher_apps("gates.py") == set()


def test_registering_the_same_criteria_again_changes_nothing():
    before = {stage: list(criteria) for stage, criteria in GATES.items()}

    register_criteria("collaboration", collaboration.gates.GATE_CRITERIA)

    assert before == GATES


@pytest.mark.parametrize(
    ("code", "position"),
    [
        pytest.param("task_started", 15, id="code-taken"),
        pytest.param("another_check", 20, id="position-taken"),
    ],
)
def test_a_code_or_position_already_taken_in_a_stage_is_refused(code, position):
    before = list(GATES[S.EXECUTION])
    clash = Criterion(
        code, gettext_lazy("Clash"), gettext_lazy("Clash."), lambda f: True, position=position
    )

    with pytest.raises(ImproperlyConfigured, match=code):
        register_criteria("insights", {S.EXECUTION: [clash]})

    assert GATES[S.EXECUTION] == before


@pytest.mark.django_db
def test_a_memoised_fact_is_computed_once_per_evaluation():
    facts = GateFacts(ProjectFactory())
    calls = []

    def compute(f: GateFacts) -> str:
        calls.append(f)
        return f.project.code

    first = facts.memo("code", compute)
    second = facts.memo("code", compute)

    assert first == second == facts.project.code
    assert calls == [facts]
    # A new evaluation reads its facts afresh.
    assert GateFacts(facts.project).memo("code", compute) == facts.project.code
    assert len(calls) == 2
