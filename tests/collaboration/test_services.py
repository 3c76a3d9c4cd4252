"""The writes of `collaboration.services` against the real database.

Task input rules (assignee, dates, progress, dependencies and cycles), how status, progress
and completion follow each other, who may update a task's progress, the team (add, update,
remove, re-add), the activity rows each write leaves, comments with mentions, the edit window
and soft deletion, and the customer's interaction log.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from collaboration import services
from collaboration.access import active_members
from collaboration.models import (
    COMMENT_EDIT_WINDOW_MINUTES,
    Activity,
    ActivityVerb,
    Comment,
    Interaction,
    InteractionKind,
    Notification,
    NotificationKind,
    Task,
    TaskStatus,
)
from projects.lifecycle import project_transition
from projects.models import ProjectMembership, Stage, TeamRole
from tests.factories import (
    CommentFactory,
    ContactFactory,
    CustomerFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    StrategyFactory,
    TaskFactory,
    UserFactory,
)
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db

V = ActivityVerb
TODAY = timezone.localdate


# --- fixtures and helpers -------------------------------------------------------------------
@pytest.fixture
def owner(manager):
    return manager


@pytest.fixture
def former_member(project):
    return ProjectMembershipFactory(
        project=project,
        user__username="fred-former",
        role=TeamRole.MEMBER,
        left_on=TODAY() - datetime.timedelta(days=3),
    ).user


@pytest.fixture
def people(owner, director, team_member, colleague, observer, outsider, former_member):
    return {
        "owner": owner,
        "director": director,
        "assignee": team_member,
        "colleague": colleague,
        "observer": observer,
        "outsider": outsider,
        "former member": former_member,
    }


@pytest.fixture
def closed_project(owner, member):
    project = ProjectFactory(owner=owner, stage=Stage.CLOSED)
    ProjectMembershipFactory(project=project, user=owner, role=TeamRole.OWNER)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    return project


def new_task(project, **fields) -> Task:
    return Task(project=project, **{"title": "Call the CFO", "stage": Stage.EXECUTION, **fields})


def error_keys(excinfo: pytest.ExceptionInfo) -> set[str]:
    return set(excinfo.value.message_dict)


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def edges(project) -> set[tuple[int, int]]:
    """The project's dependencies as (task, task it depends on) pairs."""
    rows = Task.dependencies.through.objects.filter(from_task__project=project)
    return set(rows.values_list("from_task_id", "to_task_id"))


def activities(project, verb=None):
    rows = Activity.objects.filter(project=project)
    return rows.filter(verb=verb) if verb else rows


# --- task input rules -----------------------------------------------------------------------
def test_owner_creates_a_task_for_a_team_member(project, owner, team_member):
    task = services.task_save(task=new_task(project, assignee=team_member), actor=owner)

    saved = fresh(task)
    assert (saved.assignee, saved.created_by, saved.status) == (team_member, owner, "todo")


@pytest.mark.parametrize("who", ["outsider", "observer", "former member"])
def test_assignee_must_be_an_active_non_observer_member(project, owner, people, who):
    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=new_task(project, assignee=people[who]), actor=owner)

    assert error_keys(excinfo) == {"assignee"}
    assert Task.objects.count() == 0


def test_assignee_rule_applies_when_reassigning_too(task, owner, outsider, team_member):
    task.assignee = outsider

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=task, actor=owner)

    assert error_keys(excinfo) == {"assignee"}
    assert fresh(task).assignee == team_member


def test_a_task_may_have_no_assignee(project, owner):
    task = services.task_save(task=new_task(project, assignee=None), actor=owner)

    assert fresh(task).assignee is None


def test_due_date_before_start_date_is_refused(project, owner):
    task = new_task(project, start_date=TODAY(), due_date=TODAY() - datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=task, actor=owner)

    assert error_keys(excinfo) == {"due_date"}
    assert Task.objects.count() == 0


def test_due_date_on_the_start_date_is_accepted(project, owner):
    task = services.task_save(
        task=new_task(project, start_date=TODAY(), due_date=TODAY()), actor=owner
    )

    assert fresh(task).due_date == TODAY()


@pytest.mark.parametrize("progress", [101, -1, None])
def test_progress_outside_0_to_100_is_refused_before_the_database(project, owner, progress):
    # A ValidationError, not the IntegrityError of the check constraint or the positive field.
    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=new_task(project, progress=progress), actor=owner)

    assert error_keys(excinfo) == {"progress"}
    assert Task.objects.count() == 0


@pytest.mark.parametrize("progress", [101, -1])
def test_progress_update_outside_0_to_100_is_refused(task, team_member, progress):
    with pytest.raises(ValidationError) as excinfo:
        services.task_update_progress(task=task, actor=team_member, progress=progress)

    assert error_keys(excinfo) == {"progress"}
    saved = fresh(task)
    assert (saved.progress, saved.status) == (0, TaskStatus.TODO)
    assert not activities(task.project, V.TASK_STATUS).exists()


