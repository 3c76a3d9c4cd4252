"""A member marks a task done from My tasks in one click; the owner then sees it in the
project's activity feed and complete in the Gantt chart."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collaboration.models import Task, TaskStatus
from projects.models import Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def work(manager, member):
    manager.language = member.language = "en"
    manager.save()
    member.save()
    project = ProjectFactory(owner=manager, name="Grid upgrade", stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.SOLUTION_LEAD)
    today = timezone.localdate()
    task = TaskFactory(
        project=project,
        assignee=member,
        title="Send the technical proposal",
        start_date=today - datetime.timedelta(days=5),
        due_date=today - datetime.timedelta(days=1),
    )
    TaskFactory(project=project, assignee=manager, title="Price approval", due_date=today)
    return project, task


def test_member_marks_done_and_the_owner_sees_it(page, sign_in, manager, member, work):
    project, task = work

    sign_in(member)
    page.get_by_test_id("nav-my-tasks").click()
    row = page.get_by_test_id(f"my-task-{task.pk}")
    expect(row).to_contain_text("Send the technical proposal")
    expect(row.get_by_test_id("overdue")).to_be_visible()
    row.get_by_test_id(f"set-done-{task.pk}").click()
    # One click, no page load: htmx swaps the row in place.
    expect(page.get_by_test_id(f"my-task-{task.pk}")).to_contain_text("Done")
    expect(page.get_by_test_id(f"my-task-{task.pk}").get_by_test_id("overdue")).to_have_count(0)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE

    page.context.clear_cookies()
    sign_in(manager)
    page.goto(f"/projects/{project.pk}/activity/")
    feed = page.get_by_test_id("activity-feed")
    expect(feed.locator("li").first).to_contain_text("Send the technical proposal")
    expect(feed.locator("li").first).to_contain_text("Done")

    page.get_by_test_id("tab-gantt").click()
    bar = page.get_by_test_id(f"gantt-bar-{task.pk}")
    expect(bar).to_have_attribute("data-progress", "100")
    expect(bar).to_have_class(re.compile(r"\bdone\b"))


def test_mention_autocomplete_inserts_a_team_member(page, sign_in, manager, member, work):
    project, _task = work
    member.full_name = "Mia Member"
    member.save()

    sign_in(manager)
    page.goto(project.get_absolute_url())
    box = page.locator("#comments textarea[name=body]")
    box.click()
    box.press_sequentially("Please check, @Mi")
    option = page.locator(".mention-list li", has_text="Mia Member")
    expect(option).to_be_visible()
    option.click()
    expect(box).to_have_value(f"Please check, @{member.username} ")
    box.press_sequentially("today")
    page.get_by_test_id("post-comment").click()

    expect(page.get_by_test_id("comment").last).to_contain_text(f"@{member.display_name} today")
    assert list(project.comments.get().mentions.all()) == [member]
