"""Approvals are seen: an owner's advance that waits for a director tells every director, is
listed on their home page, in the project list (a filter) and in the API, and its outcome —
approved or sent back, with the director's note — tells the owner. In-app and by e-mail, in
the reader's language, once per event."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from collaboration.models import Notification, NotificationKind
from collaboration.notifications import notification_email_send
from projects.lifecycle import project_approve, project_reject_approval, project_transition
from projects.models import Project, Stage, StagePolicy
from salescycle.celery import app
from tests.browser_forms import browser_forms, form_holding
from tests.factories import ProjectFactory, UserFactory
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db

K = NotificationKind


# --- the rendered forms, submitted as a browser would ----------------------------------------
def submit(client, user, project: Project, testid: str, **typed) -> None:
    """Open the project's page as `user`, fill `typed` into the form of `testid`, send it."""
    client.force_login(user)
    page = client.get(project.get_absolute_url())
    assert page.status_code == 200
    form = form_holding(page, testid)
    action, fields = form.action, dict(form.submission())
    for name in typed:
        assert name in fields, f"{name} is not a field of the rendered form"
    response = client.post(action, {**fields, **typed})
    assert response.status_code == 302, response.content[:500]


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def owner(manager):
    manager.language = "zh-hans"
    manager.full_name = "王磊"
    manager.save()
    return manager


@pytest.fixture
def directors(director):
    """Two directors: one reads English, one Chinese."""
    zhou = UserFactory(username="zhou-director", full_name="周志远", role=Role.DIRECTOR)
    zhou.language = "zh-hans"
    zhou.save()
    return [director, zhou]


@pytest.fixture
def project(owner):
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    project = ProjectFactory(owner=owner, name="华东物流 ERP")
    fill_gate(project, Stage.INITIATION)
    return project


@pytest.fixture
def waiting(project, owner, directors):
    project_transition(
        project=project, to_stage=Stage.GOAL_SETTING, actor=owner, note="可行性已确认，请审批"
    )
    return Project.objects.get(pk=project.pk)


@pytest.fixture
def eager_celery():
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def told(kind: str, project: Project) -> dict[str, dict]:
    rows = Notification.objects.filter(kind=kind, project=project).select_related("recipient")
    return {row.recipient.username: row.data for row in rows}


# --- the request tells every director ---------------------------------------------------------
def test_an_owner_asking_for_approval_on_the_page_notifies_every_director(
    client, owner, directors, project
):
    submit(
        client,
        owner,
        project,
        "action-advance-goal_setting",
        note="可行性已确认，请审批",
    )

    project.refresh_from_db()
    assert project.awaiting_approval and project.stage == Stage.INITIATION
    heard = told(K.APPROVAL_REQUESTED, project)
    assert sorted(heard) == sorted(d.username for d in directors)
    assert {data["note"] for data in heard.values()} == {"可行性已确认，请审批"}
    assert {data["to"] for data in heard.values()} == {Stage.GOAL_SETTING}


def test_asking_again_while_waiting_notifies_no_one_again(owner, directors, waiting):
    project_transition(project=waiting, to_stage=Stage.GOAL_SETTING, actor=owner, note="再催一下")

    assert Notification.objects.filter(kind=K.APPROVAL_REQUESTED).count() == len(directors)
    assert Project.objects.get(pk=waiting.pk).approval_note == "可行性已确认，请审批"


def test_a_director_advancing_directly_asks_nobody(owner, directors, project):
    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=directors[0])

    assert not Notification.objects.filter(kind=K.APPROVAL_REQUESTED).exists()


def test_an_approval_request_is_emailed_by_default(directors, waiting):
    pending = Notification.objects.filter(kind=K.APPROVAL_REQUESTED, email_pending=True)
    assert pending.count() == len(directors)


