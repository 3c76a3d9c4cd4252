"""What grows is bounded (issue 15): old read notifications and unconfirmed import previews are
deleted by daily jobs; pending e-mails catch up at the mail server's rate."""

import datetime

import pytest
from django.utils import timezone

from collaboration.models import Notification, NotificationKind
from collaboration.notifications import notifications_email_flush, notifications_prune
from dataio.imports import import_batches_prune
from dataio.models import ImportBatch
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _notification(recipient, project, n: int, *, days_old: int, read: bool, **extra):
    notification = Notification.objects.create(
        recipient=recipient,
        kind=NotificationKind.MENTIONED,
        event_key=f"retention:{n}",
        project=project,
        read_at=NOW if read else None,
        **extra,
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=NOW - datetime.timedelta(days=days_old)
    )
    return notification


def test_read_notifications_past_retention_are_deleted_unread_ones_kept(member, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 180
    project = ProjectFactory()
    old_read = _notification(member, project, 1, days_old=181, read=True)
    old_unread = _notification(member, project, 2, days_old=400, read=False)
    recent_read = _notification(member, project, 3, days_old=179, read=True)

    assert notifications_prune(now=NOW) == 1
    assert notifications_prune(now=NOW) == 0

    kept = set(Notification.objects.values_list("pk", flat=True))
    assert kept == {old_unread.pk, recent_read.pk}
    assert old_read.pk not in kept


def test_unconfirmed_import_previews_are_deleted_after_a_day(manager):
    def batch(hours_old: int, *, imported: bool) -> ImportBatch:
        row = ImportBatch.objects.create(
            created_by=manager,
            rows=[],
            checksum=f"{hours_old:064d}",
            imported_at=NOW if imported else None,
        )
        ImportBatch.objects.filter(pk=row.pk).update(
            created_at=NOW - datetime.timedelta(hours=hours_old)
        )
        return row

    stale = batch(25, imported=False)
    fresh = batch(23, imported=False)
    imported = batch(24 * 30, imported=True)

    assert import_batches_prune(now=NOW) == 1
    assert set(ImportBatch.objects.values_list("pk", flat=True)) == {fresh.pk, imported.pk}
    assert not ImportBatch.objects.filter(pk=stale.pk).exists()


def test_pending_emails_catch_up_at_the_configured_rate(member, settings, mailoutbox):
    settings.EMAIL_RATE_PER_MINUTE = 3
    project = ProjectFactory()
    for n in range(5):
        _notification(member, project, n, days_old=0, read=False, email_pending=True)

    assert notifications_email_flush() == 3  # one minute's worth
    assert notifications_email_flush() == 2
    assert len(mailoutbox) == 5


def test_expired_sessions_and_old_sign_in_logs_are_deleted(settings):
    from axes.models import AccessLog
    from django.contrib.sessions.models import Session

    from accounts.tasks import sign_ins_prune

    settings.SIGN_IN_LOG_RETENTION_DAYS = 90
    Session.objects.create(
        session_key="expired", session_data="", expire_date=NOW - datetime.timedelta(days=1)
    )
    Session.objects.create(
        session_key="live", session_data="", expire_date=NOW + datetime.timedelta(days=1)
    )
    old = AccessLog.objects.create(username="a", ip_address="127.0.0.1", user_agent="t")
    recent = AccessLog.objects.create(username="b", ip_address="127.0.0.1", user_agent="t")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=NOW - datetime.timedelta(days=91))

    assert sign_ins_prune.run() == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_expired_api_tokens_are_deleted(manager, member):
    from knox.models import AuthToken

    from accounts.api_tokens import api_token_create
    from accounts.tasks import sign_ins_prune

    expired, _secret = api_token_create(user=manager)
    AuthToken.objects.filter(pk=expired.pk).update(expiry=NOW - datetime.timedelta(days=1))
    live, _secret = api_token_create(user=manager)
    theirs, _secret = api_token_create(user=member)

    assert sign_ins_prune.run() == 1
    assert set(AuthToken.objects.all()) == {live, theirs}
