"""The lifecycle of a sales project, through `projects.lifecycle` against the real database.

Every allowed and forbidden move, every gate criterion met and unmet, abort and reopen rules,
who may move a project, director approval, stale views, strategy revisions on looping back,
the stage_changed event and two simultaneous advances on PostgreSQL.
"""

import datetime
import threading
from contextlib import suppress
from decimal import Decimal
from itertools import product

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from collaboration.models import TaskStatus
from projects.lifecycle import (
    GATES,
    GateNotMet,
    StageConflict,
    TransitionForbidden,
    TransitionInvalid,
    TransitionNotAllowed,
    available_actions,
    classify,
    evaluate_gate,
    project_approve,
    project_reject_approval,
    project_transition,
    stage_changed,
)
from projects.models import (
    NEXT_STAGE,
    ClosureReport,
    Feasibility,
    FeasibilityDecision,
    GoalMetric,
    Outcome,
    Project,
    Stage,
    StagePolicy,
    StageTransition,
    Strategy,
    StrategyStatus,
    TeamRole,
    TransitionKind,
)
from tests.factories import (
    ClosureReportFactory,
    GoalFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)

from .gates import BREAKERS, fill_gate

pytestmark = pytest.mark.django_db

S = Stage
# The stages a project can be aborted from: every open stage except closure itself.
ABORTABLE = [
    S.INITIATION,
    S.GOAL_SETTING,
    S.RESOURCE_ALLOCATION,
    S.STRATEGY,
    S.EXECUTION,
    S.MONITORING,
]
ADVANCES = [
    (S.INITIATION, S.GOAL_SETTING),
    (S.GOAL_SETTING, S.RESOURCE_ALLOCATION),
    (S.RESOURCE_ALLOCATION, S.STRATEGY),
    (S.STRATEGY, S.EXECUTION),
    (S.EXECUTION, S.MONITORING),
    (S.MONITORING, S.CLOSURE),
    (S.CLOSURE, S.CLOSED),
]
LOOPS = [(S.MONITORING, S.EXECUTION), (S.MONITORING, S.STRATEGY)]
ABORTS = [(source, S.CLOSURE) for source in ABORTABLE]
REOPENS = [(S.CLOSED, S.MONITORING)]
# Written out from the design, not derived from the code under test.
ALLOWED_PAIRS = set(ADVANCES) | set(LOOPS) | set(ABORTS) | set(REOPENS)
FORBIDDEN_PAIRS = sorted(set(product(Stage, Stage)) - ALLOWED_PAIRS)

ALLOWED_CASES = [
    *[
        pytest.param(
            source, target, "advance", "owner", {"note": "Gate met"}, id=f"advance-{source}"
        )
        for source, target in ADVANCES
    ],
    *[
        pytest.param(
            source, target, "loop", "owner", {"note": "Review: rework"}, id=f"loop-to-{target}"
        )
        for source, target in LOOPS
    ],
    *[
        pytest.param(
            source,
            target,
            "abort",
            "owner",
            {"note": "Budget frozen", "outcome": outcome, "reason_category": "budget"},
            id=f"abort-{source}-{outcome}",
        )
        for source, target in ABORTS
        for outcome in (Outcome.LOST, Outcome.CANCELLED)
    ],
    pytest.param(
        S.CLOSED, S.MONITORING, "reopen", "director", {"note": "Customer came back"}, id="reopen"
    ),
]

CRITERIA = [(stage, criterion.code) for stage, criteria in GATES.items() for criterion in criteria]
# A project cannot exist without a customer (NOT NULL), so that one is tested on its own.
BREAKABLE_CRITERIA = [(stage, code) for stage, code in CRITERIA if code != "customer_set"]
GATED_STAGES = [stage for stage, _ in ADVANCES]


# --- helpers --------------------------------------------------------------------------------
def make_project(owner: User, stage: Stage = S.INITIATION, *, gate_met: bool = False) -> Project:
    """A project of `owner` in `stage`, there for five days, its gate met if asked."""
    project = ProjectFactory(
        owner=owner,
        stage=stage,
        stage_entered_at=timezone.now() - datetime.timedelta(days=5),
    )
    if gate_met:
        fill_gate(project, stage)
    return fresh(project)


