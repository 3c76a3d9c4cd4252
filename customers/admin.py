from django.contrib import admin

from customers.access import can_edit_customers
from customers.forms import CustomerForm
from customers.models import Contact, Customer
from customers.services import contact_add, customer_save, website_as_uri


class ContactInline(admin.TabularInline):
    """Contacts are added through `contact_add`; no service edits one, so the admin doesn't."""

    model = Contact
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and can_edit_customers(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CustomerAdminForm(CustomerForm):
    def clean_website(self) -> str:
        # Refused next to the field here, not by `customer_save` once the admin saves.
        return website_as_uri(self.cleaned_data.get("website"))


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Saves go through `customer_save`, like the pages, the API and the import: the same
    rules, the same history; an administrator without a sales role reads."""

    form = CustomerAdminForm
    list_display = ["name", "industry", "region", "size"]
    list_filter = ["industry", "region", "size"]
    search_fields = ["name"]
    inlines = [ContactInline]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and can_edit_customers(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and can_edit_customers(request.user)

    def save_model(self, request, obj: Customer, form, change: bool) -> None:
        customer_save(customer=obj, actor=request.user)

    def save_formset(self, request, form, formset, change: bool) -> None:
        for contact in formset.save(commit=False):
            contact_add(customer=form.instance, contact=contact, actor=request.user)
