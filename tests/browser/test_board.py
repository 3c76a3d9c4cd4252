"""A sales manager, working in Chinese, advances projects from the board in Chromium: the card
asks first, showing the gate; confirming moves the card, an unmet gate says why and the card
stays where it is."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from projects.models import Project, Stage
from tests.factories import ProjectFactory, UserFactory
from tests.projects.gates import fill_gate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(db):
    return UserFactory(
        username="li-na-board", full_name="李娜", role=Role.SALES_MANAGER, language="zh-hans"
    )


def test_a_manager_confirms_a_board_move_after_seeing_the_gate(page, sign_in, owner):
    ready = fill_gate(ProjectFactory(owner=owner, name="智能电网调度平台"), Stage.INITIATION)
    unready = ProjectFactory(owner=owner, name="港口物流 ERP")
    sign_in(owner)
    page.goto("/projects/board/")
    initiation = page.get_by_test_id("column-initiation")
    goal_setting = page.get_by_test_id("column-goal_setting")

    # The gate is met: the card lists the criteria, all ticked, and asks to confirm.
    card = initiation.get_by_test_id(f"card-{ready.code}")
    card.get_by_test_id(f"move-{ready.code}").click()
    expect(card.get_by_text("确认推进到目标设定")).to_be_visible()
    expect(
        card.locator('[data-testid="criterion-feasibility_go"][data-met="true"]')
    ).to_be_visible()
    expect(card.locator('[data-met="false"]')).to_have_count(0)
    assert Project.objects.get(pk=ready.pk).stage == Stage.INITIATION

    card.get_by_test_id(f"confirm-move-{ready.code}").click()

    expect(goal_setting.get_by_test_id(f"card-{ready.code}")).to_be_visible()
    expect(initiation.get_by_test_id(f"card-{ready.code}")).to_have_count(0)
    expect(page.get_by_text("已转到目标设定。")).to_be_visible()
    assert Project.objects.get(pk=ready.pk).stage == Stage.GOAL_SETTING

    # The gate is not met: the card says why, offers no move, and stays.
    card = page.get_by_test_id("column-initiation").get_by_test_id(f"card-{unready.code}")
    card.get_by_test_id(f"move-{unready.code}").click()
    unmet = card.locator('[data-testid="criterion-feasibility_go"][data-met="false"]')
    expect(unmet).to_be_visible()
    expect(unmet).to_contain_text("请在可行性评估中记录市场调研并做出立项决定。")
    expect(card.get_by_test_id(f"confirm-move-{unready.code}")).to_have_count(0)
    expect(
        page.get_by_test_id("column-initiation").get_by_test_id(f"card-{unready.code}")
    ).to_be_visible()
    assert Project.objects.get(pk=unready.pk).stage == Stage.INITIATION


def test_a_move_on_a_project_someone_else_is_changing_is_refused_in_place(
    page, sign_in, owner, held_lock
):
    """Another connection holds the project's row: after the lock timeout the board says so in
    Chinese, and the card stays in its column, ready to try again."""
    project = fill_gate(ProjectFactory(owner=owner, name="智能电网调度平台"), Stage.INITIATION)
    sign_in(owner)
    page.goto("/projects/board/")
    initiation = page.get_by_test_id("column-initiation")
    card = initiation.get_by_test_id(f"card-{project.code}")
    card.get_by_test_id(f"move-{project.code}").click()
    expect(card.get_by_text("确认推进到目标设定")).to_be_visible()
    held_lock(project)

    card.get_by_test_id(f"confirm-move-{project.code}").click()

    expect(page.get_by_text("其他人正在修改这个项目，请稍后再试。")).to_be_visible(timeout=10_000)
    expect(initiation.get_by_test_id(f"card-{project.code}")).to_be_visible()
    expect(
        page.get_by_test_id("column-goal_setting").get_by_test_id(f"card-{project.code}")
    ).to_have_count(0)
    assert Project.objects.get(pk=project.pk).stage == Stage.INITIATION
