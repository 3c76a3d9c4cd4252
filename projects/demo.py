"""Demo projects: a dozen customers and about fifty projects over every stage and outcome.

Every project is driven through `projects.lifecycle` exactly as a person would drive it, so
its history is real; afterwards its timestamps are spread over the past months so that days
in stage look like a live portfolio. Its team, tasks, comments and customer interactions come
from `collaboration.demo`. Idempotent: a project that exists (by name) is skipped.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from collaboration.demo import (
    demo_email_off,
    overdue_notices_seed,
    team_form,
    team_work_seed,
    team_work_timeline,
)
from collaboration.models import Department, Task, TaskStatus
from core.models import User

from .lifecycle import project_transition
from .models import (
    NEXT_STAGE,
    OPEN_STAGES,
    ClosureReport,
    Customer,
    Feasibility,
    FeasibilityDecision,
    Goal,
    Lesson,
    Outcome,
    Project,
    ReasonCategory,
    ResourceAllocation,
    ReviewCadence,
    ReviewDecision,
    ReviewMeeting,
    Stage,
    StageTransition,
    Strategy,
)
from .services import project_create, stage_record_save, strategy_actions_to_tasks

CUSTOMERS = [
    # name, industry, region, size, website
    ("华东电网有限公司", "energy", "east", "enterprise", "https://www.example-grid.cn"),
    ("招商银行深圳分行", "finance", "south", "large", ""),
    ("成都天府软件园", "technology", "southwest", "medium", ""),
    ("北京协和医疗集团", "healthcare", "north", "enterprise", ""),
    ("武汉光谷制造", "manufacturing", "central", "large", ""),
    ("西安交通大学", "education", "northwest", "large", "https://www.example-edu.cn"),
    ("沈阳重工机械", "manufacturing", "northeast", "large", ""),
    ("广州市政务服务中心", "government", "south", "large", ""),
    ("Northwind Logistics", "logistics", "overseas", "large", "https://northwind.example.com"),
    ("Contoso Retail Group", "retail", "overseas", "enterprise", "https://contoso.example.com"),
    ("Fabrikam Telecom", "telecom", "overseas", "enterprise", ""),
    ("Tailspin Insurance", "finance", "east", "medium", ""),
]

PROJECT_NAMES = [
    "智能电网调度平台",
    "Core banking migration",
    "园区数字化运营",
    "医院信息化二期",
    "MES 制造执行系统",
    "智慧校园一卡通",
    "设备预测性维护",
    "政务云平台扩容",
    "Fleet telematics rollout",
    "Omnichannel POS upgrade",
    "5G private network pilot",
    "Claims automation",
]


@dataclass(frozen=True)
class Plan:
    """One demo project: where it ends up and how it gets there."""

    stage: Stage
    gate_met: bool = False
    loops: int = 0
    outcome: str = ""
    abort_from: Stage | None = None


def _plans() -> list[Plan]:
    plans = []
    for stage in OPEN_STAGES:
        for index in range(6):
            # Two of the later projects went round the cycle: monitoring → strategy and back.
            loops = 1 if stage in (Stage.MONITORING, Stage.CLOSURE) and index in (0, 3) else 0
            plans.append(Plan(stage=stage, gate_met=index < 3, loops=loops))
    plans += [
        Plan(stage=Stage.CLOSED, outcome=Outcome.WON, loops=1),
        Plan(stage=Stage.CLOSED, outcome=Outcome.WON),
        Plan(stage=Stage.CLOSED, outcome=Outcome.WON),
        Plan(stage=Stage.CLOSED, outcome=Outcome.LOST),
        Plan(stage=Stage.CLOSED, outcome=Outcome.LOST, abort_from=Stage.EXECUTION),
        Plan(stage=Stage.CLOSED, outcome=Outcome.CANCELLED, abort_from=Stage.GOAL_SETTING),
    ]
    return plans


class Builder:
    """Fills a project's stage records and takes it through the cycle."""

    def __init__(self, project: Project, rng: random.Random) -> None:
        self.project = project
        self.owner = project.owner
        self.rng = rng
        self.today = timezone.localdate()
        self.departments = {d.code: d for d in Department.objects.all()}
        self.people = {u.username: u for u in User.objects.filter(username__startswith="member")}

    def move(self, to_stage: Stage, note: str = "", **extra) -> None:
        self.project.refresh_from_db()
        result = project_transition(
            project=self.project, to_stage=to_stage, actor=self.owner, note=note, **extra
        )
        self.project = result.project

    def fill(self, stage: Stage) -> None:
        getattr(self, f"fill_{stage.value}")()

    def fill_initiation(self) -> None:
        Feasibility.objects.update_or_create(
            project=self.project,
            defaults={
                "market_research": "客户正在进行数字化升级，预算已纳入年度计划。",
                "customer_needs": "Reliable delivery, local support, integration with ERP.",
                "competitors": "两家国内厂商，一家外资厂商。",
                "decision": FeasibilityDecision.GO,
                "decided_by": self.owner,
                "decided_at": timezone.now(),
            },
        )

    def fill_goal_setting(self) -> None:
        value = self.project.estimated_value or Decimal(1_000_000)
        Goal.objects.create(
            project=self.project,
            metric="revenue",
            title="合同收入 / Contract revenue",
            target=value,
            unit=self.project.currency,
            current_value=value * Decimal(self.rng.choice([0, 0.2, 0.5, 0.8])),
            deadline=self.today + datetime.timedelta(days=self.rng.randint(60, 240)),
            owner=self.owner,
            achievable="预算已批准，客户高层支持。",
            relevant="Key account in our growth plan.",
        )
        Goal.objects.create(
            project=self.project,
            metric="customer_satisfaction",
            title="客户满意度 / Customer satisfaction",
            target=Decimal(90),
            unit="%",
            current_value=Decimal(self.rng.randint(60, 95)),
            deadline=self.today + datetime.timedelta(days=self.rng.randint(90, 300)),
            owner=self.owner,
        )

    def fill_resource_allocation(self) -> None:
        team_form(project=self.project)
        planned = (self.project.estimated_value or Decimal(1_000_000)) * Decimal("0.08")
        ResourceAllocation.objects.create(
            project=self.project,
            kind="people",
            description="售前方案团队 / Presales team",
            department=self.departments.get("solution"),
            person=self.people.get("member"),
            quantity=2,
            planned_cost=planned / 2,
            actual_cost=planned / 2 * Decimal(self.rng.choice([0.3, 0.6, 1.1])),
        )
        ResourceAllocation.objects.create(
            project=self.project,
            kind="budget",
            description="招待与差旅 / Travel and hospitality",
            department=self.departments.get("sales"),
            planned_cost=planned / 2,
            actual_cost=planned / 2 * Decimal(self.rng.choice([0.2, 0.7, 1.3])),
        )

    def fill_strategy(self) -> None:
        strategy = self.project.strategies.filter(status="active").first()
        if strategy is None:
            strategy = Strategy.objects.create(
                project=self.project,
                kind=self.rng.choice(["customer_development", "competitive", "pricing"]),
                summary="以方案价值取胜，锁定技术决策人。",
                actions="拜访技术决策人\nPrepare a proof of concept\n提交分阶段报价",
                created_by=self.owner,
            )
        strategy_actions_to_tasks(
            strategy=strategy, actor=self.owner, assignee=self.people.get("member") or self.owner
        )
        for offset, task in enumerate(strategy.tasks.all()):
            Task.objects.filter(pk=task.pk).update(
                start_date=self.today - datetime.timedelta(days=10 - offset),
                due_date=self.today + datetime.timedelta(days=self.rng.randint(-5, 30)),
            )

    def fill_execution(self) -> None:
        task = self.project.tasks.filter(status=TaskStatus.TODO).first()
        if task:
            Task.objects.filter(pk=task.pk).update(status=TaskStatus.IN_PROGRESS, progress=40)
        blocked = self.project.tasks.filter(status=TaskStatus.TODO).last()
        if blocked and self.rng.random() < 0.4:
            Task.objects.filter(pk=blocked.pk).update(status=TaskStatus.BLOCKED)
        Project.objects.filter(pk=self.project.pk).update(review_cadence=ReviewCadence.WEEKLY)
        ReviewMeeting.objects.create(
            project=self.project,
            scheduled_for=timezone.now() + datetime.timedelta(days=self.rng.randint(1, 7)),
            location="会议室 A / Meeting room A",
            agenda="进展、风险、下一步 / Progress, risks, next steps",
            created_by=self.owner,
        )

    def hold_review(self, decision: ReviewDecision) -> None:
        review = self.project.reviews.filter(held_at__isnull=True).first() or (
            ReviewMeeting.objects.create(
                project=self.project, scheduled_for=timezone.now(), created_by=self.owner
            )
        )
        review.held_at = timezone.now()
        review.decision = decision
        review.minutes = "评审结论已记录。 Decision recorded."
        review.save()

    def fill_monitoring(self) -> None:
        self.hold_review(ReviewDecision.CLOSE)

    def fill_closure(self, outcome: str = Outcome.WON) -> None:
        value = self.project.estimated_value or Decimal(0)
        report = ClosureReport.objects.filter(project=self.project).first() or ClosureReport()
        report.outcome = outcome
        report.actual_value = value if outcome == Outcome.WON else None
        report.reason_category = report.reason_category or (
            ReasonCategory.SOLUTION_FIT
            if outcome == Outcome.WON
            else self.rng.choice([ReasonCategory.PRICE, ReasonCategory.COMPETITOR])
        )
        report.summary = "项目按循环推进。"
        report.went_well = "铁三角协同顺畅，方案评审及时。"
        report.to_improve = "Engage procurement earlier; 更早确认预算流程。"
        self.project.refresh_from_db()
        stage_record_save(record=report, project=self.project, actor=self.owner)
        Lesson.objects.create(
            project=self.project,
            text="尽早识别技术决策人并安排方案演示。 Identify the technical decision maker early.",
            stage=Stage.STRATEGY,
            industry=self.project.customer.industry,
            region=self.project.customer.region,
            created_by=self.owner,
        )

    def loop_once(self) -> None:
        """Monitoring → strategy (adjust) → execution → monitoring: one turn of the cycle."""
        self.hold_review(ReviewDecision.ADJUST_STRATEGY)
        self.move(Stage.STRATEGY, note="评审决定调整策略 / Review decided to adjust strategy")
        self.fill_strategy()
        self.move(Stage.EXECUTION)
        self.fill_execution()
        self.move(Stage.MONITORING)


