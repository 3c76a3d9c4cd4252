"""A manager holds a review and decides to adjust the strategy: the project is back in
策略制定 with a new strategy revision, a draft the manager reworks, adopts and turns into tasks
— the loop that makes the cycle a cycle."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from collaboration.services import strategy_actions_to_tasks
from projects.models import ReviewCadence, Stage, Strategy, StrategyStatus, TeamRole
from tests.factories import (
    ProjectFactory,
    ProjectMembershipFactory,
    ReviewMeetingFactory,
    StrategyFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monitored(manager, member):
    manager.language = "zh-hans"
    manager.save()
    project = ProjectFactory(
        owner=manager,
        name="港口物流 ERP",
        stage=Stage.MONITORING,
        review_cadence=ReviewCadence.FORTNIGHTLY,
    )
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.SOLUTION_LEAD)
    strategy = StrategyFactory(project=project)
    strategy_actions_to_tasks(strategy=strategy, actor=manager)
    review = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() - datetime.timedelta(hours=1)
    )
    review.attendees.set([manager, member])
    return project, strategy, review


def test_adjust_strategy_sends_the_project_back_to_strategy(page, sign_in, manager, monitored):
    project, strategy, review = monitored

    sign_in(manager)
    page.goto(project.get_absolute_url())
    page.get_by_test_id("tab-reviews").click()
    page.locator(f"a[href='{review.get_absolute_url()}']").first.click()
    expect(page.get_by_test_id("hold-form")).to_be_visible()

    page.select_option("#id_hold-decision", "adjust_strategy")
    page.fill("#id_hold-decision_note", "竞争对手降价，需要调整定价策略。")
    page.get_by_test_id("hold-review").click()

    expect(page.get_by_test_id("decision-text")).to_be_visible()
    page.goto(project.get_absolute_url())
    expect(page.get_by_test_id("project-stage")).to_have_text("策略制定")
    revision = Strategy.objects.get(supersedes=strategy)
    card = page.get_by_test_id(f"strategy-{revision.pk}")
    expect(card).to_have_attribute("data-revision", str(strategy.revision + 1))
    expect(card).to_have_attribute("data-status", StrategyStatus.DRAFT)
    expect(page.get_by_test_id(f"strategy-{strategy.pk}")).to_have_attribute(
        "data-status", StrategyStatus.SUPERSEDED
    )
    # The next review is already on the cadence, and the loop is in the history.
    assert project.reviews.upcoming().count() == 1
    assert project.transitions.get().to_stage == Stage.STRATEGY

    # The owner reworks the draft: the change against revision 1 shows, then it is adopted and
    # its actions become tasks — the earlier ones are not made twice.
    card.get_by_text("修改此草稿").click()
    actions = card.locator(f"#id_strategy-{revision.pk}-actions")
    actions.fill(f"{strategy.actions}\n提交分阶段报价")
    card.get_by_test_id("save-strategy-draft").click()
    changes = page.get_by_test_id(f"strategy-changes-{revision.pk}")
    expect(changes.locator(".action-added")).to_have_text("+ 提交分阶段报价")
    page.get_by_test_id(f"adopt-{revision.pk}").click()
    card = page.get_by_test_id(f"strategy-{revision.pk}")
    expect(card).to_have_attribute("data-status", StrategyStatus.ACTIVE)
    card.get_by_test_id(f"actions-to-tasks-{revision.pk}").click()
    expect(page.get_by_text("已创建 1 项任务。")).to_be_visible()  # the earlier two are reused
    titles = sorted(project.tasks.values_list("title", flat=True))
    assert titles == sorted([*strategy.action_list, "提交分阶段报价"])
