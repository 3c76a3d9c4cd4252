"""KPI snapshots in the admin, read-only: the rollup writes them."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from insights.models import PortfolioSnapshot, ProjectSnapshot


@admin.register(ProjectSnapshot)
class ProjectSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["day", "project", "stage", "health", "tasks_overdue", "weighted_value"]
    list_filter = ["health", "stage"]
    list_select_related = ["project"]
    date_hierarchy = "day"


@admin.register(PortfolioSnapshot)
class PortfolioSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["day", "dimension", "key", "open_projects", "weighted_forecast", "won_365"]
    list_filter = ["dimension"]
    date_hierarchy = "day"
