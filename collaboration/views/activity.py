"""The activity feeds: one per project and a personal one across my projects."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagination import KeysPaginator
from projects.access import get_project_for_user, projects_visible_to

from ..selectors import activity_of, personal_feed

PER_PAGE = 30


@login_required
def project_activity_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    feed = activity_of(projects_visible_to(request.user).filter(pk=project.pk))
    page = KeysPaginator(feed, PER_PAGE).get_page(request.GET.get("page"))
    context = {"project": project, "page": page}
    return render(request, "collaboration/activity.html", context)


@login_required
def my_activity_view(request: HttpRequest) -> HttpResponse:
    page = KeysPaginator(personal_feed(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "collaboration/activity.html", {"page": page, "project": None})
