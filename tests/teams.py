"""Team fixtures shared by the collaboration, review and risk tests: a project with its owner on
the team, a member, a colleague, an observer and a task of the member's. Registered for the
whole suite by `pytest_plugins` in tests/conftest.py; a module that needs another shape defines
its own fixture of the same name, which wins."""

import pytest

from projects.models import Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, TaskFactory


@pytest.fixture
def project(manager):
    """A project as `project_create` leaves it: its owner is on the team in the owner role."""
    project = ProjectFactory(owner=manager, stage=Stage.EXECUTION, name="Harbour Logistics ERP")
    ProjectMembershipFactory(project=project, user=manager, role=TeamRole.OWNER)
    return project


@pytest.fixture
def team_member(project, member):
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    return member


@pytest.fixture
def colleague(project):
    """A second member, who is not the assignee of `task`."""
    return ProjectMembershipFactory(
        project=project, user__username="cara-colleague", role=TeamRole.MEMBER
    ).user


@pytest.fixture
def observer(project):
    return ProjectMembershipFactory(
        project=project, user__username="olga-observer", role=TeamRole.OBSERVER
    ).user


@pytest.fixture
def task(project, team_member):
    return TaskFactory(project=project, assignee=team_member, title="Prepare the pilot")