@pytest.mark.django_db(transaction=True)
def test_directors_are_emailed_the_request_in_their_language(celery_worker, mailoutbox):
    StagePolicy.objects.filter(stage=Stage.INITIATION).update(requires_approval=True)
    dora = UserFactory(username="dora-en-director", role=Role.DIRECTOR, full_name="Dora Lee")
    zhou = UserFactory(username="zhou-zh-director", role=Role.DIRECTOR, full_name="周志远")
    zhou.language = "zh-hans"
    zhou.save()
    owner = UserFactory(username="wang-owner", role=Role.SALES_MANAGER, full_name="王磊")
    project = ProjectFactory(owner=owner, name="华东物流 ERP")
    fill_gate(project, Stage.INITIATION)

    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner, note="请审批")

    deadline = time.monotonic() + 10
    while len(mailoutbox) < 2 and time.monotonic() < deadline:  # the worker's thread sends
        time.sleep(0.05)
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert set(mails) == {dora.email, zhou.email}
    english, chinese = mails[dora.email], mails[zhou.email]
    assert "王磊 asks you to approve moving 华东物流 ERP to Goal setting" in english.subject
    assert "王磊 asks you to approve moving 华东物流 ERP to Goal setting." in english.body
    assert "Note: 请审批" in english.body
    assert "王磊请您批准华东物流 ERP转到目标设定" in chinese.subject
    assert "王磊 请您批准将 华东物流 ERP 推进到目标设定。" in chinese.body
    assert "备注：请审批" in chinese.body


# --- the decision tells the owner -------------------------------------------------------------
def test_approving_on_the_page_tells_the_owner_with_the_directors_note(
    client, owner, directors, waiting
):
    zhou = directors[1]
    submit(client, zhou, waiting, "action-approval-goal_setting", note="同意，尽快推进")

    assert Project.objects.get(pk=waiting.pk).stage == Stage.GOAL_SETTING
    assert told(K.APPROVAL_GRANTED, waiting) == {
        owner.username: {"to": Stage.GOAL_SETTING, "note": "同意，尽快推进"}
    }
    # The approval is the owner's news; a second "moved to" about the same change is noise.
    assert owner.username not in told(K.STAGE_CHANGED, waiting)


def test_sending_back_on_the_page_tells_the_owner_with_the_directors_note(
    client, owner, directors, waiting
):
    submit(client, directors[0], waiting, "action-send-back", note="预算还没批下来")

    project = Project.objects.get(pk=waiting.pk)
    assert project.stage == Stage.INITIATION and not project.awaiting_approval
    assert told(K.APPROVAL_REJECTED, waiting) == {
        owner.username: {"to": Stage.GOAL_SETTING, "note": "预算还没批下来"}
    }


