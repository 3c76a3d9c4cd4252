"""The lifecycle: every allowed and forbidden move, gates, abort, reopen, approval, concurrency."""

import datetime
import random
import threading
from itertools import product

import pytest
from django.db import connection

from core.demo import seed_people
from core.models import User
from projects.demo import Builder
from projects.lifecycle import (
    GATES,
    GateNotMet,
    StageConflict,
    TransitionForbidden,
    TransitionInvalid,
    TransitionNotAllowed,
    available_actions,
    evaluate_gate,
    project_approve,
    project_reject_approval,
    project_transition,
    stage_changed,
)
from projects.models import (
    ABORTABLE_STAGES,
    NEXT_STAGE,
    OPEN_STAGES,
    ClosureReport,
    Customer,
    Project,
    Stage,
    StagePolicy,
    StageTransition,
    StrategyStatus,
)

pytestmark = pytest.mark.django_db

ALLOWED = (
    {(source, target) for source, target in NEXT_STAGE.items()}
    | {(Stage.MONITORING, Stage.EXECUTION), (Stage.MONITORING, Stage.STRATEGY)}
    | {(source, Stage.CLOSURE) for source in ABORTABLE_STAGES}
    | {(Stage.CLOSED, Stage.MONITORING)}
)
FORBIDDEN = sorted(set(product(Stage, Stage)) - ALLOWED)


@pytest.fixture
def people(db):
    seed_people()
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def owner(people):
    return people["manager"]


def new_project(owner: User, stage: Stage = Stage.INITIATION, **extra) -> Project:
    customer, _ = Customer.objects.get_or_create(
        name="Lifecycle Co", defaults={"industry": "energy", "region": "east"}
    )
    return Project.objects.create(
        code=f"SP-2026-{Project.objects.count() + 1:04d}",
        name="Lifecycle project",
        customer=customer,
        owner=owner,
        background="An opportunity.",
        estimated_value=500_000,
        expected_close_date=datetime.date.today() + datetime.timedelta(days=90),
        stage=stage,
        outcome="won" if stage == Stage.CLOSED else "",
        **extra,
    )


def project_with_gate_met(owner: User, stage: Stage) -> Project:
    """A project taken to `stage` through the lifecycle, with that stage's gate met."""
    project = new_project(owner)
    builder = Builder(project, random.Random(1))
    for passed in OPEN_STAGES[: OPEN_STAGES.index(stage)]:
        builder.fill(passed)
        builder.move(NEXT_STAGE[passed])
    builder.fill(stage)
    project.refresh_from_db()
    return project


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_advance_with_gate_met_moves_and_records(owner, stage):
    project = project_with_gate_met(owner, stage)
    assert evaluate_gate(project).can_advance
    before = project.stage_entered_at

    result = project_transition(project=project, to_stage=NEXT_STAGE[stage], actor=owner, note="ok")

    project.refresh_from_db()
    assert project.stage == NEXT_STAGE[stage]
    assert project.stage_entered_at > before
    row = StageTransition.objects.filter(project=project).last()
    assert (row.from_stage, row.to_stage, row.kind, row.actor, row.note) == (
        stage,
        NEXT_STAGE[stage],
        "advance",
        owner,
        "ok",
    )
    assert result.transition == row


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_forbidden_transitions_change_nothing(people, source, target):
    project = new_project(people["manager"], stage=source)

    with pytest.raises(TransitionNotAllowed):
        project_transition(
            project=project, to_stage=target, actor=people["director"], note="n", outcome="lost"
        )

    project.refresh_from_db()
    assert project.stage == source
    assert not StageTransition.objects.exists()


def test_unknown_stage_is_not_allowed(owner):
    with pytest.raises(TransitionNotAllowed):
        project_transition(project=new_project(owner), to_stage="nowhere", actor=owner)


# Criteria about the project's own fields rather than a stage record; tested below.
PROJECT_FIELD_CRITERIA = {"customer_set", "background_written", "value_and_close_date"}


