"""The directors' Recompute button and the progress fragment that follows the run."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from insights.kpi_runs import kpi_run_start
from insights.models import KpiRun


@login_required
@require_POST
def kpi_recompute_view(request: HttpRequest) -> HttpResponse:
    run = kpi_run_start(actor=request.user)
    if request.htmx:
        return render(request, "insights/_kpi_run.html", {"run": run})
    # Without JavaScript: back to the home page, whose Recompute panel shows the latest run.
    return redirect("home")


@login_required
@require_GET
def kpi_run_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_director:
        raise PermissionDenied
    run = get_object_or_404(KpiRun.objects.select_related("started_by"), pk=pk)
    return render(request, "insights/_kpi_run.html", {"run": run})
