"""The collaboration REST API: who may do what on the team, tasks and comments, bad input,
dependencies, notifications, the customer's interaction log, the schema and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from collaboration.models import (
    COMMENT_EDIT_WINDOW_MINUTES,
    Comment,
    Interaction,
    InteractionKind,
    Notification,
    NotificationKind,
    Task,
    TaskStatus,
)
from projects.models import ProjectMembership, Stage, TeamRole
from tests.factories import (
    CommentFactory,
    ContactFactory,
    DepartmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DENIED = {401}  # anonymous: the first authenticator (token) challenges, so 401


# --- fixtures and helpers -------------------------------------------------------------------
def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def other_project(manager):
    """Another project of the same owner (so the owner sees tasks of both)."""
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION)
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    return project


@pytest.fixture
def people(project, manager, director, team_member, colleague, observer, outsider):
    return {
        "anonymous": None,
        "outsider": outsider,
        "observer": observer,
        "assignee": team_member,
        "colleague": colleague,
        "owner": manager,
        "director": director,
    }


def task_state(task: Task) -> dict:
    """What a refused write must leave exactly as it was."""
    fresh = Task.objects.get(pk=task.pk)
    fields = ["title", "status", "progress", "assignee_id", "start_date", "due_date", "stage"]
    state = {name: getattr(fresh, name) for name in fields}
    state["dependencies"] = sorted(fresh.dependencies.values_list("pk", flat=True))
    return state


def make_notification(recipient, project, n: int = 0, **extra) -> Notification:
    values = {"kind": NotificationKind.MENTIONED, "event_key": f"test:{n}", "project": project}
    return Notification.objects.create(recipient=recipient, **{**values, **extra})


def assert_same_queries(few, many) -> None:
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- tasks: who may do what -----------------------------------------------------------------
TASK_MATRIX = [
    # who, list, detail, create, own progress, other fields, delete
    ("anonymous", DENIED, DENIED, DENIED, DENIED, DENIED, DENIED),
    ("outsider", {404}, {404}, {404}, {404}, {404}, {404}),
    ("observer", {200}, {200}, {403}, {403}, {403}, {403}),
    ("assignee", {200}, {200}, {403}, {200}, {403}, {403}),
    ("colleague", {200}, {200}, {403}, {403}, {403}, {403}),
    ("owner", {200}, {200}, {201}, {200}, {200}, {204}),
    ("director", {200}, {200}, {201}, {200}, {200}, {204}),
]


@pytest.mark.parametrize(
    ("who", "listed", "detail", "create", "progress", "other", "delete"), TASK_MATRIX
)
def test_task_permission_matrix(
    people, project, task, who, listed, detail, create, progress, other, delete
):
    client = api(people[who])
    tasks_url = url("project-tasks", project.pk)
    task_url = url("project-tasks-detail", project.pk, task.pk)

    listing = client.get(tasks_url)
    assert listing.status_code in listed
    if listing.status_code == 200:
        assert [row["id"] for row in listing.json()["results"]] == [task.pk]
    assert client.get(task_url).status_code in detail
    created = client.post(tasks_url, {"title": "Call the buyer"}, format="json")
    assert created.status_code in create
    assert Task.objects.filter(title="Call the buyer").exists() is (201 in create)
    moved = client.patch(task_url, {"status": "in_progress", "progress": 40}, format="json")
    assert moved.status_code in progress
    renamed = client.patch(task_url, {"title": "Renamed", "progress": 50}, format="json")
    assert renamed.status_code in other

    task.refresh_from_db()
    assert task.title == ("Renamed" if 200 in other else "Prepare the pilot")
    expected = 50 if 200 in other else 40 if 200 in progress else 0
    assert task.progress == expected
    assert client.delete(task_url).status_code in delete
    assert Task.objects.filter(pk=task.pk).exists() is (204 not in delete)


def test_assignee_updates_status_progress_and_blocked_reason(task, team_member):
    response = api(team_member).patch(
        url("project-tasks-detail", task.project_id, task.pk),
        {"status": "blocked", "progress": 30, "blocked_reason": "Waiting for the customer"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["progress"], body["blocked_reason"]) == (
        "blocked",
        30,
        "Waiting for the customer",
    )


def test_progress_100_alone_makes_the_task_done(task, team_member):
    response = api(team_member).patch(
        url("project-tasks-detail", task.project_id, task.pk), {"progress": 100}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == TaskStatus.DONE
    assert response.json()["completed_at"] is not None


@pytest.mark.parametrize(
    "change",
    [{"title": "Mine now"}, {"assignee": None}, {"due_date": "2030-01-01"}, {"dependencies": []}],
)
def test_assignee_cannot_change_other_fields(task, team_member, change):
    before = task_state(task)

    response = api(team_member).patch(
        url("project-tasks-detail", task.project_id, task.pk),
        {"progress": 10, **change},
        format="json",
    )

    assert response.status_code == 403
    assert task_state(task) == before


def test_read_only_fields_sent_back_do_not_count_as_changes(task, team_member):
    """A client may send back what it read; the fields nobody writes are ignored."""
    response = api(team_member).patch(
        url("project-tasks-detail", task.project_id, task.pk),
        {"id": 999, "created_at": "2001-01-01T00:00:00Z", "is_overdue": True, "progress": 20},
        format="json",
    )

    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).progress == 20


def test_an_assignee_made_observer_no_longer_updates_the_task(project, task, team_member):
    project.memberships.filter(user=team_member).update(role=TeamRole.OBSERVER)

    response = api(team_member).patch(
        url("project-tasks-detail", project.pk, task.pk), {"progress": 60}, format="json"
    )

    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).progress == 0


def test_owner_finishes_the_task_of_someone_who_left_the_team(project, task, team_member, manager):
    project.memberships.filter(user=team_member).update(left_on=TODAY())

    response = api(manager).patch(
        url("project-tasks-detail", project.pk, task.pk), {"status": "done"}, format="json"
    )

    assert response.status_code == 200
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_nobody_but_a_director_changes_tasks_of_a_closed_project(manager, director, member):
    project = ProjectFactory(owner=manager, stage=Stage.CLOSED)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    task = TaskFactory(project=project, assignee=member)
    task_url = url("project-tasks-detail", project.pk, task.pk)

    assert api(member).patch(task_url, {"progress": 10}, format="json").status_code == 403
    assert api(manager).patch(task_url, {"progress": 10}, format="json").status_code == 403
    assert api(director).patch(task_url, {"progress": 10}, format="json").status_code == 200


def test_owner_creates_a_task_with_every_field(project, manager, team_member):
    first = TaskFactory(project=project, assignee=None)
    department = DepartmentFactory()

    response = api(manager).post(
        url("project-tasks", project.pk),
        {
            "title": "Run the pilot",
            "description": "Two weeks at the harbour.",
            "stage": "strategy",
            "department": department.pk,
            "assignee": team_member.pk,
            "priority": "high",
            "start_date": "2030-01-01",
            "due_date": "2030-01-15",
            "estimate_hours": "12.5",
            "is_milestone": True,
            "dependencies": [first.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    task = Task.objects.get(pk=body["id"])
    assert (task.project, task.created_by, task.assignee) == (project, manager, team_member)
    assert body["dependencies"] == [first.pk]
    assert body["assignee_name"] == team_member.display_name
    assert body["department_name"] == department.name_en
    assert body["stage"] == "strategy"
    assert Notification.objects.filter(recipient=team_member, task=task).count() == 1


def test_a_new_task_serves_the_projects_current_stage_by_default(project, manager):
    response = api(manager).post(url("project-tasks", project.pk), {"title": "T"}, format="json")

    assert response.status_code == 201
    assert response.json()["stage"] == Stage.EXECUTION


def test_a_task_of_another_project_is_a_404(project, other_project, manager):
    elsewhere = TaskFactory(project=other_project)

    response = api(manager).get(url("project-tasks-detail", project.pk, elsewhere.pk))

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/projects/abc/tasks/", "/api/v1/projects/1/tasks/x/"])
def test_non_numeric_ids_are_a_404(manager, path):
    assert api(manager).get(path).status_code == 404


def test_an_enormous_id_is_a_404(project, manager):
    huge = 2**70

    assert api(manager).get(url("project-tasks", huge)).status_code == 404
    assert api(manager).get(url("project-tasks-detail", project.pk, huge)).status_code == 404


# --- tasks: bad input -----------------------------------------------------------------------
BAD_TASK_INPUT = [
    ({"progress": 150}, "progress"),
    ({"progress": -1}, "progress"),
    ({"progress": "lots"}, "progress"),
    ({"status": "finished"}, "status"),
    ({"start_date": "2030-01-10", "due_date": "2030-01-01"}, "due_date"),
    ({"due_date": "soon"}, "due_date"),
    ({"assignee": "outsider"}, "assignee"),
    ({"assignee": "observer"}, "assignee"),
    ({"assignee": 987654321}, "assignee"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"estimate_hours": "-1"}, "estimate_hours"),
    ({"department": 987654321}, "department"),
    ({"stage": "nowhere"}, "stage"),
    ({"priority": "whenever"}, "priority"),
    ({"dependencies": ["abc"]}, "dependencies"),
    ({"dependencies": [2**70]}, "dependencies"),
    ({"dependencies": 5}, "dependencies"),
]


def _resolve(change: dict, people: dict) -> dict:
    """Put the id of a named person where the table names one."""
    if isinstance(change.get("assignee"), str):
        return {**change, "assignee": people[change["assignee"]].pk}
    return change


@pytest.mark.parametrize(("change", "field"), BAD_TASK_INPUT)
def test_bad_new_task_is_a_400_on_the_field_and_saves_nothing(people, project, change, field):
    count = Task.objects.count()

    response = api(people["owner"]).post(
        url("project-tasks", project.pk), {"title": "T", **_resolve(change, people)}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert Task.objects.count() == count


@pytest.mark.parametrize(("change", "field"), BAD_TASK_INPUT)
def test_bad_task_change_is_a_400_on_the_field_and_changes_nothing(people, task, change, field):
    before = task_state(task)

    response = api(people["owner"]).patch(
        url("project-tasks-detail", task.project_id, task.pk),
        {"title": "Renamed", **_resolve(change, people)},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()
    assert task_state(task) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"progress": 150}, "progress"),
        ({"progress": -1}, "progress"),
        ({"status": "finished"}, "status"),
        ({"blocked_reason": "x" * 501}, "blocked_reason"),
    ],
)
def test_bad_progress_update_is_a_400_and_changes_nothing(task, team_member, change, field):
    before = task_state(task)

    response = api(team_member).patch(
        url("project-tasks-detail", task.project_id, task.pk), change, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert task_state(task) == before


@pytest.mark.parametrize("body", ["[1, 2]", '"progress=10"', "null", "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(task, manager, body):
    response = api(manager).patch(
        url("project-tasks-detail", task.project_id, task.pk),
        body,
        content_type="application/json",
    )

    assert response.status_code == 400


def test_readers_and_strangers_get_no_further_with_bad_input(people, task):
    """Who may act is decided before what they sent: no 400 that reveals anything."""
    task_url = url("project-tasks-detail", task.project_id, task.pk)

    assert api(people["observer"]).patch(task_url, {"progress": 999}).status_code == 403
    assert api(people["colleague"]).patch(task_url, {"title": ""}).status_code == 403
    assert api(people["outsider"]).patch(task_url, {"progress": 999}).status_code == 404


# --- tasks: dependencies --------------------------------------------------------------------
def test_dependencies_are_a_list_of_ids(project, manager):
    first, second = TaskFactory(project=project), TaskFactory(project=project)
    third = TaskFactory(project=project)
    third.dependencies.set([first, second])

    response = api(manager).get(url("project-tasks-detail", project.pk, third.pk))

    assert sorted(response.json()["dependencies"]) == sorted([first.pk, second.pk])


def test_a_cycle_is_a_400_on_dependencies_and_changes_nothing(project, manager):
    first, second, third = (TaskFactory(project=project) for _ in range(3))
    second.dependencies.set([first])
    third.dependencies.set([second])
    before = task_state(first)

    response = api(manager).patch(
        url("project-tasks-detail", project.pk, first.pk),
        {"title": "Loops back", "dependencies": [third.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "dependencies" in response.json()
    assert task_state(first) == before


def test_a_task_cannot_depend_on_itself(project, manager):
    task = TaskFactory(project=project)

    response = api(manager).patch(
        url("project-tasks-detail", project.pk, task.pk), {"dependencies": [task.pk]}, format="json"
    )

    assert response.status_code == 400
    assert "dependencies" in response.json()
    assert not task.dependencies.exists()


def test_a_dependency_on_a_task_of_another_project_is_a_400(project, other_project, manager):
    elsewhere = TaskFactory(project=other_project)
    task = TaskFactory(project=project)

    created = api(manager).post(
        url("project-tasks", project.pk),
        {"title": "Across", "dependencies": [elsewhere.pk]},
        format="json",
    )
    changed = api(manager).patch(
        url("project-tasks-detail", project.pk, task.pk),
        {"dependencies": [elsewhere.pk]},
        format="json",
    )

    assert created.status_code == changed.status_code == 400
    assert "dependencies" in created.json() and "dependencies" in changed.json()
    assert not Task.objects.filter(title="Across").exists()
    assert not task.dependencies.exists()


def test_a_task_of_an_invisible_project_is_not_even_found(project, manager):
    hidden = TaskFactory(project=ProjectFactory())

    response = api(manager).post(
        url("project-tasks", project.pk),
        {"title": "Peeking", "dependencies": [hidden.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "dependencies" in response.json()
    assert "same project" not in str(response.json())


def test_removing_every_dependency(project, manager):
    first, second = TaskFactory(project=project), TaskFactory(project=project)
    second.dependencies.set([first])

    response = api(manager).patch(
        url("project-tasks-detail", project.pk, second.pk), {"dependencies": []}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["dependencies"] == []


# --- tasks: filters and My tasks ------------------------------------------------------------
def _days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def test_task_filters(project, manager, team_member):
    monday = TODAY() - datetime.timedelta(days=TODAY().weekday())
    late = TaskFactory(project=project, title="Late quote", due_date=_days(-3), assignee=None)
    TaskFactory(project=project, title="Late but done", due_date=_days(-3), status="done")
    this_week = TaskFactory(project=project, title="Demo", due_date=monday, assignee=team_member)
    TaskFactory(project=project, title="Later", due_date=monday + datetime.timedelta(days=7))
    client = api(manager)

    def ids(**params):
        response = client.get(url("project-tasks", project.pk), params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids(overdue="true") == {late.pk} | ({this_week.pk} if monday < TODAY() else set())
    assert this_week.pk in ids(due_this_week="true")
    assert ids(assignee=team_member.pk) == {this_week.pk}
    assert ids(q="quote") == {late.pk}
    assert len(ids(status=["todo", "done"])) == 4
    assert ids(status="done") == {Task.objects.get(title="Late but done").pk}
    assert ids(stage="strategy") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "finished"},
        {"assignee": "abc"},
        {"assignee": "outsider"},
        {"department": "987654321"},
        {"stage": "nowhere"},
    ],
)
def test_an_unknown_filter_value_is_a_400(project, manager, outsider, params):
    if params.get("assignee") == "outsider":
        params = {"assignee": outsider.pk}

    response = api(manager).get(url("project-tasks", project.pk), params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_the_project_list_puts_overdue_tasks_first(project, manager):
    later = TaskFactory(project=project, due_date=_days(5))
    undated = TaskFactory(project=project, due_date=None)
    late = TaskFactory(project=project, due_date=_days(-5))

    response = api(manager).get(url("project-tasks", project.pk))

    assert [row["id"] for row in response.json()["results"]] == [late.pk, later.pk, undated.pk]
    assert response.json()["results"][0]["is_overdue"] is True


def test_my_tasks_are_mine_across_visible_projects_overdue_first(
    project, other_project, manager, team_member, colleague
):
    ProjectMembershipFactory(project=other_project, user=team_member, role=TeamRole.MEMBER)
    soon = TaskFactory(project=project, assignee=team_member, due_date=_days(2))
    late = TaskFactory(project=other_project, assignee=team_member, due_date=_days(-2))
    TaskFactory(project=project, assignee=colleague)
    left = ProjectFactory(owner=manager)
    ProjectMembershipFactory(project=left, user=team_member, left_on=TODAY())
    TaskFactory(project=left, assignee=team_member)  # a project they no longer see

    response = api(team_member).get(url("my-tasks"))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [late.pk, soon.pk]
    filtered = api(team_member).get(url("my-tasks"), {"overdue": "true"})
    assert [row["id"] for row in filtered.json()["results"]] == [late.pk]


def test_my_tasks_need_a_sign_in(db):
    assert api().get(url("my-tasks")).status_code in DENIED


# --- the team -------------------------------------------------------------------------------
MEMBER_MATRIX = [
    # who, list, add, change, remove
    ("anonymous", DENIED, DENIED, DENIED, DENIED),
    ("outsider", {404}, {404}, {404}, {404}),
    ("observer", {200}, {403}, {403}, {403}),
    ("assignee", {200}, {403}, {403}, {403}),
    ("owner", {200}, {201}, {200}, {204}),
    ("director", {200}, {201}, {200}, {204}),
]


@pytest.mark.parametrize(("who", "listed", "add", "change", "remove"), MEMBER_MATRIX)
def test_member_permission_matrix(people, project, colleague, who, listed, add, change, remove):
    client = api(people[who])
    newcomer = UserFactory(username="nina-newcomer", role=Role.MEMBER)
    membership = project.memberships.get(user=colleague)
    members_url = url("project-members", project.pk)
    member_url = url("project-members-detail", project.pk, membership.pk)

    listing = client.get(members_url)
    assert listing.status_code in listed
    if listing.status_code == 200:
        assert colleague.pk in [row["user"] for row in listing.json()["results"]]
    added = client.post(members_url, {"user": newcomer.pk, "role": "solution_lead"}, format="json")
    assert added.status_code in add
    assert project.memberships.filter(user=newcomer).exists() is (201 in add)
    changed = client.patch(member_url, {"role": "account_lead"}, format="json")
    assert changed.status_code in change
    removed = client.delete(member_url)
    assert removed.status_code in remove

    membership.refresh_from_db()
    assert (membership.role == TeamRole.ACCOUNT_LEAD) is (200 in change)
    assert (membership.left_on is not None) is (204 in remove)


def test_the_team_lists_active_members_unless_asked_for_those_who_left(project, manager, colleague):
    project.memberships.filter(user=colleague).update(left_on=TODAY())
    client = api(manager)

    active = client.get(url("project-members", project.pk))
    everyone = client.get(url("project-members", project.pk), {"include_left": "1"})

    assert colleague.pk not in [row["user"] for row in active.json()["results"]]
    assert [row["user"] for row in everyone.json()["results"]][-1] == colleague.pk
    bad = client.get(url("project-members", project.pk), {"include_left": "perhaps"})
    assert bad.status_code == 400 and "include_left" in bad.json()


def test_owner_adds_a_member_with_department_and_responsibilities(project, manager):
    newcomer = UserFactory(username="nina-newcomer", role=Role.MEMBER)
    department = DepartmentFactory()

    response = api(manager).post(
        url("project-members", project.pk),
        {
            "user": newcomer.pk,
            "role": "fulfilment_lead",
            "department": department.pk,
            "responsibilities": "Delivery plan",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user_name"] == newcomer.display_name
    assert body["department_name"] == department.name_en
    assert body["responsibilities"] == "Delivery plan"
    assert body["left_on"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user": "member", "role": "member"}, "user"),  # already on the team
        ({"user": "newcomer", "role": "owner"}, "role"),
        ({"user": "newcomer", "role": "boss"}, "role"),
        ({"user": "newcomer"}, "role"),
        ({"role": "member"}, "user"),
        ({"user": 987654321, "role": "member"}, "user"),
        ({"user": "abc", "role": "member"}, "user"),
        ({"user": "newcomer", "role": "member", "department": 987654321}, "department"),
    ],
)
def test_bad_new_member_is_a_400_and_saves_nothing(project, manager, team_member, body, field):
    newcomer = UserFactory(username="nina-newcomer", role=Role.MEMBER)
    names = {"member": team_member.pk, "newcomer": newcomer.pk}
    body = {**body, "user": names.get(body.get("user"), body.get("user"))}
    if body["user"] is None:
        del body["user"]
    count = ProjectMembership.objects.count()

    response = api(manager).post(url("project-members", project.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert ProjectMembership.objects.count() == count


def test_the_owner_stays_owner_and_on_the_team(project, manager):
    owner_row = project.memberships.get(user=manager)
    client = api(manager)
    member_url = url("project-members-detail", project.pk, owner_row.pk)

    demoted = client.patch(member_url, {"role": "member"}, format="json")
    removed = client.delete(member_url)

    assert demoted.status_code == removed.status_code == 400
    assert "role" in demoted.json() and "role" in removed.json()
    owner_row.refresh_from_db()
    assert (owner_row.role, owner_row.left_on) == (TeamRole.OWNER, None)


def test_someone_who_left_is_not_changed_but_may_be_added_again(project, manager, colleague):
    membership = project.memberships.get(user=colleague)
    client = api(manager)
    member_url = url("project-members-detail", project.pk, membership.pk)
    assert client.delete(member_url).status_code == 204

    changed = client.patch(member_url, {"role": "account_lead"}, format="json")
    again = client.post(
        url("project-members", project.pk), {"user": colleague.pk, "role": "member"}
    )

    assert changed.status_code == 409
    assert again.status_code == 201
    assert project.memberships.filter(user=colleague).count() == 2


def test_a_member_of_another_project_is_a_404(project, other_project, manager):
    elsewhere = other_project.memberships.get(user=manager)

    response = api(manager).get(url("project-members-detail", project.pk, elsewhere.pk))

    assert response.status_code == 404


# --- comments -------------------------------------------------------------------------------
COMMENT_MATRIX = [
    # who, list, post, edit someone else's, delete someone else's
    ("anonymous", DENIED, DENIED, DENIED, DENIED),
    ("outsider", {404}, {404}, {404}, {404}),
    ("observer", {200}, {403}, {403}, {403}),
    ("assignee", {200}, {201}, {403}, {403}),
    ("owner", {200}, {201}, {403}, {204}),
    ("director", {200}, {201}, {403}, {204}),
]


@pytest.mark.parametrize(("who", "listed", "post", "edit", "delete"), COMMENT_MATRIX)
def test_comment_permission_matrix(people, project, colleague, who, listed, post, edit, delete):
    client = api(people[who])
    theirs = CommentFactory(project=project, author=colleague, body="First!")
    comment_url = url("project-comments-detail", project.pk, theirs.pk)

    listing = client.get(url("project-comments", project.pk))
    assert listing.status_code in listed
    posted = client.post(url("project-comments", project.pk), {"body": "Hello"}, format="json")
    assert posted.status_code in post
    assert Comment.objects.filter(body="Hello").exists() is (201 in post)
    assert client.patch(comment_url, {"body": "Edited"}, format="json").status_code in edit
    assert client.delete(comment_url).status_code in delete

    theirs.refresh_from_db()
    assert theirs.body == "First!"
    assert (theirs.deleted_at is not None) is (204 in delete)


def test_a_member_posts_on_a_task_and_mentions_a_colleague(project, task, team_member, colleague):
    response = api(team_member).post(
        url("project-comments", project.pk),
        {"body": f"@{colleague.username} can you check?", "task": task.pk},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["task"], body["author"], body["mentions"]) == (
        task.pk,
        team_member.pk,
        [colleague.pk],
    )
    assert Notification.objects.filter(recipient=colleague, kind="mentioned").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "   "}, "body"),
        ({}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "@oscar-outsider look"}, "body"),
        ({"body": "@nobody-at-all look"}, "body"),
        ({"body": "On a task", "task": "abc"}, "task"),
        ({"body": "On a task", "task": 987654321}, "task"),
        ({"body": "On a task", "task": "elsewhere"}, "task"),
    ],
)
def test_bad_comment_is_a_400_and_saves_nothing(
    project, other_project, team_member, outsider, body, field
):
    if body.get("task") == "elsewhere":
        body = {**body, "task": TaskFactory(project=other_project).pk}

    response = api(team_member).post(url("project-comments", project.pk), body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Comment.objects.exists()
    assert not Notification.objects.exists()


def test_comments_of_one_task_and_never_the_deleted_ones(project, task, manager):
    on_project = CommentFactory(project=project)
    on_task = CommentFactory(project=project, task=task)
    CommentFactory(project=project, deleted_at=timezone.now())
    client = api(manager)

    everything = client.get(url("project-comments", project.pk))
    of_task = client.get(url("project-comments", project.pk), {"task": task.pk})
    bad = client.get(url("project-comments", project.pk), {"task": "abc"})

    assert [row["id"] for row in everything.json()["results"]] == [on_project.pk, on_task.pk]
    assert [row["id"] for row in of_task.json()["results"]] == [on_task.pk]
    assert bad.status_code == 400 and "task" in bad.json()


def test_the_author_edits_within_the_window_only(project, team_member):
    comment = CommentFactory(project=project, author=team_member, body="Frist")
    comment_url = url("project-comments-detail", project.pk, comment.pk)
    client = api(team_member)

    fixed = client.patch(comment_url, {"body": "First"}, format="json")
    assert fixed.status_code == 200
    assert fixed.json()["edited_at"] is not None
    late = timezone.now() - datetime.timedelta(minutes=COMMENT_EDIT_WINDOW_MINUTES + 1)
    Comment.objects.filter(pk=comment.pk).update(created_at=late)
    too_late = client.patch(comment_url, {"body": "Second thoughts"}, format="json")

    assert too_late.status_code == 400
    assert "body" in too_late.json()
    assert Comment.objects.get(pk=comment.pk).body == "First"


def test_an_edit_to_nothing_is_a_400(project, team_member):
    comment = CommentFactory(project=project, author=team_member, body="Keep me")

    response = api(team_member).patch(
        url("project-comments-detail", project.pk, comment.pk), {"body": "  "}, format="json"
    )

    assert response.status_code == 400
    assert "body" in response.json()
    assert Comment.objects.get(pk=comment.pk).body == "Keep me"


def test_deleting_hides_the_comment_but_keeps_the_row(project, team_member):
    comment = CommentFactory(project=project, author=team_member)
    comment_url = url("project-comments-detail", project.pk, comment.pk)
    client = api(team_member)

    assert client.delete(comment_url).status_code == 204

    assert client.get(comment_url).status_code == 404
    assert client.delete(comment_url).status_code == 404
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None
    assert client.get(url("project-comments", project.pk)).json()["count"] == 0


# --- notifications --------------------------------------------------------------------------
def test_notifications_are_only_ones_own(project, team_member, colleague):
    mine = make_notification(team_member, project, 1)
    make_notification(colleague, project, 2)

    response = api(team_member).get(url("notification-list"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["project_name"] == project.name
    assert project.name in rows[0]["text"]


def test_unread_only_and_the_count(project, team_member):
    unread = make_notification(team_member, project, 1)
    make_notification(team_member, project, 2, read_at=timezone.now())
    client = api(team_member)

    listing = client.get(url("notification-list"), {"unread": "1"})
    count = client.get(url("notification-unread-count"))

    assert [row["id"] for row in listing.json()["results"]] == [unread.pk]
    assert count.json() == {"unread": 1}


def test_mark_read_by_ids_ignores_someone_elses(project, team_member, colleague):
    first = make_notification(team_member, project, 1)
    second = make_notification(team_member, project, 2)
    theirs = make_notification(colleague, project, 3)

    response = api(team_member).post(
        url("notification-mark-read"), {"ids": [first.pk, theirs.pk]}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"marked": 1}
    first.refresh_from_db(), second.refresh_from_db(), theirs.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None and theirs.read_at is None


def test_mark_all_read(project, team_member, colleague):
    make_notification(team_member, project, 1)
    make_notification(team_member, project, 2)
    theirs = make_notification(colleague, project, 3)
    client = api(team_member)

    response = client.post(url("notification-mark-read"), {"all": True}, format="json")

    assert response.json() == {"marked": 2}
    assert client.get(url("notification-unread-count")).json() == {"unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"all": False},
        {"ids": []},
        {"ids": ["abc"]},
        {"ids": [0]},
        {"ids": [2**70]},
        {"ids": list(range(1, 102))},
        {"ids": [1], "all": True},
        {"ids": 1},
    ],
)
def test_bad_mark_read_is_a_400_and_marks_nothing(project, team_member, body):
    unread = make_notification(team_member, project, 1)

    response = api(team_member).post(url("notification-mark-read"), body, format="json")

    assert response.status_code == 400
    unread.refresh_from_db()
    assert unread.read_at is None


@pytest.mark.parametrize("name", ["notification-list", "notification-unread-count"])
def test_notifications_need_a_sign_in(db, name):
    assert api().get(url(name)).status_code in DENIED
    assert api().post(url("notification-mark-read"), {"all": True}).status_code in DENIED


# --- the customer's interaction log ---------------------------------------------------------
@pytest.fixture
def customer(project):
    return project.customer


@pytest.fixture
def sibling(customer, other_manager_user):
    """Another project of the same customer, with another owner and its own team."""
    project = ProjectFactory(customer=customer, owner=other_manager_user)
    ProjectMembershipFactory(project=project, user=other_manager_user, role=TeamRole.OWNER)
    return project


@pytest.fixture
def other_manager_user(db):
    return UserFactory(username="olga-manager", role=Role.SALES_MANAGER)


@pytest.fixture
def logged(sibling, other_manager_user):
    """An entry logged on the sibling project, which the first project's team cannot see."""
    return Interaction.objects.create(
        customer=sibling.customer,
        project=sibling,
        kind=InteractionKind.CALL,
        occurred_on=TODAY(),
        user=other_manager_user,
        summary="Budget confirmed.",
    )


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        # The first project's team works with the same customer, on another deal (issue 16).
        ("owner", False),
        ("assignee", False),
        ("observer", False),
        ("sibling owner", True),
        ("director", True),
        ("outsider", False),
    ],
)
def test_who_reads_the_customers_interaction_log(
    people, customer, logged, other_manager_user, who, sees
):
    user = other_manager_user if who == "sibling owner" else people[who]
    response = api(user).get(url("customer-interactions", customer.pk))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert ([row["id"] for row in rows] == [logged.pk]) is sees
    assert (rows == []) is not sees


