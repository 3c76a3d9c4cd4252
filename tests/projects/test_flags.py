"""An overdue review and an escalation show wherever the project is listed."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, Stage
from tests.factories import ProjectFactory, ReviewMeetingFactory

pytestmark = pytest.mark.django_db


def late(project):
    return ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() - datetime.timedelta(hours=3)
    )


@pytest.mark.parametrize("url", ["projects:project_list", "projects:project_board"])
def test_lists_flag_overdue_reviews_and_escalations(client, director, url):
    behind = ProjectFactory(stage=Stage.EXECUTION, name="Behind on reviews")
    late(behind)
    escalated = ProjectFactory(stage=Stage.MONITORING, name="Escalated one")
    Project.objects.filter(pk=escalated.pk).update(escalated_at=timezone.now())
    fine = ProjectFactory(stage=Stage.EXECUTION, name="On time")
    ReviewMeetingFactory(project=fine)  # upcoming
    client.force_login(director)

    html = client.get(reverse(url)).text

    assert html.count('data-testid="flag-review-overdue"') == 1
    assert html.count('data-testid="flag-escalated"') == 1
    assert reverse("monitoring:review_list", args=[behind.pk]) in html


def test_the_flags_cost_no_query_per_row(client, director):
    client.force_login(director)
    late(ProjectFactory(stage=Stage.EXECUTION))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("projects:project_list"))
    for _ in range(12):
        late(ProjectFactory(stage=Stage.EXECUTION))
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("projects:project_list")).text
    assert len(many) == len(one)
    assert html.count('data-testid="flag-review-overdue"') == 13


def test_project_sub_pages_show_the_flag(client, director):
    project = ProjectFactory(stage=Stage.EXECUTION)
    late(project)
    client.force_login(director)
    html = client.get(reverse("collaboration:task_list", args=[project.pk])).text
    assert 'data-testid="flag-review-overdue"' in html