def fresh(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


def require_approval(stage: Stage) -> None:
    StagePolicy.objects.filter(stage=stage).update(requires_approval=True)
    assert StagePolicy.objects.get(stage=stage).requires_approval


def unmet_codes(project: Project) -> set[str]:
    return {c.code for c in evaluate_gate(fresh(project)).unmet}


@pytest.fixture
def owner(manager):
    return manager


@pytest.fixture
def other_manager(db):
    return UserFactory(username="olga-manager", role=Role.SALES_MANAGER)


@pytest.fixture
def signals():
    """Every stage_changed event the lifecycle told its listeners of while the test runs, as
    (project, transition)."""
    received = []

    def listener(*, project, transition, **kwargs):
        received.append((project, transition))

    stage_changed.register(listener)
    yield received
    stage_changed.unregister(listener)


# --- allowed transitions --------------------------------------------------------------------
def test_the_code_allows_the_fifteen_moves_of_the_design_and_no_other():
    allowed = set()
    for source, target in product(Stage, Stage):
        for outcome in ("", Outcome.LOST):  # with an outcome, moving to closure is an abort
            try:
                classify(source, target, outcome=outcome)
            except TransitionNotAllowed:
                continue
            allowed.add((source, target))

    assert allowed == ALLOWED_PAIRS
    # 7 advances, 2 loops, 6 aborts (monitoring → closure is both), 1 reopen.
    assert len(allowed) == 15


@pytest.mark.parametrize(("source", "target", "kind", "who", "extra"), ALLOWED_CASES)
def test_allowed_transition_moves_the_stage_and_records_it(
    owner, director, source, target, kind, who, extra
):
    actor = {"owner": owner, "director": director}[who]
    project = make_project(owner, source, gate_met=kind == "advance")
    entered_before = project.stage_entered_at
    assert classify(source, target, outcome=extra.get("outcome", "")) == kind

    result = project_transition(project=project, to_stage=target, actor=actor, **extra)

    project = fresh(project)
    assert project.stage == target
    row = StageTransition.objects.get(project=project)
    assert (row.from_stage, row.to_stage, row.kind, row.actor, row.note) == (
        source,
        target,
        kind,
        actor,
        extra["note"],
    )
    assert result.transition == row
    assert result.awaiting_approval is False
    assert project.stage_entered_at == row.created_at
    assert project.stage_entered_at > entered_before


@pytest.mark.parametrize(("source", "target"), ADVANCES, ids=[s for s, _ in ADVANCES])
def test_director_advances_with_the_gate_met_without_a_note(owner, director, source, target):
    project = make_project(owner, source, gate_met=True)

    project_transition(project=project, to_stage=target, actor=director)

    row = StageTransition.objects.get(project=project)
    assert (row.kind, row.actor, row.note) == ("advance", director, "")
    assert fresh(project).stage == target


def test_note_is_stored_without_surrounding_whitespace(owner):
    project = make_project(owner, S.INITIATION, gate_met=True)

    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner, note="  go  ")

    assert StageTransition.objects.get(project=project).note == "go"


def test_a_project_walks_the_whole_cycle(owner):
    project = make_project(owner)

    for source, target in ADVANCES:
        fill_gate(project, source)
        project_transition(project=fresh(project), to_stage=target, actor=owner)

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.CLOSED, Outcome.WON)
    history = list(project.transitions.values_list("from_stage", "to_stage", "kind"))
    assert history == [(source, target, "advance") for source, target in ADVANCES]


# --- forbidden transitions ------------------------------------------------------------------
@pytest.mark.parametrize(
    "extra",
    [{}, {"note": "Because", "outcome": Outcome.LOST, "reason_category": "price"}],
    ids=["bare", "with-abort-input"],
)
@pytest.mark.parametrize(
    ("source", "target"), FORBIDDEN_PAIRS, ids=[f"{s}-to-{t}" for s, t in FORBIDDEN_PAIRS]
)
def test_forbidden_transition_is_refused_and_changes_nothing(
    owner, director, source, target, extra
):
    project = make_project(owner, source, gate_met=True)
    before = fresh(project)
    reports_before = ClosureReport.objects.filter(project=project).count()

    with pytest.raises(TransitionNotAllowed):
        project_transition(project=project, to_stage=target, actor=director, **extra)

    after = fresh(project)
    assert (after.stage, after.outcome, after.stage_entered_at) == (
        before.stage,
        before.outcome,
        before.stage_entered_at,
    )
    assert not after.awaiting_approval
    assert not StageTransition.objects.exists()
    assert ClosureReport.objects.filter(project=project).count() == reports_before


@pytest.mark.parametrize("to_stage", ["nowhere", "", "CLOSED", "Closure", None])
def test_unknown_stage_is_not_allowed(owner, to_stage):
    project = make_project(owner, S.INITIATION, gate_met=True)

    with pytest.raises(TransitionNotAllowed):
        project_transition(project=project, to_stage=to_stage, actor=owner)

    assert fresh(project).stage == S.INITIATION
    assert not StageTransition.objects.exists()


def test_unknown_current_stage_is_not_allowed_by_classify():
    with pytest.raises(TransitionNotAllowed):
        classify("limbo", S.CLOSURE)


# --- gates ----------------------------------------------------------------------------------
def test_every_gate_criterion_has_a_way_to_break_it():
    assert {code for _, code in CRITERIA} == set(BREAKERS) | {"customer_set"}
    for stage, code in BREAKABLE_CRITERIA:
        assert BREAKERS[code].stage == stage


@pytest.mark.parametrize("stage", GATED_STAGES)
def test_fill_gate_meets_the_gate_of_its_stage(owner, stage):
    project = make_project(owner, stage, gate_met=True)

    gate = evaluate_gate(project)

    assert gate.can_advance is True
    assert gate.next_stage == NEXT_STAGE[stage]
    assert gate.criteria and all(c.met and c.hint == "" and c.label for c in gate.criteria)


@pytest.mark.parametrize("stage", GATED_STAGES)
def test_gate_is_unmet_before_the_stage_records_exist(owner, stage):
    project = make_project(owner, stage)

    gate = evaluate_gate(project)

    assert gate.can_advance is False
    assert gate.unmet
    assert all(c.hint for c in gate.unmet)


@pytest.mark.parametrize(("stage", "code"), BREAKABLE_CRITERIA)
def test_each_gate_criterion_blocks_the_advance_when_unmet(owner, stage, code):
    project = make_project(owner, stage, gate_met=True)
    gate = evaluate_gate(project)
    assert gate.can_advance is True
    assert {c.code: c.met for c in gate.criteria}[code] is True

    BREAKERS[code].break_it(project)

    project = fresh(project)
    gate = evaluate_gate(project)
    criterion = {c.code: c for c in gate.criteria}[code]
    assert criterion.met is False
    assert criterion.hint.strip()
    assert {c.code for c in gate.unmet} == BREAKERS[code].unmet_after
    assert gate.can_advance is False
    with pytest.raises(GateNotMet) as error:
        project_transition(project=project, to_stage=NEXT_STAGE[stage], actor=owner)
    assert code in {c.code for c in error.value.unmet}
    assert all(not c.met for c in error.value.unmet)
    assert fresh(project).stage == stage
    assert not StageTransition.objects.exists()


