"""The admin shows projects and their stage records for support and changes none of them: a
project changes through project_update and the lifecycle, a record through stage_record_save."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from projects.models import Project
from tests.factories import ProjectFactory, StrategyFactory, UserFactory
from tests.html_forms import rendered_form

pytestmark = pytest.mark.django_db

GUARDED = {"owner", "approval_requested_by", "approval_requested_at", "approval_note"}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_a_project_and_changes_nothing(admin_client, manager):
    project = ProjectFactory(owner=manager, name="Harbour ERP")
    someone_else = UserFactory(username="sam-other", role=Role.SALES_MANAGER)
    change = reverse("admin:projects_project_change", args=[project.pk])

    page = admin_client.get(change).content.decode()
    # Posted anyway, by hand: refused.
    response = admin_client.post(
        change,
        {
            "name": "Harbour ERP, phase 2",
            "owner": str(someone_else.pk),
            "approval_note": "Approved by the admin",
        },
    )

    assert "Harbour ERP" in page
    assert not GUARDED & rendered_form(page, id="project_form").names
    assert response.status_code == 403
    saved = Project.objects.get(pk=project.pk)
    assert (saved.name, saved.owner, saved.approval_note) == ("Harbour ERP", manager, "")
    assert saved.approval_requested_by is None


@pytest.mark.parametrize(
    "model", ["feasibility", "goal", "resourceallocation", "strategy", "closurereport", "lesson"]
)
def test_stage_records_are_shown_not_edited(admin_client, manager, model):
    project = ProjectFactory(owner=manager)
    StrategyFactory(project=project)

    listing = admin_client.get(reverse(f"admin:projects_{model}_changelist"))
    adding = admin_client.get(reverse(f"admin:projects_{model}_add"))

    assert listing.status_code == 200
    assert adding.status_code == 403
