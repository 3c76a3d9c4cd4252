from django.urls import path

from .views import exports, imports

app_name = "dataio"

urlpatterns = [
    # exports and imports
    path(
        "projects/export.<slug:fmt>",
        exports.project_list_export_view,
        name="project_list_export",
    ),
    path("projects/<int:pk>/tasks/export.<slug:fmt>", exports.task_export_view, name="task_export"),
    path("projects/<int:pk>/risks/export.<slug:fmt>", exports.risk_export_view, name="risk_export"),
    path(
        "risks/export.<slug:fmt>",
        exports.portfolio_risk_export_view,
        name="portfolio_risk_export",
    ),
    path(
        "projects/<int:pk>/reviews/export.<slug:fmt>",
        exports.review_export_view,
        name="review_export",
    ),
    path(
        "reviews/export.<slug:fmt>",
        exports.portfolio_review_export_view,
        name="portfolio_review_export",
    ),
    path("import/", imports.import_view, name="import"),
    path("import/confirm/", imports.import_confirm_view, name="import_confirm"),
    path("import/template.<slug:fmt>", imports.import_template_view, name="import_template"),
    # KPI exports
    path(
        "kpis/projects/export.<slug:fmt>",
        exports.kpi_project_export_view,
        name="kpi_project_export",
    ),
    path(
        "kpis/portfolio/export.<slug:fmt>",
        exports.kpi_portfolio_export_view,
        name="kpi_portfolio_export",
    ),
]
