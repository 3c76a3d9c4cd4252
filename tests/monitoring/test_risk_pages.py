"""The risk pages: who sees and changes what, bad input next to the field, the level table,
the 5×5 matrix and its links, the portfolio, the filters, and query counts that do not grow
with the risks shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from collaboration.models import Notification, NotificationKind
from monitoring.models import Risk, RiskLevel, RiskStatus, risk_level
from monitoring.risks import can_update_risk, updatable_risks
from projects.models import Outcome, ProjectMembership, Stage, TeamRole
from tests.factories import ProjectFactory, ProjectMembershipFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def risk(project):
    return RiskFactory(project=project, title="Competitor undercuts the price")


@pytest.fixture
def members_risk(project, team_member):
    return RiskFactory(project=project, owner=team_member, title="Pilot slips a month")


def people(request, who: str):
    return None if who == "anonymous" else request.getfixturevalue(who)


def form_data(project, owner, **changes) -> dict:
    data = {
        "title": "Key user leaves the customer",
        "category": "customer",
        "probability": "3",
        "impact": "3",
        "owner": str(owner.pk),
        "description": "",
        "mitigation": "Meet the deputy early.",
        "status": RiskStatus.OPEN,
        "due_date": "",
        "last_reviewed_on": "",
    }
    return {**data, **changes}


def cell_href(page: str, probability: int, impact: int) -> str:
    """The link of a matrix cell, as the browser would follow it."""
    tag = re.search(rf'<a href="([^"]*)"[^>]*data-testid="risk-cell-{probability}-{impact}"', page)
    return tag.group(1).replace("&amp;", "&")


def row_ids(response) -> set[int]:
    return {risk.pk for risk in response.context["page"]}


# --- who may see and change what -----------------------------------------------------------
READERS = [
    ("manager", 200),
    ("director", 200),
    ("team_member", 200),
    ("observer", 200),
    ("outsider", 404),
]
WRITERS = [
    ("manager", 200),
    ("director", 200),
    ("team_member", 403),
    ("observer", 403),
    ("outsider", 404),
]


@pytest.mark.parametrize(("who", "status"), READERS)
def test_register_is_for_those_who_see_the_project(client, request, project, risk, who, status):
    client.force_login(people(request, who))
    response = client.get(reverse("monitoring:risk_list", args=[project.pk]))
    assert response.status_code == status
    if status == 200:
        assert f'data-testid="risk-row-{risk.pk}"' in response.content.decode()


@pytest.mark.parametrize(("who", "status"), WRITERS)
def test_it_requires_edit_rights_to_add_a_risk(client, request, project, who, status):
    client.force_login(people(request, who))
    url = reverse("monitoring:risk_create", args=[project.pk])
    assert client.get(url).status_code == status
    response = client.post(url, form_data(project, project.owner))
    assert response.status_code == (302 if status == 200 else status)
    assert Risk.objects.exists() == (status == 200)


@pytest.mark.parametrize(("who", "status"), WRITERS)
def test_it_requires_edit_rights_to_edit_someone_elses_risk(
    client, request, project, risk, who, status
):
    client.force_login(people(request, who))
    url = reverse("monitoring:risk_edit", args=[project.pk, risk.pk])
    assert client.get(url).status_code == status
    response = client.post(url, form_data(project, risk.owner, title="Renamed"))
    assert response.status_code == (302 if status == 200 else status)
    risk.refresh_from_db()
    assert (risk.title == "Renamed") == (status == 200)


@pytest.mark.parametrize(("who", "status"), WRITERS)
def test_it_requires_edit_rights_to_delete_a_risk(client, request, project, risk, who, status):
    client.force_login(people(request, who))
    response = client.post(reverse("monitoring:risk_delete", args=[project.pk, risk.pk]))
    assert response.status_code == (302 if status == 200 else status)
    assert Risk.objects.filter(pk=risk.pk).exists() == (status != 200)


def test_delete_takes_post_only(client, manager, project, risk):
    client.force_login(manager)
    response = client.get(reverse("monitoring:risk_delete", args=[project.pk, risk.pk]))
    assert response.status_code == 405
    assert Risk.objects.filter(pk=risk.pk).exists()


@pytest.mark.parametrize(
    "name", ["risk_list", "risk_create", "risk_edit", "risk_delete", "portfolio_risks"]
)
def test_anonymous_is_sent_to_sign_in(client, project, risk, name):
    args = {
        "risk_list": [project.pk],
        "risk_create": [project.pk],
        "risk_edit": [project.pk, risk.pk],
        "risk_delete": [project.pk, risk.pk],
        "portfolio_risks": [],
    }[name]
    response = client.post(reverse(f"monitoring:{name}", args=args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_risk_owner_on_the_team_may_edit_that_risk_only(
    client, project, team_member, risk, members_risk
):
    client.force_login(team_member)
    own = reverse("monitoring:risk_edit", args=[project.pk, members_risk.pk])
    response = client.post(own, form_data(project, team_member, title="Pilot slips two months"))
    assert response.status_code == 302
    members_risk.refresh_from_db()
    assert members_risk.title == "Pilot slips two months"

    other = reverse("monitoring:risk_edit", args=[project.pk, risk.pk])
    assert client.get(other).status_code == 403
    delete = reverse("monitoring:risk_delete", args=[project.pk, members_risk.pk])
    assert client.post(delete).status_code == 403


def test_risk_owner_who_left_the_team_may_no_longer_edit_it(
    client, project, team_member, members_risk
):
    ProjectMembership.objects.filter(project=project, user=team_member).update(left_on="2026-01-01")
    client.force_login(team_member)
    url = reverse("monitoring:risk_edit", args=[project.pk, members_risk.pk])
    assert client.get(url).status_code == 404  # no longer sees the project at all


def test_nobody_but_directors_edits_risks_of_a_closed_project(
    client, manager, director, team_member, members_risk
):
    project = members_risk.project
    type(project).objects.filter(pk=project.pk).update(stage=Stage.CLOSED, outcome=Outcome.WON)
    url = reverse("monitoring:risk_edit", args=[project.pk, members_risk.pk])
    for user in (manager, team_member):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(director)
    assert client.get(url).status_code == 200


def test_edit_and_delete_buttons_only_where_allowed(
    client, project, team_member, observer, risk, members_risk
):
    url = reverse("monitoring:risk_list", args=[project.pk])

    client.force_login(team_member)
    page = client.get(url).content.decode()
    assert f'data-testid="edit-risk-{members_risk.pk}"' in page
    assert f'data-testid="edit-risk-{risk.pk}"' not in page
    assert 'data-testid="delete-risk-' not in page
    assert 'data-testid="new-risk"' not in page

    client.force_login(observer)
    page = client.get(url).content.decode()
    assert 'data-testid="edit-risk-' not in page

    client.force_login(project.owner)
    page = client.get(url).content.decode()
    for record in (risk, members_risk):
        assert f'data-testid="edit-risk-{record.pk}"' in page
        assert f'data-testid="delete-risk-{record.pk}"' in page
    assert 'data-testid="new-risk"' in page


def test_updatable_risks_follows_can_update_risk(
    project, manager, director, team_member, observer, risk, members_risk
):
    closed = ProjectFactory(owner=manager, stage=Stage.CLOSED)
    ProjectMembershipFactory(project=closed, user=team_member)
    on_closed = RiskFactory(project=closed, owner=team_member)
    risks = list(Risk.objects.select_related("project"))
    for user in (manager, director, team_member, observer):
        expected = {r.pk for r in risks if can_update_risk(user, r)}
        assert {r.pk for r in updatable_risks(user, risks)} == expected
    assert {r.pk for r in updatable_risks(team_member, risks)} == {members_risk.pk}
    assert on_closed.pk not in {r.pk for r in updatable_risks(manager, risks)}


# --- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("probability", "0"),
        ("probability", "6"),
        ("impact", "x"),
        ("impact", ""),
        ("category", "weather"),
        ("title", ""),
    ],
)
def test_bad_input_shows_the_error_by_the_field_and_saves_nothing(
    client, manager, project, field, value
):
    client.force_login(manager)
    url = reverse("monitoring:risk_create", args=[project.pk])
    response = client.post(url, form_data(project, manager, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Risk.objects.exists()


def test_owner_must_be_on_the_team(client, manager, outsider, project):
    client.force_login(manager)
    url = reverse("monitoring:risk_create", args=[project.pk])
    response = client.post(url, form_data(project, outsider))
    assert response.status_code == 200
    assert 'id="id_owner_error"' in response.content.decode()
    assert not Risk.objects.exists()


def test_bad_edit_leaves_the_risk_as_it_was(client, manager, project, risk):
    client.force_login(manager)
    url = reverse("monitoring:risk_edit", args=[project.pk, risk.pk])
    response = client.post(url, form_data(project, manager, impact="9", title="Changed"))
    assert response.status_code == 200
    assert 'id="id_impact_error"' in response.content.decode()
    risk.refresh_from_db()
    assert (risk.title, risk.impact) == ("Competitor undercuts the price", 3)


def test_service_errors_land_on_the_form(client, manager, project, team_member, monkeypatch):
    """An owner who leaves the team between loading the form and saving it."""
    client.force_login(manager)
    url = reverse("monitoring:risk_create", args=[project.pk])
    data = form_data(project, team_member)
    from monitoring import risks as risk_services

    monkeypatch.setattr(risk_services, "project_member_ids", lambda project: set())
    response = client.post(url, data)
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Risk.objects.exists()


# --- the level table ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("probability", "impact", "level"),
    [
        (1, 1, RiskLevel.LOW),
        (1, 4, RiskLevel.LOW),
        (1, 5, RiskLevel.MEDIUM),
        (3, 3, RiskLevel.MEDIUM),
        (3, 4, RiskLevel.HIGH),
        (2, 5, RiskLevel.HIGH),
        (4, 4, RiskLevel.HIGH),
        (4, 5, RiskLevel.CRITICAL),
        (5, 5, RiskLevel.CRITICAL),
    ],
)
def test_level_shown_follows_the_table(client, manager, project, probability, impact, level):
    client.force_login(manager)
    url = reverse("monitoring:risk_create", args=[project.pk])
    data = form_data(project, manager, probability=str(probability), impact=str(impact))
    assert client.post(url, data).status_code == 302
    saved = Risk.objects.get()
    assert saved.level == level == risk_level(probability, impact)

    page = client.get(reverse("monitoring:risk_list", args=[project.pk])).content.decode()
    badge = f'data-testid="risk-level-{saved.pk}" data-level="{level.value}">{level.label}<'
    assert badge in page
    cell = f'data-testid="risk-cell-{probability}-{impact}" data-level="{level.value}"'
    assert cell in page


def test_legend_and_form_give_the_level_table(client, manager, project):
    client.force_login(manager)
    page = client.get(reverse("monitoring:risk_list", args=[project.pk])).content.decode()
    for text in ("Critical 20–25", "High 10–19", "Medium 5–9", "Low 1–4"):
        assert text in page
    form = client.get(reverse("monitoring:risk_create", args=[project.pk])).content.decode()
    assert "Medium 5–9" in form


# --- serious risks -----------------------------------------------------------------------------
def test_a_risk_raised_to_high_tells_its_owner_and_the_directors(
    client, manager, director, project, team_member, members_risk
):
    other_director = UserFactory(role=Role.DIRECTOR)
    client.force_login(manager)
    url = reverse("monitoring:risk_edit", args=[project.pk, members_risk.pk])
    data = form_data(project, team_member, probability="2", impact="5")
    assert client.post(url, data).status_code == 302

    told = Notification.objects.filter(kind=NotificationKind.RISK_SERIOUS)
    assert {n.recipient for n in told} == {team_member, director, other_director}
    assert {n.data["level"] for n in told} == {RiskLevel.HIGH}

    # Saving it again at the same level is no news.
    data["mitigation"] = "Daily stand-up with the customer."
    assert client.post(url, data).status_code == 302
    assert told.count() == 3


def test_a_medium_risk_tells_nobody(client, manager, director, project):
    client.force_login(manager)
    url = reverse("monitoring:risk_create", args=[project.pk])
    assert client.post(url, form_data(project, manager)).status_code == 302
    assert not Notification.objects.filter(kind=NotificationKind.RISK_SERIOUS).exists()


# --- the matrix --------------------------------------------------------------------------------
@pytest.fixture
def spread(project):
    """Risks across the matrix: two at 5×1, one at 1×5, three at 4×4, one closed at 2×2."""
    risks = {
        "5x1": [RiskFactory(project=project, probability=5, impact=1) for _ in range(2)],
        "1x5": [RiskFactory(project=project, probability=1, impact=5)],
        "4x4": [RiskFactory(project=project, probability=4, impact=4) for _ in range(3)],
        "closed": [RiskFactory(project=project, probability=2, impact=2, status=RiskStatus.CLOSED)],
    }
    return risks


def test_matrix_counts_the_risks_in_their_cells(client, manager, project, spread):
    client.force_login(manager)
    response = client.get(reverse("monitoring:risk_list", args=[project.pk]))
    page = response.content.decode()
    counts = {
        (int(p), int(i)): int(n)
        for p, i, n in re.findall(r'risk-cell-(\d)-(\d)" data-level="\w+" data-count="(\d+)"', page)
    }
    assert len(counts) == 25
    assert counts[(5, 1)] == 2
    assert counts[(1, 5)] == 1
    assert counts[(4, 4)] == 3
    assert counts[(2, 2)] == 0  # closed risks are not shown by default
    assert sum(counts.values()) == 6
    assert 'data-testid="risk-level-count-medium">3<' in page
    assert 'data-testid="risk-level-count-high">3<' in page
    assert 'data-testid="risk-total">6<' in page
    # Probability runs from 5 at the top down to 1.
    assert [row[0].cell.probability for row in response.context["matrix_rows"]] == [5, 4, 3, 2, 1]
    assert page.index("risk-cell-5-1") < page.index("risk-cell-1-1")


def test_matrix_cell_is_a_link_to_its_risks(client, manager, project, spread):
    client.force_login(manager)
    url = reverse("monitoring:risk_list", args=[project.pk])
    page = client.get(url).content.decode()
    href = cell_href(page, 4, 4)
    assert href.startswith(url + "?")
    assert "probability=4" in href and "impact=4" in href

    response = client.get(href)
    assert row_ids(response) == {r.pk for r in spread["4x4"]}
    chosen = response.content.decode()
    assert 'data-testid="risk-chosen"' in chosen
    assert 'aria-current="true" data-testid="risk-cell-4-4"' in chosen
    # The matrix still counts every cell, so the others stay a click away.
    assert response.context["matrix"].total == 6


def test_matrix_cell_keeps_the_other_filters(client, manager, project, spread):
    client.force_login(manager)
    url = reverse("monitoring:risk_list", args=[project.pk])
    page = client.get(url, {"status": "closed"}).content.decode()
    href = cell_href(page, 2, 2)
    assert "status=closed" in href
    assert row_ids(client.get(href)) == {spread["closed"][0].pk}


def test_htmx_gets_the_register_fragment(client, manager, project, spread):
    client.force_login(manager)
    url = reverse("monitoring:risk_list", args=[project.pk])
    response = client.get(url, {"probability": 5, "impact": 1}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="risk-register"')
    assert "<html" not in page
    assert row_ids(response) == {r.pk for r in spread["5x1"]}
    assert "HX-Request" in response["Vary"]


def test_matrix_has_text_for_screen_readers(client, manager, project, spread):
    client.force_login(manager)
    page = client.get(reverse("monitoring:risk_list", args=[project.pk])).content.decode()
    assert 'aria-label="Probability 4, impact 4: High, 3 risks"' in page
    assert "<title>Probability 1, impact 5: Medium, 1 risk</title>" in page
    assert 'aria-labelledby="risk-matrix-title risk-matrix-desc"' in page


# --- the portfolio -----------------------------------------------------------------------------
@pytest.fixture
def portfolio(manager, member):
    """The manager's project, one where the manager is on the team, and someone else's."""
    own = RiskFactory(project=ProjectFactory(owner=manager), probability=5, impact=5)
    theirs = ProjectFactory()
    ProjectMembershipFactory(project=theirs, user=manager)
    on_team = RiskFactory(project=theirs, probability=1, impact=1)
    hidden = RiskFactory(project=ProjectFactory(), probability=5, impact=5)
    return {"own": own, "on_team": on_team, "hidden": hidden}


def test_portfolio_shows_a_manager_only_the_projects_they_see(client, manager, portfolio):
    client.force_login(manager)
    response = client.get(reverse("monitoring:portfolio_risks"))
    assert row_ids(response) == {portfolio["own"].pk, portfolio["on_team"].pk}
    matrix = response.context["matrix"]
    assert matrix.total == 2
    assert matrix.rows[0][4].count == 1  # 5×5: only the manager's own
    page = response.content.decode()
    assert portfolio["own"].project.code in page
    assert portfolio["hidden"].project.code not in page
    # Nobody's name from the hidden project is offered in the filters.
    owners = set(response.context["filter"].form.fields["project_owner"].queryset)
    assert portfolio["hidden"].project.owner not in owners


def test_portfolio_shows_a_director_every_project(client, director, portfolio):
    client.force_login(director)
    response = client.get(reverse("monitoring:portfolio_risks"))
    assert row_ids(response) == {r.pk for r in portfolio.values()}
    assert response.context["matrix"].rows[0][4].count == 2


def test_portfolio_filters_by_project_owner(client, director, manager, portfolio):
    client.force_login(director)
    response = client.get(reverse("monitoring:portfolio_risks"), {"project_owner": manager.pk})
    assert row_ids(response) == {portfolio["own"].pk}
    assert response.context["matrix"].total == 1


def test_portfolio_is_paginated(client, director):
    project = ProjectFactory()
    RiskFactory.create_batch(55, project=project)
    client.force_login(director)
    response = client.get(reverse("monitoring:portfolio_risks"))
    assert len(response.context["page"]) == 50
    assert response.context["matrix"].total == 55
    assert len(client.get(reverse("monitoring:portfolio_risks"), {"page": 2}).context["page"]) == 5


# --- filters -----------------------------------------------------------------------------------
@pytest.fixture
def register(project, team_member):
    return {
        "open": RiskFactory(project=project, title="Budget freeze", category="commercial"),
        "mitigating": RiskFactory(
            project=project,
            title="Integration with SAP",
            category="technical",
            status=RiskStatus.MITIGATING,
            owner=team_member,
            probability=4,
            impact=5,
        ),
        "closed": RiskFactory(
            project=project, title="Tender delayed", status=RiskStatus.CLOSED, impact=1
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"open", "mitigating"}),
        ({"status": "closed"}, {"closed"}),
        ({"status": "mitigating"}, {"mitigating"}),
        ({"status": ""}, {"open", "mitigating", "closed"}),
        ({"level": "critical"}, {"mitigating"}),
        ({"level": "medium"}, {"open"}),
        ({"category": "technical"}, {"mitigating"}),
        ({"search": "sap"}, {"mitigating"}),
        ({"probability": "3", "impact": "3"}, {"open"}),
        ({"impact": "1", "status": ""}, {"closed"}),
        ({"probability": "6"}, set()),
    ],
)
def test_register_filters(client, manager, project, register, query, expected):
    client.force_login(manager)
    response = client.get(reverse("monitoring:risk_list", args=[project.pk]), query)
    assert response.status_code == 200
    assert row_ids(response) == {register[name].pk for name in expected}


def test_register_filters_by_risk_owner(client, manager, project, team_member, register):
    client.force_login(manager)
    url = reverse("monitoring:risk_list", args=[project.pk])
    response = client.get(url, {"owner": team_member.pk})
    assert row_ids(response) == {register["mitigating"].pk}
    assert "project_owner" not in response.context["filter"].form.fields


def test_bad_filter_says_so(client, manager, project, register):
    client.force_login(manager)
    response = client.get(reverse("monitoring:risk_list", args=[project.pk]), {"impact": "x"})
    assert response.context["filter"].form.errors["impact"]
    assert 'class="field-error"' in response.content.decode()


# --- query counts ------------------------------------------------------------------------------
def _queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["risk_list", "risk_list_htmx", "risk_cell", "portfolio_risks"])
@pytest.mark.parametrize("viewer", ["owner", "risk_owner", "director"])
def test_pages_run_the_same_queries_for_1_and_30_risks(client, page, viewer):
    counts = []
    for rows in (1, 30):
        owner = UserFactory(role=Role.SALES_MANAGER)
        member = UserFactory(role=Role.MEMBER)
        project = ProjectFactory(owner=owner, stage=Stage.EXECUTION)
        ProjectMembershipFactory(project=project, user=owner, role=TeamRole.OWNER)
        ProjectMembershipFactory(project=project, user=member)
        for n in range(rows):
            RiskFactory(
                project=project,
                owner=owner if n % 2 else member,
                probability=n % 5 + 1,
                impact=(n // 5) % 5 + 1,
            )
        user = {"owner": owner, "risk_owner": member}.get(viewer) or UserFactory(role=Role.DIRECTOR)
        client.force_login(user)
        headers = {"HTTP_HX_REQUEST": "true"} if page.endswith("_htmx") else {}
        if page == "portfolio_risks":
            url = reverse("monitoring:portfolio_risks") + f"?project_owner={owner.pk}"
        else:
            url = reverse("monitoring:risk_list", args=[project.pk])
        if page == "risk_cell":
            url += "?probability=1&impact=1&status="
        _queries(client, url, **headers)  # warm caches (session, content types)
        counts.append(_queries(client, url, **headers))

    assert counts[0] == counts[1]
