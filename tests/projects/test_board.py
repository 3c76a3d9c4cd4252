"""Advancing from the board asks first: the card shows the gate (each criterion met or not)
and a confirm button; an unmet gate says why on the card and the card stays. Without
JavaScript the same happens on a confirm page."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from projects.models import Project, Stage
from tests.browser_forms import form_holding, link_to
from tests.factories import ProjectFactory, UserFactory
from tests.projects.gates import BREAKERS, fill_gate

pytestmark = pytest.mark.django_db

BOARD = "/projects/board/"


@pytest.fixture
def owner(db):
    return UserFactory(
        username="li-na-board", full_name="李娜", role=Role.SALES_MANAGER, language="zh-hans"
    )


@pytest.fixture
def ready(owner):
    project = ProjectFactory(owner=owner, name="智能电网调度平台")
    return fill_gate(project, Stage.INITIATION)


@pytest.fixture
def unready(owner):
    return ProjectFactory(owner=owner, name="港口物流 ERP")


def stage_of(project: Project) -> str:
    return Project.objects.values_list("stage", flat=True).get(pk=project.pk)


# --- without JavaScript: a confirm page ---------------------------------------------------------
def test_advancing_from_the_board_asks_for_confirmation_first(client, owner, ready):
    client.force_login(owner)
    board = client.get(BOARD)

    confirm = client.get(link_to(board, f"move-{ready.code}"))

    assert confirm.status_code == 200
    assert stage_of(ready) == Stage.INITIATION  # asking moved nothing
    page = confirm.content.decode()
    assert "确认推进到目标设定" in page
    for code in ("customer_set", "background_written", "value_and_close_date", "feasibility_go"):
        assert f'data-testid="criterion-{code}" data-met="true"' in page
    form = form_holding(confirm, f"confirm-move-{ready.code}")
    action, fields = form.action, dict(form.submission())

    moved = client.post(action, fields)

    assert moved.status_code == 302 and moved.url == reverse("projects:project_board")
    assert stage_of(ready) == Stage.GOAL_SETTING
    board = client.get(moved.url).content.decode()
    column = board.split('data-testid="column-goal_setting"')[1].split("</section>")[0]
    assert f'data-testid="card-{ready.code}"' in column
    assert "已转到目标设定。" in board


def test_an_unmet_gate_says_why_and_offers_no_move(client, owner, unready):
    client.force_login(owner)
    board = client.get(BOARD)

    confirm = client.get(link_to(board, f"move-{unready.code}"))

    page = confirm.content.decode()
    assert 'data-testid="criterion-feasibility_go" data-met="false"' in page
    assert "请在可行性评估中记录市场调研并做出立项决定。" in page
    assert f'data-testid="confirm-move-{unready.code}"' not in page
    assert stage_of(unready) == Stage.INITIATION


def test_a_move_refused_after_confirming_shows_why_on_the_confirm_page(client, owner, ready):
    client.force_login(owner)
    confirm = client.get(link_to(client.get(BOARD), f"move-{ready.code}"))
    form = form_holding(confirm, f"confirm-move-{ready.code}")
    action, fields = form.action, dict(form.submission())
    BREAKERS["feasibility_go"].break_it(ready)  # someone changed the decision meanwhile

    refused = client.post(action, fields, follow=True)

    assert stage_of(ready) == Stage.INITIATION
    page = refused.content.decode()
    assert 'data-testid="criterion-feasibility_go" data-met="false"' in page
    assert "本阶段的出口标准尚未全部满足" in page


# --- with htmx: the card asks ------------------------------------------------------------------
def test_with_htmx_the_card_shows_the_gate_and_a_confirm_button(client, owner, ready):
    client.force_login(owner)
    href = link_to(client.get(BOARD), f"move-{ready.code}")

    card = client.get(href, HTTP_HX_REQUEST="true")

    html = card.content.decode()
    assert html.lstrip().startswith(f'<article class="board-card" id="card-{ready.pk}"')
    assert "<html" not in html
    assert 'data-testid="criterion-feasibility_go" data-met="true"' in html
    form = form_holding(card, f"confirm-move-{ready.code}")
    action, fields = form.action, dict(form.submission())

    moved = client.post(action, fields, HTTP_HX_REQUEST="true")

    assert moved.status_code == 200
    assert moved["HX-Refresh"] == "true"  # the board is drawn again, the card in its new column
    assert stage_of(ready) == Stage.GOAL_SETTING


def test_with_htmx_an_unmet_gate_shows_the_reasons_on_the_card(client, owner, unready):
    client.force_login(owner)
    href = link_to(client.get(BOARD), f"move-{unready.code}")

    card = client.get(href, HTTP_HX_REQUEST="true").content.decode()

    assert f'id="card-{unready.pk}"' in card
    assert 'data-testid="criterion-feasibility_go" data-met="false"' in card
    assert f'data-testid="confirm-move-{unready.code}"' not in card
    assert stage_of(unready) == Stage.INITIATION


def test_the_confirmation_asks_a_director_where_approval_is_needed(client, owner, ready):
    from projects.models import StagePolicy

    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    client.force_login(owner)
    confirm = client.get(link_to(client.get(BOARD), f"move-{ready.code}"))
    assert "提请总监审批转到目标设定" in confirm.content.decode()
    form = form_holding(confirm, f"confirm-move-{ready.code}")
    action, fields = form.action, dict(form.submission())

    client.post(action, {**fields, "note": "请审批"})

    waiting = Project.objects.get(pk=ready.pk)
    assert waiting.stage == Stage.INITIATION and waiting.approval_note == "请审批"


def test_someone_who_may_not_move_the_project_is_not_offered_the_move(client, ready, director):
    outsider = UserFactory(username="nosy-board", role=Role.MEMBER)
    client.force_login(outsider)

    response = client.get(reverse("projects:project_advance", args=[ready.pk]))

    assert response.status_code == 404


def test_with_htmx_a_move_refused_for_another_reason_says_why_on_the_card(client, owner, ready):
    colleague = UserFactory(username="zhang-wei-board", role=Role.SALES_MANAGER, language="zh-hans")
    from projects.models import ProjectMembership

    ProjectMembership.objects.create(project=ready, user=colleague, role="member")
    client.force_login(colleague)
    fields = {"source": "board", "from_stage": Stage.INITIATION, "to_stage": Stage.GOAL_SETTING}

    card = client.post(
        reverse("projects:project_transition", args=[ready.pk]), fields, HTTP_HX_REQUEST="true"
    )

    html = card.content.decode()
    assert f'id="card-{ready.pk}"' in html
    assert 'data-testid="refused"' in html and "只有项目负责人或总监可以执行此操作" in html
    assert stage_of(ready) == Stage.INITIATION


def test_a_closed_project_has_nothing_to_confirm(client, owner):
    closed = ProjectFactory(owner=owner, stage=Stage.CLOSED)
    client.force_login(owner)

    response = client.get(reverse("projects:project_advance", args=[closed.pk]))

    assert response.status_code == 302 and response.url == closed.get_absolute_url()
