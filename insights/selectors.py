"""Reads of the KPI snapshots, with access built in (for the API and the exports)."""

from django.db.models import QuerySet

from accounts.models import User
from projects.access import projects_visible_to

from .models import PortfolioDimension, PortfolioSnapshot, ProjectSnapshot


def project_snapshots_visible_to(user: User) -> QuerySet[ProjectSnapshot]:
    """KPI snapshots of the projects `user` may see, newest first."""
    return (
        ProjectSnapshot.objects.filter(project__in=projects_visible_to(user))
        .select_related("project")
        .order_by("-day", "project_id")
    )


def portfolio_snapshots_visible_to(user: User) -> QuerySet[PortfolioSnapshot]:
    """Portfolio figures add up every project: all rows for directors, anyone else only their
    own (dimension `owner`, their id)."""
    rows = PortfolioSnapshot.objects.order_by("-day", "dimension", "key")
    if user.is_director:
        return rows
    return rows.filter(dimension=PortfolioDimension.OWNER, key=str(user.pk))
