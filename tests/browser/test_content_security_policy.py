"""Under the Content-Security-Policy (no inline script, no style attribute, our own origin only)
Chromium reports no violation on the main pages, and what used inline code still works: htmx
swaps fragments, a goal's progress bar shows how far it got, the minutes' Print button prints,
and the API's Swagger page draws the schema."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collaboration.models import TaskStatus
from projects.models import Stage, TeamRole
from tests.factories import (
    GoalFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    TaskFactory,
)
from tests.projects.gates import fill_gate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Reports every violation to the test, from any document the tab loads, before its scripts
# run; window.print is replaced so that the Print button can be pressed headless.
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `in ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
window.print = () => { window.printed = true; };
"""


# The share of a picture's middle row that is the bar's green (--ok, #1e8a4c), read through a
# canvas in the page itself: how far the bar is drawn, whatever draws it.
GREEN_SHARE = """
async (png) => {
  const image = new Image();
  image.src = `data:image/png;base64,${png}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const row = context.getImageData(0, Math.floor(image.height / 2), image.width, 1).data;
  let green = 0;
  for (let x = 0; x < image.width; x++) {
    if (row[4 * x + 1] > row[4 * x] + 60) green++;
  }
  return green / image.width;
}
"""


def green_share(page, png: bytes) -> float:
    return page.evaluate(GREEN_SHARE, base64.b64encode(png).decode())


@pytest.fixture
def violations(page) -> list[str]:
    reported: list[str] = []

    def report(text: str) -> None:
        reported.append(text)

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            reported.append(message.text)

    page.expose_function("reportViolation", report)
    page.add_init_script(WATCH_VIOLATIONS)
    page.on("console", console)
    return reported


@pytest.fixture
def project(manager):
    manager.language = "zh-hans"
    manager.save()
    project = ProjectFactory(owner=manager, name="智能电网调度平台", stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    return project


def test_the_main_pages_run_without_a_policy_violation(page, sign_in, violations, manager, project):
    goal = GoalFactory(project=project, target=Decimal("400000"), current_value=Decimal("100000"))
    today = timezone.localdate()
    task = TaskFactory(
        project=project,
        assignee=manager,
        title="编写技术方案",
        start_date=today - datetime.timedelta(days=3),
        due_date=today + datetime.timedelta(days=10),
    )
    review = ReviewMeetingFactory(project=project)
    ready = fill_gate(ProjectFactory(owner=manager, name="港口物流 ERP"), Stage.INITIATION)
    sign_in(manager)

    page.goto("/")
    expect(page.locator("main")).to_be_visible()

    # The project list filters through htmx as one types.
    page.goto("/projects/")
    page.locator("input[name=search]").press_sequentially("ERP")
    expect(page.locator("#project-rows")).not_to_contain_text("智能电网调度平台")
    expect(page.locator("#project-rows")).to_contain_text("港口物流 ERP")

    # A goal a quarter of the way there draws a quarter of a bar.
    page.goto(project.get_absolute_url())
    bar = page.get_by_test_id(f"goal-progress-{goal.pk}")
    expect(bar).to_be_visible()
    assert bar.evaluate("element => element.position") == 0.25
    assert 0.2 < green_share(page, bar.screenshot()) < 0.3

    # The board asks before moving a card: an htmx fragment.
    page.goto("/projects/board/")
    card = page.get_by_test_id(f"card-{ready.code}")
    card.get_by_test_id(f"move-{ready.code}").click()
    expect(card.get_by_test_id(f"confirm-move-{ready.code}")).to_be_visible()

    # The task kanban moves a task in place.
    page.goto(f"/projects/{project.pk}/tasks/board/")
    page.get_by_test_id(f"move-{task.pk}-{TaskStatus.IN_PROGRESS}").click()
    expect(page.get_by_test_id(f"kanban-{TaskStatus.IN_PROGRESS}")).to_contain_text("编写技术方案")

    page.goto(f"/projects/{project.pk}/gantt/")
    expect(page.get_by_test_id(f"gantt-bar-{task.pk}")).to_be_visible()

    # A form saved through htmx: the review's minutes.
    page.goto(review.get_absolute_url())
    page.locator("textarea[name=minutes-minutes]").fill("客户同意试点范围。")
    page.get_by_test_id("save-minutes").click()
    expect(page.locator("#messages[role=status]")).to_have_text("已保存。")

    page.goto(f"/projects/{project.pk}/reviews/{review.pk}/minutes/")
    page.get_by_test_id("print").click()
    page.wait_for_function("() => window.printed === true")

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .information-container")).to_contain_text("SalesCycle API")

    assert violations == []
