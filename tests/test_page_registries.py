"""The registries through which the apps above a lower app add to its pages, feeds and
history (STYLE rule 11): what each app registers, in order, and that a registered panel is
what the page shows."""

import pytest
from django.urls import reverse

from collaboration import history as collaboration_history
from collaboration import panels as collaboration_panels
from collaboration.calendar import event_sources
from collaboration.gantt import milestone_sources
from collaboration.labels import activity_choices, activity_label
from customers.pages import customer_panel_register, customer_panels
from insights.panels import project_similar_lessons_panel
from monitoring import calendar as monitoring_calendar
from monitoring import history as monitoring_history
from monitoring import panels as monitoring_panels
from monitoring.models import ReviewDecision, RiskLevel
from projects.filters import ProjectFilter
from projects.history import TRACKED, TRACKED_BY_KEY, tracked_register
from projects.pages import project_panel_register, project_panels
from projects.panels import customer_projects_panel
from projects.selectors import list_annotations
from projects.views.sections import SECTIONS
from tests.factories import CustomerFactory, ProjectFactory


def test_the_project_page_panels_in_order():
    assert project_panels == [
        collaboration_panels.project_tasks_panel,
        collaboration_panels.project_comments_panel,
        collaboration_panels.project_sent_back_panel,
        monitoring_panels.project_reviews_panel,
        project_similar_lessons_panel,
    ]


def test_the_customer_page_panels_in_order():
    # collaboration comes before projects in INSTALLED_APPS, so its ready() runs first.
    assert customer_panels == [
        collaboration_panels.customer_interactions_panel,
        customer_projects_panel,
    ]


def test_the_history_tracks_each_app_s_records_in_order():
    assert [tracked.key for tracked in TRACKED] == [
        "project",
        "customer",
        "goal",
        "resource",
        "strategy",
        "membership",
        "task",
        "interaction",
        "review",
        "risk",
    ]
    assert TRACKED[6:8] == list(collaboration_history.TRACKED)
    assert TRACKED[8:] == list(monitoring_history.TRACKED)
    assert set(TRACKED_BY_KEY) == {tracked.key for tracked in TRACKED}


def test_the_project_list_and_its_filter_hear_from_monitoring_and_insights():
    assert list(list_annotations) == ["review_overdue"]
    assert list_annotations["review_overdue"] is monitoring_panels.review_overdue
    # Health comes last, where the list's filter form showed it before it moved to insights.
    assert list(ProjectFilter.base_filters)[-2:] == ["closed_from", "health"]
    assert ProjectFilter.base_filters["health"].field_name == "health"


def test_the_team_section_saves_through_collaboration():
    assert SECTIONS["team"] is collaboration_panels.TEAM_SECTION


def test_the_feeds_the_gantt_chart_and_the_activity_labels_hear_from_monitoring():
    assert event_sources == [monitoring_calendar.REVIEW_EVENTS]
    assert milestone_sources == [monitoring_panels.project_milestones]
    assert activity_choices == {"decision": ReviewDecision, "risk_level": RiskLevel}


def test_registering_again_changes_nothing():
    panels, customers_, tracked = list(project_panels), list(customer_panels), list(TRACKED)

    project_panel_register(project_similar_lessons_panel)
    customer_panel_register(customer_projects_panel)
    tracked_register(*monitoring_history.TRACKED)

    assert (project_panels, customer_panels, TRACKED) == (panels, customers_, tracked)


def test_an_activity_label_is_the_registered_choice_s_label():
    with_label = activity_label("decision", ReviewDecision.CONTINUE)
    assert with_label == ReviewDecision.CONTINUE.label
    assert activity_label("decision", "no-such-decision") == "no-such-decision"
    assert activity_label("no-such-kind", "x") == "x"


def _marker_panel(page):
    return {"registry_marker": f"panel for {page.project.code}"}


def _customer_marker_panel(request, customer):
    return {"registry_marker": f"panel for {customer.name}"}


@pytest.fixture
def marker_panels():
    """A panel on each page for one test, taken away after it."""
    project_panel_register(_marker_panel)
    customer_panel_register(_customer_marker_panel)
    yield
    project_panels.remove(_marker_panel)
    customer_panels.remove(_customer_marker_panel)


@pytest.mark.django_db
def test_a_registered_panel_adds_to_the_pages(client, manager, marker_panels):
    project = ProjectFactory(owner=manager)
    customer = CustomerFactory()
    client.force_login(manager)

    on_project = client.get(reverse("projects:project_detail", args=[project.pk]))
    on_customer = client.get(reverse("customers:customer_detail", args=[customer.pk]))

    assert on_project.context["registry_marker"] == f"panel for {project.code}"
    assert on_customer.context["registry_marker"] == f"panel for {customer.name}"
    # The panels before it still add what they show.
    assert "tasks" in on_project.context and "similar_lessons" in on_project.context
    assert "interactions" in on_customer.context and "projects" in on_customer.context
