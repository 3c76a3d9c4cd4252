"""The sales project operating cycle: the one function that changes a stage, and its graph.

The gates it checks on an advance are a registry the apps fill (projects.gates).

Pages, the API, the admin and Celery tasks all call `project_transition`; nothing else moves
`Project.stage` (django-fsm refuses direct assignment).
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import Refused
from core.history import records_actor
from core.registry import Registry

from .access import can_transition
from .gates import GATES, CriterionResult, Gate, evaluate_gate
from .models import (
    ClosureReport,
    GoalMetric,
    Outcome,
    Project,
    ReasonCategory,
    Stage,
    StagePolicy,
    StageTransition,
    TransitionKind,
)


class Listeners:
    """The callbacks a higher app registers, in its `AppConfig.ready`, to hear of a lifecycle
    event: the lifecycle calls them by name and imports none of them (the apps depend one way).

    They run inside the transaction of the change, so what they write (the activity feed,
    notifications) commits or rolls back with it; what leaves the database (e-mail) must be
    enqueued on commit, as `core.background.enqueue` does.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.callbacks = Registry()

    def __repr__(self) -> str:
        return f"<Listeners {self.name}: {len(self.callbacks)}>"

    def register(self, callback: Callable[..., None]) -> Callable[..., None]:
        """Call `callback` with the event's keyword arguments each time it happens (once,
        however often `ready` runs)."""
        return self.callbacks.register(callback)

    def unregister(self, callback: Callable[..., None]) -> None:
        self.callbacks.remove(callback)

    def __call__(self, **event) -> None:
        for callback in list(self.callbacks):
            callback(**event)


# Every stage change (and approval): `project`, `transition`, `approval_requested_by` (the owner
# whose request this change approves, or None) and `approval_note` (what the director wrote).
stage_changed = Listeners("stage_changed")
# An owner's advance now waits for a director: `project` (with the request on it), `actor`.
approval_requested = Listeners("approval_requested")
# A director sent the request back: `project`, `actor`, `requested_by`, `requested_at`, `note`.
approval_sent_back = Listeners("approval_sent_back")


# --- policies ----------------------------------------------------------------------------------
def stage_policies() -> dict[str, StagePolicy]:
    """Norms, approval rules and win odds per stage (one query)."""
    return {policy.stage: policy for policy in StagePolicy.objects.all()}


def requires_approval(stage: str) -> bool:
    return StagePolicy.objects.filter(stage=stage, requires_approval=True).exists()


# --- errors ------------------------------------------------------------------------------------
class TransitionError(Refused):
    """A transition that cannot happen; `message` is translated for the person asking. The API
    answers each kind with its status and body (core.errors.api_exception_handler)."""


class TransitionNotAllowed(TransitionError):
    """The target stage is not reachable from the current one (API 400)."""

    status_code = 400

    def as_response_data(self) -> dict:
        return {"to_stage": [self.message]}


class NoApprovalWaiting(TransitionNotAllowed):
    """A director approves or sends back while no request waits (API 409: the project's state,
    not the input, is wrong)."""

    status_code = 409

    def as_response_data(self) -> dict:
        return {"detail": self.message}


class TransitionForbidden(TransitionError):
    """The person may read the project but not take this transition (API 403)."""

    status_code = 403


class TransitionInvalid(TransitionError):
    """Input missing or wrong for this transition: outcome, reason, note (API 400)."""

    status_code = 400

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors

    def as_response_data(self) -> dict:
        return {field: [message] for field, message in self.errors.items()}


class StageConflict(TransitionError):
    """The project left the stage the person saw before their request arrived (API 409)."""


class GateNotMet(TransitionError):
    """Exit criteria unmet (API 409); `unmet` lists them."""

    def __init__(self, message: str, unmet: list[CriterionResult]) -> None:
        super().__init__(message)
        self.unmet = unmet

    def as_response_data(self) -> dict:
        return {"detail": self.message, "unmet": [c.as_dict() for c in self.unmet]}


@dataclass(frozen=True)
class TransitionResult:
    project: Project
    transition: StageTransition | None
    awaiting_approval: bool = False


# --- the graph -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Edge:
    source: Stage
    target: Stage
    kind: TransitionKind


