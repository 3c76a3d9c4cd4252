"""In Chinese, on My tasks: a task waiting for another is refused in its row with the reason,
and marking a task blocked asks why before it is saved."""

import pytest
from playwright.sync_api import expect

from collaboration.models import Task, TaskStatus
from projects.models import Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def work(manager, member):
    member.language = "zh-hans"
    member.save()
    project = ProjectFactory(owner=manager, name="电网升级", stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.SOLUTION_LEAD)
    survey = TaskFactory(project=project, assignee=manager, title="现场勘察")
    offer = TaskFactory(project=project, assignee=member, title="提交技术方案")
    offer.dependencies.add(survey)
    return offer


def test_a_waiting_task_is_refused_and_blocked_asks_why(page, sign_in, member, work):
    offer = work
    sign_in(member)
    page.get_by_test_id("nav-my-tasks").click()

    page.get_by_test_id(f"set-done-{offer.pk}").click()
    row = page.get_by_test_id(f"my-task-{offer.pk}")
    expect(row.get_by_role("alert")).to_contain_text("现场勘察")
    assert Task.objects.get(pk=offer.pk).status == TaskStatus.TODO

    page.get_by_test_id(f"ask-blocked-{offer.pk}").click()
    page.get_by_test_id(f"blocked-reason-{offer.pk}").fill("等待现场勘察结果")
    page.get_by_test_id(f"set-blocked-{offer.pk}").click()
    expect(page.get_by_test_id(f"my-task-{offer.pk}")).to_contain_text("等待现场勘察结果")
    fresh = Task.objects.get(pk=offer.pk)
    assert (fresh.status, fresh.blocked_reason) == (TaskStatus.BLOCKED, "等待现场勘察结果")
