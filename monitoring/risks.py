"""监控评估: the risk register — writes, the 5×5 matrix, and who hears of serious risks."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from collaboration.models import ActivityVerb, NotificationKind
from collaboration.notifications import notify
from collaboration.services import activity_record
from core.history import records_actor
from monitoring.models import LEVEL_RANK, SERIOUS_LEVELS, Risk, RiskLevel, risk_level
from monitoring.reviews import project_member_ids
from projects.access import can_edit_project, projects_visible_to
from projects.models import Project, ProjectMembership


def can_edit_risks(user: User, project: Project) -> bool:
    """Add and remove risks: the project's owner and directors."""
    return can_edit_project(user, project)


def can_update_risk(user: User, risk: Risk) -> bool:
    """Update a risk: who edits the project, and the risk's owner while the project is open."""
    return bool(updatable_risks(user, [risk]))


def updatable_risks(user: User, risks: Iterable[Risk]) -> list[Risk]:
    """Those of `risks` that `user` may update (can_update_risk's rule), in at most one query
    whatever their number, so lists can offer the edit button row by row."""
    editable, owned = [], []
    for risk in risks:
        if can_edit_risks(user, risk.project):
            editable.append(risk)
        elif risk.owner_id == user.pk and risk.project.is_open:
            owned.append(risk)
    if not owned:
        return editable
    on_team = set(
        ProjectMembership.objects.active()
        .filter(project__in={risk.project_id for risk in owned}, user=user, user__is_active=True)
        .values_list("project_id", flat=True)
    )
    return editable + [risk for risk in owned if risk.project_id in on_team]


def risks_visible_to(user: User, queryset: QuerySet[Risk] | None = None) -> QuerySet[Risk]:
    """Risks of the projects `user` may see."""
    queryset = Risk.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.is_director:
        return queryset  # every project: no semi-join over the whole portfolio
    return queryset.filter(project__in=projects_visible_to(user))


def _risk_check(risk: Risk) -> None:
    errors = {}
    if risk.owner_id and risk.owner_id not in project_member_ids(risk.project):
        errors["owner"] = _("The owner of a risk must be on the project's team.")
    for name in ("probability", "impact"):
        value = getattr(risk, name)
        if value is None or not 1 <= value <= 5:
            errors[name] = _("Give a whole number from 1 to 5.")
    if errors:
        raise ValidationError(errors)


@records_actor
@transaction.atomic
def risk_save(*, risk: Risk, actor: User) -> Risk:
    """Create or update a risk; one that becomes high or critical alerts its owner and the
    directors."""
    project = risk.project
    before = None
    if risk.pk is None:
        if not can_edit_risks(actor, project):
            raise PermissionDenied
        risk.created_by = actor
    else:
        before = Risk.objects.select_for_update().get(pk=risk.pk)
        if before.project_id != project.pk or not can_update_risk(actor, before):
            raise PermissionDenied
    _risk_check(risk)
    risk.save()
    risk.refresh_from_db(fields=["score", "level", "updated_at"])
    activity_record(
        project=project,
        actor=actor,
        verb=ActivityVerb.RISK_RECORDED if before is None else ActivityVerb.RISK_UPDATED,
        data={"risk": risk.pk, "title": risk.title, "level": risk.level},
    )
    rose = before is None or LEVEL_RANK[RiskLevel(risk.level)] > LEVEL_RANK[RiskLevel(before.level)]
    if risk.level in SERIOUS_LEVELS and rose:
        directors = User.objects.directors()
        notify(
            recipients=[risk.owner, *directors],
            kind=NotificationKind.RISK_SERIOUS,
            # One alert per rise: a risk that falls and rises again is news again.
            event_key=f"risk:{risk.pk}:{risk.level}:{risk.updated_at:%Y%m%d%H%M%S%f}",
            project=project,
            actor=actor,
            data={"risk": risk.pk, "title": risk.title[:120], "level": risk.level},
        )
    return risk


@records_actor
@transaction.atomic
def risk_delete(*, risk: Risk, actor: User) -> None:
    if not can_edit_risks(actor, risk.project):
        raise PermissionDenied
    risk.delete()


# --- the matrix --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MatrixCell:
    probability: int
    impact: int
    count: int

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.probability, self.impact)


@dataclass(frozen=True)
class RiskMatrix:
    """Counts of risks per probability × impact; rows from probability 5 down to 1."""

    rows: list[list[MatrixCell]]
    total: int
    by_level: dict[str, int]


def risk_matrix_of_cells(cells: dict[str, int]) -> RiskMatrix:
    """The matrix of counts already made, keyed "probability-impact" (a KPI snapshot's)."""
    counts: dict[tuple[int, int], int] = {}
    for key, n in cells.items():
        probability, impact = key.split("-")
        counts[int(probability), int(impact)] = n
    return _matrix(counts)


def risk_matrix(risks: QuerySet[Risk]) -> RiskMatrix:
    """The 5×5 matrix of `risks`, counted in one query."""
    counts = {
        (row["probability"], row["impact"]): row["n"]
        for row in risks.order_by().values("probability", "impact").annotate(n=Count("pk"))
    }
    return _matrix(counts)


def _matrix(counts: dict[tuple[int, int], int]) -> RiskMatrix:
    rows = [[MatrixCell(p, i, counts.get((p, i), 0)) for i in range(1, 6)] for p in range(5, 0, -1)]
    by_level = {level.value: 0 for level in RiskLevel}
    for (p, i), n in counts.items():
        by_level[risk_level(p, i).value] += n
    return RiskMatrix(rows=rows, total=sum(counts.values()), by_level=by_level)
