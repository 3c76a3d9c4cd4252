"""Customer list, page and forms, with contacts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import add_service_errors
from core.pagination import KeysPaginator
from customers.access import can_edit_customers
from customers.filters import CustomerFilter
from customers.forms import ContactForm, CustomerForm
from customers.models import Customer
from customers.pages import panels_context
from customers.services import contact_add, customer_save


@login_required
def customer_list_view(request: HttpRequest) -> HttpResponse:
    filterset = CustomerFilter(request.GET, queryset=Customer.objects.all())
    queryset = filterset.qs if filterset.is_valid() else Customer.objects.none()
    queryset = queryset.annotate(contact_count=Count("contacts", distinct=True)).order_by("name")
    page = KeysPaginator(queryset, 25).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "can_edit": can_edit_customers(request.user)}
    return render(request, "customers/customer_list.html", context)


@login_required
def customer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    editable = can_edit_customers(request.user)
    contact_form = ContactForm(request.POST or None, prefix="contact")
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if contact_form.is_valid():
            contact_add(
                customer=customer, contact=contact_form.save(commit=False), actor=request.user
            )
            messages.success(request, _("Contact added."))
            return redirect(customer)
    context = {
        "customer": customer,
        "contacts": list(customer.contacts.all()),
        "contact_form": contact_form,
        "can_edit": editable,
        **panels_context(request, customer),  # its projects, the interaction log
    }
    return render(request, "customers/customer_detail.html", context)


@login_required
def customer_form_view(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not can_edit_customers(request.user):
        raise PermissionDenied
    customer = get_object_or_404(Customer, pk=pk) if pk else None
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_save(customer=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})
