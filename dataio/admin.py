"""Import previews in the admin, read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from dataio.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["token", "created_by", "created_at", "imported_at", "projects_created"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
