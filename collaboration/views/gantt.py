"""The Gantt chart of a project: tasks over time, their dependencies, reviews and stages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects.access import get_project_for_user

from ..gantt import Zoom, project_gantt


@login_required
def gantt_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    zoom = request.GET.get("zoom")
    zoom = Zoom(zoom) if zoom in Zoom.values else Zoom.WEEK  # an odd value is not an error
    context = {"project": project, "gantt": project_gantt(project, zoom=zoom), "zooms": Zoom}
    return render(request, "collaboration/gantt.html", context)