def test_each_decision_is_told_once(owner, directors, waiting):
    project_reject_approval(project=waiting, actor=directors[0], note="等一等")
    project_transition(
        project=Project.objects.get(pk=waiting.pk), to_stage=Stage.GOAL_SETTING, actor=owner
    )
    project_approve(project=Project.objects.get(pk=waiting.pk), actor=directors[1])

    kinds = list(
        Notification.objects.filter(recipient=owner).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == [K.APPROVAL_REJECTED, K.APPROVAL_GRANTED]
    assert Notification.objects.filter(kind=K.APPROVAL_REQUESTED).count() == 2 * len(directors)


@pytest.mark.parametrize(
    ("language", "decide", "subject", "text", "note"),
    [
        (
            "zh-hans",
            "approve",
            "周志远批准了华东物流 ERP转到目标设定",
            "周志远 批准了将 华东物流 ERP 推进到目标设定。",
            "备注：同意",
        ),
        (
            "en",
            "approve",
            "周志远 approved moving 华东物流 ERP to Goal setting",
            "周志远 approved moving 华东物流 ERP to Goal setting.",
            "Note: 同意",
        ),
        (
            "zh-hans",
            "send_back",
            "周志远退回了华东物流 ERP转到目标设定的申请",
            "周志远 退回了将 华东物流 ERP 推进到目标设定的申请。",
            "备注：同意",
        ),
        (
            "en",
            "send_back",
            "周志远 sent back the move of 华东物流 ERP to Goal setting",
            "周志远 sent back the request to move 华东物流 ERP to Goal setting.",
            "Note: 同意",
        ),
    ],
)
def test_the_owner_is_emailed_the_decision_in_their_language(
    owner, directors, waiting, mailoutbox, language, decide, subject, text, note
):
    owner.language = language
    owner.save()
    zhou = directors[1]
    if decide == "approve":
        project_approve(project=waiting, actor=zhou, note="同意")
    else:
        project_reject_approval(project=waiting, actor=zhou, note="同意")
    notification = Notification.objects.get(recipient=owner)
    assert notification.email_pending

    assert notification_email_send(notification_id=notification.pk)

    [mail] = mailoutbox
    assert subject in mail.subject
    assert text in mail.body
    assert note in mail.body


# --- where waits are listed -------------------------------------------------------------------
def test_the_directors_home_lists_the_projects_waiting(client, owner, directors, waiting):
    ProjectFactory(owner=owner, name="不需要审批的项目")
    client.force_login(directors[1])

    page = client.get(reverse("home")).content.decode()

    assert 'data-testid="home-approvals"' in page
    assert "等待审批" in page
    assert page.count('data-testid="home-approval"') == 1
    assert "华东物流 ERP" in page and "王磊" in page and "可行性已确认，请审批" in page
    assert "不需要审批的项目" not in page


def test_a_managers_home_has_no_approval_list(client, owner, waiting):
    client.force_login(owner)

    page = client.get(reverse("home")).content.decode()

    assert 'data-testid="home-approvals"' not in page


def test_the_directors_home_runs_the_same_queries_for_one_or_five_waiting(
    client, owner, directors, waiting
):
    client.force_login(directors[0])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for n in range(4):
        more = ProjectFactory(owner=owner, name=f"待批项目 {n}")
        fill_gate(more, Stage.INITIATION)
        project_transition(project=more, to_stage=Stage.GOAL_SETTING, actor=owner)
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("home")).content.decode()

    assert page.count('data-testid="home-approval"') == 5
    assert len(five) == len(one)


def test_the_project_list_filters_the_projects_waiting(client, owner, directors, waiting):
    ProjectFactory(owner=owner, name="不需要审批的项目")
    client.force_login(directors[1])
    page = client.get(reverse("projects:project_list"))
    assert "等待审批" in page.content.decode()
    [filters] = [f for f in browser_forms(page) if "awaiting_approval" in f.names]

    listed = client.get(reverse("projects:project_list"), {"awaiting_approval": "true"})

    rows = listed.content.decode()
    assert "华东物流 ERP" in rows and "不需要审批的项目" not in rows
    others = client.get(reverse("projects:project_list"), {"awaiting_approval": "false"})
    assert "不需要审批的项目" in others.content.decode()
    assert "华东物流 ERP" not in others.content.decode()
    assert dict(filters.submission())["awaiting_approval"] in ("", "unknown")


# --- the API ----------------------------------------------------------------------------------
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_api_lists_what_waits_with_who_asked(owner, directors, waiting):
    ProjectFactory(owner=owner, name="不需要审批的项目")

    response = api(directors[0]).get(reverse("api:project-list"), {"awaiting_approval": "true"})

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["id"] == waiting.pk
    assert row["awaiting_approval"] is True
    assert row["approval_requested_by"] == owner.pk
    assert row["approval_note"] == "可行性已确认，请审批"
    assert row["approval_requested_at"]


def test_the_api_list_of_waits_runs_a_fixed_number_of_queries(owner, directors, waiting):
    client = api(directors[0])
    client.get(reverse("api:project-list"), {"awaiting_approval": "true"})  # the user's roles
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("api:project-list"), {"awaiting_approval": "true"})
    for _ in range(3):
        more = ProjectFactory(owner=owner)
        fill_gate(more, Stage.INITIATION)
        project_transition(project=more, to_stage=Stage.GOAL_SETTING, actor=owner)
    with CaptureQueriesContext(connection) as four:
        response = client.get(reverse("api:project-list"), {"awaiting_approval": "true"})

    assert response.json()["count"] == 4
    assert len(four) == len(one), [q["sql"][:150] for q in four.captured_queries]