def test_negative_estimate_is_refused(project, owner):
    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=new_task(project, estimate_hours=Decimal("-1")), actor=owner)

    assert error_keys(excinfo) == {"estimate_hours"}


def test_dependency_on_a_task_of_another_project_is_refused(project, owner):
    elsewhere = TaskFactory(title="Someone else's task")

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=new_task(project), actor=owner, dependencies=[elsewhere])

    assert error_keys(excinfo) == {"dependencies"}
    assert not Task.objects.filter(project=project).exists()


def test_a_task_cannot_depend_on_itself(project, owner):
    task = TaskFactory(project=project)

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=task, actor=owner, dependencies=[task])

    assert error_keys(excinfo) == {"dependencies"}
    assert edges(project) == set()


def test_a_cycle_of_three_is_refused_and_the_edges_stay(project, owner):
    a, b, c, d = (TaskFactory(project=project, title=title) for title in "ABCD")
    services.task_save(task=a, actor=owner, dependencies=[b])
    services.task_save(task=b, actor=owner, dependencies=[c])
    services.task_save(task=c, actor=owner, dependencies=[d])
    before = edges(project)

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=c, actor=owner, dependencies=[d, a])

    assert error_keys(excinfo) == {"dependencies"}
    assert edges(project) == before == {(a.pk, b.pk), (b.pk, c.pk), (c.pk, d.pk)}


def test_a_cycle_of_two_is_refused(project, owner):
    a, b = TaskFactory(project=project), TaskFactory(project=project)
    services.task_save(task=a, actor=owner, dependencies=[b])

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=b, actor=owner, dependencies=[a])

    assert error_keys(excinfo) == {"dependencies"}
    assert edges(project) == {(a.pk, b.pk)}


def test_a_long_chain_without_a_cycle_is_accepted(project, owner, django_assert_num_queries):
    chain = [TaskFactory(project=project, title=f"Step {n}") for n in range(40)]
    Task.dependencies.through.objects.bulk_create(
        Task.dependencies.through(from_task=later, to_task=earlier)
        for earlier, later in zip(chain, chain[1:], strict=False)
    )
    first, last = chain[0], chain[-1]

    # The whole graph is read in one query, however long the chain.
    with django_assert_num_queries(1):
        assert not services.dependency_creates_cycle(task=last, dependencies=[chain[-2], first])
    services.task_save(task=last, actor=owner, dependencies=[chain[-2], first])

    assert (last.pk, first.pk) in edges(project)
    assert len(edges(project)) == 40
    assert services.dependency_creates_cycle(task=first, dependencies=[last])


def test_a_diamond_is_not_a_cycle(project, owner):
    top, left, right, bottom = (TaskFactory(project=project, title=t) for t in "TLRB")
    services.task_save(task=left, actor=owner, dependencies=[bottom])
    services.task_save(task=right, actor=owner, dependencies=[bottom])

    services.task_save(task=top, actor=owner, dependencies=[left, right])

    assert {(top.pk, left.pk), (top.pk, right.pk)} <= edges(project)


def test_a_new_task_cannot_close_a_cycle(project):
    existing = TaskFactory(project=project)

    assert not services.dependency_creates_cycle(task=new_task(project), dependencies=[existing])


def test_several_errors_are_reported_together(project, owner, outsider):
    task = new_task(
        project,
        assignee=outsider,
        start_date=TODAY(),
        due_date=TODAY() - datetime.timedelta(days=1),
        progress=101,
        estimate_hours=Decimal("-2"),
    )

    with pytest.raises(ValidationError) as excinfo:
        services.task_save(task=task, actor=owner, dependencies=[TaskFactory()])

    assert error_keys(excinfo) == {
        "assignee",
        "due_date",
        "progress",
        "estimate_hours",
        "dependencies",
    }
    assert not Task.objects.filter(project=project).exists()


@pytest.mark.parametrize("who", ["assignee", "colleague", "observer", "outsider"])
def test_only_owner_and_director_save_tasks(project, people, who):
    with pytest.raises(PermissionDenied):
        services.task_save(task=new_task(project), actor=people[who])

    assert Task.objects.count() == 0


def test_director_saves_a_task(project, director):
    task = services.task_save(task=new_task(project), actor=director)

    assert fresh(task).created_by == director


def test_owner_cannot_save_a_task_on_a_closed_project(closed_project, owner):
    with pytest.raises(PermissionDenied):
        services.task_save(task=new_task(closed_project), actor=owner)


def test_a_task_never_moves_to_another_project(task, owner):
    other = ProjectFactory(owner=owner)
    task.project = other

    with pytest.raises(PermissionDenied):
        services.task_save(task=task, actor=owner)

    assert fresh(task).project_id != other.pk


def test_owner_deletes_a_task_and_its_edges(project, owner):
    a, b = TaskFactory(project=project), TaskFactory(project=project)
    services.task_save(task=a, actor=owner, dependencies=[b])

    services.task_delete(task=b, actor=owner)

    assert list(Task.objects.filter(project=project)) == [a]
    assert edges(project) == set()


