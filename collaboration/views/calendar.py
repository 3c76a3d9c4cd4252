"""Calendar feeds: the page where a person finds, replaces or revokes their feed URLs, and
the feeds themselves, which a calendar client fetches with the token in the URL instead of
a sign-in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.site import site_url
from projects.access import get_project_for_user
from projects.models import Project

from ..calendar import (
    calendar_token_ensure,
    calendar_token_get,
    calendar_token_revoke,
    calendar_token_rotate,
    feed_path,
    personal_calendar,
    project_calendar,
    project_feed_path,
    token_user,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_settings_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            calendar_token_ensure(user=request.user)
            messages.success(request, _("Your calendar feed is ready."))
        elif action == "rotate":
            calendar_token_rotate(user=request.user)
            messages.success(
                request, _("New feed address made. The old one no longer works: subscribe again.")
            )
        elif action == "revoke":
            calendar_token_revoke(user=request.user)
            messages.success(request, _("Calendar feed turned off. Its address no longer works."))
        else:
            return render(request, "400.html", status=400)
        return redirect("collaboration:calendar")

    token = calendar_token_get(request.user)
    context = {"token": token}
    if token is not None:
        site = site_url(request)
        feed_url = site + feed_path(token.token)
        # The person's own open projects (a director's too, not the whole portfolio).
        projects = Project.objects.involving(request.user).open().order_by("name", "pk")
        context |= {
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "project_feeds": [
                (project, site + project_feed_path(token.token, project)) for project in projects
            ],
        }
    return render(request, "collaboration/calendar.html", context)


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The URL is a secret: no shared cache keeps the feed, no search engine lists it.
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def personal_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    user = token_user(token)
    if user is None:
        raise Http404
    return _ics(personal_calendar(user, site=site_url(request)), "salescycle.ics")


@require_safe
def project_feed_view(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    user = token_user(token)
    if user is None:
        raise Http404
    project = get_project_for_user(user, pk)
    feed = project_calendar(user, project, site=site_url(request))
    return _ics(feed, f"{project.code or project.pk}.ics")
