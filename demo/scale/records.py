"""The projects of the scale portfolio with their history, team and stage records, as the
gates ask for them: a project that left a stage has what that stage's gate requires, one still
in it has it only when `Plan.gate_met`."""

import datetime
import random
from decimal import Decimal

from demo.scale.bulk import BATCH_SIZE, insert
from demo.scale.people import People
from demo.scale.plans import Clock, Plan
from demo.scale.texts import (
    ALLOCATIONS,
    CLOSURE_SUMMARY,
    COMPETITORS,
    CUSTOMER_NEEDS,
    GOALS,
    LESSONS,
    MARKET_RESEARCH,
    STRATEGIES,
    TO_IMPROVE,
    WENT_WELL,
)
from demo.teamwork.texts import RESPONSIBILITIES
from projects.models import (
    ClosureReport,
    Feasibility,
    FeasibilityDecision,
    Goal,
    Lesson,
    Outcome,
    Project,
    ProjectCodeCounter,
    ProjectMembership,
    ResourceAllocation,
    Stage,
    StageTransition,
    Strategy,
    StrategyStatus,
    TeamRole,
    TransitionKind,
)

LEADS = {
    TeamRole.ACCOUNT_LEAD: "sales",
    TeamRole.SOLUTION_LEAD: "solution",
    TeamRole.FULFILMENT_LEAD: "delivery",
}
OTHER_DEPARTMENTS = ["finance", "legal", "marketing", "product", "customer_service"]


def has_records(plan: Plan, stage: Stage) -> bool:
    """Whether the records of `stage` are complete: the project is in it with its gate met,
    or is elsewhere having moved on from it (an abort leaves without meeting the gate)."""
    if plan.stage == stage:
        return plan.gate_met
    return any(
        move.from_stage == stage and move.kind != TransitionKind.ABORT for move in plan.moves
    )


def projects_create(plans: list[Plan], *, clock: Clock) -> None:
    """Insert the projects in order of creation, numbered per year after the codes already
    issued (numbers are never reused), and move each year's counter on."""
    counters = dict(ProjectCodeCounter.objects.values_list("year", "last_number"))
    rows = []
    for plan in sorted(plans, key=lambda plan: plan.created_at):
        year = plan.created_at.year
        counters[year] = counters.get(year, 0) + 1
        plan.project = Project(
            code=f"SP-{year}-{counters[year]:04d}",
            name=plan.name,
            customer=plan.customer,
            owner=plan.owner,
            background=plan.background,
            estimated_value=Decimal(plan.value),
            expected_close_date=plan.expected_close_date,
            stage=plan.stage,
            stage_entered_at=plan.stage_entered_at,
            outcome=plan.outcome,
            review_cadence=plan.cadence,
            escalated_at=plan.escalated_at,
            created_at=plan.created_at,
            updated_at=max(plan.stage_entered_at, plan.escalated_at or plan.created_at),
        )
        rows.append(plan.project)
    insert(Project, rows)
    ProjectCodeCounter.objects.bulk_create(
        [ProjectCodeCounter(year=year, last_number=last) for year, last in counters.items()],
        update_conflicts=True,
        unique_fields=["year"],
        update_fields=["last_number"],
    )


def transitions_create(plans: list[Plan]) -> list[StageTransition]:
    rows = [
        StageTransition(
            project=plan.project,
            from_stage=move.from_stage,
            to_stage=move.to_stage,
            kind=move.kind,
            actor=plan.owner,
            note=move.note,
            created_at=move.at,
        )
        for plan in plans
        for move in plan.moves
    ]
    return insert(StageTransition, rows)


