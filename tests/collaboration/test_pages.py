"""The team-work pages: who may see and change what, bad input next to the field, one-click
updates through htmx, and query counts that do not grow with the rows shown."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from collaboration.models import Activity, ActivityVerb, Comment, Interaction, Task, TaskStatus
from collaboration.services import comment_post, task_save
from customers.models import Contact
from projects.models import ProjectMembership, Stage, TeamRole
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    TaskFactory,
    UserFactory,
)
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate  # called at use: a run may cross midnight


@pytest.fixture
def project(manager):
    return ProjectFactory(owner=manager, stage=Stage.EXECUTION)


@pytest.fixture
def team_member(project, member):
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.SOLUTION_LEAD)
    return member


@pytest.fixture
def colleague(project):
    """Another member of the same team (not the assignee of the test task)."""
    return ProjectMembershipFactory(project=project, role=TeamRole.MEMBER).user


@pytest.fixture
def observer(project):
    return ProjectMembershipFactory(project=project, role=TeamRole.OBSERVER).user


@pytest.fixture
def task(project, team_member):
    return TaskFactory(project=project, assignee=team_member, due_date=TODAY())


def people(request, who: str):
    return None if who == "anonymous" else request.getfixturevalue(who)


# --- who sees the pages ------------------------------------------------------------------------
PAGES = [
    ("collaboration:team", lambda p, t: [p.pk]),
    ("collaboration:task_list", lambda p, t: [p.pk]),
    ("collaboration:task_board", lambda p, t: [p.pk]),
    ("collaboration:task_detail", lambda p, t: [p.pk, t.pk]),
    ("collaboration:project_activity", lambda p, t: [p.pk]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 200),
        ("director", 200),
        ("team_member", 200),
        ("observer", 200),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_project_pages_by_role(client, request, project, task, name, args, who, status):
    user = people(request, who)
    if user:
        client.force_login(user)

    response = client.get(reverse(name, args=args(project, task)))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 200), ("director", 200), ("team_member", 403), ("observer", 403)],
)
def test_only_owner_and_directors_open_the_task_form(client, request, project, who, status):
    client.force_login(people(request, who))

    assert client.get(reverse("collaboration:task_create", args=[project.pk])).status_code == status


# --- team ----------------------------------------------------------------------------------------
def test_owner_adds_a_member_and_the_feed_says_so(client, manager, project):
    person = UserFactory(role=Role.MEMBER)
    department = DepartmentFactory()
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:team", args=[project.pk]),
        {
            "team-user": person.pk,
            "team-department": department.pk,
            "team-role": TeamRole.ACCOUNT_LEAD,
            "team-responsibilities": "Owns the relationship",
        },
    )

    assert response.status_code == 302
    membership = ProjectMembership.objects.get(project=project, user=person)
    assert membership.role == TeamRole.ACCOUNT_LEAD
    assert Activity.objects.filter(
        project=project, verb=ActivityVerb.MEMBER_ADDED, subject_user=person
    ).exists()


@pytest.mark.parametrize("who", ["team_member", "observer"])
def test_members_cannot_change_the_team(client, request, project, who):
    person = UserFactory(role=Role.MEMBER)
    client.force_login(people(request, who))

    response = client.post(
        reverse("collaboration:team", args=[project.pk]),
        {"team-user": person.pk, "team-role": TeamRole.MEMBER},
    )

    assert response.status_code == 403
    assert not ProjectMembership.objects.filter(project=project, user=person).exists()


def test_adding_someone_twice_is_an_error_next_to_the_field(client, manager, project, team_member):
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:team", args=[project.pk]),
        {"team-user": team_member.pk, "team-role": TeamRole.MEMBER},
    )

    assert response.status_code == 400
    assert "already on the team" in response.context["form"].errors["user"][0]
    assert ProjectMembership.objects.filter(project=project, user=team_member).count() == 1


def test_removing_a_member_keeps_the_row_with_a_leaving_date(client, manager, project, colleague):
    membership = ProjectMembership.objects.get(project=project, user=colleague)
    client.force_login(manager)

    client.post(reverse("collaboration:membership_remove", args=[project.pk, membership.pk]))

    membership.refresh_from_db()
    assert membership.left_on == TODAY()


def test_matrix_shows_tasks_by_department_and_the_gaps(client, manager, project):
    solution = DepartmentFactory(code="solution-x")
    lead = ProjectMembershipFactory(
        project=project, department=solution, role=TeamRole.SOLUTION_LEAD
    ).user
    TaskFactory(project=project, assignee=lead, department=solution, stage=Stage.STRATEGY)
    TaskFactory(
        project=project,
        assignee=lead,
        department=solution,
        stage=Stage.STRATEGY,
        status=TaskStatus.DONE,
    )
    client.force_login(manager)

    response = client.get(reverse("collaboration:team", args=[project.pk]))

    matrix = response.context["matrix"]
    row = next(r for r in matrix.rows if r.department == solution)
    strategy = matrix.stages.index(Stage.STRATEGY)
    assert (row.cells[strategy].tasks, row.cells[strategy].open_tasks) == (2, 1)
    assert str(TeamRole.SOLUTION_LEAD.label) in row.cells[strategy].leads
    gaps = dict(matrix.gaps)
    assert any("account lead" in problem for problem in gaps[Stage.INITIATION])
    assert any("tasks" in problem for problem in gaps[Stage.INITIATION])
    assert not any("solution lead" in problem for problem in gaps[Stage.STRATEGY])


# --- tasks: form and rules -----------------------------------------------------------------------
def task_form(**overrides) -> dict:
    data = {
        "title": "Prepare the demo",
        "stage": Stage.EXECUTION,
        "status": TaskStatus.TODO,
        "priority": "normal",
        "progress": 0,
    }
    data.update(overrides)
    return data


def test_owner_creates_a_task_for_a_member(client, manager, project, team_member):
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:task_create", args=[project.pk]),
        task_form(assignee=team_member.pk, start_date=TODAY(), due_date=TODAY()),
    )

    task = Task.objects.get(project=project, title="Prepare the demo")
    assert response.status_code == 302
    assert task.assignee == team_member
    assert task.created_by == manager


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"assignee": "outsider"}, "assignee"),
        ({"start_date": "2027-01-10", "due_date": "2027-01-09"}, "due_date"),
        ({"progress": 150}, "progress"),
        ({"progress": -1}, "progress"),
        ({"title": ""}, "title"),
        ({"due_date": "not a date"}, "due_date"),
    ],
)
def test_bad_task_input_is_an_error_next_to_the_field(
    client, request, manager, project, overrides, field
):
    if overrides.get("assignee") == "outsider":
        overrides = {"assignee": request.getfixturevalue("outsider").pk}
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:task_create", args=[project.pk]), task_form(**overrides)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Task.objects.filter(project=project).exists()


def test_a_dependency_cycle_is_refused_on_the_form(client, manager, project):
    first = TaskFactory(project=project, title="First")
    second = TaskFactory(project=project, title="Second")
    second.dependencies.add(first)
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:task_edit", args=[project.pk, first.pk]),
        task_form(title="First", assignee=manager.pk, dependencies=[second.pk]),
    )

    assert response.status_code == 200
    assert "cycle" in response.context["form"].errors["dependencies"][0]
    assert list(first.dependencies.all()) == []


def test_another_projects_task_is_not_offered_as_a_dependency(client, manager, project):
    foreign = TaskFactory(project=ProjectFactory(owner=manager))
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:task_create", args=[project.pk]),
        task_form(assignee=manager.pk, dependencies=[foreign.pk]),
    )

    assert "dependencies" in response.context["form"].errors
    assert not Task.objects.filter(project=project).exists()


# --- one-click updates ---------------------------------------------------------------------------
def test_assignee_marks_done_in_one_click_and_gets_the_row_back(client, task, team_member):
    client.force_login(team_member)

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"status": TaskStatus.DONE, "view": "my"},
        HTTP_HX_REQUEST="true",
    )

    task.refresh_from_db()
    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in response.content.decode()
    assert (task.status, task.progress) == (TaskStatus.DONE, 100)
    assert task.completed_at is not None
    assert Activity.objects.filter(task=task, verb=ActivityVerb.TASK_STATUS).count() == 1


def test_progress_moves_the_status_along(client, task, team_member):
    client.force_login(team_member)

    client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"progress": 40, "view": "my"},
    )

    task.refresh_from_db()
    assert (task.status, task.progress) == (TaskStatus.IN_PROGRESS, 40)


@pytest.mark.parametrize("progress", ["150", "-5", "lots"])
def test_bad_progress_is_reported_in_the_row_and_nothing_changes(
    client, task, team_member, progress
):
    client.force_login(team_member)

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"progress": progress, "view": "my"},
        HTTP_HX_REQUEST="true",
    )

    task.refresh_from_db()
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    assert (task.status, task.progress) == (TaskStatus.TODO, 0)


# The team sees the task but may not update another's (403); the outsider does not see it (404).
@pytest.mark.parametrize(
    ("who", "status"), [("colleague", 403), ("observer", 403), ("outsider", 404)]
)
def test_others_cannot_update_a_members_task(client, request, task, who, status):
    client.force_login(people(request, who))

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"status": TaskStatus.DONE},
    )

    task.refresh_from_db()
    assert response.status_code == status
    assert task.status == TaskStatus.TODO


def test_kanban_move_returns_the_board_with_the_card_in_its_new_column(client, manager, task):
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:task_progress", args=[task.project_id, task.pk]),
        {"status": TaskStatus.BLOCKED, "blocked_reason": "Waiting for the site", "view": "kanban"},
        HTTP_HX_REQUEST="true",
    )

    columns = {status: cards for status, _label, cards, _total in response.context["columns"]}
    assert [t.pk for t in columns[TaskStatus.BLOCKED]] == [task.pk]
    assert columns[TaskStatus.TODO] == []


def test_my_tasks_lists_overdue_first_and_only_mine(client, project, team_member):
    later = TaskFactory(
        project=project, assignee=team_member, due_date=TODAY() + datetime.timedelta(3)
    )
    overdue = TaskFactory(
        project=project, assignee=team_member, due_date=TODAY() - datetime.timedelta(2)
    )
    done = TaskFactory(
        project=project,
        assignee=team_member,
        due_date=TODAY() - datetime.timedelta(9),
        status=TaskStatus.DONE,
    )
    TaskFactory(project=project)  # the owner's
    client.force_login(team_member)

    response = client.get(reverse("collaboration:my_tasks"))

    assert [t.pk for t in response.context["page"]] == [overdue.pk, later.pk, done.pk]
    assert 'data-testid="overdue"' in response.content.decode()


def test_my_tasks_leaves_out_projects_i_left(client, project, team_member):
    TaskFactory(project=project, assignee=team_member)
    ProjectMembership.objects.filter(project=project, user=team_member).update(left_on=TODAY())
    client.force_login(team_member)

    response = client.get(reverse("collaboration:my_tasks"))

    assert list(response.context["page"]) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=blocked", ["blocked"]),
        ("overdue=true", ["overdue"]),
        ("due_this_week=true", ["this week"]),
        ("stage=strategy", ["strategy"]),
        ("q=BLOCK", ["blocked"]),
    ],
)
def test_task_list_filters(client, manager, project, query, expected):
    monday = TODAY() - datetime.timedelta(days=TODAY().weekday())
    TaskFactory(project=project, title="blocked", status=TaskStatus.BLOCKED)
    TaskFactory(project=project, title="overdue", due_date=TODAY() - datetime.timedelta(30))
    TaskFactory(project=project, title="this week", due_date=monday + datetime.timedelta(6))
    TaskFactory(project=project, title="strategy", stage=Stage.STRATEGY)
    client.force_login(manager)

    response = client.get(reverse("collaboration:task_list", args=[project.pk]) + "?" + query)

    titles = [t.title for t in response.context["page"]]
    assert sorted(titles) == sorted(expected)


def test_task_list_ignores_nonsense_filters(client, manager, project):
    client.force_login(manager)

    response = client.get(
        reverse("collaboration:task_list", args=[project.pk]) + "?assignee=abc&overdue=maybe"
    )

    assert response.status_code == 200


# --- comments ------------------------------------------------------------------------------------
def test_member_comments_with_a_mention(client, project, team_member, colleague):
    client.force_login(team_member)

    response = client.post(
        reverse("collaboration:comment_post", args=[project.pk]),
        {"body": f"@{colleague.username} can you check the price list?"},
    )

    comment = Comment.objects.get(project=project)
    assert response.status_code == 302
    assert list(comment.mentions.all()) == [colleague]


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write something"), ("@outsider-x please look", "@outsider-x")],
)
def test_bad_comments_are_refused_next_to_the_field(client, project, team_member, body, message):
    UserFactory(username="outsider-x")
    client.force_login(team_member)

    response = client.post(reverse("collaboration:comment_post", args=[project.pk]), {"body": body})

    assert response.status_code == 400
    assert message in response.context["comment_form"].errors["body"][0]
    assert not Comment.objects.exists()


def test_observer_cannot_comment(client, project, observer):
    client.force_login(observer)

    response = client.post(
        reverse("collaboration:comment_post", args=[project.pk]), {"body": "Hello"}
    )

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_comment_edit_window(client, project, team_member):
    comment = comment_post(project=project, actor=team_member, body="First draft")
    client.force_login(team_member)
    url = reverse("collaboration:comment_edit", args=[project.pk, comment.pk])

    client.post(url, {"body": "Corrected"})
    comment.refresh_from_db()
    assert comment.body == "Corrected"

    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    response = client.post(url, {"body": "Too late"})
    comment.refresh_from_db()
    assert "minutes" in response.context["form"].errors["body"][0]
    assert comment.body == "Corrected"


def test_deleting_a_comment_hides_it_but_keeps_the_row(client, manager, project, team_member):
    comment = comment_post(project=project, actor=team_member, body="Remove me")
    client.force_login(manager)

    client.post(reverse("collaboration:comment_delete", args=[project.pk, comment.pk]))

    page = client.get(project.get_absolute_url())
    assert "Remove me" not in page.content.decode()
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None


# --- activity ------------------------------------------------------------------------------------
def test_activity_feed_shows_the_teams_work_newest_first(client, manager, project, team_member):
    task = task_save(
        task=Task(
            project=project, title="Call the CFO", stage=Stage.EXECUTION, assignee=team_member
        ),
        actor=manager,
    )
    comment_post(project=project, actor=team_member, body="Done the call")
    client.force_login(manager)

    response = client.get(reverse("collaboration:project_activity", args=[project.pk]))

    verbs = [item.verb for item in response.context["page"]]
    assert verbs[:3] == [
        ActivityVerb.COMMENTED,
        ActivityVerb.TASK_ASSIGNED,
        ActivityVerb.TASK_CREATED,
    ]
    assert "Call the CFO" in response.content.decode()
    assert task.pk


def test_personal_feed_covers_only_my_projects(client, manager, project, team_member):
    other = ProjectFactory(owner=manager)
    comment_post(project=project, actor=manager, body="On my project")
    comment_post(project=other, actor=manager, body="On another project")
    client.force_login(team_member)

    response = client.get(reverse("collaboration:my_activity"))

    assert [item.project_id for item in response.context["page"]] == [project.pk]


# --- the customer's interaction log ------------------------------------------------------------
def test_interaction_log_is_not_shared_with_the_customers_other_deals(client, manager, member):
    customer = CustomerFactory()
    first = ProjectFactory(owner=manager, customer=customer)
    second = ProjectFactory(customer=customer)
    ProjectMembershipFactory(project=second, user=member)
    contact = Contact.objects.create(customer=customer, name="Li Wei")
    client.force_login(manager)

    response = client.post(
        reverse("collaboration:interaction_log", args=[customer.pk]),
        {
            "interaction-project": first.pk,
            "interaction-kind": "call",
            "interaction-occurred_on": TODAY().isoformat(),
            "interaction-contact": contact.pk,
            "interaction-summary": "Discussed the pilot",
            "interaction-next_step": "Send the offer",
        },
    )
    assert response.status_code == 302

    assert "Discussed the pilot" in client.get(customer.get_absolute_url()).content.decode()
    client.force_login(member)  # on the other project of the same customer
    page = client.get(customer.get_absolute_url())
    assert page.status_code == 200
    assert "Discussed the pilot" not in page.content.decode()


def test_outsider_does_not_see_the_interaction_log(client, manager, outsider):
    customer = CustomerFactory()
    project = ProjectFactory(owner=manager, customer=customer)
    Interaction.objects.create(
        customer=customer,
        project=project,
        kind="visit",
        occurred_on=TODAY(),
        user=manager,
        summary="Secret visit",
    )
    client.force_login(outsider)

    page = client.get(customer.get_absolute_url())

    assert "Secret visit" not in page.content.decode()
    assert page.context["interaction_form"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"interaction-occurred_on": "2999-01-01"}, "occurred_on"),
        ({"interaction-summary": " "}, "summary"),
    ],
)
def test_bad_interactions_are_refused(client, manager, overrides, field):
    customer = CustomerFactory()
    project = ProjectFactory(owner=manager, customer=customer)
    client.force_login(manager)
    data = {
        "interaction-project": project.pk,
        "interaction-kind": "call",
        "interaction-occurred_on": TODAY().isoformat(),
        "interaction-summary": "Fine",
    }
    data.update(overrides)

    response = client.post(reverse("collaboration:interaction_log", args=[customer.pk]), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Interaction.objects.exists()


# --- query counts ---------------------------------------------------------------------------
def _fill(project, owner, member, count: int) -> None:
    previous = None
    for n in range(count):
        task = TaskFactory(
            project=project,
            assignee=member,
            department=DepartmentFactory(),
            due_date=TODAY() + datetime.timedelta(n - 3),
            status=list(TaskStatus)[n % 4],
        )
        if previous:
            task.dependencies.add(previous)
        previous = task
        comment_post(project=project, task=task, actor=owner, body=f"Note {n}")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "page",
    ["task_list", "task_board", "project_activity", "team", "my_tasks", "my_activity"],
)
def test_pages_run_the_same_queries_for_1_and_30_rows(client, manager, page):
    small, large = ProjectFactory(owner=manager), ProjectFactory(owner=manager)
    counts = []
    for project, rows in ((small, 1), (large, 30)):
        member = UserFactory(role=Role.MEMBER)
        ProjectMembershipFactory(project=project, user=member)
        _fill(project, manager, member, rows)
        client.force_login(member)
        name = f"collaboration:{page}"
        url = reverse(name) if page.startswith("my_") else reverse(name, args=[project.pk])
        _queries(client, url)  # warm caches (session, content types)
        counts.append(_queries(client, url))

    assert counts[0] == counts[1]


def test_kanban_shows_work_in_flight_and_the_latest_done_with_a_link_to_all(
    client, manager, project
):
    from collaboration.views.tasks import KANBAN_DONE_SHOWN

    now = timezone.now()
    done = [
        TaskFactory(
            project=project,
            status=TaskStatus.DONE,
            progress=100,
            completed_at=now - datetime.timedelta(hours=n),
        )
        for n in range(KANBAN_DONE_SHOWN + 3)
    ]
    todo = [TaskFactory(project=project) for _ in range(2)]
    client.force_login(manager)

    response = client.get(
        reverse("collaboration:task_board", args=[project.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    columns = {
        status: (cards, total) for status, _label, cards, total in response.context["columns"]
    }
    done_cards, done_total = columns[TaskStatus.DONE]
    assert [t.pk for t in done_cards] == [t.pk for t in done[:KANBAN_DONE_SHOWN]]  # latest first
    assert done_total == KANBAN_DONE_SHOWN + 3
    assert {t.pk for t in columns[TaskStatus.TODO][0]} == {t.pk for t in todo}
    html = response.content.decode()
    assert f"All {KANBAN_DONE_SHOWN + 3} in the list" in html
    assert f'data-testid="kcard-{done[-1].pk}"' not in html  # the oldest done is in the list
    assert 'data-testid="kanban-more-todo"' not in html


def test_kanban_offers_moves_only_on_tasks_the_viewer_may_update(client, project, task, colleague):
    theirs = TaskFactory(project=project, assignee=colleague)
    url = reverse("collaboration:task_board", args=[project.pk])

    client.force_login(colleague)
    page = client.get(url).content.decode()
    assert f'data-testid="move-{theirs.pk}-done"' in page
    assert f'data-testid="move-{task.pk}-done"' not in page  # someone else's task

    ProjectMembership.objects.filter(project=project, user=task.assignee).update(
        role=TeamRole.OBSERVER
    )
    client.force_login(task.assignee)
    page = client.get(url).content.decode()
    assert f'data-testid="move-{task.pk}-done"' not in page  # only watching now


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_date": "2030-01-10", "due_date": "2030-01-01"},
            "due_date",
            "截止日期不能早于开始日期。",
        ),
        ({"progress": "150"}, "progress", "进度为 0 到 100 之间的百分比。"),
    ],
)
def test_the_task_page_shows_the_services_rules_next_to_the_field_in_chinese(
    client, manager, project, changes, field, message
):
    """The task form shapes input; task_save decides the dates and the progress (one rule, the
    service's), and the page puts its refusal next to the field it is about."""
    manager.language = "zh-hans"
    manager.save()
    client.force_login(manager)
    url = reverse("collaboration:task_create", args=[project.pk])
    form = rendered_form(client.get(url).content, data_testid="task-form")

    response = client.post(url, form.data(title="需求调研", **changes))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert not project.tasks.exists()