@pytest.mark.parametrize(
    ("stage", "code"),
    [
        (stage, c.code)
        for stage, criteria in GATES.items()
        for c in criteria
        if c.code not in PROJECT_FIELD_CRITERIA
    ],
)
def test_each_unmet_criterion_blocks_the_advance(owner, stage, code):
    project = new_project(owner)
    builder = Builder(project, random.Random(1))
    for passed in OPEN_STAGES[: OPEN_STAGES.index(stage)]:
        builder.fill(passed)
        builder.move(NEXT_STAGE[passed])
    project.refresh_from_db()
    # Before the stage's own records exist, this criterion is unmet (with a hint) …
    unmet = {c.code: c for c in evaluate_gate(project).unmet}
    assert code in unmet and unmet[code].hint
    with pytest.raises(GateNotMet) as error:
        project_transition(project=project, to_stage=NEXT_STAGE[stage], actor=owner)
    assert code in {c.code for c in error.value.unmet}
    # … and filling the stage meets it.
    builder.fill(stage)
    project.refresh_from_db()
    assert code not in {c.code for c in evaluate_gate(project).unmet}


@pytest.mark.parametrize(
    ("code", "blank"),
    [
        ("background_written", {"background": "  "}),
        ("value_and_close_date", {"estimated_value": None}),
        ("value_and_close_date", {"estimated_value": 0}),
        ("value_and_close_date", {"expected_close_date": None}),
    ],
)
def test_initiation_criteria_on_the_project_itself(owner, code, blank):
    project = project_with_gate_met(owner, Stage.INITIATION)
    assert evaluate_gate(project).can_advance
    Project.objects.filter(pk=project.pk).update(**blank)
    project.refresh_from_db()

    unmet = {c.code for c in evaluate_gate(project).unmet}

    assert unmet == {code}
    with pytest.raises(GateNotMet):
        project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)


def test_customer_criterion_is_met_because_a_project_always_has_a_customer(owner):
    project = new_project(owner)

    assert {c.code: c.met for c in evaluate_gate(project).criteria}["customer_set"] is True
    assert Project._meta.get_field("customer").null is False


def test_past_goal_deadline_makes_goals_not_smart(owner):
    project = project_with_gate_met(owner, Stage.GOAL_SETTING)
    project.goals.update(deadline=datetime.date.today() - datetime.timedelta(days=1))

    assert "goals_smart" in {c.code for c in evaluate_gate(project).unmet}


@pytest.mark.parametrize("source", ABORTABLE_STAGES)
@pytest.mark.parametrize("outcome", ["lost", "cancelled"])
def test_abort_from_any_open_stage(owner, source, outcome):
    project = new_project(owner, stage=source)

    project_transition(
        project=project,
        to_stage=Stage.CLOSURE,
        actor=owner,
        note="Budget frozen",
        outcome=outcome,
        reason_category="budget",
    )

    project.refresh_from_db()
    assert (project.stage, project.outcome) == (Stage.CLOSURE, outcome)
    report = ClosureReport.objects.get(project=project)
    assert (report.outcome, report.reason, report.reason_category) == (
        outcome,
        "Budget frozen",
        "budget",
    )
    assert StageTransition.objects.get(project=project).kind == "abort"


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [("won", "why", "outcome"), ("lost", "", "reason"), ("", "why", "outcome")],
)
def test_abort_needs_lost_or_cancelled_and_a_reason(owner, outcome, note, field):
    project = new_project(owner, stage=Stage.EXECUTION)

    with pytest.raises(TransitionInvalid) as error:
        project_transition(
            project=project, to_stage=Stage.CLOSURE, actor=owner, note=note, outcome=outcome
        )

    assert field in error.value.errors
    project.refresh_from_db()
    assert project.stage == Stage.EXECUTION


