"""A project's owner edits each kind of record in Chromium — project, task, risk, goal, resource,
review and customer interaction — changing one unrelated field, and every date (and amount) is
still there afterwards: in the database and in the edit page opened again. First in Chinese, then
in English. (In zh-hans the date boxes once rendered "2027/03/05", which a browser drops, and
saving erased the dates.)"""

import pytest
from playwright.sync_api import expect

from collaboration.models import Interaction, Task
from monitoring.models import ReviewMeeting, Risk
from projects.models import Goal, Project, ResourceAllocation
from tests.full_world import world_fixture  # noqa: F401 (the `world` fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = {
    Project: ["expected_close_date", "estimated_value"],
    Task: ["start_date", "due_date", "estimate_hours"],
    Risk: ["due_date", "last_reviewed_on"],
    Goal: ["deadline", "baseline", "target", "current_value"],
    ResourceAllocation: ["quantity", "planned_cost", "actual_cost"],
    ReviewMeeting: ["scheduled_for", "duration_minutes"],
    Interaction: ["occurred_on"],
}


def _edits(project: Project):
    """(record, edit page, the field changed and its new value) for each kind of record."""
    task = project.tasks.get(is_milestone=True)
    risk = project.risks.get()
    goal = project.goals.get()
    allocation = project.allocations.get()
    review = project.reviews.get()
    interaction = Interaction.objects.get(project=project)
    return [
        (project, f"/projects/{project.pk}/edit/", "name", "华东仓储管理系统（二期）"),
        (task, f"/projects/{project.pk}/tasks/{task.pk}/edit/", "title", "试点验收与签字"),
        (risk, f"/projects/{project.pk}/risks/{risk.pk}/edit/", "title", "竞争对手大幅降价"),
        (
            goal,
            f"/projects/{project.pk}/sections/goals/{goal.pk}/",
            "goals-title",
            "签订一期合同",
        ),
        (
            allocation,
            f"/projects/{project.pk}/sections/resources/{allocation.pk}/",
            "resources-description",
            "方案工程师三名",
        ),
        (
            review,
            f"/projects/{project.pk}/reviews/{review.pk}/edit/",
            "reviews-location",
            "上海办公室 5 楼",
        ),
        (
            interaction,
            f"/customers/{project.customer_id}/interactions/{interaction.pk}/edit/",
            "interaction-next_step",
            "安排签约",
        ),
    ]


def _kept(record) -> dict:
    fresh = type(record).objects.get(pk=record.pk)
    return {name: getattr(fresh, name) for name in KEPT[type(record)]}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_owner_edits_every_record_and_no_date_is_lost(page, sign_in, world, language):
    owner = world["owner"]
    owner.language = language
    owner.save(update_fields=["language"])
    project = world["projects"][0]
    sign_in(owner)
    for record, url, field, value in _edits(project):
        before = _kept(record)
        page.goto(url)
        form = page.locator("form", has=page.locator(f"[name='{field}']"))
        # Every date box shows its date (a browser empties a value it cannot read).
        for box in form.locator("input[type=date], input[type=datetime-local]").all():
            assert box.input_value(), f"{url}: {box.get_attribute('name')} is empty"
        form.locator(f"[name='{field}']").fill(value)
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()
        expect(page.locator(".errorlist")).to_have_count(0)
        fresh = type(record).objects.get(pk=record.pk)
        assert getattr(fresh, field.split("-", 1)[-1]) == value, url
        assert _kept(record) == before, url
        # Opened again, the edit page still shows every date.
        page.goto(url)
        for box in form.locator("input[type=date], input[type=datetime-local]").all():
            assert box.input_value(), f"{url} after saving: {box.get_attribute('name')} is empty"