def teams_create(plans: list[Plan], *, people: People, clock: Clock, rng: random.Random) -> None:
    """The owner from the start; from resource allocation on, the iron triangle (account,
    solution and fulfilment leads) and one to three people of other departments, sometimes an
    observer. A team still being formed lacks its fulfilment lead."""
    rows = []
    for plan in plans:
        owner = plan.owner
        plan.team = [
            ProjectMembership(
                project=plan.project,
                user=owner,
                department=owner.department,
                role=TeamRole.OWNER,
                joined_on=plan.created_at.date(),
            )
        ]
        formed = plan.entered(Stage.RESOURCE_ALLOCATION)
        if formed is not None:
            leads = dict(LEADS)
            if not has_records(plan, Stage.RESOURCE_ALLOCATION):
                leads.pop(TeamRole.FULFILMENT_LEAD)
            chosen = {
                role: rng.choice(people.by_department[department])
                for role, department in leads.items()
            }
            if plan.index == 0:
                chosen[TeamRole.SOLUTION_LEAD] = people.members[0]  # the benchmark's member
            others = rng.sample(OTHER_DEPARTMENTS, rng.randint(1, 3))
            chosen_members = [
                (TeamRole.MEMBER, rng.choice(people.by_department[department]))
                for department in others
            ]
            if rng.random() < 0.1:
                observer = rng.choice(people.by_department["customer_service"])
                chosen_members.append((TeamRole.OBSERVER, observer))
            seen = {owner.pk}
            for role, user in [*chosen.items(), *chosen_members]:
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                joined = formed.date() + datetime.timedelta(days=rng.randint(0, 3))
                plan.team.append(
                    ProjectMembership(
                        project=plan.project,
                        user=user,
                        department=user.department,
                        role=role,
                        responsibilities=RESPONSIBILITIES.get(
                            role, RESPONSIBILITIES.get(user.department.code, "")
                        ),
                        joined_on=min(joined, clock.today - datetime.timedelta(days=1)),
                    )
                )
        rows += plan.team
    insert(ProjectMembership, rows)


def lead(plan: Plan, role: TeamRole):
    return next((m.user for m in plan.team if m.role == role), plan.owner)


def feasibilities_create(plans: list[Plan], *, clock: Clock, rng: random.Random) -> None:
    rows = []
    for plan in plans:
        left = plan.entered(Stage.GOAL_SETTING) or (
            plan.moves[0].at if plan.moves else clock.midnight
        )
        decided_at = plan.created_at + (left - plan.created_at) * 0.8
        decision = FeasibilityDecision.GO
        if plan.moves and plan.moves[0].kind == TransitionKind.ABORT:
            decision = FeasibilityDecision.NO_GO
        elif not has_records(plan, Stage.INITIATION):
            decision = FeasibilityDecision.PENDING
        decided = decision != FeasibilityDecision.PENDING
        rows.append(
            Feasibility(
                project=plan.project,
                market_research=rng.choice(MARKET_RESEARCH)
                if decided or rng.random() < 0.5
                else "",
                customer_needs=rng.choice(CUSTOMER_NEEDS),
                competitors=rng.choice(COMPETITORS),
                decision=decision,
                decided_by=plan.owner if decided else None,
                decided_at=decided_at if decided else None,
            )
        )
    insert(Feasibility, rows)


def _progress(plan: Plan, clock: Clock) -> float:
    """The share of the way from creation to the expected close date behind the project."""
    span = (plan.expected_close_date - plan.created_at.date()).days
    return max(0.0, min(1.0, (clock.today - plan.created_at.date()).days / max(span, 1)))


def goals_create(plans: list[Plan], *, clock: Clock, rng: random.Random) -> None:
    """A revenue goal and up to two others once goals are set (a project still setting them
    without its revenue goal has one other goal); SMART, with progress to match the outcome."""
    rows = []
    for plan in plans:
        started = plan.entered(Stage.GOAL_SETTING)
        if started is None:
            continue
        chosen = [GOALS[0], *rng.sample(GOALS[1:], rng.randint(0, 2))]
        if not has_records(plan, Stage.GOAL_SETTING):
            chosen = [rng.choice(GOALS[1:])]
        met_all = True
        for metric, title, unit in chosen:
            revenue = metric == "revenue"
            target = Decimal(plan.value) if revenue else Decimal(rng.choice([3, 10, 20, 90]))
            if plan.outcome == Outcome.WON and not plan.is_open:
                share = rng.uniform(1.0, 1.15) if rng.random() < 0.8 else rng.uniform(0.7, 0.99)
            elif not plan.is_open:
                share = 0 if revenue else rng.uniform(0.2, 0.8)
            else:
                share = _progress(plan, clock) * rng.uniform(0.4, 1.2)
            met_all = met_all and share >= 1
            if plan.is_open:
                deadline = max(plan.expected_close_date, clock.today) + datetime.timedelta(
                    days=rng.randint(0, 60)
                )
            else:
                deadline = plan.closed_at.date() + datetime.timedelta(days=rng.randint(-20, 20))
            rows.append(
                Goal(
                    project=plan.project,
                    metric=metric,
                    title=title,
                    baseline=Decimal(0),
                    target=target,
                    unit=unit or plan.project.currency,
                    current_value=(target * Decimal(share)).quantize(Decimal("0.01")),
                    deadline=deadline,
                    owner=plan.owner,
                    created_at=clock.past(started + datetime.timedelta(hours=rng.randint(1, 30))),
                )
            )
            plan.goals.append(rows[-1])
        plan.all_goals_met = met_all
    insert(Goal, rows)