def test_monitoring_to_closure_is_an_advance_without_outcome_and_an_abort_with_one(owner):
    gated = new_project(owner, stage=Stage.MONITORING)
    with pytest.raises(GateNotMet):
        project_transition(project=gated, to_stage=Stage.CLOSURE, actor=owner)

    project_transition(
        project=gated, to_stage=Stage.CLOSURE, actor=owner, note="lost it", outcome="lost"
    )
    assert StageTransition.objects.get(project=gated).kind == "abort"


@pytest.mark.parametrize("target", [Stage.EXECUTION, Stage.STRATEGY])
def test_loop_from_monitoring_needs_a_note(owner, target):
    project = new_project(owner, stage=Stage.MONITORING)
    with pytest.raises(TransitionInvalid):
        project_transition(project=project, to_stage=target, actor=owner)

    project_transition(project=project, to_stage=target, actor=owner, note="review said so")

    project.refresh_from_db()
    assert project.stage == target
    assert StageTransition.objects.get(project=project).kind == "loop"


def test_loop_to_strategy_opens_a_new_revision_and_reopens_the_gate(owner):
    project = project_with_gate_met(owner, Stage.STRATEGY)
    project_transition(project=project, to_stage=Stage.EXECUTION, actor=owner)
    builder = Builder(Project.objects.get(pk=project.pk), random.Random(2))
    builder.fill(Stage.EXECUTION)
    builder.move(Stage.MONITORING)
    old = project.strategies.get()

    builder.move(Stage.STRATEGY, note="adjust")

    old.refresh_from_db()
    new = project.strategies.get(status=StrategyStatus.ACTIVE)
    assert old.status == StrategyStatus.SUPERSEDED
    assert (new.revision, new.supersedes) == (old.revision + 1, old)
    assert "action_as_task" in {c.code for c in evaluate_gate(builder.project).unmet}


def test_reopen_is_for_directors_with_a_reason(people):
    project = new_project(people["manager"], stage=Stage.CLOSED)
    ClosureReport.objects.create(project=project, outcome="won", closed_on=datetime.date.today())

    with pytest.raises(TransitionForbidden):
        project_transition(
            project=project, to_stage=Stage.MONITORING, actor=people["manager"], note="x"
        )
    with pytest.raises(TransitionInvalid):
        project_transition(project=project, to_stage=Stage.MONITORING, actor=people["director"])
    project_transition(
        project=project, to_stage=Stage.MONITORING, actor=people["director"], note="new info"
    )

    project.refresh_from_db()
    assert (project.stage, project.outcome) == (Stage.MONITORING, "")
    assert ClosureReport.objects.get(project=project).closed_on is None


def test_closing_copies_the_report_outcome(owner):
    project = project_with_gate_met(owner, Stage.CLOSURE)

    project_transition(project=project, to_stage=Stage.CLOSED, actor=owner)

    project.refresh_from_db()
    assert (project.stage, project.outcome) == (Stage.CLOSED, "won")


@pytest.mark.parametrize("who", ["member", "manager2"])
def test_only_owner_or_director_advances(people, who):
    project = project_with_gate_met(people["manager"], Stage.INITIATION)

    with pytest.raises(TransitionForbidden):
        project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=people[who])


def test_director_advances_someone_elses_project(people):
    project = project_with_gate_met(people["manager"], Stage.INITIATION)

    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=people["director"])

    assert Project.objects.get(pk=project.pk).stage == Stage.GOAL_SETTING


def test_approval_flow(people):
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    owner, director = people["manager"], people["director"]
    project = project_with_gate_met(owner, Stage.INITIATION)

    result = project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)
    assert result.awaiting_approval and result.transition is None
    project.refresh_from_db()
    assert project.stage == Stage.INITIATION and project.awaiting_approval
    with pytest.raises(TransitionForbidden):
        project_approve(project=project, actor=owner)

    project_approve(project=project, actor=director, note="go ahead")

    project.refresh_from_db()
    assert project.stage == Stage.GOAL_SETTING and not project.awaiting_approval
    row = StageTransition.objects.get(project=project)
    assert (row.kind, row.actor) == ("approval", director)


