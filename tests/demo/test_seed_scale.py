"""`manage.py seed_scale`, the command: the same portfolio for the same seed, refusals, reset
and a number of queries that does not grow with N. What it builds is read in
test_scale_portfolio.py."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from demo.scale import scale_reset, seed_scale
from projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PROJECTS = 60


def seed(projects: int = PROJECTS, **options) -> str:
    out = StringIO()
    call_command("seed_scale", projects=projects, stdout=out, **options)
    return out.getvalue()


def fingerprint() -> list[tuple]:
    """What the portfolio is, without database ids: each project and what it holds."""
    return list(
        Project.objects.order_by("code")
        .annotate(
            task_count=Count("tasks", distinct=True), review_count=Count("reviews", distinct=True)
        )
        .values_list(
            "code",
            "name",
            "stage",
            "outcome",
            "estimated_value",
            "owner__username",
            "customer__name",
            "stage_entered_at",
            "task_count",
            "review_count",
        )
    )


def test_the_same_seed_gives_the_same_portfolio(require_postgres):
    seed(seed=3)
    first = fingerprint()
    seed(seed=3, reset=True)
    again = fingerprint()
    seed(seed=4, reset=True)
    other = fingerprint()

    assert len(first) == PROJECTS
    assert again == first
    assert other != first


def test_it_refuses_a_database_that_holds_projects(require_postgres):
    ProjectFactory(name="Somebody's real project")

    with pytest.raises(CommandError, match="--reset"):
        seed()
    assert Project.objects.count() == 1


def test_it_refuses_fewer_projects_than_cover_every_stage_and_outcome(require_postgres):
    with pytest.raises(CommandError, match="at least"):
        seed(projects=5)
    assert not Project.objects.exists()


def test_reset_replaces_what_was_there(require_postgres):
    ProjectFactory(name="Somebody's real project")

    seed(reset=True)

    assert Project.objects.count() == PROJECTS
    assert not Project.objects.filter(name="Somebody's real project").exists()


def test_reset_leaves_no_history_of_what_was_there(require_postgres):
    # The field history has no foreign keys to truncate through; left behind, it would be read
    # as the history of the new projects that reuse the restarted ids.
    ProjectFactory(name="Somebody's real project")

    seed(reset=True)

    assert not Project.history.filter(name="Somebody's real project").exists()


def test_query_count_does_not_grow_with_the_number_of_projects(require_postgres):
    seed_scale(projects=30, seed=1)  # the departments exist from here on, as after any run
    scale_reset()
    with CaptureQueriesContext(connection) as small:
        seed_scale(projects=30, seed=1)
    scale_reset()
    with CaptureQueriesContext(connection) as large:
        seed_scale(projects=120, seed=1)

    assert Project.objects.count() == 120
    assert len(large) == len(small)