def _build(plan: Plan, builder: Builder) -> None:
    if plan.abort_from:
        for stage in OPEN_STAGES[: OPEN_STAGES.index(plan.abort_from)]:
            builder.fill(stage)
            builder.move(NEXT_STAGE[stage])
        builder.move(
            Stage.CLOSURE,
            note="客户预算冻结 / Customer budget frozen",
            outcome=plan.outcome,
            reason_category=ReasonCategory.BUDGET,
        )
        builder.fill_closure(plan.outcome)
        team_work_seed(project=builder.project, closing=True)
        builder.move(Stage.CLOSED)
        return
    target = Stage.CLOSURE if plan.stage == Stage.CLOSED else plan.stage
    for stage in OPEN_STAGES[: OPEN_STAGES.index(target)]:
        builder.fill(stage)
        builder.move(NEXT_STAGE[stage])
        if builder.project.stage == Stage.MONITORING:
            for _ in range(plan.loops):
                builder.loop_once()
    if plan.stage == Stage.CLOSED:
        builder.fill_closure(plan.outcome)
        # The team's work comes before the close: a closed project is read-only.
        team_work_seed(project=builder.project, closing=True)
        builder.move(Stage.CLOSED)
        return
    if plan.gate_met:
        builder.fill(plan.stage)
    team_work_seed(project=builder.project)


