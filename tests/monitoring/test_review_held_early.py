"""A review held before its scheduled day records the day it really took place: the review's
time becomes the time it was held, the history (review list, activity) shows that day and the
cadence counts the next review from that day, at the planned hour. Held on its day or later,
the plan stands."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.models import Activity, ActivityVerb
from monitoring.models import ReviewDecision, ReviewMeeting
from projects.models import ReviewCadence, Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, ReviewMeetingFactory
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)


@pytest.fixture
def monitored(manager):
    """A weekly-reviewed project whose review is planned five days ahead."""
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION, review_cadence="weekly")
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    planned = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    ReviewMeetingFactory(project=project, scheduled_for=planned + datetime.timedelta(days=5))
    assert project.review_cadence == ReviewCadence.WEEKLY
    return project


def _held_early_as_recorded(project, review: ReviewMeeting, planned: datetime.datetime) -> None:
    review.refresh_from_db()
    today = timezone.localdate()
    assert timezone.localdate(review.held_at) == today
    assert review.scheduled_for == review.held_at  # the review took place when it was held
    following = project.reviews.filter(held_at__isnull=True).get()
    # The cadence counts from the day it was held, at the hour reviews are planned (10:00),
    # not at the second someone clicked.
    planned_hour = timezone.localtime(planned).timetz()
    expected = datetime.datetime.combine(today + WEEK, planned_hour)
    assert timezone.localtime(following.scheduled_for) == expected
    held = Activity.objects.get(project=project, verb=ActivityVerb.REVIEW_HELD)
    assert held.data["planned_for"] == planned.isoformat()


def test_holding_early_on_the_page_records_the_real_day(client, manager, monitored):
    review = monitored.reviews.get()
    planned = review.scheduled_for
    client.force_login(manager)
    page = client.get(review.get_absolute_url()).content
    form = rendered_form(page, data_testid="hold-form")

    response = client.post(form.action, form.data(**{"hold-decision": ReviewDecision.CONTINUE}))

    assert response.status_code == 302
    _held_early_as_recorded(monitored, review, planned)
    history = client.get(reverse("monitoring:review_list", args=[monitored.pk])).content.decode()
    in_calendar = f'data-testid="calendar-review-{review.pk}" title="{{}}'.format(
        timezone.localtime(review.held_at).strftime("%Y-%m-%d %H:%M")
    )
    assert in_calendar in history


def test_holding_early_through_the_api_records_the_real_day(manager, monitored):
    review = monitored.reviews.get()
    planned = review.scheduled_for
    client = APIClient()
    client.force_authenticate(manager)

    response = client.post(
        reverse("api:review-hold", args=[review.pk]), {"decision": "continue"}, format="json"
    )

    assert response.status_code == 200, response.json()
    _held_early_as_recorded(monitored, review, planned)
    data = response.json()
    held_at = datetime.datetime.fromisoformat(data["review"]["held_at"])
    assert datetime.datetime.fromisoformat(data["review"]["scheduled_for"]) == held_at


def test_a_review_held_late_keeps_its_planned_time(manager, monitored):
    review = monitored.reviews.get()
    late = review.scheduled_for - datetime.timedelta(days=9)
    ReviewMeeting.objects.filter(pk=review.pk).update(scheduled_for=late)
    client = APIClient()
    client.force_authenticate(manager)

    response = client.post(
        reverse("api:review-hold", args=[review.pk]), {"decision": "continue"}, format="json"
    )

    assert response.status_code == 200
    review.refresh_from_db()
    assert review.scheduled_for == late and review.held_at > late
