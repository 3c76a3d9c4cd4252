"""Step 2 of the demo's team work: its dates, along the project's history once that has been
spread over the past months. Demo data only: the application never rewrites these."""

import datetime
import random
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from collaboration.models import (
    Activity,
    ActivityVerb,
    Comment,
    Interaction,
    Notification,
    NotificationKind,
    Task,
    TaskStatus,
)
from collaboration.notifications import email_preferences, tasks_overdue_notify
from core.history import history_rewrite
from demo.teamwork.work import project_random
from monitoring.models import ReviewActionItem
from projects.models import OPEN_STAGES, Project, ProjectMembership, Stage

Window = tuple[datetime.date, datetime.date]


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _moment(rng: random.Random, day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """A time in office hours on `day`, never in the future."""
    clock = datetime.time(rng.randint(9, 17), rng.randint(0, 59))
    return min(timezone.make_aware(datetime.datetime.combine(day, clock)), now)


def _windows(project: Project, today: datetime.date) -> dict[str, list[Window]]:
    """When the project was in each stage, from its history: stage → [(first day, last day)]."""
    windows: dict[str, list[Window]] = {}
    stage, begin = Stage.INITIATION, _day(project.created_at)
    for row in project.transitions.order_by("created_at", "id"):
        windows.setdefault(stage, []).append((begin, _day(row.created_at)))
        stage, begin = row.to_stage, _day(row.created_at)
    windows.setdefault(stage, []).append((begin, today))
    return windows


@transaction.atomic
def team_work_timeline(*, project: Project) -> None:
    """Put the project's team work on its (already spread) history: task dates, joining dates,
    comment, interaction, feed and notification times."""
    project.refresh_from_db()
    rng = project_random(project, "timeline")
    now, today = timezone.now(), timezone.localdate()
    windows = _windows(project, today)
    start = _day(project.created_at)
    end = windows[Stage.CLOSED][0][0] if Stage.CLOSED in windows else today
    project.memberships.update(joined_on=start)
    history_rewrite(ProjectMembership, project.memberships.values("pk"), ["joined_on"])
    tasks = _tasks_date(project, rng, windows, today, now)
    comments = _comments_date(project, rng, tasks, (start, end), now)
    interactions = list(project.interactions.order_by("id"))
    days = sorted(_between(rng, start, end) for _ in interactions)
    for interaction, day in zip(interactions, days, strict=True):
        interaction.occurred_on = day
    Interaction.objects.bulk_update(interactions, ["occurred_on"])
    times = _activities_date(project, rng, tasks, comments, interactions, now)
    _notifications_settle(project.notifications.select_related("recipient"), times, rng, now)


def _tasks_date(project, rng, windows, today, now) -> dict[int, Task]:
    """Start and due dates in the window of each task's stage: finished work inside it, work
    left behind in a past stage overdue, current work partly overdue, later work planned. An
    action agreed in a review runs from the meeting to the action's due date (already dated)."""
    tasks = list(project.tasks.order_by("id"))
    agreed = {
        item.task_id: (_day(item.created_at), item.due_date)
        for item in ReviewActionItem.objects.filter(task__project=project)
    }
    needs: dict[int, list[int]] = {}
    edges = Task.dependencies.through.objects.filter(from_task__project=project)
    for source, target in edges.values_list("from_task_id", "to_task_id"):
        needs.setdefault(source, []).append(target)
    open_spans = [w for stage in OPEN_STAGES for w in windows.get(stage, [])]
    current = OPEN_STAGES.index(project.stage) if project.stage in OPEN_STAGES else len(OPEN_STAGES)
    due: dict[int, datetime.date] = {}
    for task in tasks:
        after = max((due[pk] for pk in needs.get(task.pk, ()) if pk in due), default=None)
        spans = windows.get(task.stage)
        if task.pk in agreed:
            task.start_date, task.due_date = agreed[task.pk]
            if task.status == TaskStatus.DONE:
                done_on = _between(rng, task.start_date, min(task.due_date, today))
                task.completed_at = _moment(rng, done_on, now)
        elif task.status == TaskStatus.DONE:
            first, last = rng.choice(spans) if spans else open_spans[-1]
            task.start_date = _between(rng, min(max(first, after or first), last), last)
            task.due_date = min(task.start_date + datetime.timedelta(rng.randint(1, 10)), last)
            if task.is_milestone:
                task.start_date = task.due_date = last
            done_on = _between(
                rng, max(task.start_date, task.due_date - datetime.timedelta(2)), task.due_date
            )
            task.completed_at = _moment(rng, done_on, now)
        elif spans and OPEN_STAGES.index(task.stage) < current:
            first, last = spans[-1]
            last = min(last, today - datetime.timedelta(1))
            task.start_date = _between(rng, min(max(first, after or first), last), last)
            task.due_date = min(task.start_date + datetime.timedelta(rng.randint(2, 10)), last)
        elif spans:
            first = min(max(spans[-1][0], after or spans[-1][0]), today)
            if task.status == TaskStatus.TODO and rng.random() < 0.4:
                first = today + datetime.timedelta(rng.randint(1, 10))
            task.start_date = _between(rng, first, max(first, today))
            chance = {TaskStatus.BLOCKED: 0.5, TaskStatus.IN_PROGRESS: 0.35}.get(task.status, 0.25)
            if task.start_date < today and rng.random() < chance:
                task.due_date = _between(rng, task.start_date, today - datetime.timedelta(1))
            else:
                task.due_date = max(task.start_date, today) + datetime.timedelta(rng.randint(3, 30))
        else:  # a stage still to come
            task.start_date = max(today, after or today) + datetime.timedelta(rng.randint(5, 25))
            task.due_date = task.start_date + datetime.timedelta(rng.randint(3, 20))
        if task.is_milestone:
            task.start_date = task.due_date
        due[task.pk] = task.due_date
    Task.objects.bulk_update(tasks, ["start_date", "due_date", "completed_at"])
    history_rewrite(Task, [task.pk for task in tasks], ["start_date", "due_date", "completed_at"])
    return {task.pk: task for task in tasks}


def _comments_date(
    project, rng, tasks: dict[int, Task], life: Window, now
) -> dict[int, datetime.datetime]:
    """Comments during the project (on a task: while it ran); a reply a few hours after the
    comment that mentioned its author."""
    times: dict[int, datetime.datetime] = {}
    previous = None
    comments = list(project.comments.order_by("id").prefetch_related("mentions"))
    for comment in comments:
        if (
            previous is not None
            and previous.task_id == comment.task_id
            and comment.author_id in {user.pk for user in previous.mentions.all()}
        ):
            moment = previous.created_at + datetime.timedelta(hours=rng.randint(1, 6))
        else:
            first, last = life
            task = tasks.get(comment.task_id)
            if task is not None:
                last = min(
                    task.due_date, _day(task.completed_at) if task.completed_at else last, last
                )
                first = min(task.start_date, last)
            moment = _moment(rng, _between(rng, first, last), now)
        comment.created_at = min(moment, now)
        times[comment.pk] = comment.created_at
        previous = comment
    Comment.objects.bulk_update(comments, ["created_at"])
    return times


def _activities_date(
    project, rng, tasks, comments, interactions, now
) -> dict[str, datetime.datetime]:
    """Each feed row at the time of what it reports; returns the times by notification event key."""
    activities = list(project.activities.order_by("id"))
    transitions = list(project.transitions.order_by("created_at", "id"))
    times = {f"transition:{row.pk}": row.created_at for row in transitions}
    times.update({f"comment:{pk}": moment for pk, moment in comments.items()})
    changes = iter(transitions)
    logged = iter(interactions)
    created: dict[int, datetime.datetime] = {}
    for activity in activities:
        task = tasks.get(activity.task_id)
        moment = None
        if activity.verb == ActivityVerb.STAGE_CHANGED:
            moment = next(changes).created_at
        elif activity.verb == ActivityVerb.MEMBER_ADDED:
            moment = project.created_at + datetime.timedelta(minutes=rng.randint(5, 90))
        elif activity.verb == ActivityVerb.INTERACTION:
            moment = _moment(rng, next(logged).occurred_on, now)
        elif activity.verb == ActivityVerb.COMMENTED:
            moment = comments.get(activity.data.get("comment"))
        elif task is not None and activity.verb in (
            ActivityVerb.TASK_CREATED,
            ActivityVerb.TASK_ASSIGNED,
            ActivityVerb.TASK_UPDATED,
        ):
            if task.pk not in created:
                day = min(task.start_date - datetime.timedelta(rng.randint(0, 3)), _day(now))
                created[task.pk] = max(_moment(rng, day, now), project.created_at)
            moment = created[task.pk]
        elif task is not None and activity.verb == ActivityVerb.TASK_STATUS:
            if activity.data.get("to") == TaskStatus.DONE and task.completed_at:
                moment = task.completed_at
            else:
                last = min(task.due_date, _day(now))
                moment = _moment(rng, _between(rng, min(task.start_date, last), last), now)
            moment = max(moment, created.get(task.pk, moment))
        if moment is not None:
            activity.created_at = min(moment, now)
        times[f"activity:{activity.pk}"] = activity.created_at
    Activity.objects.bulk_update(activities, ["created_at"])
    return times


def _notifications_settle(notifications, times, rng, now) -> None:
    """Date each notification with its event and mark the older ones read; one due an e-mail
    (a demo person who switched e-mail on) counts as e-mailed: the demo's past sends nothing."""
    notifications = list(notifications)
    preferences: dict[int, dict[str, bool]] = {}
    for notification in notifications:
        recipient = notification.recipient
        if recipient.pk not in preferences:
            preferences[recipient.pk] = email_preferences(recipient)
        moment = times.get(notification.event_key)
        if moment is None and notification.kind == NotificationKind.TASK_OVERDUE:
            # The hourly sweep noticed it the morning after the due date.
            due = datetime.date.fromisoformat(notification.data["due"]) + datetime.timedelta(1)
            moment = timezone.make_aware(datetime.datetime.combine(due, datetime.time(9)))
        notification.created_at = min(moment or notification.created_at, now)
        recent = now - notification.created_at < datetime.timedelta(days=2)
        if rng.random() < (0.3 if recent else 0.92):
            read = notification.created_at + datetime.timedelta(hours=rng.randint(1, 30))
            notification.read_at = min(read, now)
        if notification.emailed_at is None and preferences[recipient.pk][notification.kind]:
            notification.emailed_at = notification.created_at
    Notification.objects.bulk_update(notifications, ["created_at", "read_at", "emailed_at"])


@transaction.atomic
def overdue_notices_seed(
    *, projects: Iterable[Project], sweeps: Iterable[Callable[[], int]] = ()
) -> int:
    """Run the overdue-task sweep and the other `sweeps` as the hourly jobs would have, and
    settle what they created on the demo `projects` like their other notifications."""
    latest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    count = tasks_overdue_notify() + sum(sweep() for sweep in sweeps)
    fresh = Notification.objects.filter(
        pk__gt=latest, project__in=list(projects), emailed_at__isnull=True
    )
    _notifications_settle(
        fresh.select_related("recipient"), {}, random.Random(count), timezone.now()
    )
    return count
