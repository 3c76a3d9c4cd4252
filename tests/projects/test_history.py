"""Every change leaves a trace: field-level history of the project and its records, shown on the
project page and its history page (translated names and values) and in the API, with the
project's own visibility and a number of queries that does not grow with the changes."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from accounts.roles import Role
from collaboration.models import Task, TaskStatus
from collaboration.services import strategy_actions_to_tasks, task_save
from customers.models import Customer
from dataio.imports import import_rows
from projects.history import changes_described, project_changes
from projects.models import Project, ProjectMembership, ReviewCadence, Strategy
from projects.services import project_update
from tests.factories import (
    DepartmentFactory,
    GoalFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    RiskFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """What a browser submits from the form holding the button with `data-testid=button`:
    inputs (checked boxes only), the selected option of each select, textareas."""

    def __init__(self, button: str) -> None:
        super().__init__()
        self.button = button
        self.forms: list[tuple[list[tuple[str, str]], bool]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._has_button = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields, self._has_button = [], False
        if self._fields is None:
            return
        if attrs.get("data-testid") == self.button:
            self._has_button = True
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._option = (attrs.get("value"), "selected" in attrs)
            self._text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        self._text += data

    def handle_endtag(self, tag):
        if self._fields is None:
            return
        if tag == "option" and self._option is not None:
            value, selected = self._option
            self._options.append((self._text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options:
                chosen = [self._options[0][0]]
            self._fields.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The HTML parser keeps the newline a browser drops after <textarea>.
            self._fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.forms.append((self._fields, self._has_button))
            self._fields = None


def submitted(html: str, button: str) -> dict[str, list[str]]:
    reader = FormReader(button)
    reader.feed(html)
    fields = next(fields for fields, has_button in reader.forms if has_button)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def edit_through_the_form(client, project: Project, **changes) -> None:
    edit_url = reverse("projects:project_edit", args=[project.pk])
    data = submitted(client.get(edit_url).content.decode(), "save-project")
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.fixture
def project(manager):
    return ProjectFactory(owner=manager, name="港口物流平台", review_cadence=ReviewCadence.NONE)


def api_as(user) -> APIClient:
    client = APIClient()
    _token, secret = api_token_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def history_url(project: Project) -> str:
    return reverse("api:project-history", args=[project.pk])


# --- the page form, in Chinese and in English ----------------------------------------------------
def test_a_chinese_edit_shows_the_field_s_chinese_name_and_its_old_and_new_labels(
    client, manager, project
):
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)

    edit_through_the_form(client, project, review_cadence=ReviewCadence.MONTHLY)

    page = client.get(project.get_absolute_url())
    [latest, *_] = page.context["changes"]
    assert (latest.kind, latest.action, latest.user_id) == ("project", "~", manager.pk)
    assert [(f.label, f.old_display, f.new_display) for f in latest.fields] == [
        ("评审周期", "无定期评审", "每月")
    ]
    html = page.content.decode()
    assert "评审周期" in html and "无定期评审" in html and "每月" in html
    assert "修改了" in html  # the action, translated
    history = client.get(reverse("projects:project_history", args=[project.pk]))
    assert "评审周期" in history.content.decode()


def test_an_english_edit_shows_the_field_s_name_and_its_old_and_new_values(
    client, manager, project
):
    client.force_login(manager)

    edit_through_the_form(client, project, name="Harbour logistics platform")

    page = client.get(project.get_absolute_url())
    [latest, *_] = page.context["changes"]
    assert [(f.name, f.label, f.old_display, f.new_display) for f in latest.fields] == [
        ("name", "name", "港口物流平台", "Harbour logistics platform")
    ]
    html = page.content.decode()
    assert "Name</span>: <del>港口物流平台</del> → <ins>Harbour logistics platform</ins>" in html
    assert manager.display_name in html


def test_people_records_dates_and_choices_read_as_names_and_labels(client, manager, project):
    helper = UserFactory(username="harry-helper", full_name="何瑞", role=Role.MEMBER)
    ProjectMembershipFactory(project=project, user=helper)
    task = TaskFactory(project=project, assignee=manager, due_date=datetime.date(2027, 3, 5))
    task.assignee, task.due_date, task.status = helper, datetime.date(2027, 4, 1), "in_progress"
    task_save(task=task, actor=manager)

    with translation.override("en"):
        [latest] = changes_described(project_changes(project)[:1])
    shown = {f.name: (f.old_display, f.new_display) for f in latest.fields}
    assert latest.record_name == task.title
    assert shown["assignee"] == (manager.display_name, "何瑞")
    assert shown["due_date"] == ("2027-03-05", "2027-04-01")  # one date format in both languages
    assert shown["status"] == ("To do", "In progress")


def test_a_save_that_changes_nothing_adds_no_entry(manager, project):
    before = project_changes(project).count()

    project_update(project=project, actor=manager, fields=["name"])

    assert project_changes(project).count() == before


# --- the API -------------------------------------------------------------------------------------
def test_api_history_lists_field_changes_with_who_and_raw_and_shown_values(manager, project):
    client = api_as(manager)
    response = client.patch(
        reverse("api:project-detail", args=[project.pk]),
        {"estimated_value": "4450000.00"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200

    response = client.get(history_url(project), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3  # the customer and the project created by the factory, the change
    latest = body["results"][0]
    assert latest["record_kind"] == "project" and latest["action"] == "~"
    assert latest["user"] == {"id": manager.pk, "name": manager.display_name}
    assert latest["fields"] == [
        {
            "name": "estimated_value",
            "label": "estimated contract value",
            "old": "500000.00",
            "new": "4450000.00",
            "old_display": "500,000.00",
            "new_display": "4,450,000.00",
        }
    ]
    assert [(row["record_kind"], row["action"]) for row in body["results"][1:]] == [
        ("project", "+"),
        ("customer", "+"),
    ]


def test_api_history_is_paginated(manager, project):
    for n in range(3):
        project.name = f"Name {n}"
        project_update(project=project, actor=manager, fields=["name"])

    response = api_as(manager).get(history_url(project), {"page_size": 2, "page": 2})

    body = response.json()
    assert body["count"] == 5  # the customer and the project created, three changes
    assert [row["action"] for row in body["results"]] == ["~", "+"]


def test_history_is_in_the_api_schema(client, manager):
    client.force_login(manager)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/projects/{id}/history/"]["get"]
    assert "200" in operation["responses"] and "404" in operation["responses"]
    assert "Change" in schema["components"]["schemas"]


# --- visibility ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("director", 200), ("member", 200), ("outsider", 404)],
)
def test_history_has_the_project_s_visibility(client, request, project, who, status):
    user = project.owner if who == "owner" else request.getfixturevalue(who)
    if who == "member":
        ProjectMembershipFactory(project=project, user=user)
    client.force_login(user)

    page = client.get(reverse("projects:project_history", args=[project.pk]))
    api = api_as(user).get(history_url(project))

    assert (page.status_code, api.status_code) == (status, status)


# --- imports, bulk writes and writes outside a request -------------------------------------------
def test_an_import_records_who_created_the_project_and_customer(client, manager):
    from tests.dataio.test_imports import GOOD_ROWS, confirm, csv_file, preview

    client.force_login(manager)
    preview(client, csv_file(GOOD_ROWS))
    assert confirm(client).status_code == 302

    project = Project.objects.get(name="Harbour ERP")
    changes = changes_described(project_changes(project))
    created = {(c.kind, c.action, c.user_id) for c in changes}
    assert ("project", "+", manager.pk) in created
    assert ("customer", "+", manager.pk) in created
    assert ("membership", "+", manager.pk) in created  # the owner's team row


def test_an_import_outside_a_request_records_its_actor(manager):
    result = import_rows(
        rows=[{"customer": "Quay Ltd", "industry": "finance", "region": "east", "project": "Quay"}],
        actor=manager,
        commit=True,
    )

    assert result.imported, [row.errors for row in result.rows]
    project = Project.objects.get(name="Quay")
    assert project.history.get().history_user == manager
    assert Customer.objects.get(name="Quay Ltd").history.get().history_user == manager


def test_strategy_tasks_are_recorded(manager, project):
    strategy = StrategyFactory(project=project)

    tasks = strategy_actions_to_tasks(strategy=strategy, actor=manager)

    assert len(tasks) == 2
    recorded = Task.history.filter(id__in=[task.pk for task in tasks], history_type="+")
    assert sorted(recorded.values_list("history_user_id", flat=True)) == [manager.pk] * 2


def test_a_change_of_owner_records_the_former_owner_leaving_the_team(director, manager, project):
    ProjectMembership.objects.create(project=project, user=manager, role="owner")
    new_owner = UserFactory(username="nina-new-owner", role=Role.SALES_MANAGER)
    project.owner = new_owner

    project_update(project=project, actor=director, fields=["owner"])

    left = ProjectMembership.history.filter(user=manager, history_type="~").get()
    assert left.left_on is not None and left.history_user == director


def test_an_escalation_is_recorded(manager, project):
    from monitoring.reviews import review_hold
    from tests.factories import ReviewMeetingFactory

    review = ReviewMeetingFactory(
        project=project, scheduled_for=timezone.now() - datetime.timedelta(hours=1)
    )
    review_hold(review=review, actor=manager, decision="escalate")

    changes = changes_described(project_changes(project))
    escalated = [c for c in changes if c.kind == "project" and c.fields]
    assert [f.name for f in escalated[0].fields] == ["escalated_at"]
    assert escalated[0].user_id == manager.pk


# --- constant queries ----------------------------------------------------------------------------
def _add_changes(project: Project, actor, n: int) -> None:
    department = DepartmentFactory()
    for i in range(n):
        goal = GoalFactory(project=project, owner=actor)
        goal.current_value = Decimal(i + 1)
        goal.save()
        risk = RiskFactory(project=project, owner=actor)
        risk.status = "mitigating"
        risk.save()
        membership = ProjectMembershipFactory(project=project, department=department)
        membership.responsibilities = f"Duty {i}"
        membership.save()
        task = TaskFactory(project=project, assignee=actor)
        task.status = TaskStatus.DONE
        task.save()
        strategy = StrategyFactory(project=project)
        strategy.summary = f"Summary {i}"
        strategy.save()
        project.name = f"Renamed {i}"
        project_update(project=project, actor=actor, fields=["name"])


@pytest.mark.parametrize(
    "url_of",
    [
        lambda p: p.get_absolute_url(),
        lambda p: reverse("projects:project_history", args=[p.pk]),
        lambda p: reverse("api:project-history", args=[p.pk]),
    ],
    ids=["project-page", "history-page", "api"],
)
def test_history_costs_the_same_queries_however_many_changes(client, manager, url_of):
    few, many = ProjectFactory(owner=manager), ProjectFactory(owner=manager)
    _add_changes(few, manager, 1)
    _add_changes(many, manager, 8)
    client.force_login(manager)
    client.get(url_of(few))  # warm the per-process caches (stage policies, content types)

    counts = []
    for project in (few, many):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url_of(project))
        assert response.status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1], counts


def test_page_lists_the_latest_changes_and_links_to_all(client, manager, project):
    _add_changes(project, manager, 3)
    client.force_login(manager)

    page = client.get(project.get_absolute_url())

    assert len(page.context["changes"]) == 10
    assert reverse("projects:project_history", args=[project.pk]) in page.content.decode()
    assert Strategy.history.filter(history_type="~").count() == 3


def test_a_record_with_no_earlier_snapshot_says_its_earlier_values_are_unknown(manager, project):
    # Inserted as seed_scale inserts its records: without history.
    [task] = Task.objects.bulk_create([TaskFactory.build(project=project)])
    task.title = "Renamed"
    task_save(task=task, actor=manager)

    [latest] = changes_described(project_changes(project)[:1])

    assert (latest.kind, latest.earlier_unknown, latest.fields) == ("task", True, [])


def test_a_service_s_actor_does_not_stick_to_later_saves(manager, project):
    task = TaskFactory(project=project)
    task.title = "By the manager"
    task_save(task=task, actor=manager)

    task.title = "By a shell, later"
    task.save()

    assert list(task.history.values_list("history_user_id", flat=True)[:2]) == [None, manager.pk]


@pytest.mark.django_db(transaction=True)
def test_a_review_a_real_worker_schedules_is_recorded_as_made_by_salescycle(
    celery_worker, tasks_finished, client, manager
):
    from monitoring.tasks import reviews_schedule_next
    from projects.models import Stage
    from tests.factories import ReviewMeetingFactory

    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION, review_cadence="weekly")
    ReviewMeetingFactory(
        project=project,
        scheduled_for=timezone.now() - datetime.timedelta(days=30),
        held_at=timezone.now() - datetime.timedelta(days=29),
        decision="continue",
    )

    tasks_finished(reviews_schedule_next.delay())

    client.force_login(manager)
    [latest, *_] = client.get(reverse("projects:project_history", args=[project.pk])).context[
        "changes"
    ]
    assert (latest.kind, latest.action, latest.user_id) == ("review", "+", None)


def test_a_deleted_risk_stays_in_the_history_with_its_name(manager, project):
    from monitoring.risks import risk_delete

    risk = RiskFactory(project=project, title="Competitor undercuts the price")
    risk_delete(risk=risk, actor=manager)

    [latest, *_] = changes_described(project_changes(project))

    assert (latest.kind, latest.action, latest.user_id) == ("risk", "-", manager.pk)
    assert latest.record_name == "Competitor undercuts the price"


def test_a_backdated_record_shows_only_the_changes_people_make_afterwards(manager, project):
    from core.history import history_rewrite
    from monitoring.models import ReviewMeeting
    from tests.factories import ReviewMeetingFactory

    review = ReviewMeetingFactory(project=project)
    long_ago = timezone.now() - datetime.timedelta(days=90)
    ReviewMeeting.objects.filter(pk=review.pk).update(
        created_at=long_ago, scheduled_for=long_ago + datetime.timedelta(days=3)
    )  # as the demo's timeline does
    history_rewrite(ReviewMeeting, [review.pk], ["created_at", "scheduled_for"], created_at=True)
    review.refresh_from_db()
    review.location = "Room 3"
    review._history_user = manager
    review.save()

    changes = changes_described(project_changes(project))
    assert [f.name for f in changes[0].fields] == ["location"]
    # Its creation is dated as the record says, so it sorts among the oldest entries.
    assert (changes[-1].kind, changes[-1].action, changes[-1].at) == ("review", "+", long_ago)


def test_a_form_that_keeps_a_time_to_the_minute_records_no_change_of_time(client, manager, project):
    """A review planned at 09:00:37 (by a job, or the demo) is edited in its zh-hans form: the
    time box keeps minutes, so 09:00 comes back. The change a person made is listed; the
    seconds, which no page shows, are not a change of "scheduled for"."""
    from monitoring.models import ReviewMeeting
    from tests.browser_forms import form_holding

    planned = timezone.make_aware(datetime.datetime(2027, 3, 5, 9, 0, 37))
    review = ReviewMeeting.objects.create(project=project, scheduled_for=planned, location="A")
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    page = client.get(reverse("monitoring:review_edit", args=[project.pk, review.pk]))
    form = form_holding(page, "save-review")
    sent = [(k, "B 会议室" if k.endswith("location") else v) for k, v in form.submission()]

    response = client.post(
        form.action or page.wsgi_request.path,
        urlencode(sent),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302

    [latest] = changes_described(project_changes(project)[:1])
    assert [f.name for f in latest.fields] == ["location"]


def test_an_amount_stored_as_other_text_is_the_same_amount():
    """SQLite (the embedded demo) keeps the amount a seed wrote as 195800.0 and the one a form
    saved as 195800.00: one amount, not a change."""
    from projects.history import TRACKED_BY_KEY, Names, _field_changes

    goal = TRACKED_BY_KEY["goal"]
    before = {"target": "195800.0", "title": "签约额"}
    after = {"target": "195800.00", "title": "签约总额"}

    changed = _field_changes(goal, before, after, Names())

    assert [(f.name, f.old_display, f.new_display) for f in changed] == [
        ("title", "签约额", "签约总额")
    ]