@pytest.mark.parametrize("who", ["assignee", "colleague", "outsider"])
def test_only_owner_and_director_delete_tasks(task, people, who):
    with pytest.raises(PermissionDenied):
        services.task_delete(task=task, actor=people[who])

    assert Task.objects.filter(pk=task.pk).exists()


# --- status, progress and completion --------------------------------------------------------
def test_done_sets_progress_to_100_and_the_completion_time(task, team_member):
    services.task_update_progress(task=task, actor=team_member, status=TaskStatus.DONE)

    saved = fresh(task)
    assert (saved.status, saved.progress) == (TaskStatus.DONE, 100)
    assert saved.completed_at is not None


def test_saving_a_task_as_done_completes_it(project, owner):
    task = services.task_save(task=new_task(project, status=TaskStatus.DONE), actor=owner)

    saved = fresh(task)
    assert (saved.progress, saved.completed_at is not None) == (100, True)


def test_saving_a_done_task_again_keeps_its_completion_time(task, owner, team_member):
    services.task_update_progress(task=task, actor=team_member, status=TaskStatus.DONE)
    completed_at = fresh(task).completed_at
    task = fresh(task)
    task.title = "Prepare the pilot (signed off)"

    services.task_save(task=task, actor=owner)

    assert fresh(task).completed_at == completed_at


def test_leaving_done_clears_the_completion_time(task, team_member):
    services.task_update_progress(task=task, actor=team_member, status=TaskStatus.DONE)

    services.task_update_progress(task=task, actor=team_member, status=TaskStatus.IN_PROGRESS)

    saved = fresh(task)
    assert (saved.status, saved.completed_at) == (TaskStatus.IN_PROGRESS, None)


def test_progress_100_alone_makes_the_task_done(task, team_member):
    services.task_update_progress(task=task, actor=team_member, progress=100)

    saved = fresh(task)
    assert saved.status == TaskStatus.DONE
    assert saved.completed_at is not None


def test_progress_from_todo_starts_the_task(task, team_member):
    services.task_update_progress(task=task, actor=team_member, progress=30)

    saved = fresh(task)
    assert (saved.status, saved.progress, saved.completed_at) == (TaskStatus.IN_PROGRESS, 30, None)


def test_progress_below_100_on_a_done_task_reopens_it(task, team_member):
    services.task_update_progress(task=task, actor=team_member, status=TaskStatus.DONE)

    services.task_update_progress(task=task, actor=team_member, progress=80)

    saved = fresh(task)
    assert (saved.status, saved.progress, saved.completed_at) == (TaskStatus.IN_PROGRESS, 80, None)


def test_progress_0_keeps_a_todo_task_todo(task, team_member):
    services.task_update_progress(task=task, actor=team_member, progress=0)

    assert fresh(task).status == TaskStatus.TODO


def test_blocked_keeps_its_reason_and_leaving_blocked_clears_it(task, team_member):
    services.task_update_progress(
        task=task,
        actor=team_member,
        status=TaskStatus.BLOCKED,
        blocked_reason="  Waiting for the customer's IT  ",
    )
    assert fresh(task).blocked_reason == "Waiting for the customer's IT"

    services.task_update_progress(task=task, actor=team_member, status=TaskStatus.IN_PROGRESS)

    assert fresh(task).blocked_reason == ""


def test_unknown_status_is_refused(task, team_member):
    with pytest.raises(ValidationError) as excinfo:
        services.task_update_progress(task=task, actor=team_member, status="finished")

    assert error_keys(excinfo) == {"status"}
    assert fresh(task).status == TaskStatus.TODO


# --- a strategy's actions as tasks -----------------------------------------------------------
def test_strategy_actions_become_tasks_with_their_activity_and_the_assignees_notice(
    project, owner, team_member
):
    strategy = StrategyFactory(project=project, actions="Run a pilot\nPresent the results")

    tasks = services.strategy_actions_to_tasks(strategy=strategy, actor=owner, assignee=team_member)

    assert [task.title for task in tasks] == ["Run a pilot", "Present the results"]
    assert {(t.assignee, t.created_by, t.strategy) for t in tasks} == {
        (team_member, owner, strategy)
    }
    assert set(activities(project, V.TASK_CREATED).values_list("task", flat=True)) == {
        task.pk for task in tasks
    }
    assigned = activities(project, V.TASK_ASSIGNED)
    assert {(a.task_id, a.subject_user) for a in assigned} == {(t.pk, team_member) for t in tasks}
    notices = Notification.objects.filter(
        recipient=team_member, kind=NotificationKind.TASK_ASSIGNED
    )
    assert sorted(notices.values_list("task", flat=True)) == sorted(task.pk for task in tasks)


def test_strategy_actions_go_only_to_someone_on_the_team(project, owner, outsider):
    strategy = StrategyFactory(project=project)

    with pytest.raises(ValidationError) as excinfo:
        services.strategy_actions_to_tasks(strategy=strategy, actor=owner, assignee=outsider)

    assert error_keys(excinfo) == {"assignee"}
    assert not project.tasks.exists()


