"""A project's full change history: every field changed on it and its records, paginated."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..access import get_project_for_user
from ..history import changes_described, project_changes

PER_PAGE = 30


@login_required
def project_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    page = Paginator(project_changes(project), PER_PAGE).get_page(request.GET.get("page"))
    context = {"project": project, "page": page, "changes": changes_described(page)}
    return render(request, "projects/project_history.html", context)
