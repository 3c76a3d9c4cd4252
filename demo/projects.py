"""Demo projects: a dozen customers and about fifty projects over every stage and outcome.

Every project is driven through `projects.lifecycle` exactly as a person would drive it, so
its history is real: from Execution on, held reviews decide where it goes (adjust strategy,
continue, close, escalate). Afterwards its timestamps are spread over the past months so that
days in stage look like a live portfolio. Its reviews and risks come from
`demo.monitoring`; its team, tasks, comments and customer interactions from
`demo.teamwork`. Idempotent: a project that exists (by name) is skipped.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Department, User
from collaboration.models import Task, TaskStatus
from collaboration.services import strategy_actions_to_tasks, task_update_progress
from core.history import history_rewrite
from customers.models import Customer
from demo.monitoring import (
    Moves,
    demo_random,
    monitoring_timeline,
    review_close_decided,
    review_held,
    review_next,
    reviews_call_off,
    risks_seed,
)
from demo.people import Said, user_language
from demo.teamwork import (
    demo_email_off,
    overdue_notices_seed,
    team_form,
    team_work_seed,
    team_work_timeline,
)
from demo.teamwork.texts import BLOCKED_REASONS
from monitoring.alerts import projects_stuck_notify, review_reminders_send, reviews_overdue_notify
from monitoring.models import ReviewDecision
from monitoring.reviews import REVIEWED_STAGES
from projects.lifecycle import (
    evaluate_gate,
    project_approve,
    project_reject_approval,
    project_transition,
)
from projects.models import (
    NEXT_STAGE,
    OPEN_STAGES,
    ClosureReport,
    Feasibility,
    FeasibilityDecision,
    Goal,
    Lesson,
    Outcome,
    Project,
    ReasonCategory,
    ResourceAllocation,
    ReviewCadence,
    Stage,
    StagePolicy,
    StageTransition,
    Strategy,
)
from projects.services import (
    project_create,
    project_update,
    stage_record_save,
    strategy_adopt,
)

# What the owner adds when reworking a strategy after the loop (the draft's visible change).
REWORKED_ACTION = Said("提交三年运维服务方案", "Submit a three-year service plan")

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

# A demo project is written in its owner's language (`demo.people.Said`): the Chinese manager's
# projects are for the Chinese customers, the English manager's for the others.
PROJECT_NAMES = {
    "zh-hans": [
        "智能电网调度平台",
        "园区数字化运营",
        "医院信息化二期",
        "MES 制造执行系统",
        "智慧校园一卡通",
        "设备预测性维护",
        "政务云平台扩容",
        "核心银行系统迁移",
    ],
    "en": [
        "Core banking migration",
        "Fleet telematics rollout",
        "Omnichannel POS upgrade",
        "5G private network pilot",
        "Claims automation",
        "Customer data platform",
    ],
}

BACKGROUND = Said(
    "客户计划在本财年完成升级，我们有先发优势。",
    "The customer plans to upgrade this fiscal year; we have an early lead.",
)
FEASIBILITY = {
    "market_research": Said(
        "客户正在进行数字化升级，预算已纳入年度计划。",
        "The customer is going digital and the budget is in this year's plan.",
    ),
    "customer_needs": Said(
        "交付可靠、本地支持、与 ERP 集成。",
        "Reliable delivery, local support, integration with ERP.",
    ),
    "competitors": Said(
        "两家国内厂商，一家外资厂商。", "Two local vendors and one foreign vendor."
    ),
}
REVENUE_GOAL = {
    "title": Said("合同收入", "Contract revenue"),
    "achievable": Said(
        "预算已批准，客户高层支持。", "The budget is approved; the customer's executives back it."
    ),
    "relevant": Said("重点客户，符合我们的增长计划。", "Key account in our growth plan."),
}
SATISFACTION_GOAL = Said("客户满意度", "Customer satisfaction")
PRESALES_TEAM = Said("售前方案团队", "Presales team")
TRAVEL = Said("招待与差旅", "Travel and hospitality")
STRATEGY = {
    "summary": Said(
        "以方案价值取胜，锁定技术决策人。",
        "Win on the value of the solution; secure the technical decision maker.",
    ),
    "actions": Said(
        "拜访技术决策人\n准备概念验证\n提交分阶段报价",
        "Visit the technical decision maker\nPrepare a proof of concept\nSubmit a phased offer",
    ),
}
CLOSURE = {
    "summary": Said("项目按循环推进。", "The project ran through the cycle."),
    "went_well": Said(
        "铁三角协同顺畅，方案评审及时。",
        "The iron triangle worked well together; proposal reviews were on time.",
    ),
    "to_improve": Said(
        "更早让采购部门参与，更早确认预算流程。",
        "Engage procurement earlier and confirm the budget process sooner.",
    ),
}
LESSON = Said(
    "尽早识别技术决策人并安排方案演示。",
    "Identify the technical decision maker early and arrange a solution demo.",
)
BUDGET_FROZEN = Said("客户预算冻结", "Customer budget frozen")


@dataclass(frozen=True)
class Plan:
    """One demo project: where it ends up and how it gets there."""

    stage: Stage
    gate_met: bool = False
    loops: int = 0
    outcome: str = ""
    abort_from: Stage | None = None
    # How its reviews went: turns monitoring → execution decided "continue"; a review that
    # escalated it (flagged while it stays in execution or monitoring); its next review
    # overdue, or due in `next_review_in` rather than in a few days.
    continues: int = 0
    escalated: bool = False
    overdue: bool = False
    next_review_in: datetime.timedelta | None = None


# (stage, index among its six projects) → how the project's reviews went
REVIEW_STORIES = {
    (Stage.EXECUTION, 0): {"next_review_in": datetime.timedelta(hours=20)},
    (Stage.EXECUTION, 1): {"continues": 1},
    (Stage.EXECUTION, 2): {"escalated": True},
    (Stage.EXECUTION, 3): {"overdue": True},
    (Stage.EXECUTION, 4): {"overdue": True},
    (Stage.EXECUTION, 5): {"overdue": True},
    (Stage.MONITORING, 1): {"continues": 1},
    (Stage.MONITORING, 4): {"overdue": True},
    (Stage.MONITORING, 5): {"escalated": True},
    (Stage.CLOSURE, 1): {"continues": 1},
    (Stage.CLOSURE, 2): {"escalated": True},
}


def _plans() -> list[Plan]:
    plans = []
    for stage in OPEN_STAGES:
        for index in range(6):
            # Two of the later projects went round the cycle: monitoring → strategy and back.
            loops = 1 if stage in (Stage.MONITORING, Stage.CLOSURE) and index in (0, 3) else 0
            story = REVIEW_STORIES.get((stage, index), {})
            plans.append(Plan(stage=stage, gate_met=index < 3, loops=loops, **story))
    plans += [
        Plan(stage=Stage.CLOSED, outcome=Outcome.WON, loops=1),
        Plan(stage=Stage.CLOSED, outcome=Outcome.WON, continues=1),
        Plan(stage=Stage.CLOSED, outcome=Outcome.WON),
        Plan(stage=Stage.CLOSED, outcome=Outcome.LOST),
        Plan(stage=Stage.CLOSED, outcome=Outcome.LOST, abort_from=Stage.EXECUTION),
        Plan(stage=Stage.CLOSED, outcome=Outcome.CANCELLED, abort_from=Stage.GOAL_SETTING),
    ]
    return plans


SEND_BACK = Said(
    "请补充各部门人员投入的明细后再提交。", "Please detail each department's people first."
)
APPROVED = Said("同意，按计划投入资源。", "Approved: commit the resources as planned.")
ASK = Said(
    "资源已落实，请批准进入策略制定。",
    "Resources are in place: please approve the move to strategy.",
)
# Leaving resource allocation needs a director's approval in the demo (StagePolicy), so the
# approval flow — requests, a send-back, approvals, one request still waiting — is there to see.
APPROVAL_STAGE = Stage.RESOURCE_ALLOCATION


class Builder:
    sent_back_once = False

    """Fills a project's stage records and takes it through the cycle."""

    def __init__(self, project: Project, rng: random.Random, plan: Plan) -> None:
        self.project = project
        self.owner = project.owner
        self.rng = rng
        self.plan = plan
        # Reviews draw from the project's own generator: they do not shift the shared one.
        self.review_rng = demo_random(project, "reviews")
        self.escalated = False
        self.today = timezone.localdate()
        self.departments = {d.code: d for d in Department.objects.all()}
        self.people = {u.username: u for u in User.objects.filter(username__startswith="member")}

    def move(self, to_stage: Stage, note: str = "", **extra) -> None:
        self.project.refresh_from_db()
        result = project_transition(
            project=self.project, to_stage=to_stage, actor=self.owner, note=note, **extra
        )
        if result.awaiting_approval:  # the demo's policy: resources need a director's sign-off
            result = self.approved(to_stage, note)
        self.project = result.project

    def approved(self, to_stage: Stage, note: str):
        """A director decides the owner's request: the first one is sent back once for more
        detail (the owner then asks again), every one is then approved."""
        director = User.objects.get(username="director")
        if not Builder.sent_back_once:
            Builder.sent_back_once = True
            project_reject_approval(
                project=self.project, actor=director, note=SEND_BACK.for_project(self.project)
            )
            project_transition(project=self.project, to_stage=to_stage, actor=self.owner, note=note)
        return project_approve(
            project=self.project, actor=director, note=APPROVED.for_project(self.project)
        )

    def fill(self, stage: Stage) -> None:
        getattr(self, f"fill_{stage.value}")()

    def record(self, record):
        """Save a new stage record as the owner would, through the stage-record service."""
        return stage_record_save(record=record, project=self.project, actor=self.owner)

    def fill_initiation(self) -> None:
        feasibility = Feasibility.objects.filter(project=self.project).first() or Feasibility()
        for field, said in FEASIBILITY.items():
            setattr(feasibility, field, said.for_project(self.project))
        feasibility.decision = FeasibilityDecision.GO
        # The service records who decided and when.
        stage_record_save(
            record=feasibility, project=self.project, actor=self.owner, changed={"decision"}
        )

    def fill_goal_setting(self) -> None:
        value = self.project.estimated_value or Decimal(1_000_000)
        self.record(
            Goal(
                metric="revenue",
                title=REVENUE_GOAL["title"].for_project(self.project),
                target=value,
                unit=self.project.currency,
                current_value=value * Decimal(self.rng.choice([0, 0.2, 0.5, 0.8])),
                deadline=self.today + datetime.timedelta(days=self.rng.randint(60, 240)),
                owner=self.owner,
                achievable=REVENUE_GOAL["achievable"].for_project(self.project),
                relevant=REVENUE_GOAL["relevant"].for_project(self.project),
            )
        )
        self.record(
            Goal(
                metric="customer_satisfaction",
                title=SATISFACTION_GOAL.for_project(self.project),
                target=Decimal(90),
                unit="%",
                current_value=Decimal(self.rng.randint(60, 95)),
                deadline=self.today + datetime.timedelta(days=self.rng.randint(90, 300)),
                owner=self.owner,
            )
        )

    def fill_resource_allocation(self) -> None:
        team_form(project=self.project)
        planned = (self.project.estimated_value or Decimal(1_000_000)) * Decimal("0.08")
        self.record(
            ResourceAllocation(
                kind="people",
                description=PRESALES_TEAM.for_project(self.project),
                department=self.departments.get("solution"),
                person=self.people.get("member"),
                quantity=2,
                planned_cost=planned / 2,
                actual_cost=planned / 2 * Decimal(self.rng.choice([0.3, 0.6, 1.1])),
            )
        )
        self.record(
            ResourceAllocation(
                kind="budget",
                description=TRAVEL.for_project(self.project),
                department=self.departments.get("sales"),
                planned_cost=planned / 2,
                actual_cost=planned / 2 * Decimal(self.rng.choice([0.2, 0.7, 1.3])),
            )
        )

    def fill_strategy(self) -> None:
        strategy = self.project.strategies.filter(status="active").first()
        draft = self.project.strategies.filter(status="draft").first()
        if strategy is None and draft is not None:
            # The loop opened the next revision as a draft: the owner reworks it and adopts it.
            reworked = REWORKED_ACTION.for_project(self.project)
            if reworked not in draft.action_list:
                draft.actions = f"{draft.actions}\n{reworked}"
                stage_record_save(
                    record=draft, project=self.project, actor=self.owner, changed={"actions"}
                )
            strategy = strategy_adopt(strategy=draft, actor=self.owner)
        if strategy is None:
            strategy = self.record(
                Strategy(
                    kind=self.rng.choice(["customer_development", "competitive", "pricing"]),
                    summary=STRATEGY["summary"].for_project(self.project),
                    actions=STRATEGY["actions"].for_project(self.project),
                )
            )
        strategy_actions_to_tasks(
            strategy=strategy, actor=self.owner, assignee=self.people.get("member") or self.owner
        )
        # Demo timeline, not an edit: the plan's dates as if made days ago, some already past
        # (`history_rewrite` keeps the history from showing a change nobody made).
        for offset, task in enumerate(strategy.tasks.all()):
            Task.objects.filter(pk=task.pk).update(
                start_date=self.today - datetime.timedelta(days=10 - offset),
                due_date=self.today + datetime.timedelta(days=self.rng.randint(-5, 30)),
            )
        history_rewrite(Task, strategy.tasks.values("pk"), ["start_date", "due_date"])

    def fill_execution(self) -> None:
        # The assignee reports on their task (the owner on one nobody holds).
        task = self.project.tasks.filter(status=TaskStatus.TODO).first()
        if task:
            task_update_progress(
                task=task,
                actor=task.assignee or self.owner,
                status=TaskStatus.IN_PROGRESS,
                progress=40,
            )
        blocked = self.project.tasks.filter(status=TaskStatus.TODO).last()
        if blocked and self.rng.random() < 0.4:
            # A blocked task says why (the task services refuse one that does not).
            task_update_progress(
                task=blocked,
                actor=blocked.assignee or self.owner,
                status=TaskStatus.BLOCKED,
                blocked_reason=BLOCKED_REASONS[1].for_project(self.project),
            )
        decisions = [ReviewDecision.CONTINUE] * self.review_rng.randint(1, 2)
        if self.plan.escalated and self.plan.stage not in REVIEWED_STAGES and not self.escalated:
            # Escalated once on its way; a later review's decision lifts the flag.
            decisions[0], self.escalated = ReviewDecision.ESCALATE, True
        self.reviews_start(decisions)

    def reviews_start(self, decisions: list[ReviewDecision]) -> None:
        """Review on a cadence from now on, and hold reviews with these decisions."""
        if self.project.review_cadence == ReviewCadence.NONE:
            self.project.review_cadence = self.review_rng.choice(
                [ReviewCadence.WEEKLY, ReviewCadence.WEEKLY, ReviewCadence.FORTNIGHTLY]
            )
            project_update(project=self.project, actor=self.owner, fields=["review_cadence"])
        for decision in decisions:
            self.hold(decision)
        review_next(self.project, self.review_rng)  # the first one, if none was held

    def hold(self, decision: ReviewDecision) -> None:
        """Hold the next review; its decision drives the cycle (`monitoring.reviews`)."""
        self.project = review_held(self.project, decision, self.review_rng)

    def fill_monitoring(self) -> None:
        self.hold(ReviewDecision.CLOSE)  # the decision takes the project on to closure

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
        report.summary = CLOSURE["summary"].for_project(self.project)
        report.went_well = CLOSURE["went_well"].for_project(self.project)
        report.to_improve = CLOSURE["to_improve"].for_project(self.project)
        self.project.refresh_from_db()
        stage_record_save(record=report, project=self.project, actor=self.owner)
        # The service tags the lesson with the customer's industry and region.
        self.record(Lesson(text=LESSON.for_project(self.project), stage=Stage.STRATEGY))

    def loop_once(self) -> None:
        """Monitoring → strategy (a review adjusts it) → execution → monitoring: one turn of
        the cycle."""
        self.hold(ReviewDecision.ADJUST_STRATEGY)
        self.fill_strategy()  # the new revision opened by the loop
        self.move(Stage.EXECUTION)
        self.fill_execution()
        self.move(Stage.MONITORING)

    def loop_continue(self, *, back: bool = True) -> None:
        """Monitoring → execution (a review decides to continue), and `back` to monitoring."""
        self.hold(ReviewDecision.CONTINUE)
        self.fill_execution()
        if back:
            self.move(Stage.MONITORING)


