from django.urls import path

from .views import (
    history,
    projects,
    sections,
)

app_name = "projects"

urlpatterns = [
    path("projects/", projects.project_list_view, name="project_list"),
    path("projects/board/", projects.project_board_view, name="project_board"),
    path("projects/new/", projects.project_create_view, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail_view, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit_view, name="project_edit"),
    path("projects/<int:pk>/history/", history.project_history_view, name="project_history"),
    path("projects/<int:pk>/gate/", projects.project_gate_view, name="project_gate"),
    path("projects/<int:pk>/advance/", projects.project_advance_view, name="project_advance"),
    path(
        "projects/<int:pk>/transition/",
        projects.project_transition_view,
        name="project_transition",
    ),
    path(
        "projects/<int:pk>/sections/<slug:section>/",
        sections.section_save_view,
        name="section_save",
    ),
    path(
        "projects/<int:pk>/sections/<slug:section>/<int:item>/",
        sections.section_save_view,
        name="section_item_save",
    ),
    path(
        "projects/<int:pk>/sections/<slug:section>/<int:item>/delete/",
        sections.section_delete_view,
        name="section_item_delete",
    ),
    path(
        "projects/<int:pk>/goals/<int:goal>/progress/",
        sections.goal_progress_view,
        name="goal_progress",
    ),
    path(
        "projects/<int:pk>/strategies/<int:strategy>/edit/",
        sections.strategy_edit_view,
        name="strategy_edit",
    ),
    path(
        "projects/<int:pk>/strategies/<int:strategy>/adopt/",
        sections.strategy_adopt_view,
        name="strategy_adopt",
    ),
]
