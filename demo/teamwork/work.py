"""Step 1 of the demo's team work: the team, tasks, comments and interactions, through the
services while the project is open."""

import random
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from collaboration import access
from collaboration.models import Interaction, Task, TaskPriority, TaskStatus
from collaboration.notifications import email_preferences_save
from collaboration.services import (
    comment_post,
    interaction_log,
    membership_add,
    task_save,
    task_update_progress,
)
from customers.models import Contact, Customer
from customers.services import contact_add
from demo.people import DEMO_USERS, Said
from demo.teamwork.texts import (
    BLOCKED_REASONS,
    CONTACTS_CN,
    CONTACTS_EN,
    INTERACTIONS,
    LEADS,
    MILESTONES,
    OTHER_DEPARTMENTS,
    PROJECT_COMMENTS,
    REPLIES,
    RESPONSIBILITIES,
    TASK_COMMENTS,
    TASKS,
    WAITING_FOR,
)
from projects.models import IRON_TRIANGLE, OPEN_STAGES, Project, ProjectMembership, Stage, TeamRole

_RANK = {TaskStatus.DONE: 3, TaskStatus.IN_PROGRESS: 2, TaskStatus.BLOCKED: 1, TaskStatus.TODO: 1}


def project_random(project: Project, purpose: str) -> random.Random:
    """A generator of its own per project and step: the same demo every time, in any order."""
    return random.Random(f"{purpose}:{project.name}")


def demo_email_off() -> None:
    """Switch e-mail notifications off for each demo person who has not chosen yet."""
    usernames = [spec.username for spec in DEMO_USERS]
    for user in User.objects.filter(username__in=usernames, notification_settings__isnull=True):
        email_preferences_save(user=user, choices={})


def team_form(*, project: Project) -> list[ProjectMembership]:
    """Give the project its iron triangle and one to three members from other departments, and
    sometimes an observer; a team that has its leads already is left as it is."""
    team = list(access.active_members(project).select_related("user__department", "department"))
    if any(m.role in IRON_TRIANGLE for m in team):
        return team
    rng = project_random(project, "team")
    people = {
        u.username: u
        for u in User.objects.filter(is_active=True, department__isnull=False).select_related(
            "department"
        )
    }
    taken = {m.user_id for m in team}
    others = [name for name in OTHER_DEPARTMENTS if name in people]
    rng.shuffle(others)
    count = rng.randint(1, 3)
    wanted = list(LEADS)
    wanted += [(TeamRole.MEMBER, [name]) for name in others[:count]]
    if rng.random() < 0.35 and len(others) > count:
        wanted.append((TeamRole.OBSERVER, [others[count]]))
    for role, names in wanted:
        user = next((people[n] for n in names if n in people and people[n].pk not in taken), None)
        if user is None:
            continue
        said = RESPONSIBILITIES.get(role) or RESPONSIBILITIES.get(user.department.code)
        text = said.for_project(project) if said else ""
        team.append(
            membership_add(
                membership=ProjectMembership(
                    project=project,
                    user=user,
                    role=role,
                    department=user.department,
                    responsibilities=text,
                ),
                actor=project.owner,
            )
        )
        taken.add(user.pk)
    return team


@transaction.atomic
def team_work_seed(*, project: Project, closing: bool = False) -> None:
    """Team, tasks, comments and interactions of an open demo project; `closing` when it is
    about to close (then all its work is done)."""
    project.refresh_from_db()
    team = team_form(project=project)
    _contacts_ensure(project.customer, actor=project.owner)
    rng = project_random(project, "work")
    tasks = _tasks_seed(project, team, rng, closing=closing)
    _comments_seed(project, team, tasks, rng)
    _interactions_seed(project, team, rng)


def _contacts_ensure(customer: Customer, *, actor: User) -> None:
    """Two contacts for a customer that has none, so interactions name a person; added by
    `actor` (the project's owner, a sales manager)."""
    if customer.contacts.exists():
        return
    overseas = customer.name.isascii()
    domain = "example.com" if overseas else "example.cn"
    for name, title, mailbox in CONTACTS_EN if overseas else CONTACTS_CN:
        contact_add(
            customer=customer,
            contact=Contact(name=name, title=title, email=f"{mailbox}@{domain}"),
            actor=actor,
        )


