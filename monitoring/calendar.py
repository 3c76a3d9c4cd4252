"""Reviews in the calendar feeds (`collaboration.calendar`): the reviews a person attends or
whose project they own, and one project's; registered as an event source in
MonitoringConfig.ready."""

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from icalendar import Event

from accounts.models import User
from collaboration.calendar import EventSource
from core.dates import EARLIEST_MOMENT, LATEST_MOMENT
from projects.access import projects_visible_to
from projects.models import Project

from .models import ReviewDecision, ReviewMeeting

# Held reviews stay in the feed this long, so last month's meeting is still in the calendar.
HELD_REVIEWS_KEPT = datetime.timedelta(days=90)


def _recent_or_pending(now: datetime.datetime) -> Q:
    # Dates outside the window (stored before it was enforced) would overflow an event's end.
    in_window = Q(scheduled_for__range=(EARLIEST_MOMENT, LATEST_MOMENT))
    return in_window & (Q(held_at__isnull=True) | Q(held_at__gte=now - HELD_REVIEWS_KEPT))


def personal_reviews(user: User, now: datetime.datetime) -> QuerySet[ReviewMeeting]:
    """Reviews the person attends or whose project they own, on projects they may see."""
    attends = ReviewMeeting.attendees.through.objects.filter(
        reviewmeeting=OuterRef("pk"), user=user
    )
    return (
        ReviewMeeting.objects.filter(project__in=projects_visible_to(user))
        .filter(Q(project__owner=user) | Exists(attends))
        .filter(_recent_or_pending(now))
        .select_related("project")
        .order_by("scheduled_for", "pk")
    )


def project_reviews(project: Project, now: datetime.datetime) -> QuerySet[ReviewMeeting]:
    return (
        project.reviews.filter(_recent_or_pending(now))
        .select_related("project")
        .order_by("scheduled_for", "pk")
    )


def review_event(review: ReviewMeeting, *, now: datetime.datetime, site: str) -> Event:
    event = Event()
    event.add("uid", f"review-{review.pk}@salescycle")
    event.add("dtstamp", _utc(now))
    event.add("created", _utc(review.created_at))
    event.add("dtstart", _utc(review.scheduled_for))
    event.add("dtend", _utc(review.ends_at))
    event.add("summary", _("Review: %(project)s") % {"project": review.project.name})
    if review.location:
        event.add("location", review.location)
    description = review.agenda
    if review.is_held:
        decided = _("Held. Decision: %(decision)s") % {
            "decision": ReviewDecision(review.decision).label
        }
        description = f"{decided}\n\n{description}".strip()
    if description:
        event.add("description", description)
    event.add("url", site + review.get_absolute_url())
    event.add("status", "CONFIRMED")
    return event


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _personal_events(user: User, now: datetime.datetime, site: str) -> Iterator[Event]:
    for review in personal_reviews(user, now):
        yield review_event(review, now=now, site=site)


def _project_events(project: Project, now: datetime.datetime, site: str) -> Iterator[Event]:
    for review in project_reviews(project, now):
        yield review_event(review, now=now, site=site)


REVIEW_EVENTS = EventSource(personal=_personal_events, project=_project_events)
