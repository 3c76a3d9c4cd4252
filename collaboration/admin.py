from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import (
    Activity,
    CalendarToken,
    Comment,
    Interaction,
    Notification,
    NotificationSetting,
    Task,
)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "project", "stage", "assignee", "status", "progress", "due_date"]
    list_filter = ["status", "stage", "priority", "is_milestone", "department"]
    search_fields = ["title", "project__code"]
    list_select_related = ["project", "assignee"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["project", "task", "author", "created_at", "deleted_at"]
    search_fields = ["body", "project__code"]
    list_select_related = ["project", "task", "author"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "project", "actor", "verb"]
    list_filter = ["verb"]
    list_select_related = ["project", "actor"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "project", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "project"]


@admin.register(NotificationSetting)
class NotificationSettingAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "by_email"]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "customer", "project", "kind", "user"]
    list_filter = ["kind"]
    list_select_related = ["customer", "project", "user"]


@admin.register(CalendarToken)
class CalendarTokenAdmin(ReadOnlyAdmin):
    """Who has a calendar feed; the secret itself is not shown."""

    list_display = ["user", "created_at"]
    fields = ["user", "created_at"]
    list_select_related = ["user"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return True  # deleting revokes the feed