def test_a_director_outside_the_team_hands_the_strategy_tasks_to_the_owner(
    project, owner, director
):
    strategy = StrategyFactory(project=project)

    tasks = services.strategy_actions_to_tasks(strategy=strategy, actor=director)

    assert len(tasks) == 2 and {task.assignee for task in tasks} == {owner}
    assert (
        Notification.objects.filter(recipient=owner, kind=NotificationKind.TASK_ASSIGNED).count()
        == 2
    )


# --- who may update a task's progress -------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("assignee", True),
        ("owner", True),
        ("director", True),
        ("colleague", False),
        ("observer", False),
        ("outsider", False),
    ],
)
def test_who_may_update_a_tasks_progress(task, people, who, allowed):
    if allowed:
        services.task_update_progress(task=task, actor=people[who], progress=50)
        assert fresh(task).progress == 50
    else:
        with pytest.raises(PermissionDenied):
            services.task_update_progress(task=task, actor=people[who], progress=50)
        assert fresh(task).progress == 0


@pytest.mark.parametrize(
    ("who", "allowed"), [("assignee", False), ("owner", False), ("director", True)]
)
def test_only_directors_update_tasks_of_a_closed_project(
    closed_project, owner, member, director, who, allowed
):
    task = TaskFactory(project=closed_project, assignee=member)
    actor = {"assignee": member, "owner": owner, "director": director}[who]

    if allowed:
        services.task_update_progress(task=task, actor=actor, status=TaskStatus.DONE)
        assert fresh(task).status == TaskStatus.DONE
    else:
        with pytest.raises(PermissionDenied):
            services.task_update_progress(task=task, actor=actor, status=TaskStatus.DONE)
        assert fresh(task).status == TaskStatus.TODO


def test_an_assignee_who_left_the_team_cannot_update_the_task(task, owner, team_member):
    services.membership_remove(
        membership=active_members(task.project).get(user=team_member), actor=owner
    )

    with pytest.raises(PermissionDenied):
        services.task_update_progress(task=task, actor=team_member, progress=50)


def test_owner_can_finish_the_task_of_someone_who_left_the_team(task, owner, team_member):
    # The progress is not the assignment: it must not wait for the task to be reassigned.
    services.membership_remove(
        membership=active_members(task.project).get(user=team_member), actor=owner
    )

    services.task_update_progress(task=task, actor=owner, status=TaskStatus.DONE)

    assert fresh(task).status == TaskStatus.DONE


# --- the team -------------------------------------------------------------------------------
def joining(project, user, role=TeamRole.SOLUTION_LEAD) -> ProjectMembership:
    return ProjectMembership(project=project, user=user, role=role)


@pytest.mark.parametrize("who", ["owner", "director"])
def test_owner_and_director_add_a_member(project, people, outsider, who):
    services.membership_add(membership=joining(project, outsider), actor=people[who])

    row = active_members(project).get(user=outsider)
    assert row.role == TeamRole.SOLUTION_LEAD
    activity = activities(project, V.MEMBER_ADDED).get()
    assert (activity.actor, activity.subject_user) == (people[who], outsider)
    assert activity.data == {"role": TeamRole.SOLUTION_LEAD}


@pytest.mark.parametrize("who", ["assignee", "observer", "outsider"])
def test_others_cannot_add_members(project, people, who):
    newcomer = UserFactory(username="nina-newcomer")

    with pytest.raises(PermissionDenied):
        services.membership_add(membership=joining(project, newcomer), actor=people[who])

    assert not ProjectMembership.objects.filter(user=newcomer).exists()
    assert not activities(project, V.MEMBER_ADDED).exists()


def test_owner_cannot_add_members_to_a_closed_project(closed_project, owner, outsider):
    with pytest.raises(PermissionDenied):
        services.membership_add(membership=joining(closed_project, outsider), actor=owner)


def test_a_person_already_on_the_team_is_refused(project, owner, team_member):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_add(membership=joining(project, team_member), actor=owner)

    assert error_keys(excinfo) == {"user"}
    assert ProjectMembership.objects.filter(project=project, user=team_member).count() == 1


def test_the_owner_role_cannot_be_given_by_adding(project, owner, outsider):
    with pytest.raises(ValidationError) as excinfo:
        services.membership_add(
            membership=joining(project, outsider, role=TeamRole.OWNER), actor=owner
        )

    assert error_keys(excinfo) == {"role"}
    assert not ProjectMembership.objects.filter(user=outsider).exists()


def test_removing_a_member_dates_the_row_and_keeps_it(project, owner, team_member):
    row = active_members(project).get(user=team_member)

    services.membership_remove(membership=row, actor=owner)

    row = fresh(row)
    assert row.left_on == TODAY()
    assert not active_members(project).filter(user=team_member).exists()
    activity = activities(project, V.MEMBER_REMOVED).get()
    assert (activity.actor, activity.subject_user) == (owner, team_member)


