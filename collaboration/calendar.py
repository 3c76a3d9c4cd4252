"""Calendar feeds (iCalendar, RFC 5545) for Outlook, Google Calendar and Apple Calendar: a
person's reviews and task deadlines, and one project's. The reviews come from monitoring, an
app above this one, which registers them as an event source (`event_source_register`).

A calendar client cannot sign in, so the secret token in the feed URL is what authenticates
it; replacing the token revokes every URL made with the old one. What a feed holds is read
through `projects_visible_to`, so someone who leaves a project stops getting its events at
the next refresh. Each feed is read in a fixed number of queries.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from accounts.models import User
from core.dates import EARLIEST, LATEST
from core.registry import Registry
from projects.access import projects_visible_to
from projects.models import Project

from .models import CalendarToken, Task
from .models.calendar import new_calendar_token

logger = logging.getLogger(__name__)

PRODID = "-//SalesCycle//Calendar feed//EN"
# How often clients that honour it should fetch the feed again (Google decides for itself).
REFRESH = datetime.timedelta(hours=1)
TOKEN_MAX_LENGTH = CalendarToken._meta.get_field("token").max_length


# --- the token -----------------------------------------------------------------------------------
def calendar_token_get(user: User) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user).first()


def calendar_token_ensure(*, user: User) -> CalendarToken:
    """The person's feed token, created if they have none."""
    token, created = CalendarToken.objects.get_or_create(user=user)
    if created:
        logger.info("calendar feed token created for user %s", user.pk)
    return token


def calendar_token_rotate(*, user: User) -> CalendarToken:
    """A new feed token for the person; the URLs made with the old one stop working."""
    token, _created = CalendarToken.objects.update_or_create(
        user=user, defaults={"token": new_calendar_token()}
    )
    logger.info("calendar feed token replaced for user %s", user.pk)
    return token


def calendar_token_revoke(*, user: User) -> None:
    """No feed for the person until they ask for a new one."""
    deleted, _rows = CalendarToken.objects.filter(user=user).delete()
    if deleted:
        logger.info("calendar feed token revoked for user %s", user.pk)


def token_user(token: str) -> User | None:
    """The active person whose feed token this is, or None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    row = (
        CalendarToken.objects.filter(token=token, user__is_active=True)
        .select_related("user")
        .first()
    )
    return row.user if row else None


def feed_path(token: str) -> str:
    return reverse("collaboration:calendar_feed", args=[token])


def project_feed_path(token: str, project: Project | int) -> str:
    pk = project if isinstance(project, int) else project.pk
    return reverse("collaboration:calendar_project_feed", args=[token, pk])


# --- what a feed holds ---------------------------------------------------------------------------
@dataclass(frozen=True)
class EventSource:
    """Events an app above collaboration adds to the feeds: a person's and one project's. Each
    is called with the time the feed is made and the start of its links (`site`), inside the
    language of the person it is for."""

    personal: Callable[[User, datetime.datetime, str], Iterable[Event]]
    project: Callable[[Project, datetime.datetime, str], Iterable[Event]]


# Sources of events added to every feed (once each), from their apps' AppConfig.ready; their
# events come before the task deadlines, in the order the sources were registered.
event_sources = Registry()
event_source_register = event_sources.register


def _due_in_window() -> Q:
    return Q(due_date__range=(EARLIEST, LATEST))


def personal_tasks(user: User) -> QuerySet[Task]:
    """The person's unfinished tasks with a due date, on projects they may see."""
    return (
        Task.objects.filter(_due_in_window(), project__in=projects_visible_to(user), assignee=user)
        .open()
        .select_related("project")
        .order_by("due_date", "pk")
    )


def project_tasks(project: Project) -> QuerySet[Task]:
    return (
        project.tasks.filter(_due_in_window())
        .open()
        .select_related("project", "assignee")
        .order_by("due_date", "pk")
    )


# --- building the calendar -----------------------------------------------------------------------
def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def task_event(
    task: Task, *, now: datetime.datetime, site: str, with_assignee: bool = False
) -> Event:
    """An all-day event on the task's due date; it does not make the person look busy."""
    event = Event()
    event.add("uid", f"task-{task.pk}-due@salescycle")
    event.add("dtstamp", _utc(now))
    event.add("last-modified", _utc(task.updated_at))
    event.add("dtstart", task.due_date)
    event.add("dtend", task.due_date + datetime.timedelta(days=1))
    summary = _("Due: %(task)s (%(project)s)") % {"task": task.title, "project": task.project.name}
    if with_assignee and task.assignee is not None:
        summary = f"{summary} · {task.assignee.display_name}"
    event.add("summary", summary)
    if task.description:
        event.add("description", task.description)
    event.add("url", site + reverse("collaboration:task_detail", args=[task.project_id, task.pk]))
    event.add("transp", "TRANSPARENT")
    return event


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def personal_calendar(user: User, *, site: str, now: datetime.datetime | None = None) -> bytes:
    """The person's feed, in their language: reviews they attend or own, tasks they do; links
    start with `site` (`core.site.site_url`)."""
    now = now or timezone.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = _calendar(_("SalesCycle · %(name)s") % {"name": user.display_name})
        for source in event_sources:
            for event in source.personal(user, now, site):
                calendar.add_component(event)
        for task in personal_tasks(user):
            calendar.add_component(task_event(task, now=now, site=site))
    return calendar.to_ical()


def project_calendar(
    user: User, project: Project, *, site: str, now: datetime.datetime | None = None
) -> bytes:
    """One project's feed, in the language of the person it is for: its reviews and the due
    dates of its unfinished tasks, with whose task each is."""
    now = now or timezone.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = _calendar(_("SalesCycle · %(project)s") % {"project": project.name})
        for source in event_sources:
            for event in source.project(project, now, site):
                calendar.add_component(event)
        for task in project_tasks(project):
            calendar.add_component(task_event(task, now=now, site=site, with_assignee=True))
    return calendar.to_ical()
