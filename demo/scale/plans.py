"""The story of each project of the scale portfolio, worked out in memory before anything is
written: where it ends up, the path of stages that took it there (advances, loops decided by
reviews, aborts) and when each move happened.

Every moment lies before the start of today, so no history is in the future whenever the
command runs; what lies ahead (reviews, due dates) is counted from today.
"""

import datetime
import random
from dataclasses import dataclass, field

from accounts.models import User
from customers.models import Customer
from demo.scale.texts import ABORT_REASONS, BACKGROUNDS, PRODUCTS
from monitoring.models import ReviewDecision
from projects.models import (
    OPEN_STAGES,
    Outcome,
    ReasonCategory,
    ReviewCadence,
    Stage,
    TransitionKind,
)

# Where the portfolio stands (per 100 projects): 55 open over the seven stages, 45 closed.
STAGE_SHARES = {
    Stage.INITIATION: 9,
    Stage.GOAL_SETTING: 6,
    Stage.RESOURCE_ALLOCATION: 6,
    Stage.STRATEGY: 7,
    Stage.EXECUTION: 15,
    Stage.MONITORING: 7,
    Stage.CLOSURE: 5,
    Outcome.WON: 20,
    Outcome.LOST: 17,
    Outcome.CANCELLED: 8,
}
MIN_PROJECTS = len(STAGE_SHARES) * 2
CADENCE_DAYS = {ReviewCadence.WEEKLY: 7, ReviewCadence.FORTNIGHTLY: 14, ReviewCadence.MONTHLY: 30}
CLOSED_WITHIN_DAYS = 730  # closings spread over two years: every day of the KPI year has its 365
WON_REASONS = [ReasonCategory.SOLUTION_FIT, ReasonCategory.RELATIONSHIP, ReasonCategory.PRICE]
LOST_REASONS = [
    ReasonCategory.PRICE,
    ReasonCategory.COMPETITOR,
    ReasonCategory.SOLUTION_FIT,
    ReasonCategory.RELATIONSHIP,
    ReasonCategory.TIMING,
]
CANCELLED_REASONS = [ReasonCategory.BUDGET, ReasonCategory.TIMING, ReasonCategory.OTHER]
ESCALATED_SHARE = 0.06  # open projects in execution or monitoring flagged to the directors


