"""History is append-only in the database: a project's stage transitions and the field history
cannot be erased — not by deleting a row, not by `QuerySet.delete()`, not by a cascade from a
customer, a person or a project — and projects are closed, never deleted (model, admin, API).
Each refusal leaves every row where it was."""

import pytest
from django.db import DEFAULT_DB_ALIAS
from django.db.models import ProtectedError
from django.db.models.deletion import Collector
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from collaboration.models import Task
from collaboration.services import task_delete, task_update_progress
from core.history import DeletionRefused, historical_models
from projects.lifecycle import project_transition
from projects.models import Project, Stage, StageTransition
from tests.factories import UserFactory
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db


def rows() -> dict[str, int]:
    """How many projects, stage transitions and snapshots of each historical table there are."""
    counted = [Project, StageTransition, *historical_models()]
    return {model.__name__: model._base_manager.count() for model in counted}


@pytest.fixture
def moved(project, director):
    """The team's project, taken one stage on by a director (who owns nothing), with a task the
    member has worked on: transitions and field history by people other than the owner."""
    fill_gate(project, Stage.EXECUTION)
    project_transition(project=project, to_stage=Stage.MONITORING, actor=director)
    return project


@pytest.fixture
def worked_on(task, team_member):
    task_update_progress(task=task, actor=team_member, progress=40)
    return task


# --- a row, a queryset ----------------------------------------------------------------------
def test_a_transition_a_snapshot_and_a_project_refuse_delete(moved):
    before = rows()
    transition = moved.transitions.get()
    snapshot = moved.history.latest("history_id")

    for record in (transition, snapshot, moved):
        with pytest.raises(DeletionRefused):
            record.delete()

    assert rows() == before


@pytest.mark.parametrize(
    "delete",
    [
        lambda project: StageTransition.objects.filter(project=project).delete(),
        lambda project: project.transitions.all().delete(),
        lambda project: Project.history.filter(id=project.pk).delete(),
        lambda project: Project.history.model.objects.all().delete(),
        lambda project: Task.history.filter(project=project).delete(),
        lambda project: Project.objects.filter(pk=project.pk).delete(),
    ],
    ids=[
        "transitions",
        "a project's transitions",
        "a project's snapshots",
        "every project snapshot",
        "task snapshots",
        "projects",
    ],
)
def test_a_queryset_of_transitions_snapshots_or_projects_refuses_delete(moved, worked_on, delete):
    before = rows()

    with pytest.raises(DeletionRefused):
        delete(moved)

    assert rows() == before


# --- cascades -------------------------------------------------------------------------------
def test_deleting_a_customer_with_projects_is_refused(moved):
    before = rows()

    with pytest.raises(ProtectedError):
        moved.customer.delete()

    assert rows() == before


def test_a_cascade_reaching_a_project_stops_at_its_transitions(moved):
    # What a deletion of something a project hangs from would run (Django's cascade), whatever
    # Project.delete() says.
    with pytest.raises(ProtectedError) as refused:
        Collector(using=DEFAULT_DB_ALIAS).collect([moved])

    assert set(moved.transitions.all()) <= set(refused.value.protected_objects)


def test_deleting_the_person_who_moved_a_project_is_refused(moved, director):
    before = rows()

    with pytest.raises(ProtectedError) as refused:
        director.delete()

    assert moved.transitions.get() in refused.value.protected_objects
    assert rows() == before
    assert moved.transitions.get().actor_id == director.pk


def test_deleting_a_person_who_made_a_recorded_change_is_refused(worked_on, team_member):
    # They own nothing and moved no project: without the refusal their memberships would go and
    # the history would forget who made the change (simple-history sets it to NULL).
    mine = Task.history.filter(history_user=team_member)
    made = list(mine.values_list("history_id", flat=True))
    before = rows()

    with pytest.raises(ProtectedError):
        type(team_member).objects.filter(pk=team_member.pk).delete()

    assert made
    assert list(mine.values_list("history_id", flat=True)) == made
    assert rows() == before


def test_a_person_who_never_acted_can_still_be_deleted(moved):
    nobody = UserFactory(username="never-signed-in")
    before = rows()

    nobody.delete()

    assert rows() == before


def test_deleting_a_record_keeps_its_history(worked_on, manager):
    snapshots = Task.history.filter(id=worked_on.pk)
    kept = set(snapshots.values_list("history_id", flat=True))

    task_delete(task=worked_on, actor=manager)

    assert kept < set(snapshots.values_list("history_id", flat=True))
    assert snapshots.latest("history_id").history_type == "-"


# --- projects are closed, not deleted: the admin and the API -------------------------------
@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("model", [Project, StageTransition])
def test_the_admin_offers_no_delete_of_projects_or_transitions(client, superuser, moved, model):
    row = moved if model is Project else moved.transitions.get()
    opts = model._meta
    client.force_login(superuser)

    listing = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    deleting = client.get(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
    )

    assert listing.status_code == 200
    assert b'value="delete_selected"' not in listing.content
    assert deleting.status_code == 403


def test_the_api_has_no_project_delete(moved, director):
    client = APIClient()
    client.force_authenticate(user=director)
    before = rows()

    response = client.delete(reverse("api:project-detail", args=[moved.pk]))

    assert response.status_code == 405
    assert rows() == before
    schema = SchemaGenerator().get_schema(request=None, public=True)
    [detail] = [path for path in schema["paths"] if path.endswith("/projects/{id}/")]
    assert "get" in schema["paths"][detail]
    assert "delete" not in schema["paths"][detail]