def _declared_edges() -> list[Edge]:
    """The moves Project.stage declares (its django-fsm transitions, each naming its kind), one
    per source and target, in the order of TransitionKind: advance, loops, abort, reopen."""
    field = Project._meta.get_field("stage")
    edges = []
    for declared in field.get_all_transitions(Project):
        # A declaration whose method returns the target names the ones it may return.
        targets = getattr(declared.target, "allowed_states", [declared.target])
        edges += [
            Edge(Stage(str(declared.source)), Stage(t), declared.custom["kind"]) for t in targets
        ]
    return sorted(edges, key=lambda edge: list(TransitionKind).index(edge.kind))


# The graph of the cycle, as the model declares it: what `classify` accepts and what
# `available_actions` offers, so that the two cannot disagree.
EDGES = _declared_edges()


# --- the transition -------------------------------------------------------------------------
def classify(from_stage: str, to_stage: str, *, outcome: str = "") -> TransitionKind:
    """Which kind of transition goes from `from_stage` to `to_stage`, or TransitionNotAllowed."""
    try:
        source, target = Stage(from_stage), Stage(to_stage)
    except ValueError:
        raise TransitionNotAllowed(_("Unknown stage.")) from None
    kinds = {edge.kind for edge in EDGES if (edge.source, edge.target) == (source, target)}
    # Monitoring → closure is both: an advance (the review decided to close) unless an outcome
    # is given up front, which makes it an abort.
    if kinds == {TransitionKind.ADVANCE, TransitionKind.ABORT}:
        return TransitionKind.ABORT if outcome else TransitionKind.ADVANCE
    if len(kinds) == 1:
        return kinds.pop()
    raise TransitionNotAllowed(
        _("A project in %(from)s cannot move to %(to)s.")
        % {"from": source.label, "to": target.label}
    )


def _validate_input(
    kind: TransitionKind, *, note: str, outcome: str, reason_category: str = ""
) -> None:
    errors = {}
    if kind == TransitionKind.ABORT:
        if reason_category and reason_category not in ReasonCategory.values:
            errors["reason_category"] = _("Choose one of the listed reasons.")
        if outcome not in (Outcome.LOST, Outcome.CANCELLED):
            errors["outcome"] = _("Aborting needs the outcome Lost or Cancelled.")
        if not note.strip():
            errors["reason"] = _("Give the reason for aborting the project.")
    elif kind == TransitionKind.LOOP and not note.strip():
        errors["note"] = _("Say why the project loops back.")
    elif kind == TransitionKind.REOPEN and not note.strip():
        errors["note"] = _("Give the reason for reopening the project.")
    if errors:
        raise TransitionInvalid(errors)


def _locked(project: Project, expected_stage: str) -> Project:
    """The project's row, locked until the transaction ends, if it is still in the stage the
    person saw (`expected_stage`, else the stage of the row they read); else StageConflict."""
    # The lock serialises concurrent requests for this project: the second one waits here,
    # then finds the stage changed and gets a conflict instead of a double move.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.stage != (expected_stage or project.stage):
        raise StageConflict(_("This project moved meanwhile; reload and try again."))
    return locked


@records_actor
def project_transition(
    *,
    project: Project,
    to_stage: str,
    actor: User,
    expected_stage: str = "",
    note: str = "",
    outcome: str = "",
    reason_category: str = "",
) -> TransitionResult:
    """Move `project` to `to_stage` on behalf of `actor`: the only way a stage changes.

    `expected_stage` is the stage the actor saw (a form's or a request's `from_stage`; by
    default that of `project`, the row as they read it): if the project is in another by
    the time the request holds its lock, the request is refused with StageConflict rather
    than applied to a state nobody looked at.
    """
    note = (note or "").strip()
    with transaction.atomic():
        locked = _locked(project, expected_stage)
        kind = classify(locked.stage, to_stage, outcome=outcome)
        if not can_transition(actor, locked, kind):
            raise TransitionForbidden(_("Only the project owner or a director can do this."))
        _validate_input(kind, note=note, outcome=outcome, reason_category=reason_category)

        if kind == TransitionKind.ADVANCE:
            gate = evaluate_gate(locked)
            if not gate.can_advance:
                raise GateNotMet(_("The exit criteria of this stage are not all met."), gate.unmet)
            if requires_approval(locked.stage):
                if not actor.is_director:
                    return _request_approval(locked, actor=actor, note=note)
                kind = TransitionKind.APPROVAL
        return _apply(
            locked,
            kind=kind,
            to_stage=Stage(to_stage),
            actor=actor,
            note=note,
            outcome=outcome,
            reason_category=reason_category,
        )