class Clock:
    """Office hours on days counted from today, in the installation's time zone."""

    def __init__(self, today: datetime.date, tz: datetime.tzinfo) -> None:
        self.today = today
        self.tz = tz
        self.midnight = self.at(today, 0)

    def at(self, day: datetime.date, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time(minute // 60, minute % 60), tzinfo=self.tz
        )

    def past(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment`, or the last minute before today if it would lie later."""
        return min(moment, self.midnight - datetime.timedelta(minutes=1))

    def office(self, day: datetime.date, rng: random.Random, *, afternoon: bool = False):
        return self.at(day, rng.randrange(14 * 60 if afternoon else 9 * 60, 17 * 60 + 30, 5))

    def within(self, start: datetime.datetime, end: datetime.datetime, rng: random.Random):
        """A moment at office hours on a day strictly between `start` and `end`, or, when no
        whole day lies between them, their midpoint."""
        first, last = start.date() + datetime.timedelta(days=1), end.date()
        if last <= first:
            return (start + (end - start) / 2).replace(second=0, microsecond=0)
        return self.office(first + datetime.timedelta(days=rng.randrange((last - first).days)), rng)


@dataclass(frozen=True)
class Step:
    """A move along the project's path: the stage it enters, how, and the review decision
    that made it (moves out of monitoring are decided in a review)."""

    stage: Stage
    kind: TransitionKind
    decision: str = ""


@dataclass
class Move:
    from_stage: Stage
    to_stage: Stage
    kind: TransitionKind
    at: datetime.datetime
    decision: str = ""
    note: str = ""


@dataclass
class Visit:
    stage: Stage
    start: datetime.datetime
    end: datetime.datetime | None  # None: the stage the project is in now


@dataclass
class PlannedReview:
    scheduled_for: datetime.datetime
    held_at: datetime.datetime | None
    decision: str = ""
    duration: int = 60


@dataclass
class Plan:
    """One project of the portfolio, and what later steps record about it."""

    index: int
    stage: Stage
    outcome: str
    reason_category: str
    aborted: bool
    gate_met: bool
    owner: User
    customer: Customer
    name: str
    background: str
    value: int
    cadence: str
    created_at: datetime.datetime
    moves: list[Move]
    expected_close_date: datetime.date
    reviews: list[PlannedReview] = field(default_factory=list)
    escalated_at: datetime.datetime | None = None
    project: object = None  # the Project row, once inserted
    team: list = field(default_factory=list)  # its ProjectMembership rows
    goals: list = field(default_factory=list)
    strategy: object = None  # the active Strategy row
    budget_actual: int = 0
    all_goals_met: bool = False

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def stage_entered_at(self) -> datetime.datetime:
        return self.moves[-1].at if self.moves else self.created_at

    @property
    def closed_at(self) -> datetime.datetime | None:
        return None if self.is_open else self.moves[-1].at

    @property
    def visits(self) -> list[Visit]:
        visits, stage, start = [], Stage.INITIATION, self.created_at
        for move in self.moves:
            visits.append(Visit(stage, start, move.at))
            stage, start = move.to_stage, move.at
        visits.append(Visit(stage, start, None))
        return visits

    def entered(self, stage: Stage) -> datetime.datetime | None:
        """When the project first entered `stage`, if it ever did."""
        if stage == Stage.INITIATION:
            return self.created_at
        return next((move.at for move in self.moves if move.to_stage == stage), None)


# --- paths --------------------------------------------------------------------------------------
def _forward(to: Stage) -> list[Step]:
    return [
        Step(stage, TransitionKind.ADVANCE) for stage in OPEN_STAGES[1 : OPEN_STAGES.index(to) + 1]
    ]


# Round the cycle once: a review in monitoring decides to continue, or to adjust the strategy.
CONTINUE_LOOP = [
    Step(Stage.EXECUTION, TransitionKind.LOOP, ReviewDecision.CONTINUE),
    Step(Stage.MONITORING, TransitionKind.ADVANCE),
]
ADJUST_LOOP = [
    Step(Stage.STRATEGY, TransitionKind.LOOP, ReviewDecision.ADJUST_STRATEGY),
    Step(Stage.EXECUTION, TransitionKind.ADVANCE),
    Step(Stage.MONITORING, TransitionKind.ADVANCE),
]
CLOSE_DECIDED = Step(Stage.CLOSURE, TransitionKind.ADVANCE, ReviewDecision.CLOSE)
CLOSE = Step(Stage.CLOSED, TransitionKind.ADVANCE)


def _loops(rng: random.Random) -> list[Step]:
    count = rng.choices([0, 1, 2, 3], weights=[55, 28, 12, 5])[0]
    return [step for _ in range(count) for step in rng.choice([CONTINUE_LOOP, ADJUST_LOOP])]


def _to_closure(rng: random.Random) -> list[Step]:
    """Through the whole cycle; the last review decides to close."""
    return [*_forward(Stage.MONITORING), *_loops(rng), CLOSE_DECIDED]


# The first project won goes round the cycle both ways, so that every portfolio has both loops.
ROUND_BOTH_WAYS = [*_forward(Stage.MONITORING), *ADJUST_LOOP, *CONTINUE_LOOP, CLOSE_DECIDED, CLOSE]


def _aborted(rng: random.Random, stages: list[Stage]) -> list[Step]:
    return [*_forward(rng.choice(stages)), Step(Stage.CLOSURE, TransitionKind.ABORT)]


def _path(category: str, rng: random.Random) -> tuple[list[Step], str, bool]:
    """The steps to where the project ends up, its outcome and whether it was aborted."""
    closed = [CLOSE]
    if category == Outcome.WON:
        return [*_to_closure(rng), *closed], Outcome.WON, False
    if category == Outcome.LOST:
        if rng.random() < 0.5:
            return [*_to_closure(rng), *closed], Outcome.LOST, False
        later = [Stage.GOAL_SETTING, Stage.STRATEGY, Stage.EXECUTION, Stage.MONITORING]
        return [*_aborted(rng, later), *closed], Outcome.LOST, True
    if category == Outcome.CANCELLED:
        early = OPEN_STAGES[:5]
        return [*_aborted(rng, early), *closed], Outcome.CANCELLED, True
    stage = Stage(category)
    if stage == Stage.CLOSURE:
        if rng.random() < 0.25:
            outcome = rng.choice([Outcome.LOST, Outcome.CANCELLED])
            return _aborted(rng, OPEN_STAGES[:6]), outcome, True
        return _to_closure(rng), "", False
    if stage == Stage.MONITORING:
        return [*_forward(Stage.MONITORING), *_loops(rng)], "", False
    if stage in (Stage.STRATEGY, Stage.EXECUTION) and rng.random() < 0.2:
        # Back here from monitoring: a review sent it round the cycle again.
        back = [
            Step(Stage.STRATEGY, TransitionKind.LOOP, ReviewDecision.ADJUST_STRATEGY),
            Step(Stage.EXECUTION, TransitionKind.ADVANCE),
        ]
        if stage == Stage.STRATEGY:
            back = back[:1]
        elif rng.random() < 0.5:
            back = [Step(Stage.EXECUTION, TransitionKind.LOOP, ReviewDecision.CONTINUE)]
        return [*_forward(Stage.MONITORING), *_loops(rng), *back], "", False
    return _forward(stage), "", False


# --- times --------------------------------------------------------------------------------------
def _days(norm: int, rng: random.Random, *, again: bool) -> int:
    """Days of a stage visit: about its norm, shorter on a second pass."""
    return max(1, round(norm * (0.5 if again else 1) * rng.lognormvariate(-0.1, 0.4)))


def _elapsed(norm: int, rng: random.Random) -> int:
    """Days so far in the current stage: mostly within the norm, some over it, a few far over."""
    draw = rng.random()
    if draw < 0.75:
        return rng.randint(1, max(1, norm))
    if draw < 0.9:
        return rng.randint(norm + 1, 2 * norm)
    return rng.randint(2 * norm + 1, 3 * norm + 5)


def _moves(steps: list[Step], *, end_day, clock: Clock, norms, rng) -> tuple:
    """Date the steps backwards from `end_day` (the last move's day); return the project's
    creation moment and its moves."""
    stages = [Stage.INITIATION, *(step.stage for step in steps)]
    days, day = [], end_day
    for index in range(len(steps), 0, -1):
        days.append(day)
        again = stages[index - 1] in stages[: index - 1]
        day -= datetime.timedelta(days=_days(norms[stages[index - 1]], rng, again=again))
    created_at = clock.at(day, rng.randrange(9 * 60, 12 * 60, 5))
    moves = []
    for step, move_day, from_stage in zip(steps, reversed(days), stages[:-1], strict=True):
        decided = bool(step.decision)
        moves.append(
            Move(
                from_stage=from_stage,
                to_stage=step.stage,
                kind=step.kind,
                at=clock.office(move_day, rng, afternoon=decided),
                decision=step.decision,
            )
        )
    return created_at, moves


def _notes(moves: list[Move], reason_category: str) -> None:
    for move in moves:
        if move.decision:
            move.note = (
                f"Review of {move.at:%Y-%m-%d} decided: {ReviewDecision(move.decision).label}."
            )
        elif move.kind == TransitionKind.ABORT:
            move.note = ABORT_REASONS[ReasonCategory(reason_category)]


def _reason(outcome: str, rng: random.Random) -> str:
    if outcome == Outcome.WON:
        return rng.choice(WON_REASONS)
    if outcome == Outcome.LOST:
        return rng.choice(LOST_REASONS)
    return rng.choice(CANCELLED_REASONS) if outcome else ""


def _quotas(total: int) -> list[str]:
    """The category of each project: shares of STAGE_SHARES, at least one of each."""
    weights = sum(STAGE_SHARES.values())
    exact = {category: total * share / weights for category, share in STAGE_SHARES.items()}
    counts = {category: max(1, int(value)) for category, value in exact.items()}
    by_remainder = sorted(exact, key=lambda category: exact[category] - int(exact[category]))
    while sum(counts.values()) < total:
        counts[by_remainder.pop()] += 1
    while sum(counts.values()) > total:
        counts[max(counts, key=counts.get)] -= 1
    return [category for category, count in counts.items() for _ in range(count)]


def plans_make(
    *,
    total: int,
    owners: list[User],
    customers: list[Customer],
    clock: Clock,
    norms: dict[str, int],
    rng: random.Random,
) -> list[Plan]:
    """The portfolio's projects. The first, in execution and owned by the first owner, is the
    showcase the benchmark opens (its kanban and Gantt)."""
    categories = _quotas(total)
    rng.shuffle(categories)
    showcase = categories.index(Stage.EXECUTION)
    categories[0], categories[showcase] = categories[showcase], categories[0]
    owner_weights = [rng.uniform(0.4, 2.0) for _ in owners]
    customer_weights = [min(rng.paretovariate(1.2), 20) for _ in customers]
    plans, seen = [], {}
    for index, category in enumerate(categories):
        if index == 0:
            steps, outcome, aborted = _forward(Stage.EXECUTION), "", False
            owner, customer = owners[0], customers[0]
        else:
            steps, outcome, aborted = _path(category, rng)
            if index == categories.index(Outcome.WON):
                steps = ROUND_BOTH_WAYS
            owner = rng.choices(owners, weights=owner_weights)[0]
            customer = rng.choices(customers, weights=customer_weights)[0]
        stage = steps[-1].stage if steps else Stage.INITIATION
        # The first project in each open stage meets its gate, the second does not; the others
        # as they come.
        seen[stage] = seen.get(stage, 0) + 1
        gate_met = {1: True, 2: False}.get(seen[stage])
        if gate_met is None:
            gate_met = rng.random() < (0.4 if stage == Stage.MONITORING else 0.5)
        if stage == Stage.CLOSURE and not aborted and (gate_met or rng.random() < 0.5):
            # The closure report is (being) written: the project's outcome follows it.
            outcome = Outcome.WON if rng.random() < 0.55 else Outcome.LOST
        if stage == Stage.CLOSED:
            end_day = clock.today - datetime.timedelta(days=rng.randint(1, CLOSED_WITHIN_DAYS))
        else:
            end_day = clock.today - datetime.timedelta(days=_elapsed(norms[stage], rng))
        created_at, moves = _moves(steps, end_day=end_day, clock=clock, norms=norms, rng=rng)
        reason = _reason(outcome, rng)
        _notes(moves, reason or ReasonCategory.OTHER)
        cadence = ReviewCadence.NONE
        if any(move.to_stage == Stage.EXECUTION for move in moves):
            cadence = rng.choices(list(CADENCE_DAYS), weights=[5, 3, 2])[0]
        first_time = not any(move.kind == TransitionKind.LOOP for move in moves)
        if stage == Stage.EXECUTION and not gate_met and first_time and rng.random() < 0.5:
            cadence = ReviewCadence.NONE  # just arrived: no cadence chosen yet
        if stage == Stage.CLOSED:
            close_day = end_day + datetime.timedelta(days=rng.randint(-30, 30))
        else:
            close_day = clock.today + datetime.timedelta(days=rng.randint(15, 240))
        value = 5_000_000 if index == 0 else rng.lognormvariate(14.2, 0.8)
        plans.append(
            Plan(
                index=index,
                stage=stage,
                outcome=outcome,
                reason_category=reason,
                aborted=aborted,
                gate_met=gate_met,
                owner=owner,
                customer=customer,
                name=f"{customer.name} {rng.choice(PRODUCTS[customer.industry])}",
                background=rng.choice(BACKGROUNDS),
                value=min(max(round(value, -4), 100_000), 50_000_000),
                cadence=cadence,
                created_at=created_at,
                moves=moves,
                expected_close_date=close_day,
            )
        )
    return plans


# --- reviews ------------------------------------------------------------------------------------
def _review(scheduled: datetime.datetime, decision: str, clock: Clock, rng) -> PlannedReview:
    """A review held at `scheduled` (over by the end of yesterday at the latest)."""
    duration = rng.choice([45, 60, 60, 90])
    held = scheduled + datetime.timedelta(minutes=duration + rng.randrange(0, 20, 5))
    return PlannedReview(scheduled, clock.past(held), decision, duration)


def _execution_windows(plan: Plan, clock: Clock) -> list[Visit]:
    return [
        Visit(visit.stage, visit.start, visit.end or clock.midnight)
        for visit in plan.visits
        if visit.stage == Stage.EXECUTION
    ]


def reviews_plan(plans: list[Plan], *, total: int, clock: Clock, rng: random.Random) -> None:
    """Give every project that reached execution its reviews, `total` in all where possible:
    the one behind each decision that moved it out of monitoring, the next one waiting (ahead,
    or on some projects overdue), an escalation on a few, and the others on its cadence while
    in execution."""
    reviewed = [plan for plan in plans if plan.cadence != ReviewCadence.NONE]
    escalated, mandatory = set(), 0
    for plan in reviewed:
        for move in plan.moves:
            if move.decision:
                start = clock.at(move.at.date(), rng.randrange(600, 690, 5))
                plan.reviews.append(_review(start, move.decision, clock, rng))
        waiting = plan.stage in (Stage.EXECUTION, Stage.MONITORING)
        close_decided = plan.stage == Stage.MONITORING and plan.gate_met
        if close_decided:
            # The latest review decided to close; the owner has yet to take the step.
            moment = clock.within(plan.stage_entered_at, clock.midnight, rng)
            plan.reviews.append(_review(moment, ReviewDecision.CLOSE, clock, rng))
        elif waiting and plan.index and rng.random() < ESCALATED_SHARE:
            escalated.add(plan.index)
        mandatory += len(plan.reviews) + waiting + (plan.index in escalated)
    windows = {plan.index: _execution_windows(plan, clock) for plan in reviewed}
    weights = [
        sum((w.end - w.start).days for w in windows[plan.index]) / CADENCE_DAYS[plan.cadence] + 0.1
        for plan in reviewed
    ]
    extra = rng.choices(reviewed, weights=weights, k=max(0, total - mandatory)) if reviewed else []
    for plan in extra:
        spans = [(w.end - w.start).days + 1 for w in windows[plan.index]]
        window = rng.choices(windows[plan.index], weights=spans)[0]
        moment = clock.within(window.start, window.end, rng)
        review = _review(moment, ReviewDecision.CONTINUE, clock, rng)
        if rng.random() < 0.08:
            review.decision = ReviewDecision.ESCALATE
        if rng.random() < 0.1 and review.held_at + datetime.timedelta(days=2) < window.end:
            review.held_at += datetime.timedelta(days=1, hours=rng.randint(1, 20))  # held late
        plan.reviews.append(review)
    # A project in execution meets its gate with a review ahead: there the waiting review is
    # overdue exactly when the gate is not met. In monitoring some are overdue, the first
    # whatever the draws.
    monitored = [plan for plan in reviewed if plan.stage == Stage.MONITORING]
    for plan in reviewed:
        if plan.stage == Stage.EXECUTION:
            overdue = not plan.gate_met
        else:
            overdue = plan is monitored[0] or rng.random() < 0.2
        _latest(plan, escalate=plan.index in escalated, overdue=overdue, clock=clock, rng=rng)


def _latest(plan: Plan, *, escalate: bool, overdue: bool, clock: Clock, rng) -> None:
    """The latest reviews: an escalation that flags the project (only the latest held review
    may have escalated, as the next decision clears the flag), and the one waiting."""
    plan.reviews.sort(key=lambda review: review.scheduled_for)
    held = [review for review in plan.reviews if review.held_at]
    if held and held[-1].decision == ReviewDecision.ESCALATE:
        held[-1].decision = ReviewDecision.CONTINUE
    if plan.stage not in (Stage.EXECUTION, Stage.MONITORING):
        return
    after = max([plan.stage_entered_at, *(review.held_at for review in held)])
    if escalate:
        moment = clock.within(after, clock.midnight, rng)
        review = _review(moment, ReviewDecision.ESCALATE, clock, rng)
        plan.reviews.append(review)
        plan.escalated_at = after = review.held_at
    if overdue:
        moment = clock.within(after, clock.midnight, rng)  # past and not held
    else:
        ahead = rng.randint(1, CADENCE_DAYS[plan.cadence])
        moment = clock.office(clock.today + datetime.timedelta(days=ahead), rng)
    plan.reviews.append(PlannedReview(moment, None, "", rng.choice([45, 60, 60, 90])))
