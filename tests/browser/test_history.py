"""A zh-hans sales manager edits a project in Chromium and finds the change in its history."""

import pytest

from projects.models import ReviewCadence
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chinese_manager_edits_a_project_and_sees_the_change_in_its_history(page, sign_in, manager):
    manager.language = "zh-hans"
    manager.save()
    project = ProjectFactory(owner=manager, name="港口物流平台", review_cadence=ReviewCadence.NONE)
    sign_in(manager)

    page.goto(f"/projects/{project.pk}/edit/")
    page.locator("select[name=review_cadence]").select_option(ReviewCadence.MONTHLY.value)
    page.get_by_test_id("save-project").click()
    page.wait_for_url(f"**/projects/{project.pk}/")

    change = page.get_by_test_id("recent-changes").get_by_test_id("change").first
    assert "修改了" in change.inner_text()
    field = change.locator("[data-field=review_cadence]")
    assert field.inner_text() == "评审周期: 无定期评审 → 每月"
    assert manager.display_name in change.inner_text()

    page.get_by_test_id("all-changes").click()
    page.wait_for_url(f"**/projects/{project.pk}/history/")
    first = page.get_by_test_id("history-page").get_by_test_id("change").first
    assert (
        first.locator("[data-field=review_cadence]").inner_text() == "评审周期: 无定期评审 → 每月"
    )
