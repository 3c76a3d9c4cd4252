"""The admin shows the team work for support, read-only: writes go through the services."""

import pytest
from django.urls import reverse

from collaboration.services import comment_post
from tests.factories import ProjectFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "projects_projectmembership",
    "collaboration_task",
    "collaboration_comment",
    "collaboration_activity",
    "collaboration_notification",
    "collaboration_notificationsetting",
    "collaboration_interaction",
]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelist_opens_and_adding_is_refused(admin_client, manager, model):
    project = ProjectFactory(owner=manager)
    TaskFactory(project=project)
    comment_post(project=project, actor=manager, body="For the record")

    listing = admin_client.get(reverse(f"admin:{model}_changelist"))
    adding = admin_client.get(reverse(f"admin:{model}_add"))

    assert listing.status_code == 200
    assert adding.status_code == 403
