from django.contrib import admin

from customers.models import Contact, Customer


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "region", "size"]
    list_filter = ["industry", "region", "size"]
    search_fields = ["name"]
    inlines = [ContactInline]