def _stages_passed(project: Project) -> list[Stage]:
    reached = {Stage.INITIATION, *project.transitions.values_list("to_stage", flat=True)}
    return [stage for stage in OPEN_STAGES if stage in reached]


def _status_for(rng: random.Random, *, stage: str, current: str, closing: bool) -> str:
    if closing:
        return TaskStatus.DONE
    if OPEN_STAGES.index(stage) > OPEN_STAGES.index(current):
        return TaskStatus.TODO  # planned for a stage still to come
    # A past stage's work is mostly done, with a few tasks left behind.
    weights = (25, 35, 25, 15) if stage == current else (86, 7, 3, 4)
    statuses = [TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.TODO, TaskStatus.BLOCKED]
    return rng.choices(statuses, weights=weights)[0]


def _plan(project, rng, departments: set[str], existing: int) -> list[tuple[Stage, tuple, bool]]:
    """Which tasks the project gets: (stage, template, is_milestone), 5 to 30 with `existing`."""
    passed = _stages_passed(project)
    chosen: list[tuple[Stage, tuple, bool]] = []
    spare: list[tuple[Stage, tuple, bool]] = []
    for stage in passed:
        options = [t for t in TASKS[stage] if t[0] in departments]
        rng.shuffle(options)
        take = rng.randint(2, 4)
        chosen += [(stage, t, False) for t in options[:take]]
        spare += [(stage, t, False) for t in options[take:]]
    milestones = rng.sample(passed, min(len(passed), 2))
    if project.stage != Stage.CLOSURE:
        # The next gate is planned already: a milestone in the stage to come.
        milestones.append(OPEN_STAGES[OPEN_STAGES.index(project.stage) + 1])
    chosen += [(stage, (*MILESTONES[stage], 0), True) for stage in milestones]
    while len(chosen) + existing < 5 and spare:
        chosen.append(spare.pop())
    while len(chosen) + existing > 30:
        chosen.remove(rng.choice([c for c in chosen if not c[2]]))
    # Stage by stage, a stage's milestone after its tasks (it depends on them).
    return sorted(chosen, key=lambda c: (OPEN_STAGES.index(c[0]), c[2]))


def _tasks_seed(project, team, rng, *, closing: bool) -> list[Task]:
    owner = project.owner
    workers = [m for m in team if m.role != TeamRole.OBSERVER and m.department_id]
    by_department: dict[str, list[User]] = {}
    for membership in workers:
        by_department.setdefault(membership.department.code, []).append(membership.user)
    existing = list(project.tasks.select_related("assignee").order_by("id"))
    made: list[Task] = []
    for task in existing:  # the tasks turned from strategy actions
        status = _status_for(rng, stage=task.stage, current=project.stage, closing=closing)
        if _RANK[task.status] >= 2 and _RANK[status] < _RANK[task.status]:
            status = task.status  # started work is not undone (the execution gate counts it)
        elif task.status == TaskStatus.BLOCKED and status == TaskStatus.TODO:
            status = TaskStatus.BLOCKED  # still blocked: now with its reason
        task.priority = rng.choice([TaskPriority.NORMAL, TaskPriority.HIGH])
        task.estimate_hours = Decimal(rng.randrange(8, 40))
        task_save(task=task, actor=owner)
        _progress(task, status, rng)
        made.append(task)
    for stage, (department, title, hours), milestone in _plan(
        project, rng, set(by_department), len(existing)
    ):
        assignee = rng.choice(by_department.get(department) or [owner])
        status = _status_for(rng, stage=stage, current=project.stage, closing=closing)
        if milestone and status != TaskStatus.DONE:
            status = TaskStatus.TODO
        task = Task(
            project=project,
            title=title.for_project(project),
            stage=stage,
            department=assignee.department,
            assignee=assignee,
            is_milestone=milestone,
            priority=_priority(rng, status, milestone),
            estimate_hours=None
            if milestone
            else Decimal(round(hours * rng.uniform(0.7, 1.4) * 2) / 2),
        )
        dependencies = _dependencies(rng, task, status, made)
        task_save(task=task, actor=owner, dependencies=dependencies or None)
        _progress(task, status, rng, dependencies)
        made.append(task)
    return made


