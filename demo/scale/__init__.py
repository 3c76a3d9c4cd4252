"""A portfolio at scale for the benchmark (`manage.py seed_scale`), written in bulk.

Unlike the demo (`demo.projects`), which drives each project through the services one click
at a time, this works out every project's story in memory (`plans`) and inserts each kind of
record in a few batched statements: the number of queries grows with the number of rows only
by batches, never per row. The records are what the services would have left behind — stage
history, the records each gate asks for, teams, tasks, reviews, risks, the feed and a year of
KPI snapshots — so every page reads them as it reads real ones. The same seed on the same day
gives the same portfolio.
"""

import datetime
import logging
import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone, translation

from accounts.models import User
from core.history import historical_models
from customers.models import Customer
from demo.scale.bulk import own_timestamps
from demo.scale.feed import activities_create
from demo.scale.history import kpi_history_create
from demo.scale.monitoring import reviews_create, risks_create
from demo.scale.people import EMAIL_DOMAIN, customers_create, people_create
from demo.scale.plans import MIN_PROJECTS, Clock, plans_make, reviews_plan
from demo.scale.records import (
    allocations_create,
    closures_create,
    feasibilities_create,
    goals_create,
    projects_create,
    strategies_create,
    teams_create,
    transitions_create,
)
from demo.scale.work import tasks_create
from insights.models import KpiRun, PortfolioSnapshot
from projects.models import OPEN_STAGES, Project, ProjectCodeCounter, StagePolicy

logger = logging.getLogger(__name__)

# A stage without a policy row (the data migration adds all seven) counts as this.
DEFAULT_NORM_DAYS = 14
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Sizes:
    """How much of everything N projects come with (the issue's figures at 20,000), with
    minimums so that a small portfolio still has every role, department and stage."""

    projects: int

    @property
    def users(self) -> int:
        return max(24, self.projects // 40)

    @property
    def directors(self) -> int:
        return max(1, self.users // 100)

    @property
    def managers(self) -> int:
        return max(4, self.users * 19 // 100)

    @property
    def members(self) -> int:
        return self.users - self.directors - self.managers

    @property
    def customers(self) -> int:
        return max(12, self.projects // 10)

    @property
    def tasks(self) -> int:
        return self.projects * 10

    @property
    def reviews(self) -> int:
        return self.projects * 2

    @property
    def risks(self) -> int:
        return self.projects * 3


def seeded_data() -> dict[str, int]:
    """What a seed would collide with: projects, customers and users of an earlier seed."""
    return {
        "projects": Project.objects.count(),
        "customers": Customer.objects.count(),
        "seeded users": User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count(),
    }


def scale_reset() -> None:
    """Delete every project and customer with everything recorded on them (TRUNCATE … CASCADE
    reaches every table that refers to them) and their field history, the KPI snapshots and
    runs, the project code counters, and the users an earlier seed created. The one way to
    erase history, and an explicit one: the models refuse to delete a project or history."""
    # The field history refers to its records without a constraint, so CASCADE does not reach
    # it: named here, or the restarted ids would give new projects the old ones' history.
    emptied = (Project, Customer, PortfolioSnapshot, ProjectCodeCounter, KpiRun)
    tables = [model._meta.db_table for model in (*emptied, *historical_models())]
    # Rows written earlier in the same transaction leave deferred foreign-key checks pending,
    # and PostgreSQL refuses to truncate under them: run those checks first.
    connection.check_constraints()
    with connection.cursor() as cursor:
        names = ", ".join(connection.ops.quote_name(table) for table in tables)
        cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()


class _Laps:
    """Log how long each part of the seed took, to see where the time goes at scale."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, part: str) -> None:
        now = time.monotonic()
        logger.info("seed_scale: %s in %.1f s", part, now - self.last)
        self.last = now


@dataclass(frozen=True)
class Seeded:
    counts: dict[str, int]  # rows written, by kind
    showcase: Project  # in execution with many tasks: the benchmark's kanban and Gantt


def seed_scale(*, projects: int, seed: int, reset: bool = False) -> Seeded:
    """Build a portfolio of `projects` projects, deterministic for `seed` on a given day, in
    one transaction (with `reset`, after deleting the earlier one in the same transaction)."""
    if projects < MIN_PROJECTS:
        raise ValueError(f"At least {MIN_PROJECTS} projects cover every stage and outcome.")
    sizes = Sizes(projects)

    def rng(purpose: str) -> random.Random:
        # One generator per purpose: a change in one part leaves the others' draws alone.
        return random.Random(f"{seed}:{purpose}")

    clock = Clock(timezone.localdate(), timezone.get_current_timezone())
    # English labels in the stage history's notes, whatever the language of the shell.
    lap = _Laps()
    with translation.override("en"), own_timestamps(), transaction.atomic():
        if reset:
            scale_reset()
            lap("reset")
        policies = list(StagePolicy.objects.values_list("stage", "norm_days", "win_probability"))
        norms = dict.fromkeys(OPEN_STAGES, DEFAULT_NORM_DAYS)
        norms.update({stage: norm for stage, norm, _odds in policies})
        probabilities = {stage: odds for stage, _norm, odds in policies}
        people = people_create(
            directors=sizes.directors,
            managers=sizes.managers,
            members=sizes.members,
            joined=clock.midnight - 1600 * DAY,
            rng=rng("people"),
        )
        customers = customers_create(
            count=sizes.customers,
            created_by=people.managers[0],
            created_at=clock.midnight - 1500 * DAY,
            rng=rng("customers"),
        )
        lap("people and customers")
        plans = plans_make(
            total=projects,
            owners=people.managers,
            customers=customers,
            clock=clock,
            norms=norms,
            rng=rng("plans"),
        )
        reviews_plan(plans, total=sizes.reviews, clock=clock, rng=rng("reviews"))
        lap("plans")
        projects_create(plans, clock=clock)
        transitions = transitions_create(plans)
        teams_create(plans, people=people, clock=clock, rng=rng("teams"))
        feasibilities_create(plans, clock=clock, rng=rng("feasibility"))
        goals_create(plans, clock=clock, rng=rng("goals"))
        allocations_create(plans, people=people, clock=clock, rng=rng("allocations"))
        strategies_create(plans, clock=clock, rng=rng("strategies"))
        closures_create(plans, clock=clock, rng=rng("closures"))
        lap("projects, history, teams and stage records")
        risks = risks_create(plans, total=sizes.risks, clock=clock, rng=rng("risks"))
        reviews = reviews_create(plans, risks=risks, clock=clock, rng=rng("review-rows"))
        lap("risks and reviews")
        tasks = tasks_create(plans, total=sizes.tasks, people=people, clock=clock, rng=rng("tasks"))
        lap("tasks")
        activities = activities_create(transitions=transitions, reviews=reviews, risks=risks)
        lap("activity feed")
        project_snapshots, portfolio_snapshots = kpi_history_create(
            plans, reviews=reviews, risks=risks, clock=clock, probabilities=probabilities
        )
        lap("KPI snapshots")
    lap("commit")
    counts = {
        "users": len(people.everyone),
        "directors": len(people.directors),
        "sales managers": len(people.managers),
        "members": len(people.members),
        "departments": len({user.department_id for user in people.everyone}),
        "customers": len(customers),
        "projects": len(plans),
        "stage transitions": len(transitions),
        "tasks": len(tasks),
        "reviews": len(reviews),
        "risks": len(risks),
        "activities": activities,
        "project snapshots": project_snapshots,
        "portfolio snapshots": portfolio_snapshots,
    }
    return Seeded(counts=counts, showcase=plans[0].project)
