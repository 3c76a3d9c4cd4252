"""What the database and the model guarantee about a project whatever the caller does:
the stage is only changed by the lifecycle, history is append-only, codes are never reused."""

import pytest
from django.db import connection

from customers.models import Customer
from projects.lifecycle import project_transition
from projects.models import Project, Stage, StageTransition
from projects.services import project_create
from tests.factories import ProjectFactory
from tests.projects.gates import fill_gate

pytestmark = pytest.mark.django_db


def _empty_the_projects_table() -> None:
    """Remove every project behind the application's back (it refuses to delete one)."""
    connection.check_constraints()  # PostgreSQL does not truncate under pending checks
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Project._meta.db_table} CASCADE")


@pytest.fixture
def customer():
    return Customer.objects.create(name="Integrity Co", industry="retail", region="south")


def test_history_rows_are_never_edited_or_deleted(manager, customer):
    project = ProjectFactory(owner=manager, customer=customer)
    fill_gate(project, Stage.INITIATION)
    project_transition(project=project, to_stage=Stage.GOAL_SETTING, actor=manager)
    row = StageTransition.objects.get(project=project)

    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    assert StageTransition.objects.filter(project=project).count() == 1


def test_stage_cannot_be_assigned_directly(manager, customer):
    project = project_create(project=Project(name="Protected", customer=customer), actor=manager)

    with pytest.raises(AttributeError):
        project.stage = Stage.CLOSED

    assert Project.objects.get(pk=project.pk).stage == Stage.INITIATION


def test_project_codes_are_never_reused(require_postgres, manager, customer):
    first = project_create(project=Project(name="a", customer=customer), actor=manager)
    _empty_the_projects_table()
    second = project_create(project=Project(name="b", customer=customer), actor=manager)

    assert second.code != first.code
    assert int(second.code.rsplit("-", 1)[1]) == int(first.code.rsplit("-", 1)[1]) + 1
