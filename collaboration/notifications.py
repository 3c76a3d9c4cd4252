"""Notifications: created once per event and person, read in the app, e-mailed by Celery.

`event_key` names the event (an activity row, a comment, a task's due date) and a unique
constraint on (recipient, kind, event_key) makes a second attempt a no-op, whether it comes
from a retried Celery task or a repeated sweep.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from core.background import enqueue
from core.site import site_url
from projects.models import Project, open_project

from .models import EMAIL_BY_DEFAULT, Notification, NotificationKind, NotificationSetting, Task

logger = logging.getLogger(__name__)


def email_preferences(user: User) -> dict[str, bool]:
    """Which kinds reach `user` by e-mail: their settings over the defaults."""
    chosen = dict(user.notification_settings.values_list("kind", "by_email"))
    return {kind: chosen.get(kind, EMAIL_BY_DEFAULT[kind]) for kind in NotificationKind.values}


def wants_email(user: User, kind: str) -> bool:
    return emails_wanted({(user.pk, kind)})[user.pk, kind]


def emails_wanted(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], bool]:
    """Whether each (user id, kind) wants e-mail: their setting, else the kind's default."""
    choices = {(user, kind): EMAIL_BY_DEFAULT[NotificationKind(kind)] for user, kind in pairs}
    rows = NotificationSetting.objects.filter(
        user__in={user for user, _kind in pairs}, kind__in={kind for _user, kind in pairs}
    ).values_list("user_id", "kind", "by_email")
    for user, kind, by_email in rows:
        if (user, kind) in choices:
            choices[user, kind] = by_email
    return choices


@transaction.atomic
def email_preferences_save(*, user: User, choices: dict[str, bool]) -> None:
    for kind in NotificationKind.values:
        NotificationSetting.objects.update_or_create(
            user=user, kind=kind, defaults={"by_email": bool(choices.get(kind))}
        )


NOTIFY_BATCH = 500  # notices a sweep hands to notify_many at once


@dataclass(frozen=True)
class Notice:
    """One event to tell people about (see `notify`)."""

    recipients: Iterable[User]
    kind: NotificationKind
    event_key: str
    project: Project
    task: Task | None = None
    actor: User | None = None
    data: dict | None = None


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
    return notify_many([Notice(recipients, kind, event_key, project, task, actor, data)])


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """`notify` for many events at once, in a fixed number of queries: who heard already and who
    wants e-mail are read for the whole batch, the new notifications inserted together. A sweep
    telling a thousand people took a thousand round trips each."""
    wanted: dict[tuple[int, str, str], Notification] = {}
    for notice in notices:
        for recipient in notice.recipients:
            if recipient is None or not recipient.is_active:
                continue
            wanted.setdefault(
                (recipient.pk, notice.kind, notice.event_key),
                Notification(
                    recipient=recipient,
                    kind=notice.kind,
                    event_key=notice.event_key,
                    project=notice.project,
                    task=notice.task,
                    actor=notice.actor,
                    data=notice.data or {},
                ),
            )
    if not wanted:
        return []
    recipients = {recipient for recipient, _kind, _key in wanted}
    keys = sorted({key for _recipient, _kind, key in wanted})
    for chunk in batched(keys, 1000):
        # By recipient too, so the (recipient, kind, event_key) unique index answers.
        heard = Notification.objects.filter(
            recipient__in=recipients, event_key__in=chunk
        ).values_list("recipient_id", "kind", "event_key")
        for done in heard:
            wanted.pop(done, None)
    # In key order: two sweeps inserting the same rows in different orders could deadlock.
    fresh = [wanted[key] for key in sorted(wanted)]
    by_email = emails_wanted({(n.recipient_id, n.kind) for n in fresh}) if fresh else {}
    for notification in fresh:
        notification.email_pending = (
            bool(notification.recipient.email)
            and by_email[(notification.recipient_id, notification.kind)]
        )
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(fresh)
    except IntegrityError:  # one raced in from elsewhere meanwhile: one at a time, skip those
        created = [n for n in map(_create_one, fresh) if n is not None]
    from .tasks import notification_email

    for notification in created:
        if notification.email_pending:
            # If the broker is down this only logs; `notifications_email_flush` sends it.
            enqueue(notification_email, notification.pk)
    return created


def _create_one(notification: Notification) -> Notification | None:
    notification.pk = None
    try:
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:  # it is there already
        return None
    return notification


def batched(items: Iterable, size: int):
    """Lists of `size` items at most, read lazily (a sweep's notices, NOTIFY_BATCH at a time)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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
        notification.email_pending = False
        notification.save(update_fields=["email_pending"])
        return False
    with translation.override(recipient.language):
        context = {
            "notification": notification,
            "text": notification_text(notification),
            "url": site_url() + reverse("collaboration:notification_list"),
        }
        subject = render_to_string("collaboration/email/notification_subject.txt", context)
        body = render_to_string("collaboration/email/notification_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient.email])
    notification.emailed_at = timezone.now()
    notification.email_pending = False
    notification.save(update_fields=["emailed_at", "email_pending"])
    return True


def notifications_email_flush(
    *, older_than: datetime.timedelta = datetime.timedelta(0), limit: int | None = None
) -> int:
    """Send the e-mails still pending (their enqueue failed, or a worker lost them): at most
    `limit` (EMAIL_RATE_PER_MINUTE, what the mail server accepts in the minute between two
    runs of the sweep)."""
    before = timezone.now() - older_than
    pending = (
        Notification.objects.filter(
            email_pending=True, emailed_at__isnull=True, created_at__lte=before
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(pending[: limit or settings.EMAIL_RATE_PER_MINUTE]):
        # One mail the server refuses must not hold back the others; it is tried again later.
        try:
            sent += notification_email_send(notification_id=pk)
        except Exception:
            logger.exception("e-mail of notification %s failed; retried by the next sweep", pk)
    return sent


def notifications_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete read notifications older than NOTIFICATION_RETENTION_DAYS (unread ones stay: the
    person has not seen them yet)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted


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


def tasks_overdue_notify(*, today: datetime.date | None = None) -> int:
    """Remind assignees of their tasks past due: once per task and day."""
    today = today or timezone.localdate()
    prefix = Value(f"overdue:{today.isoformat()}:task:")
    # Skip, in SQL, the tasks whose assignee already heard today; the unique event key still
    # guards the race of two sweeps at once.
    already = Notification.objects.filter(
        recipient=OuterRef("assignee"),
        kind=NotificationKind.TASK_OVERDUE,
        event_key=Concat(prefix, Cast(OuterRef("pk"), CharField())),
    )
    overdue = (
        Task.objects.overdue(today)
        .filter(open_project("project"), assignee__isnull=False)
        .exclude(Exists(already))
        .select_related("assignee", "project")
    )
    notices = (
        Notice(
            recipients=[task.assignee],
            kind=NotificationKind.TASK_OVERDUE,
            event_key=f"overdue:{today.isoformat()}:task:{task.pk}",
            project=task.project,
            task=task,
            data={"due": task.due_date.isoformat()},
        )
        for task in overdue.iterator(chunk_size=NOTIFY_BATCH)
    )
    count = sum(len(notify_many(batch)) for batch in batched(notices, NOTIFY_BATCH))
    return count