def test_the_log_of_an_unknown_customer_is_a_404(manager):
    assert api(manager).get(url("customer-interactions", 987654321)).status_code == 404
    assert api().get(url("customer-interactions", 987654321)).status_code in DENIED


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 201),
        ("assignee", 201),
        ("director", 201),
        ("observer", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
def test_who_logs_an_interaction(people, project, customer, who, status):
    response = api(people[who]).post(
        url("customer-interactions", customer.pk),
        {"kind": "meeting", "occurred_on": str(TODAY()), "project": project.pk, "summary": "Met"},
        format="json",
    )

    assert response.status_code == status
    assert Interaction.objects.filter(summary="Met").exists() is (status == 201)
    if status == 201:
        body = response.json()
        assert (body["customer"], body["user"]) == (customer.pk, people[who].pk)
        assert body["project_code"] == project.code


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"occurred_on": "yesterday"}, "occurred_on"),
        ({"summary": ""}, "summary"),
        ({"summary": "   "}, "summary"),
        ({"kind": "telepathy"}, "kind"),
        ({"contact": "of another customer"}, "contact"),
        ({"contact": 987654321}, "contact"),
        ({"project": "of another customer"}, "project"),
        ({"project": "abc"}, "project"),
        ({"next_step": "x" * 501}, "next_step"),
    ],
)
def test_bad_interaction_is_a_400_and_saves_nothing(team_member, project, customer, change, field):
    if change.get("contact") == "of another customer":
        change = {"contact": ContactFactory().pk}
    if change.get("project") == "of another customer":
        change = {"project": ProjectFactory(owner=project.owner).pk}
    body = {"kind": "call", "occurred_on": str(TODAY()), "project": project.pk, "summary": "S"}

    response = api(team_member).post(
        url("customer-interactions", customer.pk), {**body, **change}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Interaction.objects.exists()


def test_a_contact_of_the_customer_is_named(team_member, project, customer):
    contact = ContactFactory(customer=customer, name="Wang Lei")

    response = api(team_member).post(
        url("customer-interactions", customer.pk),
        {
            "kind": "visit",
            "occurred_on": str(TODAY()),
            "project": project.pk,
            "contact": contact.pk,
            "summary": "Site visit",
            "next_step": "Send the quote",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["contact_name"] == "Wang Lei"


# --- query counts ---------------------------------------------------------------------------
def _count(client, path, params=None) -> tuple[CaptureQueriesContext, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return queries, response.json()


def test_task_list_runs_a_fixed_number_of_queries(project, manager, team_member):
    def add(n):
        first = TaskFactory(project=project, assignee=team_member, department=DepartmentFactory())
        for _ in range(n - 1):
            task = TaskFactory(
                project=project, assignee=team_member, department=DepartmentFactory()
            )
            task.dependencies.set([first])

    add(1)
    few, _ = _count(api(manager), url("project-tasks", project.pk))
    add(24)
    many, body = _count(
        api(type(manager).objects.get(pk=manager.pk)), url("project-tasks", project.pk)
    )

    assert body["count"] == 25
    assert_same_queries(few, many)


def test_my_tasks_run_a_fixed_number_of_queries(project, other_project, team_member):
    ProjectMembershipFactory(project=other_project, user=team_member)
    TaskFactory(project=project, assignee=team_member)
    few, _ = _count(api(team_member), url("my-tasks"), {"overdue": "false"})
    for n in range(24):
        TaskFactory(project=(project, other_project)[n % 2], assignee=team_member)
    fresh = type(team_member).objects.get(pk=team_member.pk)
    many, body = _count(api(fresh), url("my-tasks"), {"overdue": "false"})

    assert body["count"] == 25
    assert_same_queries(few, many)


def test_comment_list_runs_a_fixed_number_of_queries(project, manager, team_member, colleague):
    def add(n):
        for _ in range(n):
            author = UserFactory(role=Role.MEMBER)
            ProjectMembershipFactory(project=project, user=author)
            comment = CommentFactory(project=project, author=author)
            comment.mentions.set([team_member, colleague])

    add(1)
    few, _ = _count(api(manager), url("project-comments", project.pk))
    add(24)
    many, body = _count(
        api(type(manager).objects.get(pk=manager.pk)), url("project-comments", project.pk)
    )

    assert body["count"] == 25
    assert_same_queries(few, many)


def test_notification_list_runs_a_fixed_number_of_queries(project, team_member):
    def add(start, end):
        for n in range(start, end):
            actor = UserFactory(role=Role.MEMBER)
            task = TaskFactory(project=project, assignee=team_member)
            kind = (NotificationKind.TASK_ASSIGNED, NotificationKind.STAGE_CHANGED)[n % 2]
            make_notification(
                team_member, project, n, kind=kind, task=task, actor=actor, data={"to": "closure"}
            )

    add(0, 1)
    few, _ = _count(api(team_member), url("notification-list"))
    add(1, 25)
    fresh = type(team_member).objects.get(pk=team_member.pk)
    many, body = _count(api(fresh), url("notification-list"))

    assert body["count"] == 25
    assert_same_queries(few, many)


def test_member_list_runs_a_fixed_number_of_queries(project, manager):
    def add(n):
        for _ in range(n):
            ProjectMembershipFactory(project=project, department=DepartmentFactory())

    few, _ = _count(api(manager), url("project-members", project.pk))
    add(24)
    many, body = _count(
        api(type(manager).objects.get(pk=manager.pk)), url("project-members", project.pk)
    )

    assert body["count"] == 25
    assert_same_queries(few, many)


def test_interaction_log_runs_a_fixed_number_of_queries(project, customer, manager):
    def add(n):
        for _ in range(n):
            Interaction.objects.create(
                customer=customer, project=project, kind="call", occurred_on=TODAY(),
                user=UserFactory(), contact=ContactFactory(customer=customer), summary="S",
            )  # fmt: skip

    add(1)
    few, _ = _count(api(manager), url("customer-interactions", customer.pk))
    add(24)
    fresh = type(manager).objects.get(pk=manager.pk)
    many, body = _count(api(fresh), url("customer-interactions", customer.pk))

    assert body["count"] == 25
    assert_same_queries(few, many)


# --- the API as a whole ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["project-tasks", "project-members", "project-comments", "my-tasks", "notification-list"],
)
def test_browsable_api_pages_render(client, project, task, manager, name):
    client.force_login(manager)
    args = [] if name in ("my-tasks", "notification-list") else [project.pk]

    response = client.get(url(name, *args), HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_options_describe_the_task_endpoints(project, task, manager):
    client = api(manager)

    assert client.options(url("project-tasks", project.pk)).status_code == 200
    assert client.options(url("project-tasks-detail", project.pk, task.pk)).status_code == 200


def test_answers_come_in_the_persons_language(project, manager):
    manager.language = "zh-hans"
    manager.save()

    response = api(manager).post(
        url("project-tasks", project.pk), {"title": "T", "progress": 150}, format="json"
    )

    assert response.status_code == 400
    assert "100" in response.json()["progress"][0]
    assert any("\u4e00" <= char <= "\u9fff" for char in response.json()["progress"][0])


def test_the_schema_documents_the_team_work_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    schema = (tmp_path / "schema.yml").read_text()
    for path in [
        "/api/v1/projects/{project_pk}/members/{id}/",
        "/api/v1/projects/{project_pk}/tasks/{id}/",
        "/api/v1/projects/{project_pk}/comments/{id}/",
        "/api/v1/tasks/mine/",
        "/api/v1/notifications/mark-read/",
        "/api/v1/notifications/unread-count/",
        "/api/v1/customers/{customer_pk}/interactions/",
    ]:
        assert f"  {path}:" in schema
