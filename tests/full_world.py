"""A world where every field of every record a page edits is filled, with awkward values:
fractions, large amounts, Chinese text, line breaks, dates across a month and a year end. The
form round-trip tests (tests/test_form_round_trip.py, tests/browser/test_edit_forms.py) edit it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from collaboration.models import Interaction, InteractionKind, TaskStatus
from collaboration.services import comment_post
from projects.models import (
    FeasibilityDecision,
    GoalMetric,
    Outcome,
    ReviewCadence,
    Stage,
    StrategyKind,
    TeamRole,
)
from tests.factories import (
    ClosureReportFactory,
    ContactFactory,
    CustomerFactory,
    DepartmentFactory,
    FeasibilityFactory,
    GoalFactory,
    LessonFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ResourceAllocationFactory,
    ReviewActionItemFactory,
    ReviewMeetingFactory,
    RiskFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _at(days: int, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(_day(days), datetime.time(hour, minute)))


@pytest.fixture(name="world")
def world_fixture(db):
    """Two projects of one customer — one in execution, one in closure — with every record a
    page edits, each with every field filled and awkward values: fractions, large amounts,
    Chinese text, line breaks, dates across a month and a year end."""
    sales = DepartmentFactory(code="sales")
    solution = DepartmentFactory(code="solution")
    director = UserFactory(username="dora-director", role=Role.DIRECTOR, department=sales)
    owner = UserFactory(username="mark-manager", role=Role.SALES_MANAGER, department=sales)
    member = UserFactory(username="mia-member", role=Role.MEMBER, department=solution)
    customer = CustomerFactory(
        name="华东物流集团",
        industry="logistics",
        region="east",
        size="large",
        website="https://logistics.example.com",
        notes="总部在上海。\n三个工厂。",
    )
    contact = ContactFactory(
        customer=customer,
        name="王磊",
        title="信息化总监",
        phone="+86 21 5555 0100",
        email="wang.lei@example.com",
        notes="周二上午方便联系。",
    )
    project = ProjectFactory(
        name="华东仓储管理系统",
        customer=customer,
        owner=owner,
        stage=Stage.EXECUTION,
        background="客户正在更换旧系统。\n我们受邀投标。",
        estimated_value=Decimal("4450000.50"),
        currency="USD",
        expected_close_date=_day(97),
        review_cadence=ReviewCadence.FORTNIGHTLY,
    )
    for user, role, department in [
        (owner, TeamRole.OWNER, sales),
        (director, TeamRole.ACCOUNT_LEAD, sales),
    ]:
        ProjectMembershipFactory(project=project, user=user, role=role, department=department)
    ProjectMembershipFactory(
        project=project,
        user=member,
        role=TeamRole.SOLUTION_LEAD,
        department=solution,
        responsibilities="方案设计与演示。",
    )
    FeasibilityFactory(
        project=project,
        market_research="三家供应商入围。",
        customer_needs="统一查看各工厂订单。",
        competitors="两家本地集成商。",
        decision=FeasibilityDecision.GO,
        decided_by=owner,
        decided_at=_at(-20, 10, 15),
    )
    GoalFactory(
        project=project,
        metric=GoalMetric.REVENUE,
        title="签订合同",
        baseline=Decimal("125000.25"),
        target=Decimal("4450000.50"),
        unit="CNY",
        current_value=Decimal("1234567.89"),
        deadline=_day(45),
        owner=owner,
        achievable="试点已获认可。",
        relevant="年度目标的一部分。",
    )
    ResourceAllocationFactory(
        project=project,
        kind="people",
        description="方案工程师两名",
        department=solution,
        person=member,
        quantity=Decimal("2.5"),
        planned_cost=Decimal("88000.75"),
        actual_cost=Decimal("12000.10"),
    )
    StrategyFactory(
        project=project,
        kind=StrategyKind.CUSTOMER_DEVELOPMENT,
        summary="通过试点赢得运营总监。",
        actions="开展试点\n展示试点结果",
        created_by=owner,
    )
    first = TaskFactory(
        project=project,
        title="准备试点环境",
        stage=Stage.EXECUTION,
        department=solution,
        assignee=member,
        status=TaskStatus.DONE,
        start_date=_day(-30),
        due_date=_day(-3),
        progress=100,
        completed_at=_at(-3, 17, 0),
    )
    task = TaskFactory(
        project=project,
        title="试点验收",
        description="与客户一起验收。\n准备报告。",
        stage=Stage.EXECUTION,
        department=solution,
        assignee=member,
        status=TaskStatus.IN_PROGRESS,
        priority="high",
        start_date=_day(-2),
        due_date=_day(33),
        progress=40,
        estimate_hours=Decimal("12.5"),
        is_milestone=True,
    )
    task.dependencies.add(first)
    review = ReviewMeetingFactory(
        project=project,
        scheduled_for=_at(12, 9, 30),
        duration_minutes=90,
        location="上海办公室 3 楼",
        agenda="目标进展。\n风险回顾。",
        minutes="讨论了试点。",
        created_by=owner,
    )
    review.attendees.add(owner, member)
    ReviewActionItemFactory(review=review, title="发送报价", owner=member, due_date=_day(9))
    RiskFactory(
        project=project,
        title="竞争对手降价",
        category="competition",
        probability=4,
        impact=3,
        owner=owner,
        mitigation="强调交付能力。",
        status="mitigating",
        due_date=_day(21),
        last_reviewed_on=_day(-6),
        created_by=owner,
    )
    Interaction.objects.create(
        customer=customer,
        project=project,
        kind=InteractionKind.VISIT,
        occurred_on=_day(-8),
        user=owner,
        contact=contact,
        summary="拜访了运营总监。\n对试点满意。",
        next_step="发送报价",
    )
    comment_post(project=project, actor=director, body="请 @mark-manager 跟进。")
    closing = ProjectFactory(
        name="华南冷链项目",
        customer=customer,
        owner=owner,
        stage=Stage.CLOSURE,
        background="冷链监控。",
        estimated_value=Decimal("980000.00"),
        currency="CNY",
        expected_close_date=_day(-5),
        review_cadence=ReviewCadence.MONTHLY,
    )
    ProjectMembershipFactory(project=closing, user=owner, role=TeamRole.OWNER, department=sales)
    ClosureReportFactory(
        project=closing,
        outcome=Outcome.WON,
        actual_value=Decimal("1020000.40"),
        closed_on=_day(-1),
        summary="试点后签约。",
        went_well="试点说服了运营总监。",
        to_improve="更早让采购参与。",
        recommendations="先做试点。",
    )
    LessonFactory(project=closing, text="正式招标前先提供试点。", stage=Stage.STRATEGY)
    return {"director": director, "owner": owner, "projects": [project, closing]}