@pytest.mark.parametrize(("stage", "code"), BREAKABLE_CRITERIA[:1] + BREAKABLE_CRITERIA[-1:])
def test_a_director_cannot_skip_an_unmet_gate(owner, director, stage, code):
    project = make_project(owner, stage, gate_met=True)
    BREAKERS[code].break_it(project)

    with pytest.raises(GateNotMet):
        project_transition(project=fresh(project), to_stage=NEXT_STAGE[stage], actor=director)

    assert fresh(project).stage == stage


def test_customer_criterion_is_unmet_only_without_a_customer_which_the_database_refuses(owner):
    project = make_project(owner, S.INITIATION, gate_met=True)
    assert {c.code: c.met for c in evaluate_gate(project).criteria}["customer_set"] is True

    project.customer_id = None  # in memory only
    criterion = {c.code: c for c in evaluate_gate(project).criteria}["customer_set"]

    assert criterion.met is False and criterion.hint
    assert Project._meta.get_field("customer").null is False


def _no_feasibility(project):
    Feasibility.objects.filter(project=project).delete()


@pytest.mark.parametrize(
    ("stage", "code", "change"),
    [
        pytest.param(
            S.INITIATION,
            "value_and_close_date",
            lambda p: Project.objects.filter(pk=p.pk).update(estimated_value=0),
            id="zero-value",
        ),
        pytest.param(
            S.INITIATION,
            "value_and_close_date",
            lambda p: Project.objects.filter(pk=p.pk).update(expected_close_date=None),
            id="no-close-date",
        ),
        pytest.param(
            S.INITIATION,
            "feasibility_go",
            lambda p: Feasibility.objects.filter(project=p).update(market_research=" "),
            id="no-market-research",
        ),
        pytest.param(
            S.INITIATION,
            "feasibility_go",
            lambda p: Feasibility.objects.filter(project=p).update(
                decision=FeasibilityDecision.NO_GO
            ),
            id="no-go",
        ),
        pytest.param(S.INITIATION, "feasibility_go", _no_feasibility, id="no-feasibility"),
        pytest.param(
            S.GOAL_SETTING,
            "goals_smart",
            lambda p: p.goals.update(unit="  "),
            id="goal-without-unit",
        ),
        pytest.param(
            S.GOAL_SETTING,
            "goals_smart",
            lambda p: GoalFactory(project=p, metric="market_share", unit=""),
            id="second-goal-not-smart",
        ),
        pytest.param(
            S.RESOURCE_ALLOCATION,
            "iron_triangle",
            lambda p: p.memberships.filter(role=TeamRole.ACCOUNT_LEAD).update(
                left_on=timezone.localdate()
            ),
            id="account-lead-left",
        ),
        pytest.param(
            S.RESOURCE_ALLOCATION,
            "iron_triangle",
            lambda p: p.memberships.filter(role=TeamRole.SOLUTION_LEAD).update(
                role=TeamRole.MEMBER
            ),
            id="no-solution-lead",
        ),
        pytest.param(
            S.EXECUTION,
            "task_started",
            lambda p: p.tasks.update(status=TaskStatus.BLOCKED),
            id="task-blocked",
        ),
        pytest.param(
            S.EXECUTION,
            "next_review_scheduled",
            lambda p: p.reviews.update(held_at=timezone.now(), decision="continue"),
            id="review-already-held",
        ),
        pytest.param(
            S.MONITORING,
            "review_decided_close",
            lambda p: ReviewMeetingFactory(
                project=p, scheduled_for=timezone.now(), held_at=timezone.now(), decision="continue"
            ),
            id="later-review-decided-continue",
        ),
        pytest.param(
            S.MONITORING,
            "review_decided_close",
            lambda p: p.reviews.update(held_at=None, decision=""),
            id="review-not-held",
        ),
    ],
)
def test_more_ways_a_criterion_goes_unmet(owner, stage, code, change):
    project = make_project(owner, stage, gate_met=True)

    change(project)

    assert unmet_codes(project) == {code}


def test_actual_value_is_needed_only_for_a_won_deal(owner):
    project = make_project(owner, S.CLOSURE, gate_met=True)

    ClosureReport.objects.filter(project=project).update(outcome=Outcome.LOST, actual_value=None)

    assert evaluate_gate(fresh(project)).can_advance is True


def test_a_closed_project_has_no_gate(owner):
    gate = evaluate_gate(make_project(owner, S.CLOSED))

    assert (gate.next_stage, gate.criteria, gate.can_advance) == (None, [], False)


# --- abort ----------------------------------------------------------------------------------
@pytest.mark.parametrize("source", ABORTABLE)
@pytest.mark.parametrize(
    ("outcome", "note", "reason_category", "fields"),
    [
        pytest.param(Outcome.WON, "Signed elsewhere", "", {"outcome"}, id="won"),
        pytest.param("nonsense", "Because", "", {"outcome"}, id="unknown-outcome"),
        pytest.param(Outcome.LOST, "", "", {"reason"}, id="no-reason"),
        pytest.param(Outcome.CANCELLED, "   ", "", {"reason"}, id="blank-reason"),
        pytest.param(Outcome.LOST, "Price", "too-dear", {"reason_category"}, id="bad-category"),
        pytest.param(Outcome.WON, "", "", {"outcome", "reason"}, id="won-and-no-reason"),
    ],
)
def test_invalid_abort_is_refused_and_changes_nothing(
    owner, source, outcome, note, reason_category, fields
):
    project = make_project(owner, source)

    with pytest.raises(TransitionInvalid) as error:
        project_transition(
            project=project,
            to_stage=S.CLOSURE,
            actor=owner,
            note=note,
            outcome=outcome,
            reason_category=reason_category,
        )

    assert set(error.value.errors) == fields
    assert all(error.value.errors.values())
    after = fresh(project)
    assert (after.stage, after.outcome) == (source, "")
    assert not StageTransition.objects.exists()
    assert not ClosureReport.objects.filter(project=project).exists()


