from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.api_tokens import api_tokens_revoke_all
from accounts.auth import UserPasswordChangeForm
from accounts.models import Department, User


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
    change_password_form = UserPasswordChangeForm

    def save_model(self, request, obj, form, change) -> None:
        # The admin's change form is the one place a person is deactivated (no service or job
        # does it); it already runs in a transaction. Tokens of an inactive person are refused
        # anyway — revoking them keeps a later reactivation from bringing them back.
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            api_tokens_revoke_all(user=obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    search_fields = ["code", "name_zh", "name_en"]