def _priority(rng: random.Random, status: str, milestone: bool) -> str:
    if milestone:
        return TaskPriority.HIGH
    weights = (10, 40, 35, 15) if status == TaskStatus.BLOCKED else (15, 50, 25, 10)
    return rng.choices(list(TaskPriority), weights=weights)[0]


def _dependencies(rng, task: Task, status: str, earlier: list[Task]) -> list[Task]:
    """A few links to earlier tasks of the same or the previous stage; work under way or
    finished waits only for finished work (the service refuses anything else)."""
    position = OPEN_STAGES.index(task.stage)
    candidates = [
        t
        for t in earlier
        if position - 1 <= OPEN_STAGES.index(t.stage) <= position
        and (t.status == TaskStatus.DONE or status in (TaskStatus.TODO, TaskStatus.BLOCKED))
    ]
    if task.is_milestone:
        same_stage = [t for t in candidates if t.stage == task.stage]
        return rng.sample(same_stage, min(len(same_stage), 2))
    if candidates and rng.random() < 0.25:
        return [rng.choice(candidates)]
    return []


def _progress(task, status, rng, dependencies: Iterable[Task] = ()) -> None:
    """The assignee reports on the task as they would: done, a percentage, or blocked."""
    actor = task.assignee or task.project.owner
    if status == TaskStatus.DONE and task.status != TaskStatus.DONE:
        task_update_progress(task=task, actor=actor, progress=100)
    elif status == TaskStatus.IN_PROGRESS and task.status != TaskStatus.IN_PROGRESS:
        task_update_progress(
            task=task,
            actor=actor,
            status=TaskStatus.IN_PROGRESS,
            progress=rng.randrange(10, 95, 5),
        )
    elif status == TaskStatus.BLOCKED:
        waiting = [d for d in dependencies if d.status != TaskStatus.DONE]
        if waiting:
            reason = WAITING_FOR.for_project(task.project).format(task=waiting[0].title)
        else:
            reason = rng.choice(BLOCKED_REASONS).for_project(task.project)
        task_update_progress(
            task=task,
            actor=actor,
            status=TaskStatus.BLOCKED,
            progress=task.progress or rng.randrange(0, 60, 10),
            blocked_reason=reason,
        )


def _comments_seed(project, team, tasks: list[Task], rng: random.Random) -> None:
    speakers = [m for m in team if m.role != TeamRole.OBSERVER]

    def post(author: User, said: Said, department: str | None, task: Task | None = None) -> None:
        body = said.for_project(project)
        others = [
            m.user
            for m in speakers
            if m.user_id != author.pk and department in (None, getattr(m.department, "code", None))
        ]
        mentioned = rng.choice(others) if "{who}" in body and others else None
        body = body.format(who=mentioned.username) if mentioned else body.replace("@{who} ", "")
        comment_post(project=project, actor=author, body=body, task=task)
        if mentioned and rng.random() < 0.5:
            reply = rng.choice(REPLIES).for_project(project)
            comment_post(project=project, actor=mentioned, body=reply, task=task)

    departments = {m.department.code for m in speakers if m.department}
    topics = [(d, text) for d, text in PROJECT_COMMENTS if d is None or d in departments]
    for department, text in rng.sample(topics, rng.randint(2, 5)):
        post(rng.choice(speakers).user, text, department)
    started = [t for t in tasks if t.status in TASK_COMMENTS]
    for task in rng.sample(started, min(len(started), rng.randint(1, 4))):
        department, text = rng.choice(TASK_COMMENTS[task.status])
        post(task.assignee or project.owner, text, department, task)


def _interactions_seed(project, team, rng: random.Random) -> None:
    if rng.random() < 0.15:
        return  # not every project has logged its customer contacts
    loggers = [m.user for m in team if m.role in (TeamRole.OWNER, *IRON_TRIANGLE)]
    contacts = list(project.customer.contacts.all())
    for kind, summary, next_step in rng.sample(INTERACTIONS, rng.randint(1, 4)):
        interaction_log(
            interaction=Interaction(
                project=project,
                kind=kind,
                occurred_on=timezone.localdate(),
                contact=rng.choice(contacts) if contacts else None,
                summary=summary.for_project(project),
                next_step=next_step.for_project(project),
            ),
            actor=rng.choice(loggers),
        )
