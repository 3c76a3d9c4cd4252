"""The loop back to strategy (策略制定): adjusting the strategy opens each active strategy's next
revision as an editable draft, the owner reworks it on the project page seeing what changed
against the previous revision and adopts it; turning its actions into tasks never makes a second
task for an action an earlier revision already turned into one (an action is its text,
normalised, within the project), not even on a double click."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from collaboration.models import Task
from collaboration.services import strategy_actions_to_tasks
from projects.lifecycle import evaluate_gate, project_transition
from projects.models import Project, Stage, Strategy, StrategyStatus, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, StrategyFactory
from tests.html_forms import rendered_form, rendered_forms

pytestmark = pytest.mark.django_db


def looped(manager) -> tuple:
    """A project in monitoring whose pricing strategy's two actions are tasks, looped back to
    strategy: the old revision superseded, its successor a draft."""
    project = ProjectFactory(owner=manager, stage=Stage.MONITORING)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    first = StrategyFactory(
        project=project,
        kind="pricing",
        summary="Match the competitor's price.",
        actions="Prepare a price list\nVisit the purchasing head",
    )
    strategy_actions_to_tasks(strategy=first, actor=manager)
    project_transition(project=project, to_stage=Stage.STRATEGY, actor=manager, note="Adjust")
    return project, first, Strategy.objects.get(supersedes=first)


def unmet(project) -> set[str]:
    project = Project.objects.get(pk=project.pk)
    return {c.code for c in evaluate_gate(project).criteria if not c.met}


def test_adjusting_the_strategy_opens_the_next_revision_as_a_draft(manager):
    project, first, draft = looped(manager)

    first.refresh_from_db()
    assert first.status == StrategyStatus.SUPERSEDED
    assert (draft.status, draft.revision) == (StrategyStatus.DRAFT, 2)
    assert (draft.kind, draft.summary, draft.actions) == (first.kind, first.summary, first.actions)
    # A draft is not in force: the strategy gate waits for it to be adopted.
    assert "active_strategy" in unmet(project)


@pytest.fixture
def chinese(manager):
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])


def test_owner_reworks_the_draft_on_the_project_page_and_sees_what_changed(
    client, manager, chinese
):
    project, first, draft = looped(manager)
    client.force_login(manager)
    edit = reverse("projects:strategy_edit", args=[project.pk, draft.pk])
    form = rendered_form(client.get(project.get_absolute_url()).content, action=edit)
    prefix = f"strategy-{draft.pk}"

    response = client.post(
        edit,
        form.data(
            **{
                f"{prefix}-kind": "competitive",
                f"{prefix}-summary": "Win on service, not on price.",
                f"{prefix}-actions": "visit the  purchasing head\nOffer a three-year service plan",
            }
        ),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == StrategyStatus.DRAFT and draft.summary.startswith("Win on service")
    page = client.get(project.get_absolute_url()).content.decode()
    changes = re.search(rf'data-testid="strategy-changes-{draft.pk}".*?</dl>', page, re.S).group(0)
    assert (
        "<del>定价</del>" in changes and "<ins>竞争</ins>" in changes
    )  # kind: before → after, translated
    assert "Match the competitor&#x27;s price." in changes and "Win on service" in changes
    assert '<li class="action-removed"><del>− Prepare a price list</del></li>' in changes
    assert '<li class="action-added"><ins>+ Offer a three-year service plan</ins></li>' in changes
    assert "purchasing head" not in changes  # the same action, only spelled differently
    assert "<dt>行动</dt>" in changes  # a strategy's actions, not a table's "操作" column


def test_the_history_names_a_strategy_by_its_revision_as_the_page_does(manager, chinese):
    from django.utils import translation

    from projects.history import changes_described, project_changes

    project, first, draft = looped(manager)
    draft.summary = "Win on service."
    draft.save()

    with translation.override("zh-hans"):
        [latest] = changes_described(project_changes(project)[:1])
    assert latest.record_name == "定价 · 第 2 版"


def test_the_draft_form_shows_errors_next_to_the_field(client, manager, chinese):
    project, _first, draft = looped(manager)
    client.force_login(manager)
    edit = reverse("projects:strategy_edit", args=[project.pk, draft.pk])
    form = rendered_form(client.get(project.get_absolute_url()).content, action=edit)

    response = client.post(edit, form.data(**{f"strategy-{draft.pk}-summary": ""}))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_strategy-{draft.pk}-summary_error"' in html
    draft.refresh_from_db()
    assert draft.summary == "Match the competitor's price."


def test_adopting_the_draft_puts_it_in_force_and_its_actions_reuse_the_earlier_tasks(
    client, manager, chinese
):
    project, first, draft = looped(manager)
    Strategy.objects.filter(pk=draft.pk).update(
        actions="  prepare a PRICE list \nOffer a three-year service plan"
    )
    client.force_login(manager)
    adopt = reverse("projects:strategy_adopt", args=[project.pk, draft.pk])
    form = rendered_form(client.get(project.get_absolute_url()).content, action=adopt)

    assert client.post(adopt, form.data()).status_code == 302

    draft.refresh_from_db()
    assert draft.status == StrategyStatus.ACTIVE
    to_tasks = reverse("collaboration:strategy_tasks", args=[project.pk, draft.pk])
    form = rendered_form(client.get(project.get_absolute_url()).content, action=to_tasks)
    client.post(to_tasks, form.data())
    client.post(to_tasks, form.data())  # clicked twice
    titles = sorted(project.tasks.values_list("title", flat=True))
    assert titles == [
        "Offer a three-year service plan",
        "Prepare a price list",
        "Visit the purchasing head",
    ]
    # The carried-over action's task now serves the revision in force.
    assert set(draft.tasks.values_list("title", flat=True)) == {
        "Offer a three-year service plan",
        "Prepare a price list",
    }
    assert not {"active_strategy", "action_as_task"} & unmet(project)


def test_a_draft_offers_no_tasks_and_a_superseded_revision_no_edit(client, manager):
    project, first, draft = looped(manager)
    client.force_login(manager)

    actions = {
        form.action for form in rendered_forms(client.get(project.get_absolute_url()).content)
    }

    assert reverse("collaboration:strategy_tasks", args=[project.pk, draft.pk]) not in actions
    assert reverse("projects:strategy_edit", args=[project.pk, first.pk]) not in actions
    refused = client.post(
        reverse("projects:strategy_edit", args=[project.pk, first.pk]),
        {f"strategy-{first.pk}-kind": "pricing", f"strategy-{first.pk}-summary": "x"},
    )
    assert refused.status_code == 404
    first.refresh_from_db()
    assert first.summary == "Match the competitor's price."


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_make_each_task_once(manager):
    project = ProjectFactory(owner=manager, stage=Stage.STRATEGY)
    strategy = StrategyFactory(project=project, actions="Call the CIO\nSend references")
    start = threading.Barrier(2)
    errors = []

    def click() -> None:
        try:
            start.wait()
            strategy_actions_to_tasks(strategy=Strategy.objects.get(pk=strategy.pk), actor=manager)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(Task.objects.filter(project=project).values_list("title", flat=True)) == [
        "Call the CIO",
        "Send references",
    ]


# --- the API --------------------------------------------------------------------------------
def test_the_api_edits_a_draft_adopts_it_and_refuses_to_change_history(manager):
    project, first, draft = looped(manager)
    client = APIClient()
    client.force_authenticate(manager)
    detail = reverse("api:project-strategies-detail", args=[project.pk, draft.pk])

    listed = client.get(reverse("api:project-strategies", args=[project.pk])).json()
    assert {row["id"]: row["status"] for row in listed}[draft.pk] == "draft"
    assert client.patch(detail, {"summary": "Service first."}, format="json").status_code == 200
    changes = client.get(detail).json()["changes"]
    assert changes["summary"] == {"before": first.summary, "after": "Service first."}

    adopted = client.post(
        reverse("api:project-strategy-adopt", args=[project.pk, draft.pk]), format="json"
    )
    assert adopted.status_code == 200 and adopted.json()["status"] == "active"
    again = client.post(
        reverse("api:project-strategy-adopt", args=[project.pk, draft.pk]), format="json"
    )
    assert again.status_code == 400
    history = client.patch(
        reverse("api:project-strategies-detail", args=[project.pk, first.pk]),
        {"summary": "Rewritten history"},
        format="json",
    )
    assert history.status_code == 400 and "summary" in history.json()
    first.refresh_from_db()
    assert first.summary == "Match the competitor's price."


def test_the_project_page_shows_any_number_of_drafts_in_the_same_queries(client, manager):
    from django.test.utils import CaptureQueriesContext

    def with_drafts(count: int):
        project = ProjectFactory(owner=manager, stage=Stage.MONITORING)
        for n in range(count):
            StrategyFactory(project=project, kind="pricing", summary=f"Plan {n}")
        project_transition(project=project, to_stage=Stage.STRATEGY, actor=manager, note="Adjust")
        return project

    one, five = with_drafts(1), with_drafts(5)
    client.force_login(manager)
    client.get(one.get_absolute_url())

    with CaptureQueriesContext(connection) as few:
        client.get(one.get_absolute_url())
    with CaptureQueriesContext(connection) as many:
        page = client.get(five.get_absolute_url()).content.decode()

    assert page.count('data-testid="strategy-draft-') == 5
    assert len(many) == len(few)


def test_a_team_member_reads_the_draft_but_neither_edits_nor_adopts_it(client, manager, member):
    project, _first, draft = looped(manager)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    api = APIClient()
    api.force_authenticate(member)

    adopt = api.post(reverse("api:project-strategy-adopt", args=[project.pk, draft.pk]))
    client.force_login(member)
    page = client.get(project.get_absolute_url()).content.decode()
    edit = client.post(
        reverse("projects:strategy_edit", args=[project.pk, draft.pk]),
        {f"strategy-{draft.pk}-kind": "pricing", f"strategy-{draft.pk}-summary": "Mine now"},
    )

    assert adopt.status_code == 403
    assert f'data-testid="strategy-changes-{draft.pk}"' in page
    assert f'data-testid="adopt-{draft.pk}"' not in page
    assert edit.status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.summary) == (StrategyStatus.DRAFT, "Match the competitor's price.")
