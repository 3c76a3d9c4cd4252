"""The tasks of the scale portfolio: per stage and department, assigned to the team, done as
the project moved on; in the current stage some in progress, blocked or overdue."""

import datetime
import random
from decimal import Decimal

from collaboration.models import Task, TaskPriority, TaskStatus
from demo.scale.bulk import insert
from demo.scale.people import People
from demo.scale.plans import Clock, Plan
from demo.scale.records import has_records
from demo.teamwork.texts import BLOCKED_REASONS, MILESTONES, TASKS
from projects.models import Stage, TeamRole

SHOWCASE_TASKS = 300  # the project whose kanban and Gantt the benchmark opens
# How much of a project's work serves each stage (relative).
STAGE_WORK = {
    Stage.INITIATION: 2,
    Stage.GOAL_SETTING: 1.5,
    Stage.RESOURCE_ALLOCATION: 1.5,
    Stage.STRATEGY: 2.5,
    Stage.EXECUTION: 4,
    Stage.MONITORING: 2,
    Stage.CLOSURE: 1.5,
}
# Projects further on have more work behind them (relative).
PROJECT_WORK = {
    Stage.INITIATION: 1,
    Stage.GOAL_SETTING: 2,
    Stage.RESOURCE_ALLOCATION: 3,
    Stage.STRATEGY: 5,
    Stage.EXECUTION: 9,
    Stage.MONITORING: 12,
    Stage.CLOSURE: 13,
    Stage.CLOSED: 12,
}
PRIORITY_WEIGHTS = {
    TaskPriority.LOW: 15,
    TaskPriority.NORMAL: 55,
    TaskPriority.HIGH: 22,
    TaskPriority.URGENT: 8,
}
DEPENDENT_SHARE = 0.25