def allocations_create(plans: list[Plan], *, people: People, clock: Clock, rng) -> None:
    """People and budget (sometimes material) once the team is formed; spent as the project
    goes, around the plan when it is over."""
    rows = []
    for plan in plans:
        if plan.entered(Stage.RESOURCE_ALLOCATION) is None:
            continue
        planned = Decimal(plan.value) * Decimal(rng.uniform(0.04, 0.1))
        burn = rng.uniform(0.7, 1.3) if not plan.is_open else _progress(plan, clock)
        kinds = ALLOCATIONS if rng.random() < 0.3 else ALLOCATIONS[:2]
        for kind, description in kinds:
            cost = (planned / len(kinds)).quantize(Decimal("0.01"))
            actual = (cost * Decimal(burn * rng.uniform(0.8, 1.2))).quantize(Decimal("0.01"))
            solution = kind == "people"
            rows.append(
                ResourceAllocation(
                    project=plan.project,
                    kind=kind,
                    description=description,
                    department=people.departments["solution" if solution else "sales"],
                    person=lead(plan, TeamRole.SOLUTION_LEAD) if solution else None,
                    quantity=Decimal(rng.randint(1, 4)) if solution else Decimal(1),
                    planned_cost=cost,
                    actual_cost=actual,
                )
            )
            plan.budget_actual += int(actual)
    insert(ResourceAllocation, rows)


def strategies_create(plans: list[Plan], *, clock: Clock, rng: random.Random) -> None:
    """Revision 1 when the project reached strategy, and a new revision superseding the last at
    each loop back to strategy; the latest is active. Inserted in one go, then linked."""
    rows, links = [], []
    for plan in plans:
        visits = [visit for visit in plan.visits if visit.stage == Stage.STRATEGY]
        kind = rng.choice(list(STRATEGIES))
        summary, actions = STRATEGIES[kind]
        for number, visit in enumerate(visits, start=1):
            strategy = Strategy(
                project=plan.project,
                kind=kind,
                summary=summary,
                actions="\n".join(actions),
                revision=number,
                status=StrategyStatus.ACTIVE
                if number == len(visits)
                else StrategyStatus.SUPERSEDED,
                created_by=plan.owner,
                created_at=clock.past(visit.start + datetime.timedelta(hours=rng.randint(2, 30))),
            )
            if number > 1:
                links.append((strategy, rows[-1]))  # linked once its predecessor has a key
            rows.append(strategy)
        if visits:
            plan.strategy = rows[-1]
    insert(Strategy, rows)
    for strategy, previous in links:
        strategy.supersedes = previous
    Strategy.objects.bulk_update(
        [strategy for strategy, _previous in links], ["supersedes"], batch_size=BATCH_SIZE
    )


def closures_create(plans: list[Plan], *, clock: Clock, rng: random.Random) -> None:
    """The closure report wherever the outcome is known, complete once the project closed (or
    waits at a met closure gate); a lesson or two for each of those."""
    reports, lessons = [], []
    for plan in plans:
        if not plan.outcome:
            continue
        complete = not plan.is_open or plan.gate_met
        abort = next((move for move in plan.moves if move.kind == TransitionKind.ABORT), None)
        won = plan.outcome == Outcome.WON
        closed_at = plan.closed_at
        reports.append(
            ClosureReport(
                project=plan.project,
                outcome=plan.outcome,
                actual_value=(
                    (Decimal(plan.value) * Decimal(rng.uniform(0.85, 1.1))).quantize(Decimal(1))
                    if won and complete
                    else None
                ),
                reason_category=plan.reason_category,
                reason=abort.note if abort else "",
                summary=CLOSURE_SUMMARY if complete else "",
                went_well=rng.choice(WENT_WELL) if complete else "",
                to_improve=rng.choice(TO_IMPROVE) if complete else "",
                closed_on=closed_at.date() if closed_at else None,
                updated_at=closed_at or plan.stage_entered_at,
            )
        )
        if not complete:
            continue
        written = plan.entered(Stage.CLOSURE) + datetime.timedelta(hours=rng.randint(2, 20))
        for text in rng.sample(LESSONS, rng.randint(1, 2)):
            lessons.append(
                Lesson(
                    project=plan.project,
                    text=text,
                    stage=rng.choice([Stage.STRATEGY, Stage.EXECUTION, Stage.INITIATION]),
                    industry=plan.customer.industry,
                    region=plan.customer.region,
                    created_by=plan.owner,
                    created_at=min(written, closed_at or clock.past(written)),
                )
            )
    insert(ClosureReport, reports)
    insert(Lesson, lessons)