@pytest.mark.parametrize("source", [s for s in ABORTABLE if s != S.MONITORING])
def test_abort_without_an_outcome_is_refused_outside_monitoring(owner, source):
    project = make_project(owner, source, gate_met=True)

    with pytest.raises(TransitionInvalid) as error:
        project_transition(project=project, to_stage=S.CLOSURE, actor=owner, note="Stop")

    assert "outcome" in error.value.errors
    assert fresh(project).stage == source


@pytest.mark.parametrize("source", ABORTABLE)
@pytest.mark.parametrize("outcome", [Outcome.LOST, Outcome.CANCELLED])
def test_abort_sets_the_outcome_and_writes_the_closure_report(owner, source, outcome):
    project = make_project(owner, source)

    project_transition(
        project=project,
        to_stage=S.CLOSURE,
        actor=owner,
        note=" Competitor undercut us ",
        outcome=outcome,
        reason_category="competitor",
    )

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.CLOSURE, outcome)
    report = ClosureReport.objects.get(project=project)
    assert (report.outcome, report.reason, report.reason_category) == (
        outcome,
        "Competitor undercut us",
        "competitor",
    )
    assert StageTransition.objects.get(project=project).kind == "abort"


def test_abort_overwrites_an_earlier_closure_report(owner):
    project = make_project(owner, S.EXECUTION)
    ClosureReportFactory(project=project, outcome=Outcome.WON, reason="draft")

    project_transition(
        project=project, to_stage=S.CLOSURE, actor=owner, note="Tender cancelled", outcome="lost"
    )

    report = ClosureReport.objects.get(project=project)
    assert (report.outcome, report.reason) == (Outcome.LOST, "Tender cancelled")


def test_monitoring_to_closure_without_outcome_is_a_gate_checked_advance(owner):
    project = make_project(owner, S.MONITORING)
    assert classify(S.MONITORING, S.CLOSURE) == TransitionKind.ADVANCE

    with pytest.raises(GateNotMet) as error:
        project_transition(project=project, to_stage=S.CLOSURE, actor=owner, note="Done")
    assert {c.code for c in error.value.unmet} == {"review_decided_close"}

    fill_gate(project, S.MONITORING)
    project_transition(project=fresh(project), to_stage=S.CLOSURE, actor=owner, note="Done")

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.CLOSURE, "")
    assert StageTransition.objects.get(project=project).kind == "advance"
    assert not ClosureReport.objects.filter(project=project).exists()


def test_monitoring_to_closure_with_outcome_lost_is_an_abort_despite_an_unmet_gate(owner):
    project = make_project(owner, S.MONITORING)
    assert not evaluate_gate(project).can_advance
    assert classify(S.MONITORING, S.CLOSURE, outcome="lost") == TransitionKind.ABORT

    project_transition(
        project=project, to_stage=S.CLOSURE, actor=owner, note="Lost on price", outcome="lost"
    )

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.CLOSURE, Outcome.LOST)
    assert StageTransition.objects.get(project=project).kind == "abort"
    assert ClosureReport.objects.get(project=project).reason == "Lost on price"


def test_monitoring_to_closure_with_outcome_won_is_refused(owner):
    project = make_project(owner, S.MONITORING, gate_met=True)

    with pytest.raises(TransitionInvalid) as error:
        project_transition(
            project=project, to_stage=S.CLOSURE, actor=owner, note="We won", outcome="won"
        )

    assert "outcome" in error.value.errors
    assert fresh(project).stage == S.MONITORING


# --- loops ----------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [S.EXECUTION, S.STRATEGY])
@pytest.mark.parametrize("note", ["", "   "])
def test_loop_needs_a_note(owner, target, note):
    project = make_project(owner, S.MONITORING)

    with pytest.raises(TransitionInvalid) as error:
        project_transition(project=project, to_stage=target, actor=owner, note=note)

    assert set(error.value.errors) == {"note"}
    assert fresh(project).stage == S.MONITORING
    assert not StageTransition.objects.exists()


def test_loop_to_strategy_supersedes_active_strategies_with_draft_revisions(owner):
    project = make_project(owner, S.MONITORING)
    older = StrategyFactory(project=project, kind="pricing", status=StrategyStatus.SUPERSEDED)
    active = StrategyFactory(project=project, kind="pricing", revision=2, supersedes=older)
    other = StrategyFactory(project=project, kind="competitive")
    TaskFactory(project=project, strategy=active)
    TaskFactory(project=project, strategy=other)

    project_transition(project=project, to_stage=S.STRATEGY, actor=owner, note="Adjust")

    for old in (active, other):
        old.refresh_from_db()
        assert old.status == StrategyStatus.SUPERSEDED
        new = Strategy.objects.get(supersedes=old)
        assert (new.status, new.revision, new.kind) == (
            StrategyStatus.DRAFT,
            old.revision + 1,
            old.kind,
        )
        assert (new.summary, new.actions, new.created_by) == (old.summary, old.actions, owner)
    # The strategy superseded before the loop is left as it was.
    older.refresh_from_db()
    assert older.status == StrategyStatus.SUPERSEDED and older.revision == 1
    assert project.strategies.count() == 5
    assert project.strategies.filter(status=StrategyStatus.DRAFT).count() == 2
    # Back in strategy, the revisions are drafts: the gate asks for one adopted, with a task.
    project = fresh(project)
    assert project.stage == S.STRATEGY
    assert unmet_codes(project) == {"active_strategy", "action_as_task"}


