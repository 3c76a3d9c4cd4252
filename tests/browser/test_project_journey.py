"""A sales manager, working in Chinese, takes a project through the whole cycle in the browser."""

import datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import Department
from accounts.roles import Role
from customers.models import Customer
from projects.models import Project, Stage
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEXT_YEAR = datetime.date.today().year + 1


@pytest.fixture
def cast(manager):
    manager.language = "zh-hans"
    manager.full_name = "李娜"
    manager.save()
    departments = {
        code: Department.objects.create(code=code, name_zh=zh, name_en=en)
        for code, zh, en in [
            ("sales", "销售部", "Sales"),
            ("solution", "解决方案部", "Solution"),
            ("delivery", "交付部", "Delivery"),
        ]
    }
    people = {
        "account": UserFactory(username="acct", full_name="张伟", role=Role.SALES_MANAGER),
        "solution": UserFactory(username="sol", full_name="王磊", role=Role.MEMBER),
        "delivery": UserFactory(username="dlv", full_name="赵敏", role=Role.MEMBER),
    }
    Customer.objects.create(name="华东电网有限公司", industry="energy", region="east")
    return departments, people


def _settled(page) -> None:
    """Wait until htmx has finished its request and swapped the page in. A function, not an
    expression: Playwright polls an expression with eval, which the Content-Security-Policy
    refuses."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def _save(page, section: str) -> None:
    page.get_by_test_id(f"save-{section}").click()
    _settled(page)


def _open(page, section: str) -> None:
    details = page.locator(f"#section-{section} details").first
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def _advance(page, to_stage: Stage) -> None:
    page.get_by_test_id(f"action-advance-{to_stage.value}").click()
    with translation.override("zh-hans"):
        label = str(to_stage.label)
    expect(page.get_by_test_id("project-stage")).to_have_text(label)


def test_manager_takes_a_project_from_initiation_to_closed(page, sign_in, manager, cast):
    departments, people = cast
    sign_in(manager)
    assert "欢迎" in page.get_by_test_id("home-greeting").inner_text()

    # 项目立项: open the project and assess feasibility.
    page.goto("/projects/new/")
    page.fill("#id_name", "智能电网调度平台")
    page.select_option("#id_customer", label="华东电网有限公司")
    page.fill("#id_background", "客户计划在本财年完成调度系统升级。")
    page.fill("#id_estimated_value", "2500000")
    page.fill("#id_expected_close_date", f"{NEXT_YEAR}-06-30")
    page.select_option("#id_review_cadence", "weekly")
    page.get_by_test_id("save-project").click()
    expect(page.get_by_test_id("project-stage")).to_have_text("项目立项")
    expect(page.get_by_test_id("criterion-feasibility_go")).to_have_attribute("data-met", "false")

    page.fill("#id_feasibility-market_research", "预算已批准，竞争对手两家。")
    page.select_option("#id_feasibility-decision", "go")
    _save(page, "feasibility")
    expect(page.get_by_test_id("criterion-feasibility_go")).to_have_attribute("data-met", "true")
    _advance(page, Stage.GOAL_SETTING)

    # 目标设定: a SMART revenue goal.
    _open(page, "goals")
    page.select_option("#id_goals-metric", "revenue")
    page.fill("#id_goals-title", "合同收入")
    page.fill("#id_goals-target", "2500000")
    page.fill("#id_goals-unit", "元")
    page.fill("#id_goals-deadline", f"{NEXT_YEAR}-06-30")
    _save(page, "goals")
    expect(page.get_by_test_id("criterion-revenue_goal")).to_have_attribute("data-met", "true")
    _advance(page, Stage.RESOURCE_ALLOCATION)

    # 资源配置: the iron triangle, people and budget.
    for role, person, department in [
        ("account_lead", people["account"], departments["sales"]),
        ("solution_lead", people["solution"], departments["solution"]),
        ("fulfilment_lead", people["delivery"], departments["delivery"]),
    ]:
        _open(page, "team")
        page.select_option("#id_team-user", str(person.pk))
        page.select_option("#id_team-department", str(department.pk))
        page.select_option("#id_team-role", role)
        _save(page, "team")
    expect(page.get_by_test_id("criterion-iron_triangle")).to_have_attribute("data-met", "true")
    for kind, description, cost in [("people", "售前团队", "50000"), ("budget", "差旅", "20000")]:
        _open(page, "resources")
        page.select_option("#id_resources-kind", kind)
        page.fill("#id_resources-description", description)
        page.fill("#id_resources-planned_cost", cost)
        _save(page, "resources")
    _advance(page, Stage.STRATEGY)

    # 策略制定: a strategy whose actions become tasks.
    _open(page, "strategies")
    page.select_option("#id_strategies-kind", "competitive")
    page.fill("#id_strategies-summary", "以方案价值取胜。")
    page.fill("#id_strategies-actions", "拜访技术决策人\n提交分阶段报价")
    _save(page, "strategies")
    page.locator("[data-testid^=actions-to-tasks-]").first.click()
    expect(page.get_by_test_id("criterion-action_as_task")).to_have_attribute("data-met", "true")
    _advance(page, Stage.EXECUTION)

    # 执行过程: start a task and schedule the next review.
    page.locator("[data-testid^=start-task-]").first.click()
    _settled(page)
    _open(page, "reviews")
    page.fill("#id_reviews-scheduled_for", f"{NEXT_YEAR}-01-15T10:00")
    _save(page, "reviews")
    expect(page.get_by_test_id("criterion-next_review_scheduled")).to_have_attribute(
        "data-met", "true"
    )
    _advance(page, Stage.MONITORING)

    # 监控评估: the review is held and decides to close, which takes the project to closure.
    page.locator("[data-testid^=decision-]").first.select_option("close")
    page.locator("[data-testid^=record-review-]").first.click()
    with translation.override("zh-hans"):
        closure = str(Stage.CLOSURE.label)
    expect(page.get_by_test_id("project-stage")).to_have_text(closure)

    # 项目收尾: the closure report and a lesson.
    page.select_option("#id_closure-outcome", "won")
    page.fill("#id_closure-actual_value", "2400000")
    page.fill("#id_closure-went_well", "铁三角协同顺畅。")
    page.fill("#id_closure-to_improve", "更早确认采购流程。")
    _save(page, "closure")
    page.fill("#id_lessons-text", "尽早识别技术决策人。")
    _save(page, "lessons")
    expect(page.get_by_test_id("criterion-lesson_recorded")).to_have_attribute("data-met", "true")
    _advance(page, Stage.CLOSED)

    expect(page.get_by_test_id("project-stage")).to_have_text("已关闭")
    history = page.get_by_test_id("history")
    expect(history.get_by_test_id("history-row")).to_have_count(7)
    expect(history).to_contain_text("项目收尾 → 已关闭")
    expect(history).to_contain_text("李娜")
    project = Project.objects.get(name="智能电网调度平台")
    assert project.stage == Stage.CLOSED
    assert project.outcome == "won"
