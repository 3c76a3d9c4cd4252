"""The customer interaction log (issue 16): what was said on one of a customer's projects is
read only by those who may see that project (every entry is logged on a project) — on the
customer page, its edit links, and the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from collaboration.models import Interaction, InteractionKind
from projects.models import ProjectMembership, TeamRole
from tests.factories import CustomerFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(manager, director):
    customer = CustomerFactory(name="Harbour Group")
    ours = ProjectFactory(customer=customer, owner=manager, name="Harbour ERP")
    other_manager = UserFactory(username="olga-other", role=Role.SALES_MANAGER)
    theirs = ProjectFactory(customer=customer, owner=other_manager, name="Harbour CRM")
    member = UserFactory(username="mia-member", role=Role.MEMBER)
    ProjectMembership.objects.create(project=ours, user=member, role=TeamRole.MEMBER)

    def log(project, summary, author):
        return Interaction.objects.create(
            customer=customer,
            project=project,
            kind=InteractionKind.CALL,
            summary=summary,
            next_step="",
            user=author,
            occurred_on="2026-11-30",
        )

    return {
        "customer": customer,
        "member": member,
        "other_manager": other_manager,
        "on_ours": log(ours, "ERP pilot agreed", manager),
        "on_theirs": log(theirs, "CRM discount of 30 percent", other_manager),
    }


def _page_log(client, user, customer) -> set[str]:
    client.force_login(user)
    response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    return {item.summary for item in response.context["interactions"]}


def _api_log(user, customer) -> set[str]:
    api = APIClient()
    api.force_authenticate(user)
    url = reverse("api:customer-interactions", args=[customer.pk])
    response = api.get(url)
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["summary"] for row in rows}


@pytest.mark.parametrize("who", ["manager", "member"])
def test_a_team_reads_its_project_and_the_customer_not_the_other_deal(client, world, who, manager):
    user = manager if who == "manager" else world["member"]
    expected = {"ERP pilot agreed"}

    assert _page_log(client, user, world["customer"]) == expected
    assert _api_log(user, world["customer"]) == expected
    assert (
        "CRM discount"
        not in client.get(
            reverse("customers:customer_detail", args=[world["customer"].pk])
        ).content.decode()
    )


def test_the_other_team_reads_its_own_deal(client, world):
    expected = {"CRM discount of 30 percent"}

    assert _page_log(client, world["other_manager"], world["customer"]) == expected


def test_a_director_reads_everything(client, world, director):
    everything = {"ERP pilot agreed", "CRM discount of 30 percent"}

    assert _page_log(client, director, world["customer"]) == everything
    assert _api_log(director, world["customer"]) == everything


def test_the_edit_page_of_another_deals_entry_is_404(client, world):
    client.force_login(world["member"])
    url = reverse(
        "collaboration:interaction_edit", args=[world["customer"].pk, world["on_theirs"].pk]
    )

    assert client.get(url).status_code == 404
    assert client.post(url, {"summary": "overwritten"}).status_code == 404
    assert Interaction.objects.get(pk=world["on_theirs"].pk).summary.startswith("CRM")
