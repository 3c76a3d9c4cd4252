from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from projects.lifecycle import evaluate_gate
from projects.models import OPEN_STAGES, Customer, Outcome, Project, Stage, StageTransition
from tests.conftest import _ensure_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module in a transaction rolled back at its end (each test
    runs in a savepoint within it): seeding goes through every service and takes a while."""
    with django_db_blocker.unblock(), transaction.atomic():
        _ensure_reference_data()
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_demo_projects_cover_every_stage_and_outcome(seeded):
    stages = Counter(Project.objects.values_list("stage", flat=True))
    outcomes = set(Project.objects.filter(stage=Stage.CLOSED).values_list("outcome", flat=True))

    assert 40 <= Project.objects.count() <= 60
    assert Customer.objects.count() >= 12
    assert all(stages[stage] >= 6 for stage in Stage)
    assert outcomes == set(Outcome.values)


def test_each_open_stage_has_three_projects_with_gate_met_and_three_without(seeded):
    gates = Counter(
        (project.stage, evaluate_gate(project).can_advance)
        for project in Project.objects.exclude(stage=Stage.CLOSED)
    )

    for stage in OPEN_STAGES:
        assert gates[(stage, True)] >= 3, stage
        assert gates[(stage, False)] >= 3, stage


def test_demo_history_includes_loops_back_to_strategy(seeded):
    loops = StageTransition.objects.filter(
        kind="loop", from_stage=Stage.MONITORING, to_stage=Stage.STRATEGY
    )

    assert loops.values("project").distinct().count() >= 2


def test_demo_projects_are_not_duplicated(seeded):
    count = Project.objects.count()

    call_command("seed_demo", stdout=StringIO())

    assert Project.objects.count() == count