def test_loop_to_execution_leaves_strategies_alone(owner):
    project = make_project(owner, S.MONITORING)
    strategy = StrategyFactory(project=project)

    project_transition(project=project, to_stage=S.EXECUTION, actor=owner, note="Continue")

    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.ACTIVE
    assert project.strategies.count() == 1


# --- closing and reopening ------------------------------------------------------------------
@pytest.mark.parametrize("outcome", [Outcome.WON, Outcome.LOST, Outcome.CANCELLED])
def test_closing_copies_the_report_outcome_to_the_project(owner, outcome):
    project = make_project(owner, S.CLOSURE, gate_met=True)
    ClosureReport.objects.filter(project=project).update(outcome=outcome)
    assert fresh(project).outcome == ""

    project_transition(project=project, to_stage=S.CLOSED, actor=owner)

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.CLOSED, outcome)
    assert ClosureReport.objects.get(project=project).closed_on == timezone.localdate()


def test_closing_as_won_sets_every_revenue_goal_to_the_won_amount(owner):
    project = make_project(owner, S.CLOSURE, gate_met=True)
    ClosureReport.objects.filter(project=project).update(actual_value=Decimal("4450000.00"))
    contract = GoalFactory(project=project, target=Decimal("4000000"), current_value=0)
    upsell = GoalFactory(project=project, target=Decimal("500000"), current_value=120_000)
    satisfaction = GoalFactory(
        project=project, metric=GoalMetric.CUSTOMER_SATISFACTION, target=90, current_value=70
    )

    project_transition(project=project, to_stage=S.CLOSED, actor=owner)

    current = dict(project.goals.values_list("pk", "current_value"))
    assert current == {
        contract.pk: Decimal("4450000.00"),
        upsell.pk: Decimal("4450000.00"),
        satisfaction.pk: Decimal("70"),
    }


@pytest.mark.parametrize("outcome", [Outcome.LOST, Outcome.CANCELLED])
def test_closing_without_a_win_leaves_the_revenue_goals(owner, outcome):
    project = make_project(owner, S.CLOSURE, gate_met=True)
    ClosureReport.objects.filter(project=project).update(outcome=outcome, actual_value=None)
    goal = GoalFactory(project=project, current_value=120_000)

    project_transition(project=project, to_stage=S.CLOSED, actor=owner)

    goal.refresh_from_db()
    assert goal.current_value == Decimal("120000")


def test_a_refused_closing_leaves_the_revenue_goals(owner):
    project = make_project(owner, S.CLOSURE, gate_met=True)
    goal = GoalFactory(project=project, current_value=120_000)
    project.lessons.all().delete()

    with pytest.raises(GateNotMet):
        project_transition(project=project, to_stage=S.CLOSED, actor=owner)

    goal.refresh_from_db()
    assert goal.current_value == Decimal("120000")


def test_approved_closing_as_won_sets_the_revenue_goals_too(owner, director):
    require_approval(S.CLOSURE)
    project = make_project(owner, S.CLOSURE, gate_met=True)
    goal = GoalFactory(project=project, current_value=0)
    project_transition(project=project, to_stage=S.CLOSED, actor=owner)
    goal.refresh_from_db()
    assert goal.current_value == 0  # still waiting for the director

    project_approve(project=fresh(project), actor=director)

    goal.refresh_from_db()
    assert goal.current_value == Decimal("480000.00")


def test_owner_who_is_not_a_director_cannot_reopen(owner):
    project = make_project(owner, S.CLOSED)

    with pytest.raises(TransitionForbidden):
        project_transition(project=project, to_stage=S.MONITORING, actor=owner, note="Please")

    assert fresh(project).stage == S.CLOSED
    assert not StageTransition.objects.exists()


@pytest.mark.parametrize("note", ["", "  "])
def test_director_cannot_reopen_without_a_note(owner, director, note):
    project = make_project(owner, S.CLOSED)

    with pytest.raises(TransitionInvalid) as error:
        project_transition(project=project, to_stage=S.MONITORING, actor=director, note=note)

    assert set(error.value.errors) == {"note"}
    assert fresh(project).stage == S.CLOSED


def test_reopen_clears_the_outcome_and_the_closing_date(owner, director):
    project = make_project(owner, S.CLOSED)
    assert project.outcome == Outcome.WON
    ClosureReportFactory(project=project, closed_on=datetime.date(2026, 1, 15))

    project_transition(project=project, to_stage=S.MONITORING, actor=director, note="Phase 2")

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.MONITORING, "")
    report = ClosureReport.objects.get(project=project)
    assert report.closed_on is None
    assert report.outcome == Outcome.WON  # the report stays for the next closing


def test_a_reopened_project_closes_again_on_a_new_date(owner, director):
    project = make_project(owner, S.CLOSURE, gate_met=True)
    project_transition(project=project, to_stage=S.CLOSED, actor=owner)
    ClosureReport.objects.filter(project=project).update(closed_on=datetime.date(2026, 1, 15))
    project_transition(project=fresh(project), to_stage=S.MONITORING, actor=director, note="Again")
    # Monitoring is passed again on a review held after the reopening.
    ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now(), held_at=timezone.now(), decision="close"
    )

    project_transition(project=fresh(project), to_stage=S.CLOSURE, actor=owner)
    project_transition(project=fresh(project), to_stage=S.CLOSED, actor=owner)

    project = fresh(project)
    assert (project.stage, project.outcome) == (S.CLOSED, Outcome.WON)
    assert ClosureReport.objects.get(project=project).closed_on == timezone.localdate()
    kinds = list(project.transitions.values_list("kind", flat=True))
    assert kinds == ["advance", "reopen", "advance", "advance"]