def test_removing_twice_records_one_removal(project, owner, team_member):
    row = active_members(project).get(user=team_member)
    services.membership_remove(membership=row, actor=owner)

    services.membership_remove(membership=row, actor=owner)

    assert activities(project, V.MEMBER_REMOVED).count() == 1


@pytest.mark.parametrize("who", ["owner", "director"])
def test_the_owner_cannot_be_removed(project, people, owner, who):
    row = active_members(project).get(user=owner)

    with pytest.raises(ValidationError) as excinfo:
        services.membership_remove(membership=row, actor=people[who])

    assert error_keys(excinfo) == {"role"}
    assert fresh(row).left_on is None


@pytest.mark.parametrize("who", ["assignee", "observer", "outsider"])
def test_others_cannot_remove_members(project, people, colleague, who):
    row = active_members(project).get(user=colleague)

    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=row, actor=people[who])

    assert fresh(row).left_on is None


def test_a_former_member_can_be_added_again(project, owner, team_member):
    services.membership_remove(
        membership=active_members(project).get(user=team_member), actor=owner
    )

    services.membership_add(
        membership=joining(project, team_member, role=TeamRole.ACCOUNT_LEAD), actor=owner
    )

    rows = ProjectMembership.objects.filter(project=project, user=team_member)
    assert rows.count() == 2
    assert rows.get(left_on__isnull=True).role == TeamRole.ACCOUNT_LEAD
    assert activities(project, V.MEMBER_ADDED).get().subject_user == team_member


def test_owner_changes_a_members_role(project, owner, team_member):
    row = active_members(project).get(user=team_member)
    row.role = TeamRole.FULFILMENT_LEAD
    row.responsibilities = "Delivery plan"

    services.membership_update(membership=row, actor=owner, fields=["role", "responsibilities"])

    saved = fresh(row)
    assert (saved.role, saved.responsibilities) == (TeamRole.FULFILMENT_LEAD, "Delivery plan")


def test_update_saves_only_the_team_fields(project, owner, team_member, outsider):
    row = active_members(project).get(user=team_member)
    row.user = outsider
    row.role = TeamRole.ACCOUNT_LEAD

    services.membership_update(membership=row, actor=owner, fields=["user", "role"])

    saved = fresh(row)
    assert (saved.user, saved.role) == (team_member, TeamRole.ACCOUNT_LEAD)


def test_nobody_becomes_owner_by_a_role_change(project, owner, team_member):
    row = active_members(project).get(user=team_member)
    row.role = TeamRole.OWNER

    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(membership=row, actor=owner, fields=["role"])

    assert error_keys(excinfo) == {"role"}
    assert fresh(row).role == TeamRole.MEMBER


def test_the_owner_row_keeps_its_role(project, director, owner):
    row = active_members(project).get(user=owner)
    row.role = TeamRole.MEMBER

    with pytest.raises(ValidationError):
        services.membership_update(membership=row, actor=director, fields=["role"])

    assert fresh(row).role == TeamRole.OWNER


def test_a_member_cannot_change_roles(project, team_member, colleague):
    row = active_members(project).get(user=colleague)
    row.role = TeamRole.ACCOUNT_LEAD

    with pytest.raises(PermissionDenied):
        services.membership_update(membership=row, actor=team_member, fields=["role"])

    assert fresh(row).role == TeamRole.MEMBER


# --- the activity rows ----------------------------------------------------------------------
def test_creating_a_task_records_one_creation(project, owner):
    task = services.task_save(task=new_task(project, title="Draft the offer"), actor=owner)

    activity = activities(project).get()
    assert (activity.verb, activity.actor, activity.task) == (V.TASK_CREATED, owner, task)
    assert activity.data == {"title": "Draft the offer"}


def test_creating_an_assigned_task_records_the_creation_and_the_assignment(
    project, owner, team_member
):
    services.task_save(task=new_task(project, assignee=team_member), actor=owner)

    assert sorted(activities(project).values_list("verb", flat=True)) == sorted(
        [V.TASK_CREATED, V.TASK_ASSIGNED]
    )
    assert activities(project, V.TASK_ASSIGNED).get().subject_user == team_member


def test_reassigning_records_one_assignment(task, owner, colleague):
    task.assignee = colleague

    services.task_save(task=task, actor=owner)

    activity = activities(task.project).get()
    assert (activity.verb, activity.subject_user, activity.task) == (
        V.TASK_ASSIGNED,
        colleague,
        task,
    )


def test_a_status_change_records_from_and_to(task, team_member):
    services.task_update_progress(
        task=task, actor=team_member, status=TaskStatus.BLOCKED, blocked_reason="No access yet"
    )

    activity = activities(task.project).get()
    assert (activity.verb, activity.actor) == (V.TASK_STATUS, team_member)
    assert (activity.data["from"], activity.data["to"]) == (TaskStatus.TODO, TaskStatus.BLOCKED)


