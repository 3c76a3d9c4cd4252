"""Correcting a logged customer interaction: its author or a director, with the log's rules,
through the edit page rendered and submitted as a browser would (tests/browser_forms.py)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from collaboration.models import Interaction
from projects.models import TeamRole
from tests.browser_forms import form_with
from tests.factories import (
    CustomerFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(manager, member):
    customer = CustomerFactory()
    project = ProjectFactory(owner=manager, customer=customer)
    ProjectMembershipFactory(project=project, user=member, role=TeamRole.MEMBER)
    return Interaction.objects.create(
        customer=customer,
        project=project,
        kind="visit",
        occurred_on=timezone.localdate() - datetime.timedelta(days=3),
        user=member,
        summary="拜访了运营总监。",
    )


def _edit_url(interaction: Interaction) -> str:
    return reverse("collaboration:interaction_edit", args=[interaction.customer_id, interaction.pk])


def _submit_rendered(client, url: str, changes: dict):
    page = client.get(url)
    assert page.status_code == 200
    data = dict(form_with(page.content.decode(), "interaction-summary").submission())
    data.update(changes)
    return client.post(url, data)


def test_the_author_corrects_it_in_zh_hans_and_the_date_is_kept(client, logged, member):
    member.language = "zh-hans"
    member.save()
    client.force_login(member)

    response = _submit_rendered(client, _edit_url(logged), {"interaction-next_step": "发送报价"})

    assert response.status_code == 302
    fresh = Interaction.objects.get(pk=logged.pk)
    assert fresh.next_step == "发送报价"
    assert fresh.occurred_on == logged.occurred_on
    assert fresh.user == member  # the author stays the author


def test_a_director_may_correct_it(client, logged):
    director = UserFactory(role=Role.DIRECTOR)
    client.force_login(director)

    response = _submit_rendered(client, _edit_url(logged), {"interaction-kind": "call"})

    assert response.status_code == 302
    assert Interaction.objects.get(pk=logged.pk).kind == "call"


def test_another_team_member_may_not(client, logged, manager):
    client.force_login(manager)  # the project's owner, not the author

    assert client.get(_edit_url(logged)).status_code == 403
    response = client.post(_edit_url(logged), {"interaction-summary": "Changed"})

    assert response.status_code == 403
    assert Interaction.objects.get(pk=logged.pk).summary == "拜访了运营总监。"


def test_only_the_author_and_directors_see_the_edit_link(client, logged, member, manager):
    client.force_login(member)
    assert (
        f'data-testid="edit-interaction-{logged.pk}"'
        in client.get(logged.customer.get_absolute_url()).content.decode()
    )

    client.force_login(manager)
    assert (
        f'data-testid="edit-interaction-{logged.pk}"'
        not in client.get(logged.customer.get_absolute_url()).content.decode()
    )


def test_a_future_date_is_refused_next_to_the_field(client, logged, member):
    client.force_login(member)

    response = _submit_rendered(
        client, _edit_url(logged), {"interaction-occurred_on": "2999-01-01"}
    )

    assert response.status_code == 400
    assert "occurred_on" in response.context["form"].errors
    assert Interaction.objects.get(pk=logged.pk).occurred_on == logged.occurred_on


def test_an_interaction_of_another_customer_is_not_found(client, logged, member):
    client.force_login(member)
    url = reverse("collaboration:interaction_edit", args=[CustomerFactory().pk, logged.pk])

    assert client.get(url).status_code == 404


def test_a_correction_is_in_the_project_s_history_with_who_and_what(client, logged, member):
    from django.utils import translation

    from projects.history import changes_described, project_changes

    member.language = "zh-hans"
    member.save()
    client.force_login(member)

    _submit_rendered(client, _edit_url(logged), {"interaction-next_step": "发送报价"})

    with translation.override("zh-hans"):
        [latest] = changes_described(project_changes(logged.project)[:1])
    assert (latest.kind, latest.record_id, latest.user_id) == ("interaction", logged.pk, member.pk)
    assert [(f.name, f.old_display, f.new_display) for f in latest.fields] == [
        ("next_step", "—", "发送报价")
    ]
    history = client.get(reverse("projects:project_history", args=[logged.project_id]))
    assert "发送报价" in history.content.decode()
