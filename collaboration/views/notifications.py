"""The signed-in person's notifications: the list, the bell in the top bar, marking them read
and choosing which kinds also come by e-mail."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from ..models import NotificationKind
from ..notifications import (
    email_preferences,
    email_preferences_save,
    notification_text,
    notifications_for,
    notifications_mark_read,
    unread_count,
)

PAGE_SIZE = 25
# More ids than a page holds is not a request the page makes.
MAX_IDS_PER_REQUEST = 100
MAX_ID = 2**63 - 1  # BigAutoField: a larger number would be a database error, not a miss
# The bell listens for this event to refresh its count after something was marked read.
READ_EVENT = "notifications-read"


class EmailPreferencesForm(forms.Form):
    """One "by e-mail" checkbox per kind of notification."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.BooleanField(label=kind.label, required=False)


def _list_context(request: HttpRequest, page_number: str | None) -> dict:
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(page_number)
    return {"page": page, "items": [(n, notification_text(n)) for n in page]}


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, request.GET.get("page"))
    template = (
        "collaboration/_notification_items.html"
        if request.htmx
        else "collaboration/notification_list.html"
    )
    return render(request, template, context)


@login_required
def notification_bell_view(request: HttpRequest) -> HttpResponse:
    context = {"unread_notifications": unread_count(request.user)}
    return render(request, "collaboration/_bell.html", context)


def _parse_ids(values: list[str]) -> list[int] | None:
    """The notification ids of a request, or None when any of them is not an id."""
    if len(values) > MAX_IDS_PER_REQUEST:
        return None
    ids = []
    for value in values:
        try:
            number = int(value)
        except ValueError:
            return None
        if not 0 < number <= MAX_ID:
            return None
        ids.append(number)
    return ids


@login_required
@require_POST
def notifications_mark_read_view(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all") == "1":
        ids = None
    else:
        ids = _parse_ids(request.POST.getlist("ids"))
        if not ids:
            return render(request, "400.html", status=400)
    # Ids of other people's notifications are ignored by the service, not reported: saying
    # "not yours" would confirm that the id exists.
    notifications_mark_read(user=request.user, ids=ids)
    page_number = request.POST.get("page")
    if request.htmx:
        response = render(
            request,
            "collaboration/_notification_items.html",
            _list_context(request, page_number),
        )
        return trigger_client_event(response, READ_EVENT)
    url = reverse("collaboration:notification_list")
    if page_number and page_number.isdigit():
        url += f"?page={page_number}"
    return redirect(url)


@login_required
def notification_settings_view(request: HttpRequest) -> HttpResponse:
    # Not `request.POST or None`: a form with every box unchecked posts nothing but is a choice.
    data = request.POST if request.method == "POST" else None
    form = EmailPreferencesForm(data, initial=email_preferences(request.user))
    if request.method == "POST" and form.is_valid():
        email_preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Notification settings saved."))
        return redirect("collaboration:notification_settings")
    return render(request, "collaboration/notification_settings.html", {"form": form})
