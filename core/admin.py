"""The admin's shared pieces."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written through the apps' services (rules, feed, notifications): the admin
    shows them for support and never changes them behind the services' back."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