def _counts(plans: list[Plan], total: int, rng: random.Random) -> list[int]:
    """Tasks per project, `total` in all: the showcase's share, one for each project past the
    strategy gate (an action turned into a task), the rest by how far each project went."""
    counts = [
        1 if plan.strategy is not None and has_records(plan, Stage.STRATEGY) else 0
        for plan in plans
    ]
    counts[0] = min(SHOWCASE_TASKS, total // 4)
    weights = [PROJECT_WORK[plan.stage] * rng.uniform(0.5, 1.5) for plan in plans[1:]]
    rest = max(0, total - sum(counts))
    for index in rng.choices(range(1, len(plans)), weights=weights, k=rest):
        counts[index] += 1
    return counts


def _status(due: datetime.date, *, stage_over: bool, closed: bool, today, rng) -> str:
    if closed:
        return TaskStatus.DONE
    if stage_over:
        return TaskStatus.DONE if rng.random() < 0.96 else TaskStatus.IN_PROGRESS
    weights = (78, 10, 5, 7) if due < today else (15, 35, 10, 40)
    statuses = [TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED, TaskStatus.TODO]
    return rng.choices(statuses, weights=weights)[0]


class _TaskMaker:
    """Tasks of one project, dated within the stage they serve."""

    def __init__(self, plan: Plan, people: People, clock: Clock, rng: random.Random) -> None:
        self.plan, self.people, self.clock, self.rng = plan, people, clock, rng
        # Each stage's latest visit: the current one for the stage the project is in.
        self.windows = {visit.stage: visit for visit in plan.visits if visit.stage != Stage.CLOSED}
        self.workers = [m for m in plan.team if m.role != TeamRole.OBSERVER]

    def assignee(self, department: str):
        matching = [m.user for m in self.workers if m.department.code == department]
        return self.rng.choice(matching) if matching else self.plan.owner

    def make(
        self,
        stage: Stage,
        department: str,
        title: str,
        hours: int,
        *,
        status: str | None = None,
        due: datetime.date | None = None,
        **extra,
    ) -> Task:
        """A task serving `stage`, dated within it; its status drawn unless given."""
        plan, clock, rng = self.plan, self.clock, self.rng
        visit = self.windows[stage]
        current = visit.end is None
        end = visit.end or clock.midnight + datetime.timedelta(days=30)
        span = max(1, (end - visit.start).days)
        start = visit.start.date() + datetime.timedelta(days=rng.randint(0, max(0, span * 6 // 10)))
        if due is None:
            due = start + datetime.timedelta(days=rng.randint(2, 25))
        start = min(start, due)
        if plan.closed_at:
            due = max(start, min(due, plan.closed_at.date()))
        status = status or _status(
            due, stage_over=not current, closed=not plan.is_open, today=clock.today, rng=rng
        )
        if status == TaskStatus.DONE and start >= clock.today:
            status = TaskStatus.TODO  # nothing planned ahead is done yet
        created = clock.office(start - datetime.timedelta(days=rng.randint(0, 5)), rng)
        created = clock.past(max(created, plan.created_at))
        completed = None
        if status == TaskStatus.DONE:
            last = min(due, (plan.closed_at or clock.midnight).date() - datetime.timedelta(days=1))
            day = start + datetime.timedelta(days=rng.randint(0, max(0, (last - start).days)))
            completed = max(created, clock.past(clock.office(day, rng)))
        priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))
        return Task(
            project=plan.project,
            title=title,
            stage=stage,
            department=self.people.departments[department],
            assignee=self.assignee(department),
            status=status,
            priority=priority[0],
            start_date=start,
            due_date=due,
            progress={
                TaskStatus.DONE: 100,
                TaskStatus.IN_PROGRESS: rng.randrange(10, 100, 10),
                TaskStatus.BLOCKED: rng.randrange(0, 70, 10),
            }.get(status, 0),
            estimate_hours=Decimal(hours) if hours else None,
            blocked_reason=rng.choice(BLOCKED_REASONS) if status == TaskStatus.BLOCKED else "",
            completed_at=completed,
            created_by=plan.owner,
            created_at=created,
            updated_at=completed or created,
            **extra,
        )

    def tasks(self, count: int) -> list[Task]:
        plan, rng = self.plan, self.rng
        made = []
        if plan.strategy is not None and has_records(plan, Stage.STRATEGY):
            # The gate of strategy: its actions turned into tasks, done in execution.
            worked_in = Stage.EXECUTION if Stage.EXECUTION in self.windows else Stage.STRATEGY
            actions = plan.strategy.action_list[:count]
            for action in actions:
                made.append(self.make(worked_in, "sales", action, 0, strategy=plan.strategy))
            started = [TaskStatus.IN_PROGRESS, TaskStatus.DONE]
            if (
                actions
                and has_records(plan, Stage.EXECUTION)
                and not any(t.status in started for t in made)
            ):
                # The gate of execution: at least one task started.
                made[0] = self.make(
                    worked_in, "sales", actions[0], 0, strategy=plan.strategy, status=started[0]
                )
            for task in made:
                task.stage = Stage.EXECUTION
        if plan.index == 0:
            # The showcase's kanban has every column, and its list an overdue task.
            yesterday = self.clock.today - datetime.timedelta(days=1)
            for department, title, hours in TASKS[Stage.EXECUTION][:3]:
                for status in TaskStatus:
                    made.append(self.make(Stage.EXECUTION, department, title, hours, status=status))
                made.append(
                    self.make(
                        Stage.EXECUTION,
                        department,
                        title,
                        hours,
                        status=TaskStatus.TODO,
                        due=yesterday,
                    )
                )
        stages = list(self.windows)
        weights = [STAGE_WORK[stage] for stage in stages]
        while len(made) < count:
            stage = rng.choices(stages, weights=weights)[0]
            if rng.random() < 0.04:
                department, title = MILESTONES[stage]
                made.append(self.make(stage, department, title, 0, is_milestone=True))
            else:
                department, title, hours = rng.choice(TASKS[stage])
                made.append(self.make(stage, department, title, hours))
        return made


def tasks_create(
    plans: list[Plan], *, total: int, people: People, clock: Clock, rng: random.Random
) -> list[Task]:
    """`total` tasks over the portfolio, then dependencies between some of each project's."""
    per_project = []
    for plan, count in zip(plans, _counts(plans, total, rng), strict=True):
        per_project.append(_TaskMaker(plan, people, clock, rng).tasks(count))
    tasks = insert(Task, [task for project_tasks in per_project for task in project_tasks])
    Dependency = Task.dependencies.through
    links = []
    for project_tasks in per_project:
        ordered = sorted(project_tasks, key=lambda task: (task.start_date, task.pk))
        for index in range(1, len(ordered)):
            if rng.random() < DEPENDENT_SHARE:
                before = ordered[rng.randint(max(0, index - 5), index - 1)]
                links.append(Dependency(from_task_id=ordered[index].pk, to_task_id=before.pk))
    insert(Dependency, links)
    return tasks