def test_a_status_change_through_task_save_records_from_and_to(task, owner):
    task.status = TaskStatus.DONE

    services.task_save(task=task, actor=owner)

    activity = activities(task.project).get()
    assert activity.verb == V.TASK_STATUS
    assert (activity.data["from"], activity.data["to"]) == (TaskStatus.TODO, TaskStatus.DONE)


def test_an_edit_records_task_updated_with_the_fields_changed(task, owner):
    task.title = "Prepare the pilot, phase 1"

    services.task_save(task=task, actor=owner)

    activity = activities(task.project).get()
    assert activity.verb == V.TASK_UPDATED
    assert activity.data["fields"] == ["title"]


def test_a_save_that_changes_nothing_records_nothing(task, owner):
    services.task_save(task=task, actor=owner)

    assert not activities(task.project).exists()


def test_mentions_inside_chinese_text_and_not_in_email_addresses():
    assert services.mentioned_usernames("请@li.na看一下, 抄送 a@b.com") == ["li.na"]


def test_reopening_a_done_task_to_todo_resets_its_progress(task, owner):
    services.task_update_progress(task=task, actor=owner, status=TaskStatus.DONE)
    services.task_update_progress(task=task, actor=owner, status=TaskStatus.TODO)

    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_at) == (TaskStatus.TODO, 0, None)


def test_an_overlong_blocked_reason_is_a_field_error(task, owner):
    with pytest.raises(ValidationError) as error:
        services.task_update_progress(
            task=task, actor=owner, status=TaskStatus.BLOCKED, blocked_reason="x" * 501
        )

    assert "blocked_reason" in error.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_a_comment_records_commented(project, team_member):
    comment = services.comment_post(project=project, actor=team_member, body="Pilot is ready")

    activity = activities(project).get()
    assert (activity.verb, activity.actor) == (V.COMMENTED, team_member)
    assert activity.data == {"excerpt": "Pilot is ready", "comment": comment.pk}


def test_a_stage_change_records_stage_changed(owner):
    project = ProjectFactory(owner=owner, stage=Stage.INITIATION)
    fill_gate(project, Stage.INITIATION)

    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=owner)

    activity = activities(project).get()
    assert (activity.verb, activity.actor) == (V.STAGE_CHANGED, owner)
    assert (activity.data["from"], activity.data["to"]) == (Stage.INITIATION, Stage.GOAL_SETTING)


def test_the_feed_hears_the_lifecycle_through_its_listeners_not_a_signal():
    from django.apps import apps
    from django.dispatch import Signal

    from collaboration import receivers
    from projects import lifecycle

    apps.get_app_config("collaboration").ready()  # a second ready() registers nothing twice

    assert lifecycle.stage_changed.callbacks.count(receivers.stage_changed_to_feed) == 1
    assert receivers.approval_requested_to_directors in lifecycle.approval_requested.callbacks
    assert receivers.approval_sent_back_to_owner in lifecycle.approval_sent_back.callbacks
    assert not [name for name, value in vars(lifecycle).items() if isinstance(value, Signal)]


# --- comments -------------------------------------------------------------------------------
def mentioned(comment: Comment) -> set[str]:
    return set(comment.mentions.values_list("username", flat=True))


def test_a_member_posts_a_comment(project, team_member):
    comment = services.comment_post(project=project, actor=team_member, body="  Pilot is ready \n")

    saved = fresh(comment)
    assert (saved.body, saved.author, saved.task) == ("Pilot is ready", team_member, None)


def test_a_comment_on_a_task(task, team_member):
    comment = services.comment_post(
        project=task.project, task=task, actor=team_member, body="Started"
    )

    assert fresh(comment).task == task


def test_a_comment_on_a_task_of_another_project_is_refused(project, team_member):
    with pytest.raises(PermissionDenied):
        services.comment_post(project=project, task=TaskFactory(), actor=team_member, body="Hi")

    assert Comment.objects.count() == 0


@pytest.mark.parametrize("body", ["", "   ", "\n\t ", None])
def test_an_empty_comment_is_refused(project, team_member, body):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(project=project, actor=team_member, body=body)

    assert error_keys(excinfo) == {"body"}
    assert Comment.objects.count() == 0


def test_a_comment_of_5000_characters_is_accepted_and_5001_refused(project, team_member):
    services.comment_post(project=project, actor=team_member, body="x" * 5000)

    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(project=project, actor=team_member, body="x" * 5001)

    assert error_keys(excinfo) == {"body"}
    assert Comment.objects.count() == 1


def test_mentioning_someone_off_the_team_is_refused(project, team_member, outsider):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(
            project=project, actor=team_member, body="@oscar-outsider can you check?"
        )

    assert error_keys(excinfo) == {"body"}
    assert "@oscar-outsider" in excinfo.value.message_dict["body"][0]
    assert Comment.objects.count() == 0
    assert not Notification.objects.exists()
    assert not activities(project).exists()


