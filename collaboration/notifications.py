"""Notifications: created once per event and person, read in the app, e-mailed by Celery.

`event_key` names the event (an activity row, a comment, a task's due date) and a unique
constraint on (recipient, kind, event_key) makes a second attempt a no-op, whether it comes
from a retried Celery task or a repeated sweep.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.background import enqueue
from core.models import User
from projects.models import OPEN_STAGES, Project

from .models import EMAIL_BY_DEFAULT, Notification, NotificationKind, NotificationSetting, Task


def email_preferences(user: User) -> dict[str, bool]:
    """Which kinds reach `user` by e-mail: their settings over the defaults."""
    chosen = dict(user.notification_settings.values_list("kind", "by_email"))
    return {kind: chosen.get(kind, EMAIL_BY_DEFAULT[kind]) for kind in NotificationKind.values}


def wants_email(user: User, kind: str) -> bool:
    setting = user.notification_settings.filter(kind=kind).first()
    return setting.by_email if setting else EMAIL_BY_DEFAULT[NotificationKind(kind)]


@transaction.atomic
def email_preferences_save(*, user: User, choices: dict[str, bool]) -> None:
    for kind in NotificationKind.values:
        NotificationSetting.objects.update_or_create(
            user=user, kind=kind, defaults={"by_email": bool(choices.get(kind))}
        )


def notify(
    *,
    recipients: Iterable[User],
    kind: NotificationKind,
    event_key: str,
    project: Project,
    task: Task | None = None,
    actor: User | None = None,
    data: dict | None = None,
) -> list[Notification]:
    """Tell each recipient (once per event) and e-mail those who want this kind by e-mail."""
    created = []
    for recipient in {r.pk: r for r in recipients if r is not None and r.is_active}.values():
        try:
            with transaction.atomic():
                notification, is_new = Notification.objects.get_or_create(
                    recipient=recipient,
                    kind=kind,
                    event_key=event_key,
                    defaults={"project": project, "task": task, "actor": actor, "data": data or {}},
                )
        except IntegrityError:  # the same event raced in from elsewhere: it is there already
            continue
        if is_new:
            created.append(notification)
            if recipient.email and wants_email(recipient, kind):
                from .tasks import notification_email

                enqueue(notification_email, notification.pk)
    return created


def notification_text(notification: Notification) -> str:
    """One sentence saying what happened, in the active language."""
    return render_to_string(
        "collaboration/_notification_text.txt", {"notification": notification}
    ).strip()


@transaction.atomic
def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification in the recipient's language; True if it was sent now.

    The row lock and `emailed_at` make this safe to run twice (a retried task, two workers):
    the second run finds it sent and does nothing.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "project", "task", "actor")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    recipient = notification.recipient
    # Checked again at sending time: the person may have left, lost their address or
    # switched this kind off since the notification was queued.
    if not (recipient.is_active and recipient.email and wants_email(recipient, notification.kind)):
        return False
    with translation.override(recipient.language):
        context = {
            "notification": notification,
            "text": notification_text(notification),
            "url": settings.SITE_URL.rstrip("/") + reverse("collaboration:notification_list"),
        }
        subject = render_to_string("collaboration/email/notification_subject.txt", context)
        body = render_to_string("collaboration/email/notification_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient.email])
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("project", "task", "actor")


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications of `user` (all of them without ids) read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def tasks_overdue_notify(*, today=None) -> int:
    """Tell assignees about their tasks that have just gone past due; once per due date."""
    today = today or timezone.localdate()
    count = 0
    # Skip, in SQL, the tasks whose assignee already heard about this due date; the unique
    # event key still guards the race of two sweeps at once.
    event_key = Concat(
        Value("task:"), Cast("pk", CharField()), Value(":due:"), Cast("due_date", CharField())
    )
    already = Notification.objects.filter(
        recipient=OuterRef("assignee"),
        kind=NotificationKind.TASK_OVERDUE,
        event_key=OuterRef("overdue_key"),
    )
    overdue = (
        Task.objects.overdue(today)
        .filter(assignee__isnull=False, project__stage__in=OPEN_STAGES)
        .annotate(overdue_key=event_key)
        .exclude(Exists(already))
        .select_related("assignee", "project")
    )
    for task in overdue.iterator(chunk_size=500):
        count += len(
            notify(
                recipients=[task.assignee],
                kind=NotificationKind.TASK_OVERDUE,
                event_key=f"task:{task.pk}:due:{task.due_date.isoformat()}",
                project=task.project,
                task=task,
                data={"due": task.due_date.isoformat()},
            )
        )
    return count