# --- who may move a project -----------------------------------------------------------------
@pytest.mark.parametrize("who", ["member", "outsider", "other_manager"])
@pytest.mark.parametrize(
    ("source", "target", "extra"),
    [
        pytest.param(S.INITIATION, S.GOAL_SETTING, {}, id="advance"),
        pytest.param(S.MONITORING, S.EXECUTION, {"note": "Rework"}, id="loop"),
        pytest.param(S.EXECUTION, S.CLOSURE, {"note": "Stop", "outcome": Outcome.LOST}, id="abort"),
    ],
)
def test_only_the_owner_or_a_director_may_move_a_project(
    request, owner, who, source, target, extra
):
    project = make_project(owner, source, gate_met=True)
    actor = request.getfixturevalue(who)
    if who == "member":  # on the project's team, in a lead role even
        ProjectMembershipFactory(project=project, user=actor, role=TeamRole.ACCOUNT_LEAD)

    with pytest.raises(TransitionForbidden):
        project_transition(project=project, to_stage=target, actor=actor, **extra)

    after = fresh(project)
    assert (after.stage, after.awaiting_approval) == (source, False)
    assert not StageTransition.objects.exists()


def test_member_cannot_advance_stage(owner, member):
    project = make_project(owner, S.INITIATION, gate_met=True)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)

    with pytest.raises(TransitionForbidden):
        project_transition(project=project, to_stage=S.GOAL_SETTING, actor=member)

    assert fresh(project).stage == S.INITIATION


def test_director_can_advance_someone_elses_project(owner, director):
    project = make_project(owner, S.INITIATION, gate_met=True)

    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=director, note="Go")

    assert fresh(project).stage == S.GOAL_SETTING
    row = StageTransition.objects.get(project=project)
    assert (row.kind, row.actor) == ("advance", director)


def test_director_can_abort_someone_elses_project(owner, director):
    project = make_project(owner, S.STRATEGY)

    project_transition(
        project=project, to_stage=S.CLOSURE, actor=director, note="Stop", outcome="cancelled"
    )

    assert fresh(project).outcome == Outcome.CANCELLED


# --- approval -------------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "target"), ADVANCES, ids=[s for s, _ in ADVANCES])
def test_advance_needing_approval_waits_for_a_director(owner, director, source, target):
    require_approval(source)
    project = make_project(owner, source, gate_met=True)

    result = project_transition(project=project, to_stage=target, actor=owner, note="Ready")

    assert (result.awaiting_approval, result.transition) == (True, None)
    waiting = fresh(project)
    assert waiting.stage == source
    assert waiting.stage_entered_at == project.stage_entered_at
    assert (waiting.approval_requested_by, waiting.approval_note) == (owner, "Ready")
    assert waiting.approval_requested_at is not None
    assert not StageTransition.objects.exists()

    with pytest.raises(TransitionForbidden):
        project_approve(project=waiting, actor=owner)
    assert fresh(project).stage == source

    approved = project_approve(project=waiting, actor=director)

    project = fresh(project)
    assert project.stage == target
    assert not project.awaiting_approval and project.approval_requested_by is None
    row = StageTransition.objects.get(project=project)
    assert (row.from_stage, row.to_stage, row.kind, row.actor) == (
        source,
        target,
        "approval",
        director,
    )
    assert row.note == "Ready"  # the owner's request note, as the director gave none
    assert approved.transition == row


def test_directors_approval_note_is_recorded(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner, note="Ready")

    project_approve(project=fresh(project), actor=director, note="Approved, go ahead")

    assert StageTransition.objects.get(project=project).note == "Approved, go ahead"


def test_approval_is_not_asked_while_the_gate_is_unmet(owner):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION)

    with pytest.raises(GateNotMet):
        project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)

    assert not fresh(project).awaiting_approval


def test_approval_is_refused_if_the_gate_went_unmet_meanwhile(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)
    BREAKERS["feasibility_go"].break_it(project)

    with pytest.raises(GateNotMet) as error:
        project_approve(project=fresh(project), actor=director)

    assert [c.code for c in error.value.unmet] == ["feasibility_go"]
    assert fresh(project).stage == S.INITIATION


def test_rejecting_an_approval_clears_the_request(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner, note="Ready")
    with pytest.raises(TransitionForbidden):
        project_reject_approval(project=fresh(project), actor=owner)

    project_reject_approval(project=fresh(project), actor=director, note="Not yet")

    project = fresh(project)
    assert project.stage == S.INITIATION
    assert not project.awaiting_approval
    assert (project.approval_requested_by, project.approval_note) == (None, "")
    assert not StageTransition.objects.exists()
    with pytest.raises(TransitionNotAllowed):
        project_approve(project=project, actor=director)


def test_approve_with_nothing_waiting_is_not_allowed(owner, director):
    project = make_project(owner, S.INITIATION, gate_met=True)

    with pytest.raises(TransitionNotAllowed):
        project_approve(project=project, actor=director)
    with pytest.raises(TransitionNotAllowed):
        project_reject_approval(project=project, actor=director)

    assert fresh(project).stage == S.INITIATION