def test_mentioning_a_former_member_is_refused(project, team_member, former_member):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(project=project, actor=team_member, body="Thanks @fred-former")

    assert "@fred-former" in excinfo.value.message_dict["body"][0]
    assert Comment.objects.count() == 0


def test_mentioning_an_unknown_name_is_refused(project, team_member):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(project=project, actor=team_member, body="Ask @nobody-here")

    assert "@nobody-here" in excinfo.value.message_dict["body"][0]
    assert Comment.objects.count() == 0


def test_every_unknown_name_is_named_at_once(project, team_member, outsider):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(
            project=project, actor=team_member, body="@oscar-outsider @ghost @mia-member"
        )

    message = excinfo.value.message_dict["body"][0]
    assert "@oscar-outsider" in message
    assert "@ghost" in message
    assert "@mia-member" not in message


@pytest.mark.parametrize(
    "body",
    ["Mail a@b.com for the quote", "Ask oscar-outsider@example.com", "x@mia-member"],
)
def test_email_addresses_are_not_mentions(project, team_member, outsider, body):
    comment = services.comment_post(project=project, actor=team_member, body=body)

    assert mentioned(comment) == set()


def test_mentions_are_case_insensitive_and_counted_once(project, owner, team_member, colleague):
    comment = services.comment_post(
        project=project,
        actor=owner,
        body="@Mia-Member and @mia-member, with @CARA-COLLEAGUE: see above. @mia-member.",
    )

    assert mentioned(comment) == {"mia-member", "cara-colleague"}
    mentions = Notification.objects.filter(kind=NotificationKind.MENTIONED)
    assert sorted(mentions.values_list("recipient__username", flat=True)) == [
        "cara-colleague",
        "mia-member",
    ]


def test_mentioned_usernames_are_read_once_whatever_their_case():
    body = "@Mia-Member, @mia-member and @MIA-MEMBER. Also @cara (mail cara@example.com)."

    assert services.mentioned_usernames(body) == ["Mia-Member", "cara"]


def test_an_unknown_name_in_two_spellings_is_named_once(project, team_member):
    with pytest.raises(ValidationError) as excinfo:
        services.comment_post(project=project, actor=team_member, body="@Ghost and @ghost")

    # Counted as names: the Chinese message itself says "@提及".
    assert excinfo.value.message_dict["body"][0].lower().count("@ghost") == 1


def test_the_owner_can_be_mentioned_and_the_author_is_not_told(project, owner, team_member):
    comment = services.comment_post(
        project=project, actor=team_member, body="@mark-manager please review, @mia-member"
    )

    assert mentioned(comment) == {"mark-manager", "mia-member"}
    recipients = Notification.objects.values_list("recipient", flat=True)
    assert list(recipients) == [owner.pk]


@pytest.mark.parametrize("who", ["observer", "outsider", "former member"])
def test_who_cannot_comment(project, people, who):
    with pytest.raises(PermissionDenied):
        services.comment_post(project=project, actor=people[who], body="Hello")

    assert Comment.objects.count() == 0


def test_only_directors_comment_on_a_closed_project(closed_project, owner, member, director):
    for actor in (owner, member):
        with pytest.raises(PermissionDenied):
            services.comment_post(project=closed_project, actor=actor, body="Late note")

    services.comment_post(project=closed_project, actor=director, body="Archived")

    assert list(Comment.objects.values_list("author", flat=True)) == [director.pk]


def test_the_author_edits_within_the_window(project, team_member, colleague):
    comment = services.comment_post(project=project, actor=team_member, body="Draft")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=COMMENT_EDIT_WINDOW_MINUTES - 1)
    )
    comment = fresh(comment)

    services.comment_edit(comment=comment, actor=team_member, body="Final, cc @cara-colleague")

    saved = fresh(comment)
    assert saved.body == "Final, cc @cara-colleague"
    assert saved.edited_at is not None
    assert mentioned(saved) == {"cara-colleague"}
    assert Notification.objects.filter(recipient=colleague).count() == 1


def test_editing_after_the_window_is_refused(project, team_member):
    comment = services.comment_post(project=project, actor=team_member, body="Draft")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now()
        - datetime.timedelta(minutes=COMMENT_EDIT_WINDOW_MINUTES, seconds=1)
    )
    comment = fresh(comment)

    with pytest.raises(ValidationError) as excinfo:
        services.comment_edit(comment=comment, actor=team_member, body="Rewritten")

    assert error_keys(excinfo) == {"body"}
    assert (fresh(comment).body, fresh(comment).edited_at) == ("Draft", None)


def test_an_edit_obeys_the_comment_rules(project, team_member, outsider):
    comment = services.comment_post(project=project, actor=team_member, body="Draft")

    for body in ("  ", "@oscar-outsider look"):
        with pytest.raises(ValidationError):
            services.comment_edit(comment=comment, actor=team_member, body=body)

    assert fresh(comment).body == "Draft"


@pytest.mark.parametrize("who", ["owner", "director", "colleague"])
def test_only_the_author_edits(project, team_member, people, who):
    comment = services.comment_post(project=project, actor=team_member, body="Draft")

    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, actor=people[who], body="Changed")

    assert fresh(comment).body == "Draft"


