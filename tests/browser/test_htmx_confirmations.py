"""In Chinese, an htmx save says what happened the way a full-page form does: moving a card on
the kanban and saving a review's minutes each show their message in the page's status region,
without a page load."""

import pytest
from playwright.sync_api import expect

from collaboration.models import Task, TaskStatus
from monitoring.models import ReviewMeeting
from projects.models import Stage, TeamRole
from tests.factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    TaskFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project(manager):
    manager.language = "zh-hans"
    manager.save()
    project = ProjectFactory(owner=manager, name="智能电网调度平台", stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    return project


def no_page_load(page) -> None:
    """Mark the document; a page load would lose the mark."""
    page.evaluate("window.stillTheSamePage = true")


def test_a_kanban_move_is_confirmed(page, sign_in, manager, project):
    task = TaskFactory(project=project, assignee=manager, title="编写技术方案")
    sign_in(manager)
    page.goto(f"/projects/{project.pk}/tasks/board/")
    no_page_load(page)
    status = page.locator("#messages[role=status]")
    expect(status).to_have_text("")

    page.get_by_test_id(f"move-{task.pk}-{TaskStatus.IN_PROGRESS}").click()

    expect(status).to_have_text("任务已更新。")
    expect(page.get_by_test_id(f"kanban-{TaskStatus.IN_PROGRESS}")).to_contain_text("编写技术方案")
    assert page.evaluate("window.stillTheSamePage") is True
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS


def test_saved_minutes_are_confirmed(page, sign_in, manager, project):
    review = ReviewMeetingFactory(project=project)
    sign_in(manager)
    page.goto(review.get_absolute_url())
    no_page_load(page)
    status = page.locator("#messages[role=status]")

    page.locator("textarea[name=minutes-minutes]").fill("客户同意试点范围。")
    page.get_by_test_id("save-minutes").click()

    expect(status).to_have_text("已保存。")
    expect(status).to_be_in_viewport()
    assert page.evaluate("window.stillTheSamePage") is True
    assert ReviewMeeting.objects.get(pk=review.pk).minutes == "客户同意试点范围。"


@pytest.mark.parametrize("to", [TaskStatus.IN_PROGRESS, TaskStatus.DONE])
def test_a_refused_kanban_move_says_why_on_the_card_and_keeps_the_page(
    page, sign_in, manager, project, to
):
    first = TaskFactory(project=project, assignee=manager, title="确认需求")
    waiting = TaskFactory(project=project, assignee=manager, title="编写技术方案")
    waiting.dependencies.add(first)
    sign_in(manager)
    page.goto(f"/projects/{project.pk}/tasks/board/")
    no_page_load(page)

    page.get_by_test_id(f"move-{waiting.pk}-{to}").click()

    card = page.get_by_test_id(f"kcard-{waiting.pk}")
    expect(card.locator(".field-error")).to_contain_text("确认需求")
    # The page around the board stays: its header, its tabs, one board.
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_test_id("kanban")).to_have_count(1)
    expect(page.locator("header, nav").first).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.evaluate("document.querySelectorAll('body').length") == 1
    assert Task.objects.get(pk=waiting.pk).status == TaskStatus.TODO
