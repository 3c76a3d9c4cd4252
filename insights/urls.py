from django.urls import path

from .views import dashboard, kpi_runs, lessons

app_name = "insights"

urlpatterns = [
    # knowledge base
    path("lessons/", lessons.lesson_list_view, name="lesson_list"),
    path("kpis/recompute/", kpi_runs.kpi_recompute_view, name="kpi_recompute"),
    path("kpis/runs/<int:pk>/", kpi_runs.kpi_run_view, name="kpi_run"),
    # dashboards
    path("dashboard/", dashboard.director_dashboard_view, name="dashboard"),
]
