"""Reviews and risks in the admin, read-only: they change through their services."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from monitoring.models import ReviewMeeting, Risk


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(ReadOnlyAdmin):
    list_display = ["project", "scheduled_for", "held_at", "decision"]
    list_filter = ["decision"]
    list_select_related = ["project"]
    date_hierarchy = "scheduled_for"
    search_fields = ["project__code", "project__name"]


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "level", "score", "status", "owner", "due_date"]
    list_filter = ["status", "category"]
    list_select_related = ["project", "owner"]
    search_fields = ["title", "project__code"]