def test_director_advancing_where_approval_is_required_is_recorded_as_approval(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)

    result = project_transition(project=project, to_stage=S.GOAL_SETTING, actor=director)

    assert result.awaiting_approval is False
    assert fresh(project).stage == S.GOAL_SETTING
    row = StageTransition.objects.get(project=project)
    assert (row.kind, row.actor) == ("approval", director)


def test_director_advancing_a_waiting_project_clears_the_request(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)

    project_transition(project=fresh(project), to_stage=S.GOAL_SETTING, actor=director)

    project = fresh(project)
    assert project.stage == S.GOAL_SETTING and not project.awaiting_approval


def test_approval_policy_applies_to_advances_only(owner):
    require_approval(S.MONITORING)
    project = make_project(owner, S.MONITORING)

    result = project_transition(project=project, to_stage=S.EXECUTION, actor=owner, note="More")

    assert result.awaiting_approval is False
    assert fresh(project).stage == S.EXECUTION
    assert StageTransition.objects.get(project=project).kind == "loop"


# --- stale views ----------------------------------------------------------------------------
def test_a_stale_view_of_the_stage_gets_a_conflict(owner):
    project = make_project(owner, S.INITIATION, gate_met=True)
    stale = fresh(project)
    project_transition(project=fresh(project), to_stage=S.GOAL_SETTING, actor=owner)

    with pytest.raises(StageConflict):
        project_transition(project=stale, to_stage=S.GOAL_SETTING, actor=owner)

    assert fresh(project).stage == S.GOAL_SETTING
    assert StageTransition.objects.filter(project=project).count() == 1


def test_a_stale_view_gets_a_conflict_before_the_move_is_classified(owner):
    project = make_project(owner, S.EXECUTION)
    stale = fresh(project)
    project_transition(
        project=fresh(project), to_stage=S.CLOSURE, actor=owner, note="Stop", outcome="lost"
    )

    # Even a move that would be refused from the stage the person saw is a conflict.
    with pytest.raises(StageConflict):
        project_transition(project=stale, to_stage=S.CLOSED, actor=owner)

    assert StageTransition.objects.filter(project=project).count() == 1


def test_approving_a_stale_view_gets_a_conflict(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)
    stale = fresh(project)
    project_transition(
        project=fresh(project), to_stage=S.CLOSURE, actor=owner, note="Stop", outcome="lost"
    )

    with pytest.raises(StageConflict):
        project_approve(project=stale, actor=director)

    assert fresh(project).stage == S.CLOSURE


def test_a_move_from_a_stage_the_person_no_longer_sees_is_a_conflict(owner):
    project = make_project(owner, S.GOAL_SETTING, gate_met=True)

    # The row is read fresh, but the page (or the API client) showed initiation.
    with pytest.raises(StageConflict):
        project_transition(
            project=fresh(project),
            to_stage=S.RESOURCE_ALLOCATION,
            actor=owner,
            expected_stage=S.INITIATION,
        )

    assert fresh(project).stage == S.GOAL_SETTING
    assert not StageTransition.objects.filter(project=project).exists()


@pytest.mark.parametrize("decide", [project_approve, project_reject_approval])
def test_deciding_an_approval_on_a_stage_no_longer_seen_is_a_conflict(owner, director, decide):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)

    with pytest.raises(StageConflict):
        decide(project=fresh(project), actor=director, expected_stage=S.STRATEGY, note="Seen there")

    project = fresh(project)
    assert project.stage == S.INITIATION and project.awaiting_approval
    assert not StageTransition.objects.filter(project=project).exists()


# --- the graph: declared once on the model --------------------------------------------------
def declared_moves() -> dict[tuple[Stage, Stage], set[TransitionKind]]:
    """The kinds of move Project.stage declares (its django-fsm transitions) per source and
    target; a declaration whose method returns the target lists the ones it may return."""
    moves: dict[tuple[Stage, Stage], set[TransitionKind]] = {}
    for declared in Project().get_all_stage_transitions():
        for target in getattr(declared.target, "allowed_states", [declared.target]):
            moves.setdefault((declared.source, target), set()).add(declared.custom["kind"])
    return moves


def test_the_model_declares_the_fifteen_moves_of_the_design():
    assert set(declared_moves()) == ALLOWED_PAIRS


def test_classify_names_the_declared_kind_for_every_pair_of_stages():
    classified: dict[tuple[Stage, Stage], set[TransitionKind]] = {}
    for source, target in product(Stage, Stage):
        for outcome in ("", Outcome.LOST):  # with an outcome, moving to closure is an abort
            with suppress(TransitionNotAllowed):
                kind = classify(source, target, outcome=outcome)
                classified.setdefault((source, target), set()).add(kind)

    assert classified == declared_moves()


@pytest.mark.parametrize("stage", list(Stage))
def test_the_actions_offered_are_the_moves_declared_from_the_stage(owner, director, stage):
    project = make_project(owner, stage)
    declared = {
        (kind, target)
        for (source, target), kinds in declared_moves().items()
        if source == stage
        for kind in kinds
    }

    # A director may take every kind of move.
    offered = {(a.kind, a.to_stage) for a in available_actions(project, director)}

    assert offered == declared
    assert {(kind, target) for kind, target in offered if kind != TransitionKind.REOPEN} == {
        (a.kind, a.to_stage) for a in available_actions(project, owner)
    }


