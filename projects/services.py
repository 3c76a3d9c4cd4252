"""Writes on projects and their stage records (stage changes live in projects.lifecycle)."""

from django.db import transaction

from core.models import User

from .models import Strategy, StrategyStatus
from .models.project import Project


@transaction.atomic
def strategies_open_revisions(*, project: Project, actor: User) -> list[Strategy]:
    """Supersede every active strategy with a new revision to rework (the cycle's loop)."""
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
                created_by=actor,
            )
        )
    return revisions
