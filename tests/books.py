"""The crafted portfolio ("book") of the dashboard's page, API, export and browser tests."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from collaboration.models import TaskStatus
from insights.kpis import portfolio_rollup, project_snapshots_rollup
from insights.models import PortfolioSnapshot
from projects.models import Project, Stage
from tests.factories import (
    ClosureReportFactory,
    CustomerFactory,
    DepartmentFactory,
    ProjectFactory,
    RiskFactory,
    TaskFactory,
    UserFactory,
)


def ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def book(db):
    """East owns two open projects (execution 1,000,000 with a critical risk, strategy
    200,000) and closed won 2, lost 1; west owns one open project (execution 500,000) and
    lost 1. Overall success rate 2 / 4 = 50 %, east 66.7 %, west 0 %."""
    today = timezone.localdate()
    east, west = DepartmentFactory(code="east"), DepartmentFactory(code="west")
    ops = DepartmentFactory(code="ops", name_en="Operations")
    erin = UserFactory(username="erin", role=Role.SALES_MANAGER, department=east)
    will = UserFactory(username="will", role=Role.SALES_MANAGER, department=west)
    energy = CustomerFactory(industry="energy", region="east")
    retail = CustomerFactory(industry="retail", region="south")
    big = ProjectFactory(
        owner=erin, customer=energy, stage=Stage.EXECUTION, estimated_value=Decimal("1000000")
    )
    ProjectFactory(
        owner=erin, customer=energy, stage=Stage.STRATEGY, estimated_value=Decimal("200000")
    )
    ProjectFactory(
        owner=will, customer=retail, stage=Stage.EXECUTION, estimated_value=Decimal("500000")
    )
    Project.objects.filter(pk=big.pk).update(stage_entered_at=ago(4))
    RiskFactory(project=big, probability=5, impact=5)
    TaskFactory(project=big, department=ops, due_date=today - datetime.timedelta(days=2))
    TaskFactory(project=big, department=ops, status=TaskStatus.DONE)
    TaskFactory(
        project=Project.objects.get(owner=will),
        department=ops,
        due_date=today + datetime.timedelta(days=2),
    )
    for owner, customer, outcome, days_ago in [
        (erin, energy, "won", 10),
        (erin, energy, "won", 100),
        (erin, energy, "lost", 20),
        (will, retail, "lost", 30),
    ]:
        project = ProjectFactory(
            owner=owner, customer=customer, stage=Stage.CLOSED, outcome=outcome
        )
        ClosureReportFactory(
            project=project, outcome=outcome, closed_on=today - datetime.timedelta(days=days_ago)
        )
    project_snapshots_rollup()
    portfolio_rollup()
    # An older day of the trend: 1 won of 4 in both windows.
    PortfolioSnapshot.objects.create(
        day=today - datetime.timedelta(days=10),
        dimension="overall",
        key="",
        won_90=1,
        lost_90=3,
        won_365=1,
        lost_365=3,
    )
    return {"big": big, "east": east, "erin": erin, "will": will}