def _build(plan: Plan, builder: Builder) -> None:
    if plan.abort_from:
        for stage in OPEN_STAGES[: OPEN_STAGES.index(plan.abort_from)]:
            builder.fill(stage)
            builder.move(NEXT_STAGE[stage])
        if plan.abort_from == Stage.EXECUTION:
            builder.fill_execution()
            reviews_call_off(builder.project)
        builder.move(
            Stage.CLOSURE,
            note=BUDGET_FROZEN.for_project(builder.project),
            outcome=plan.outcome,
            reason_category=ReasonCategory.BUDGET,
        )
        builder.fill_closure(plan.outcome)
        team_work_seed(project=builder.project, closing=True)
        risks_seed(builder.project, closing=True)
        builder.move(Stage.CLOSED)
        return
    target = Stage.CLOSURE if plan.stage == Stage.CLOSED else plan.stage
    for stage in OPEN_STAGES[: OPEN_STAGES.index(target)]:
        builder.fill(stage)
        if builder.project.stage == stage:  # unless a review's decision moved it on
            builder.move(NEXT_STAGE[stage])
        if builder.project.stage == Stage.MONITORING:
            for _ in range(plan.continues):
                builder.loop_continue()
            for _ in range(plan.loops):
                builder.loop_once()
    if plan.stage == Stage.CLOSED:
        builder.fill_closure(plan.outcome)
        # The team's work comes before the close: a closed project is read-only.
        team_work_seed(project=builder.project, closing=True)
        risks_seed(builder.project, closing=True)
        builder.move(Stage.CLOSED)
        return
    if plan.stage == Stage.EXECUTION and plan.continues:
        builder.fill_execution()
        builder.move(Stage.MONITORING)
        builder.loop_continue(back=False)
    elif plan.gate_met and plan.stage == Stage.MONITORING:
        review_close_decided(builder.project, builder.review_rng)
    elif plan.gate_met:
        builder.fill(plan.stage)
    elif plan.overdue and plan.stage == Stage.EXECUTION:
        # Reviewing on a cadence, but the latest review has not been held.
        builder.reviews_start([ReviewDecision.CONTINUE] * builder.review_rng.randint(0, 2))
    if plan.escalated and plan.stage in REVIEWED_STAGES:
        builder.hold(ReviewDecision.ESCALATE)
    team_work_seed(project=builder.project)
    risks_seed(builder.project)


