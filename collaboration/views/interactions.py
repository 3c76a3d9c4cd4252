"""Logging an interaction with a customer (from the customer page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from customers.models import Customer

from .. import access
from ..forms import InteractionForm
from ..models import Interaction
from ..services import interaction_log, interaction_update


def interaction_form(
    request: HttpRequest, customer: Customer, data=None, *, instance: Interaction | None = None
) -> InteractionForm | None:
    """The form to log (or correct) an interaction, for someone who may log one on this
    customer; a new one starts on today's date."""
    projects = access.projects_for_logging(request.user, customer)
    if not projects.exists():
        return None
    return InteractionForm(
        data,
        instance=instance,
        projects=projects,
        contacts=customer.contacts.all(),
        initial=None if instance else {"occurred_on": timezone.localdate()},
        prefix="interaction",
    )


@login_required
@require_POST
def interaction_log_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    form = interaction_form(request, customer, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            interaction_log(interaction=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interaction logged."))
            return redirect(f"{customer.get_absolute_url()}#interactions")
    context = {"customer": customer, "form": form}
    return render(request, "collaboration/interaction_form.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def interaction_edit_view(request: HttpRequest, pk: int, interaction: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    record = get_object_or_404(
        access.interactions_visible_to(request.user, customer), pk=interaction
    )
    form = interaction_form(request, customer, request.POST or None, instance=record)
    if form is None or not access.can_change_interaction(request.user, record):
        raise PermissionDenied
    if form.is_bound and form.is_valid():
        try:
            interaction_update(interaction=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Interaction saved."))
            return redirect(f"{customer.get_absolute_url()}#interactions")
    context = {"customer": customer, "form": form, "interaction": record}
    status = 400 if form.is_bound else 200
    return render(request, "collaboration/interaction_form.html", context, status=status)
