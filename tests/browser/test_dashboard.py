"""A director opens the dashboard in Chromium: the charts are drawn, a department filter
narrows them, and a figure leads to the list behind it (the crafted book is in
tests/books.py)."""

import pytest
from playwright.sync_api import expect

from projects.models import Project, Stage
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-success-rate", "chart-pipeline", "chart-funnel", "chart-stage-days"]


def test_a_director_reads_filters_and_follows_the_dashboard(page, sign_in, director, book):
    sign_in(director)
    page.goto("/dashboard/")

    for chart in [*CHARTS, "risk-matrix", "chart-workload"]:
        expect(page.get_by_test_id(chart)).to_be_visible()
    # Drawn, not just present: bars with a width, the trend's line, a coloured risk cell.
    pipeline_bars = page.get_by_test_id("chart-pipeline").locator("rect.chart-bar")
    assert pipeline_bars.count() >= 2
    widest = max(pipeline_bars.nth(i).bounding_box()["width"] for i in range(pipeline_bars.count()))
    assert widest > 100
    assert page.get_by_test_id("chart-success-rate").locator("polyline").count() == 1
    critical = page.get_by_test_id("risk-cell-5-5")
    expect(critical).to_have_attribute("data-count", "1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    expect(page.get_by_test_id("success-rate")).to_have_text("50%")

    page.select_option("select[name=department]", "east")
    page.get_by_test_id("dashboard-filters").locator("button[type=submit]").click()
    page.wait_for_url("**/dashboard/?*department=east*")
    expect(page.get_by_test_id("success-rate")).to_have_text("66.7%")
    expect(page.get_by_test_id("table-pipeline")).to_contain_text("1,000,000")

    behind = "/projects/?stage=execution&department=east"
    page.get_by_test_id("table-pipeline").locator(f"a[href='{behind}']").click()
    page.wait_for_url(f"**{behind}")
    big = book["big"]
    expect(page.get_by_test_id(f"project-row-{big.pk}")).to_be_visible()
    west = Project.objects.get(owner=book["will"], stage=Stage.EXECUTION)
    expect(page.get_by_test_id(f"project-row-{west.pk}")).to_have_count(0)