# Stages that last longer than the others (days of a stage visit, relative): reviews on the
# cadence fit in them.
STAGE_LENGTH = {Stage.EXECUTION: 2.5, Stage.MONITORING: 1.5}


def _spread_over_time(project: Project, rng: random.Random) -> Moves:
    """Shift the project's timestamps back so that its history spans weeks, not seconds;
    return each transition's time when it was made and its time now."""
    transitions = list(project.transitions.order_by("created_at", "id"))
    lengths = [STAGE_LENGTH.get(row.from_stage, 1) for row in transitions]
    past = datetime.timedelta(days=rng.randint(3, 20) + 9 * sum(lengths))
    stage = transitions[-1].to_stage if transitions else Stage.INITIATION
    in_stage = rng.randint(10, 30) if stage in STAGE_LENGTH else rng.randint(1, 12)
    start = timezone.now() - past - datetime.timedelta(days=in_stage)
    Project.objects.filter(pk=project.pk).update(created_at=start)
    history_rewrite(Project, [project.pk], ["created_at"], created_at=True)
    moment, moves = start, []
    for row, length in zip(transitions, lengths, strict=True):
        moment += past * length / sum(lengths)
        moves.append((row.created_at, moment))
        # Demo data only: history rows are never edited by the application itself.
        StageTransition.objects.filter(pk=row.pk).update(created_at=moment)
    Project.objects.filter(pk=project.pk).update(stage_entered_at=moment)
    return moves