@records_actor
def project_approve(
    *, project: Project, actor: User, expected_stage: str = "", note: str = ""
) -> TransitionResult:
    """A director approves the advance the owner asked for; recorded as an approval."""
    with transaction.atomic():
        locked = _locked(project, expected_stage)
        if not can_transition(actor, locked, TransitionKind.APPROVAL):
            raise TransitionForbidden(_("Only a director can approve a stage change."))
        if not locked.awaiting_approval:
            raise NoApprovalWaiting(_("No stage change is waiting for approval."))
        gate = evaluate_gate(locked)
        if not gate.can_advance:
            raise GateNotMet(_("The exit criteria of this stage are not all met."), gate.unmet)
        return _apply(
            locked,
            kind=TransitionKind.APPROVAL,
            to_stage=cast(Stage, gate.next_stage),  # there is one: the gate can advance
            actor=actor,
            note=note.strip() or locked.approval_note,
            approval_note=note.strip(),
        )


@records_actor
def project_reject_approval(
    *, project: Project, actor: User, expected_stage: str = "", note: str = ""
) -> Project:
    """A director sends an approval request back, saying why; the project stays where it is."""
    with transaction.atomic():
        locked = _locked(project, expected_stage)
        if not can_transition(actor, locked, TransitionKind.APPROVAL):
            raise TransitionForbidden(_("Only a director can approve a stage change."))
        if not locked.awaiting_approval:
            raise NoApprovalWaiting(_("No stage change is waiting for approval."))
        if not note.strip():
            # The owner has to know what to do before asking again.
            raise TransitionInvalid({"note": _("Say why the request goes back.")})
        requested_by, requested_at = locked.approval_requested_by, locked.approval_requested_at
        _clear_approval(locked)
        locked.save(update_fields=_APPROVAL_FIELDS + ["updated_at"])
        approval_sent_back(
            project=locked,
            actor=actor,
            requested_by=requested_by,
            requested_at=requested_at,
            note=note.strip(),
        )
    return locked


_APPROVAL_FIELDS = ["approval_requested_by", "approval_requested_at", "approval_note"]


def _clear_approval(project: Project) -> None:
    project.approval_requested_by = None
    project.approval_requested_at = None
    project.approval_note = ""


def _request_approval(project: Project, *, actor: User, note: str) -> TransitionResult:
    # Asking again while a request waits changes nothing: the directors were told once.
    if not project.awaiting_approval:
        project.approval_requested_by = actor
        project.approval_requested_at = timezone.now()
        project.approval_note = note
        project.save(update_fields=_APPROVAL_FIELDS + ["updated_at"])
        approval_requested(project=project, actor=actor)
    return TransitionResult(project=project, transition=None, awaiting_approval=True)


def _apply(
    project: Project,
    *,
    kind: TransitionKind,
    to_stage: Stage,
    actor: User,
    note: str,
    outcome: str = "",
    reason_category: str = "",
    approval_note: str | None = None,
) -> TransitionResult:
    from_stage = Stage(project.stage)
    now = timezone.now()
    if kind in (TransitionKind.ADVANCE, TransitionKind.APPROVAL):
        project._advance()
    elif kind == TransitionKind.LOOP:
        project._loop(to_stage)
    elif kind == TransitionKind.ABORT:
        project._abort()
        project.outcome = outcome
        ClosureReport.objects.update_or_create(
            project=project,
            defaults={"outcome": outcome, "reason": note, "reason_category": reason_category},
        )
    elif kind == TransitionKind.REOPEN:
        project._reopen()
        project.outcome = ""
        # Closing again later records the new date.
        ClosureReport.objects.filter(project=project).update(closed_on=None)

    if not project.is_open:
        report = ClosureReport.objects.get(project=project)
        project.outcome = report.outcome
        if report.closed_on is None:
            report.closed_on = timezone.localdate()
            report.save(update_fields=["closed_on", "updated_at"])
        if report.outcome == Outcome.WON and report.actual_value is not None:
            _revenue_goals_reach(project, report.actual_value)
    if kind == TransitionKind.LOOP and to_stage == Stage.STRATEGY:
        from .services import strategies_open_revisions

        strategies_open_revisions(project=project, actor=actor)

    project.stage_entered_at = now
    approved_request_of = project.approval_requested_by if project.awaiting_approval else None
    _clear_approval(project)
    project.save()
    row = StageTransition.objects.create(
        project=project,
        from_stage=from_stage,
        to_stage=project.stage,
        kind=kind,
        actor=actor,
        note=note,
        created_at=now,
    )
    stage_changed(
        project=project,
        transition=row,
        approval_requested_by=approved_request_of if kind == TransitionKind.APPROVAL else None,
        approval_note=note if approval_note is None else approval_note,
    )
    return TransitionResult(project=project, transition=row)


