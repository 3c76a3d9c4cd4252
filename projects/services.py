"""Writes on customers, projects and their stage records.

Stage changes live in `projects.lifecycle`. Every function here takes the acting user, checks
that they may write, and runs in one transaction, so the pages and the API share one rule.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Refused
from core.history import records_actor
from projects.models import ProjectMembership

from .access import can_choose_owner, can_create_project, can_edit_project
from .models import (
    ClosureReport,
    Feasibility,
    FeasibilityDecision,
    Lesson,
    Project,
    ProjectCodeCounter,
    Stage,
    Strategy,
    StrategyStatus,
)


class RecordInUse(Refused):
    """A record other records still point to (e.g. a strategy a later revision supersedes);
    the API answers 409."""

    def __init__(self) -> None:
        super().__init__(_("Other records refer to this one, so it cannot be removed."))


# --- projects ---------------------------------------------------------------------------------
def project_code_next(*, year: int) -> str:
    """The next project code of `year`, e.g. SP-2026-0042; numbers are never reused."""
    ProjectCodeCounter.objects.get_or_create(year=year)
    counter = ProjectCodeCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"SP-{year}-{counter.last_number:04d}"


@records_actor
@transaction.atomic
def project_create(*, project: Project, actor: User) -> Project:
    """Open a new project in Initiation; a sales manager owns what they open."""
    if not can_create_project(actor):
        raise PermissionDenied
    if not project.owner_id or not can_choose_owner(actor):
        project.owner = actor
    project.code = project_code_next(year=timezone.localdate().year)
    project.save()
    ProjectMembership.objects.create(
        project=project,
        user=project.owner,
        department=project.owner.department,
        role="owner",
    )
    return project


@records_actor
@transaction.atomic
def project_update(*, project: Project, actor: User, fields: list[str]) -> Project:
    """Save changed project fields (owner or director; only a director changes the owner);
    never the stage."""
    if "owner" in fields and not can_choose_owner(actor):
        # Sent unchanged (an API client writing back what it read) is no change of owner.
        stored = Project.objects.filter(pk=project.pk).values_list("owner_id", flat=True).get()
        if project.owner_id != stored:
            raise PermissionDenied
    if not can_edit_project(actor, project):
        raise PermissionDenied
    if "stage" in fields:
        raise ValueError("The stage changes only through projects.lifecycle.")
    project.save(update_fields=[*fields, "updated_at"])
    if "owner" in fields:
        _owner_membership_follow(project)
    return project


def _owner_membership_follow(project: Project) -> None:
    """After a change of owner, the team's owner row names the new owner, and only them."""
    today = timezone.localdate()
    # Row by row (a team has one owner row, rarely two), so that the history records each.
    for former in project.memberships.active().filter(role="owner").exclude(user=project.owner):
        former.left_on = today
        former.save(update_fields=["left_on"])
    current = project.memberships.active().filter(user=project.owner).first()
    if current is None:
        ProjectMembership.objects.create(
            project=project,
            user=project.owner,
            department=project.owner.department,
            role="owner",
        )
    elif current.role != "owner":
        current.role = "owner"
        current.save(update_fields=["role"])


# --- stage records ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordRule:
    """What saving one kind of stage record does besides saving it."""

    before_save: Any = None
    after_save: Any = None


def _feasibility_before(record: Feasibility, actor: User, changed: set[str]) -> None:
    if "decision" in changed or record.pk is None:
        decided = record.decision != FeasibilityDecision.PENDING
        record.decided_by = actor if decided else None
        record.decided_at = timezone.now() if decided else None


def _created_by_before(record: Any, actor: User, changed: set[str]) -> None:
    if record.pk is None:
        record.created_by = actor


def _lesson_before(record: Lesson, actor: User, changed: set[str]) -> None:
    _created_by_before(record, actor, changed)
    # Tagged with the customer's industry and region so that similar projects find it.
    record.industry = record.project.customer.industry
    record.region = record.project.customer.region


def _closure_after(record: ClosureReport, actor: User, changed: set[str]) -> None:
    # In closure and after it the project's outcome follows the report (the check constraint
    # keeps it empty in every other stage).
    project = record.project
    if project.stage in (Stage.CLOSURE, Stage.CLOSED) and project.outcome != record.outcome:
        project.outcome = record.outcome
        project.save(update_fields=["outcome", "updated_at"])


def _strategy_before(record: Strategy, actor: User, changed: set[str]) -> None:
    _created_by_before(record, actor, changed)
    stored = Strategy.objects.filter(pk=record.pk).values_list("status", flat=True).first()
    if stored == StrategyStatus.SUPERSEDED:
        # A superseded revision is the history of the loop; its successor is what changes.
        raise ValidationError(
            {"summary": _("A superseded revision is history; change its latest revision.")}
        )


RECORD_RULES: dict[type[models.Model], RecordRule] = {
    Feasibility: RecordRule(before_save=_feasibility_before),
    Strategy: RecordRule(before_save=_strategy_before),
    Lesson: RecordRule(before_save=_lesson_before),
    ClosureReport: RecordRule(after_save=_closure_after),
}


@records_actor
@transaction.atomic
def stage_record_save(
    *, record: Any, project: Project, actor: User, changed: set[str] | None = None
) -> models.Model:
    """Create or update a record of a project's stage (feasibility, goal, resource, ...)."""
    if not can_edit_project(actor, project):
        raise PermissionDenied
    if record.pk is not None and record.project_id != project.pk:
        # A record never moves from one project to another.
        raise PermissionDenied
    record.project = project
    rule = RECORD_RULES.get(type(record), RecordRule())
    changed = set(changed or ())
    if rule.before_save:
        rule.before_save(record, actor, changed)
    record.save()
    if rule.after_save:
        rule.after_save(record, actor, changed)
    return record


@records_actor
@transaction.atomic
def stage_record_delete(*, record: Any, project: Project, actor: User) -> None:
    if not can_edit_project(actor, project) or record.project_id != project.pk:
        raise PermissionDenied
    try:
        with transaction.atomic():
            record.delete()
    except models.ProtectedError:
        raise RecordInUse from None


@records_actor
@transaction.atomic
def strategies_open_revisions(*, project: Project, actor: User) -> list[Strategy]:
    """Supersede every active strategy with its next revision, opened as a draft for the owner
    to rework and adopt (the cycle's loop back to strategy)."""
    revisions = []
    for strategy in project.strategies.select_for_update().filter(status=StrategyStatus.ACTIVE):
        strategy.status = StrategyStatus.SUPERSEDED
        strategy.save(update_fields=["status"])
        revisions.append(
            Strategy.objects.create(
                project=project,
                kind=strategy.kind,
                summary=strategy.summary,
                actions=strategy.actions,
                revision=strategy.revision + 1,
                supersedes=strategy,
                status=StrategyStatus.DRAFT,
                created_by=actor,
            )
        )
    return revisions


@records_actor
@transaction.atomic
def strategy_adopt(*, strategy: Strategy, actor: User) -> Strategy:
    """Put a draft revision in force (owner and directors)."""
    if not can_edit_project(actor, strategy.project):
        raise PermissionDenied
    locked = Strategy.objects.select_for_update().get(pk=strategy.pk)
    if locked.status != StrategyStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft revision can be adopted.")})
    locked.status = StrategyStatus.ACTIVE
    locked.save(update_fields=["status"])
    strategy.status = locked.status
    return locked