# --- available actions ----------------------------------------------------------------------
def test_owner_in_monitoring_sees_advance_two_loops_and_abort(owner):
    project = make_project(owner, S.MONITORING)

    actions = available_actions(project, owner)

    assert [(a.kind, a.to_stage) for a in actions] == [
        (TransitionKind.ADVANCE, S.CLOSURE),
        (TransitionKind.LOOP, S.EXECUTION),
        (TransitionKind.LOOP, S.STRATEGY),
        (TransitionKind.ABORT, S.CLOSURE),
    ]
    needs = {(a.kind, a.to_stage): (a.needs_note, a.needs_outcome) for a in actions}
    assert needs[(TransitionKind.LOOP, S.STRATEGY)] == (True, False)
    assert needs[(TransitionKind.ABORT, S.CLOSURE)] == (True, True)
    assert needs[(TransitionKind.ADVANCE, S.CLOSURE)] == (False, False)
    assert all(a.label for a in actions)


@pytest.mark.parametrize("stage", list(Stage))
def test_team_member_sees_no_actions(owner, member, stage):
    project = make_project(owner, stage)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)

    assert available_actions(project, member) == []


def test_director_on_a_closed_project_sees_reopen_only(owner, director):
    project = make_project(owner, S.CLOSED)

    actions = available_actions(project, director)

    assert [(a.kind, a.to_stage, a.needs_note) for a in actions] == [
        (TransitionKind.REOPEN, S.MONITORING, True)
    ]
    assert available_actions(project, owner) == []


@pytest.mark.parametrize("stage", [S.INITIATION, S.EXECUTION])
def test_owner_outside_monitoring_sees_advance_and_abort(owner, stage):
    project = make_project(owner, stage)

    assert [(a.kind, a.to_stage) for a in available_actions(project, owner)] == [
        (TransitionKind.ADVANCE, NEXT_STAGE[stage]),
        (TransitionKind.ABORT, S.CLOSURE),
    ]


def test_owner_in_closure_sees_only_the_advance_to_closed(owner):
    project = make_project(owner, S.CLOSURE)

    assert [(a.kind, a.to_stage) for a in available_actions(project, owner)] == [
        (TransitionKind.ADVANCE, S.CLOSED)
    ]


def test_a_waiting_approval_is_offered_to_directors_only(owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)
    # The owner's button says it asks a director; a director's simply advances.
    assert (
        available_actions(project, owner)[0].label != available_actions(project, director)[0].label
    )
    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)
    project = fresh(project)

    assert [(a.kind, a.to_stage) for a in available_actions(project, director)] == [
        (TransitionKind.APPROVAL, S.GOAL_SETTING)
    ]
    assert available_actions(project, owner) == []


# --- the stage_changed event ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "target", "who", "extra", "approval"),
    [
        pytest.param(S.INITIATION, S.GOAL_SETTING, "owner", {}, False, id="advance"),
        pytest.param(S.MONITORING, S.STRATEGY, "owner", {"note": "Adjust"}, False, id="loop"),
        pytest.param(
            S.GOAL_SETTING, S.CLOSURE, "owner", {"note": "x", "outcome": "lost"}, False, id="abort"
        ),
        pytest.param(S.CLOSED, S.MONITORING, "director", {"note": "Again"}, False, id="reopen"),
        pytest.param(S.INITIATION, S.GOAL_SETTING, "director", {}, True, id="approval"),
    ],
)
def test_stage_changed_fires_once_per_transition_with_its_row(
    signals, owner, director, source, target, who, extra, approval
):
    if approval:
        require_approval(source)
    project = make_project(owner, source, gate_met=True)
    actor = {"owner": owner, "director": director}[who]

    result = project_transition(project=project, to_stage=target, actor=actor, **extra)

    row = StageTransition.objects.get(project=project)
    assert len(signals) == 1
    sent_project, sent_row = signals[0]
    assert sent_row == row == result.transition
    assert (sent_project.pk, sent_project.stage) == (project.pk, target)


def test_stage_changed_fires_on_approval_but_not_on_the_request(signals, owner, director):
    require_approval(S.INITIATION)
    project = make_project(owner, S.INITIATION, gate_met=True)

    project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)
    assert signals == []
    project_approve(project=fresh(project), actor=director)

    assert [row for _, row in signals] == [StageTransition.objects.get(project=project)]


def test_stage_changed_does_not_fire_for_a_refused_move(signals, owner):
    project = make_project(owner, S.INITIATION)

    with pytest.raises(GateNotMet):
        project_transition(project=project, to_stage=S.GOAL_SETTING, actor=owner)
    with pytest.raises(TransitionNotAllowed):
        project_transition(project=project, to_stage=S.EXECUTION, actor=owner)

    assert signals == []


# --- concurrency (PostgreSQL row locks) -----------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "actors",
    [("owner", "owner"), ("owner", "director")],
    ids=["owner-twice", "owner-and-director"],
)
def test_two_simultaneous_advances_one_wins_the_other_conflicts(
    require_postgres, owner, director, actors
):
    project = make_project(owner, S.INITIATION, gate_met=True)
    users = {"owner": owner.pk, "director": director.pk}
    barrier = threading.Barrier(2, timeout=10)
    results: list[str] = []

    def advance(actor_pk: int) -> None:
        try:
            seen = Project.objects.get(pk=project.pk)
            actor = User.objects.get(pk=actor_pk)
            assert seen.stage == S.INITIATION
            barrier.wait()
            project_transition(project=seen, to_stage=S.GOAL_SETTING, actor=actor)
            results.append("moved")
        except StageConflict:
            results.append("conflict")
        except Exception as error:  # reported by the assertion below
            results.append(f"unexpected {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=advance, args=(users[name],)) for name in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    assert sorted(results) == ["conflict", "moved"]
    assert StageTransition.objects.filter(project=project).count() == 1
    assert fresh(project).stage == S.GOAL_SETTING
