"""Reads for the project pages and API, with access built in and a fixed number of queries."""

from django.db.models import Count, QuerySet

from core.models import User

from .access import projects_visible_to
from .models import Project, Stage


def project_list(user: User) -> QuerySet[Project]:
    """Projects `user` may see, with what a list row shows loaded in the same query."""
    return projects_visible_to(user).select_related("customer", "owner")


def stage_counts(queryset: QuerySet[Project]) -> dict[str, int]:
    """Number of projects per stage in `queryset` (one aggregate query)."""
    rows = queryset.order_by().values("stage").annotate(total=Count("id"))
    counts = {stage.value: 0 for stage in Stage}
    counts.update({row["stage"]: row["total"] for row in rows})
    return counts