def _spread_over_time(project: Project, rng: random.Random) -> None:
    """Shift the project's timestamps back so that its history spans weeks, not seconds."""
    transitions = list(project.transitions.order_by("created_at"))
    days_back = rng.randint(3, 20) + 9 * len(transitions)
    start = timezone.now() - datetime.timedelta(days=days_back)
    step = datetime.timedelta(days=(days_back - rng.randint(1, 12)) / max(len(transitions), 1))
    Project.objects.filter(pk=project.pk).update(created_at=start)
    moment = start
    for row in transitions:
        moment += step
        # Demo data only: history rows are never edited by the application itself.
        StageTransition.objects.filter(pk=row.pk).update(created_at=moment)
    Project.objects.filter(pk=project.pk).update(stage_entered_at=moment)


def seed_projects(*, seed: int = 2026) -> int:
    """Create the demo customers and projects that do not exist yet; return how many were made."""
    rng = random.Random(seed)
    customers = []
    for name, industry, region, size, website in CUSTOMERS:
        customer, _ = Customer.objects.get_or_create(
            name=name,
            defaults={"industry": industry, "region": region, "size": size, "website": website},
        )
        customers.append(customer)
    owners = list(User.objects.filter(username__in=["manager", "manager2"]).order_by("username"))
    demo_email_off()
    created = []
    for index, plan in enumerate(_plans()):
        customer = customers[index % len(customers)]
        name = f"{PROJECT_NAMES[index % len(PROJECT_NAMES)]} #{index + 1}"
        if Project.objects.filter(name=name).exists():
            continue
        with transaction.atomic():
            project = project_create(
                project=Project(
                    name=name,
                    customer=customer,
                    owner=owners[index % len(owners)],
                    background="客户计划在本财年完成升级，我们有先发优势。 The customer plans to "
                    "upgrade this fiscal year; we have an early lead.",
                    estimated_value=Decimal(rng.randrange(300_000, 9_000_000, 50_000)),
                    expected_close_date=timezone.localdate()
                    + datetime.timedelta(days=rng.randint(30, 300)),
                ),
                actor=owners[index % len(owners)],
            )
            _build(plan, Builder(project, rng))
            _spread_over_time(project, rng)
            team_work_timeline(project=project)
        created.append(project)
    if created:
        overdue_notices_seed(projects=created)
    return len(created)
