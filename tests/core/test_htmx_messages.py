"""htmx saves confirm what happened, as the full-page forms do: the messages queued by the view
come back with the fragment as an out-of-band swap of the page's messages region (role=status),
in the person's language, and are not shown a second time on the next page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboration.models import TaskStatus
from projects.models import Stage
from tests.factories import ProjectFactory, ReviewMeetingFactory
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
REGION = re.compile(r'<div id="messages"[^>]*hx-swap-oob="true"[^>]*>(.*?)</div>', re.S)


@pytest.fixture
def chinese_manager(manager):
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    return manager


def flashed(response) -> str:
    """The text of the out-of-band messages region sent with an htmx fragment ('' if none)."""
    found = REGION.search(response.content.decode())
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


def review_url(name: str, review) -> str:
    return reverse(f"monitoring:{name}", args=[review.project_id, review.pk])


def test_a_kanban_move_confirms_it(client, chinese_manager, task):
    client.force_login(chinese_manager)

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"status": TaskStatus.BLOCKED, "view": "kanban", "blocked_reason": "等待客户"},
        **HX,
    )

    assert response.status_code == 200
    assert flashed(response) == "任务已更新。"
    assert 'role="status"' in REGION.search(response.content.decode()).group(0)


def test_a_refused_kanban_move_flashes_nothing_and_keeps_its_error_on_the_board(
    client, chinese_manager, task
):
    client.force_login(chinese_manager)

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"status": "nonsense", "view": "kanban"},
        **HX,
    )

    assert response.status_code == 400
    assert flashed(response) == ""
    assert 'role="alert"' in response.content.decode()


def test_minutes_saved_with_htmx_are_confirmed_once(client, chinese_manager, project):
    review = ReviewMeetingFactory(project=project)
    client.force_login(chinese_manager)

    response = client.post(
        review_url("review_prepare", review),
        {"step": "minutes", "minutes-minutes": "客户同意试点范围。"},
        **HX,
    )

    assert flashed(response) == "已保存。"
    page = client.get(review.get_absolute_url()).content.decode()
    assert "已保存。" not in page  # consumed by the fragment, not shown again


def test_an_action_item_added_with_htmx_is_confirmed(client, chinese_manager, project):
    review = ReviewMeetingFactory(project=project)
    client.force_login(chinese_manager)
    due = timezone.localdate() + datetime.timedelta(days=5)

    response = client.post(
        review_url("review_action_add", review),
        {"action-title": "更新报价", "action-owner": chinese_manager.pk, "action-due_date": due},
        **HX,
    )

    assert response.status_code == 200
    assert flashed(response) == "行动项已添加。"


def test_a_board_move_confirms_it_on_the_board(client, chinese_manager):
    project = ProjectFactory(owner=chinese_manager)
    fill_gate(project, Stage.INITIATION)
    client.force_login(chinese_manager)

    response = client.post(
        reverse("projects:project_transition", args=[project.pk]),
        {"to_stage": Stage.GOAL_SETTING, "from_stage": Stage.INITIATION, "source": "board"},
        **HX,
    )

    # A confirmed move redraws the whole board (HX-Refresh): the message waits for that page
    # and shows there once.
    assert response["HX-Refresh"] == "true"
    assert flashed(response) == ""
    board = client.get(reverse("projects:project_board")).content.decode()
    assert board.count("已转到目标设定。") == 1
    again = client.get(reverse("projects:project_board")).content.decode()
    assert "已转到目标设定。" not in again


def test_a_full_page_redirect_keeps_its_message_for_the_next_page(client, chinese_manager, task):
    client.force_login(chinese_manager)

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"status": TaskStatus.IN_PROGRESS},
        follow=True,
    )

    assert "任务已更新。" in response.content.decode()