def test_a_director_sends_back_through_the_api_with_a_note(owner, directors, waiting):
    endpoint = reverse("api:project-send-back", args=[waiting.pk])
    assert api(owner).post(endpoint, {"note": "自己退回"}, format="json").status_code == 403

    response = api(directors[0]).post(endpoint, {"note": "预算还没批下来"}, format="json")

    assert response.status_code == 200
    assert response.json()["awaiting_approval"] is False
    assert told(K.APPROVAL_REJECTED, waiting)[owner.username]["note"] == "预算还没批下来"
    again = api(directors[0]).post(endpoint, {"note": "再退一次"}, format="json")
    assert again.status_code == 409


def test_the_owner_reads_the_decision_and_its_note_in_the_app(client, owner, directors, waiting):
    project_reject_approval(project=waiting, actor=directors[1], note="预算还没批下来")
    client.force_login(owner)

    page = client.get(reverse("collaboration:notification_list")).content.decode()

    assert "周志远 退回了将 华东物流 ERP 推进到目标设定的申请。" in page
    assert "预算还没批下来" in page


@pytest.mark.parametrize("url_name", ["projects:project_list", "projects:project_board"])
def test_the_list_and_board_flag_what_waits(client, owner, directors, waiting, url_name):
    other = ProjectFactory(owner=owner, name="不需要审批的项目")
    client.force_login(directors[1])

    page = client.get(reverse(url_name)).content.decode()

    assert page.count('data-testid="flag-awaiting-approval"') == 1
    before = page[: page.index('data-testid="flag-awaiting-approval"')]
    assert before.rfind(waiting.code) > before.rfind(other.code)  # on the waiting one's row


# --- a send-back says why, and the project keeps the reason ------------------------------------
def test_sending_back_without_a_reason_is_refused_on_the_page_and_nothing_changes(
    client, owner, directors, waiting
):
    directors[0].language = "zh-hans"
    directors[0].save()
    client.force_login(directors[0])
    page = client.get(waiting.get_absolute_url())
    form = form_holding(page, "action-send-back")
    assert 'required data-testid="note-send-back"' in page.content.decode()  # the browser asks
    fields = dict(form.submission())  # what a browser ignoring `required` would send

    response = client.post(form.action, fields, follow=True)

    assert "请说明退回的原因。" in response.content.decode()
    assert Project.objects.get(pk=waiting.pk).awaiting_approval
    assert not Notification.objects.filter(kind=K.APPROVAL_REJECTED).exists()


def test_sending_back_without_a_reason_is_a_400_in_the_api(owner, directors, waiting):
    endpoint = reverse("api:project-send-back", args=[waiting.pk])

    response = api(directors[0]).post(endpoint, {"note": "  "}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    assert Project.objects.get(pk=waiting.pk).awaiting_approval


def test_the_owner_finds_the_request_and_the_send_back_reason_on_the_project(
    client, owner, directors, waiting
):
    submit(client, directors[0], waiting, "action-send-back", note="预算还没批下来")
    client.force_login(owner)

    page = client.get(waiting.get_absolute_url()).content.decode()
    feed = client.get(reverse("collaboration:project_activity", args=[waiting.pk])).content
    feed = feed.decode()

    notice = page.split('data-testid="sent-back">', 1)[1].split("</p>", 1)[0]
    assert "退回了转到目标设定的申请" in notice and "预算还没批下来" in notice
    assert 'data-verb="approval_requested"' in feed
    sent_back = feed.split('data-verb="approval_sent_back"', 1)[1].split("</li>", 1)[0]
    assert "退回了转到目标设定的申请" in sent_back and "预算还没批下来" in sent_back
    # Asked again: the notice gives way to the waiting request.
    project_transition(
        project=Project.objects.get(pk=waiting.pk), to_stage=Stage.GOAL_SETTING, actor=owner
    )
    assert 'data-testid="sent-back"' not in client.get(waiting.get_absolute_url()).text