def test_rejected_approval_leaves_the_stage(people):
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    project = project_with_gate_met(people["manager"], Stage.INITIATION)
    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=people["manager"])
    project.refresh_from_db()

    project_reject_approval(project=project, actor=people["director"])

    project.refresh_from_db()
    assert project.stage == Stage.INITIATION and not project.awaiting_approval


def test_director_advance_where_approval_is_required_is_recorded_as_approval(people):
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    project = project_with_gate_met(people["manager"], Stage.INITIATION)

    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=people["director"])

    assert StageTransition.objects.get(project=project).kind == "approval"


def test_a_stale_view_gets_a_conflict(owner):
    project = project_with_gate_met(owner, Stage.INITIATION)
    stale = Project.objects.get(pk=project.pk)
    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)

    with pytest.raises(StageConflict):
        project_transition(project=stale, to_stage=Stage.GOAL_SETTING, actor=owner)
    assert StageTransition.objects.filter(project=project).count() == 1


def test_available_actions(people):
    monitoring = new_project(people["manager"], stage=Stage.MONITORING)
    closed = new_project(people["manager"], stage=Stage.CLOSED)

    owner_moves = {(a.kind, a.to_stage) for a in available_actions(monitoring, people["manager"])}

    assert owner_moves == {
        ("advance", Stage.CLOSURE),
        ("loop", Stage.EXECUTION),
        ("loop", Stage.STRATEGY),
        ("abort", Stage.CLOSURE),
    }
    assert available_actions(monitoring, people["member"]) == []
    assert [a.kind for a in available_actions(closed, people["director"])] == ["reopen"]
    assert available_actions(closed, people["manager"]) == []


def test_stage_changed_signal_fires_once_with_the_row(owner):
    project = project_with_gate_met(owner, Stage.INITIATION)
    received = []

    def receiver(sender, project, transition, **kwargs):
        received.append(transition)

    stage_changed.connect(receiver)
    try:
        project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)
    finally:
        stage_changed.disconnect(receiver)

    assert received == [StageTransition.objects.get(project=project)]


def test_history_rows_are_never_edited_or_deleted(owner):
    project = project_with_gate_met(owner, Stage.INITIATION)
    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)
    row = StageTransition.objects.get(project=project)

    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_advances_one_wins(require_postgres, people):
    owner, director = people["manager"], people["director"]
    project = project_with_gate_met(owner, Stage.INITIATION)
    barrier = threading.Barrier(2)
    outcomes = []

    def advance(actor):
        seen = Project.objects.get(pk=project.pk)
        barrier.wait()
        try:
            project_transition(project=seen, to_stage=Stage.GOAL_SETTING, actor=actor)
            outcomes.append("moved")
        except StageConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=advance, args=(user,)) for user in (owner, director)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict", "moved"]
    assert StageTransition.objects.filter(project=project).count() == 1
    assert Project.objects.get(pk=project.pk).stage == Stage.GOAL_SETTING


def test_stage_cannot_be_assigned_directly(owner):
    project = new_project(owner)

    with pytest.raises(AttributeError):
        project.stage = Stage.CLOSED

    assert Project.objects.get(pk=project.pk).stage == Stage.INITIATION


def test_project_codes_are_never_reused(manager):
    from projects.services import project_create

    customer = Customer.objects.create(name="Codes Co", industry="retail", region="south")
    first = project_create(project=Project(name="a", customer=customer), actor=manager)
    first.delete()
    second = project_create(project=Project(name="b", customer=customer), actor=manager)

    assert second.code != first.code
    assert int(second.code.rsplit("-", 1)[1]) == int(first.code.rsplit("-", 1)[1]) + 1