@pytest.mark.parametrize("who", ["assignee", "owner", "director"])
def test_deleting_hides_the_comment_and_keeps_the_row(project, people, who):
    comment = services.comment_post(project=project, actor=people["assignee"], body="Oops")

    services.comment_delete(comment=comment, actor=people[who])

    saved = fresh(comment)
    assert saved.deleted_at is not None
    assert saved.body == "Oops"


@pytest.mark.parametrize("who", ["colleague", "observer", "outsider"])
def test_others_cannot_delete_a_comment(project, people, who):
    comment = services.comment_post(project=project, actor=people["assignee"], body="Mine")

    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, actor=people[who])

    assert fresh(comment).deleted_at is None


def test_a_deleted_comment_can_be_neither_edited_nor_deleted_again(project, team_member):
    comment = services.comment_post(project=project, actor=team_member, body="Oops")
    services.comment_delete(comment=comment, actor=team_member)
    deleted_at = fresh(comment).deleted_at

    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, actor=team_member, body="Back")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, actor=team_member)

    assert fresh(comment).deleted_at == deleted_at


def test_the_author_cannot_change_a_comment_once_the_project_is_closed(
    closed_project, member, director
):
    # A closed project is read-only except for directors, the author's own comments included.
    comment = CommentFactory(project=closed_project, author=member)

    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=comment, actor=member, body="Changed")
    with pytest.raises(PermissionDenied):
        services.comment_delete(comment=comment, actor=member)

    services.comment_delete(comment=comment, actor=director)
    assert fresh(comment).deleted_at is not None


# --- the customer's interaction log ---------------------------------------------------------
def call(project, **fields) -> Interaction:
    values = {"kind": InteractionKind.CALL, "occurred_on": TODAY(), "summary": "Budget confirmed"}
    return Interaction(project=project, **{**values, **fields})


@pytest.mark.parametrize("who", ["assignee", "owner", "director"])
def test_the_team_logs_an_interaction(project, people, who):
    contact = ContactFactory(customer=project.customer)

    interaction = services.interaction_log(
        interaction=call(project, contact=contact), actor=people[who]
    )

    saved = fresh(interaction)
    assert (saved.customer, saved.user, saved.contact) == (project.customer, people[who], contact)
    activity = activities(project, V.INTERACTION).get()
    assert activity.data == {"kind": InteractionKind.CALL, "summary": "Budget confirmed"}


@pytest.mark.parametrize("who", ["observer", "outsider", "former member"])
def test_others_cannot_log_an_interaction(project, people, who):
    with pytest.raises(PermissionDenied):
        services.interaction_log(interaction=call(project), actor=people[who])

    assert Interaction.objects.count() == 0


def test_a_member_of_another_project_of_the_customer_cannot_log_on_this_one(project, outsider):
    sibling = ProjectFactory(customer=project.customer)
    ProjectMembershipFactory(project=sibling, user=outsider, role=TeamRole.MEMBER)

    with pytest.raises(PermissionDenied):
        services.interaction_log(interaction=call(project), actor=outsider)

    services.interaction_log(interaction=call(sibling), actor=outsider)
    assert Interaction.objects.get().project == sibling


def test_only_directors_log_on_a_closed_project(closed_project, owner, member, director):
    for actor in (owner, member):
        with pytest.raises(PermissionDenied):
            services.interaction_log(interaction=call(closed_project), actor=actor)

    services.interaction_log(interaction=call(closed_project), actor=director)
    assert Interaction.objects.count() == 1


def test_an_interaction_in_the_future_is_refused(project, team_member):
    tomorrow = TODAY() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as excinfo:
        services.interaction_log(interaction=call(project, occurred_on=tomorrow), actor=team_member)

    assert error_keys(excinfo) == {"occurred_on"}
    assert Interaction.objects.count() == 0


def test_a_contact_of_another_customer_is_refused(project, team_member):
    stranger = ContactFactory(customer=CustomerFactory())

    with pytest.raises(ValidationError) as excinfo:
        services.interaction_log(interaction=call(project, contact=stranger), actor=team_member)

    assert error_keys(excinfo) == {"contact"}
    assert Interaction.objects.count() == 0


def test_an_interaction_needs_a_summary_and_errors_come_together(project, team_member):
    tomorrow = TODAY() + datetime.timedelta(days=1)
    stranger = ContactFactory(customer=CustomerFactory())

    with pytest.raises(ValidationError) as excinfo:
        services.interaction_log(
            interaction=call(project, summary="  ", occurred_on=tomorrow, contact=stranger),
            actor=team_member,
        )

    assert error_keys(excinfo) == {"summary", "occurred_on", "contact"}


def test_the_customer_follows_the_project(project, team_member):
    interaction = call(project, customer=CustomerFactory())

    services.interaction_log(interaction=interaction, actor=team_member)

    assert fresh(interaction).customer == project.customer
