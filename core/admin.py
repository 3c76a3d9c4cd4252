from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "department", "language", "is_active"]
    list_filter = ["groups", "department", "language", "is_active", "is_staff"]
    list_select_related = ["department"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("SalesCycle"), {"fields": ["full_name", "department", "language"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("SalesCycle"), {"fields": ["full_name", "email", "department", "language"]}),
    ]