def seed_projects(*, seed: int = 2026) -> int:
    """Create the demo customers and projects that do not exist yet; return how many were made."""
    rng = random.Random(seed)
    customers: dict[str, list[Customer]] = {"zh-hans": [], "en": []}
    for name, industry, region, size, website in CUSTOMERS:
        customer, _ = Customer.objects.get_or_create(
            name=name,
            defaults={"industry": industry, "region": region, "size": size, "website": website},
        )
        customers["en" if name.isascii() else "zh-hans"].append(customer)
    owners = list(User.objects.filter(username__in=["manager", "manager2"]).order_by("username"))
    demo_email_off()
    StagePolicy.objects.filter(stage=APPROVAL_STAGE).update(requires_approval=True)
    Builder.sent_back_once = False
    created = []
    for index, plan in enumerate(_plans()):
        owner = owners[index % len(owners)]
        language = user_language(owner)
        turn = index // len(owners)
        customer = customers[language][turn % len(customers[language])]
        names = PROJECT_NAMES[language]
        name = f"{names[turn % len(names)]} #{index + 1}"
        if Project.objects.filter(name=name).exists():
            continue
        # What the services write themselves (a decision's note on the move it made) comes in
        # the active language: the owner's, like the rest of the project.
        with transaction.atomic(), translation.override(language):
            project = project_create(
                project=Project(
                    name=name,
                    customer=customer,
                    owner=owner,
                    background=BACKGROUND.in_language(language),
                    estimated_value=Decimal(rng.randrange(300_000, 9_000_000, 50_000)),
                    expected_close_date=timezone.localdate()
                    + datetime.timedelta(days=rng.randint(30, 300)),
                ),
                actor=owner,
            )
            _build(plan, Builder(project, rng, plan))
            monitoring_timeline(
                project=project,
                moves=_spread_over_time(project, rng),
                overdue=plan.overdue,
                next_review_in=plan.next_review_in,
            )
            team_work_timeline(project=project)
        created.append(project)
    if created:
        _ask_for_approval(created)
        # What the hourly jobs would have noticed by now: overdue tasks and reviews, reviews
        # coming up, projects past their stage's norm.
        overdue_notices_seed(
            projects=created,
            sweeps=[reviews_overdue_notify, review_reminders_send, projects_stuck_notify],
        )
    return len(created)


def _ask_for_approval(projects: list[Project]) -> None:
    """One owner has asked to leave resource allocation and waits for a director (the
    director's home lists it); the project stays in its stage."""
    for project in projects:
        project.refresh_from_db()
        if project.stage == APPROVAL_STAGE and evaluate_gate(project).can_advance:
            with translation.override(user_language(project.owner)):
                project_transition(
                    project=project,
                    to_stage=project.next_stage,
                    actor=project.owner,
                    note=ASK.for_project(project),
                )
            return