def _revenue_goals_reach(project: Project, won: Decimal) -> None:
    # The deal is the revenue: once won, every revenue goal stands at the amount signed. Saved
    # one by one (a project has a handful) so that the field history records each change.
    for goal in project.goals.select_for_update().filter(metric=GoalMetric.REVENUE):
        if goal.current_value != won:
            goal.current_value = won
            goal.save(update_fields=["current_value"])


# --- what a person can do now --------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    kind: TransitionKind
    to_stage: Stage | None
    label: str
    needs_note: bool = False
    needs_outcome: bool = False
    # The move waits for a director (or is a director's decision): a note may go with it.
    takes_note: bool = False


# The button of each kind of move (an advance that waits for a director asks for one).
ACTION_LABELS = {
    TransitionKind.ADVANCE: gettext_lazy("Advance to %(stage)s"),
    TransitionKind.LOOP: gettext_lazy("Loop back to %(stage)s"),
    TransitionKind.ABORT: gettext_lazy("Abort the project"),
    TransitionKind.REOPEN: gettext_lazy("Reopen"),
}


def available_actions(project: Project, user: User) -> list[Action]:
    """The transition buttons to offer `user` on `project` (gates are checked on click)."""
    if project.awaiting_approval:
        if not can_transition(user, project, TransitionKind.APPROVAL):
            return []
        # A project waits for approval of a move to the next stage, so there is one.
        next_stage = cast(Stage, project.next_stage)
        label = _("Approve move to %(stage)s") % {"stage": next_stage.label}
        return [Action(TransitionKind.APPROVAL, next_stage, label, takes_note=True)]
    actions: list[Action] = []
    for edge in EDGES:
        if edge.source != project.stage or not can_transition(user, project, edge.kind):
            continue
        asks = False
        label = str(ACTION_LABELS[edge.kind])
        if edge.kind == TransitionKind.ADVANCE:
            asks = requires_approval(edge.source) and not user.is_director
            if asks:
                label = _("Ask a director to approve moving to %(stage)s")
        actions.append(
            Action(
                edge.kind,
                edge.target,
                label % {"stage": edge.target.label},
                # Every move but an advance says why; an abort also says how it ended.
                needs_note=edge.kind != TransitionKind.ADVANCE,
                needs_outcome=edge.kind == TransitionKind.ABORT,
                takes_note=asks,
            )
        )
    return actions


def stage_durations(transitions: list[StageTransition], project: Project) -> dict[str, int]:
    """Days spent in each stage so far, from the project's history (already loaded)."""
    durations: dict[str, int] = {}
    entered, stage = project.created_at, Stage.INITIATION.value
    for row in transitions:
        if row.kind == TransitionKind.APPROVAL or row.from_stage != row.to_stage:
            durations[stage] = durations.get(stage, 0) + (row.created_at - entered).days
            entered, stage = row.created_at, row.to_stage
    if project.is_open:
        durations[stage] = durations.get(stage, 0) + (timezone.now() - entered).days
    return durations


__all__ = [
    "EDGES",
    "GATES",
    "Action",
    "Edge",
    "Gate",
    "GateNotMet",
    "Listeners",
    "NoApprovalWaiting",
    "StageConflict",
    "TransitionError",
    "TransitionForbidden",
    "TransitionInvalid",
    "TransitionNotAllowed",
    "TransitionResult",
    "approval_requested",
    "approval_sent_back",
    "available_actions",
    "classify",
    "evaluate_gate",
    "project_approve",
    "project_reject_approval",
    "project_transition",
    "stage_changed",
    "stage_durations",
    "stage_policies",
]
