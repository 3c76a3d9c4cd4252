"""Risk pages: a project's risk register with its 5×5 matrix, the risk form, and the same
register across every project the user may see.

The register (filters, matrix, rows) is one fragment: the full page includes it and an htmx
request — a filter change or a click on a matrix cell — gets just the fragment back."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.forms import add_service_errors
from core.pagination import KeysPaginator
from monitoring.filters import RiskFilter
from monitoring.forms import RiskForm
from monitoring.models import RISK_LEVEL_FLOORS, Risk, RiskLevel
from monitoring.risks import (
    MatrixCell,
    RiskMatrix,
    can_edit_risks,
    can_update_risk,
    risk_delete,
    risk_matrix,
    risk_save,
    risks_visible_to,
    updatable_risks,
)
from projects.access import get_project_for_user
from projects.models import Project

PAGE_SIZE = 50
# The picture, in px: 5×5 cells of CELL, the probability axis left of them, the impact axis
# under them and the legend, two levels a line, under that; narrow enough for a phone.
CELL, LEFT, TOP, AXIS, LEGEND_LINE = 64, 64, 8, 52, 24
SIDE = 5 * CELL
GEOMETRY = {
    "width": LEFT + SIDE + 12,
    "height": TOP + SIDE + AXIS + 2 * LEGEND_LINE,
    "cell": CELL - 4,  # a gap of 4 between cells
    "probability_tick_x": LEFT - 12,
    "probability_title_x": -(TOP + SIDE // 2),  # the title is turned a quarter left
    "impact_tick_y": TOP + SIDE + 20,
    "impact_title_x": LEFT + SIDE // 2,
    "impact_title_y": TOP + SIDE + 42,
    "legend_x": LEFT,
    "legend_y": TOP + SIDE + AXIS + 4,
}


@dataclass(frozen=True)
class DrawnCell:
    """A matrix cell placed in the picture, linking to the register filtered to it."""

    cell: MatrixCell
    href: str
    selected: bool
    x: int
    y: int
    mid_x: int
    mid_y: int


def _picture(
    matrix: RiskMatrix, query: QueryDict, chosen: tuple[int, int] | None
) -> list[list[DrawnCell]]:
    rows = []
    for row_index, row in enumerate(matrix.rows):
        drawn = []
        for cell in row:
            link = query.copy()
            link["probability"], link["impact"] = cell.probability, cell.impact
            x, y = LEFT + (cell.impact - 1) * CELL + 2, TOP + row_index * CELL + 2
            drawn.append(
                DrawnCell(
                    cell=cell,
                    href=f"?{link.urlencode()}",
                    selected=(cell.probability, cell.impact) == chosen,
                    x=x,
                    y=y,
                    mid_x=x + CELL // 2 - 2,
                    mid_y=y + CELL // 2 - 2,
                )
            )
        rows.append(drawn)
    return rows


@dataclass(frozen=True)
class LevelRow:
    """A level of the legend and of the table of counts, with the scores it covers."""

    level: RiskLevel
    floor: int
    ceiling: int
    count: int
    legend_x: int
    legend_y: int


def _levels(matrix: RiskMatrix | None = None) -> list[LevelRow]:
    """From critical down to low, by RISK_LEVEL_FLOORS; counted in `matrix` if given."""
    ceilings = [25] + [floor - 1 for floor, _level in RISK_LEVEL_FLOORS[:-1]]
    return [
        LevelRow(
            level,
            floor,
            ceiling,
            matrix.by_level[level.value] if matrix else 0,
            legend_x=index % 2 * SIDE // 2,
            legend_y=index // 2 * LEGEND_LINE,
        )
        for index, ((floor, level), ceiling) in enumerate(
            zip(RISK_LEVEL_FLOORS, ceilings, strict=True)
        )
    ]


def _register(request: HttpRequest, risks: QuerySet[Risk], project: Project | None) -> dict:
    """Filters, matrix and one page of rows of `risks`, as the fragment draws them."""
    filterset = RiskFilter(request.GET, queryset=risks, project=project, request=request)
    valid = filterset.is_valid()
    listed = filterset.qs if valid else risks.none()
    # The matrix counts what the other filters leave, so a chosen cell keeps its neighbours.
    around = request.GET.copy()
    for key in ("probability", "impact", "page"):
        around.pop(key, None)
    whole = RiskFilter(around, queryset=risks, project=project, request=request)
    matrix = risk_matrix(whole.qs if whole.is_valid() else risks.none())
    picked = filterset.form.cleaned_data if valid else {}
    chosen = (picked.get("probability"), picked.get("impact"))
    chosen = (int(chosen[0]), int(chosen[1])) if all(chosen) else None
    page = KeysPaginator(listed.select_related("project", "owner"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return {
        "filter": filterset,
        "page": page,
        "matrix": matrix,
        "matrix_rows": _picture(matrix, around, chosen),
        "levels": _levels(matrix),
        "chosen": chosen,
        "all_cells_query": around.urlencode(),
        "updatable": {risk.pk for risk in updatable_risks(request.user, page)},
        "deletable": {risk.pk for risk in page if can_edit_risks(request.user, risk.project)},
        "geometry": GEOMETRY,
    }


def _fragment(request: HttpRequest) -> bool:
    # htmx restoring history asks for the whole page again.
    return bool(request.htmx) and not request.htmx.history_restore_request


@login_required
@vary_on_headers("HX-Request")
def risk_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    context = {
        "project": project,
        "can_add": can_edit_risks(request.user, project),
        "register_url": request.path,
        **_register(request, project.risks.all(), project),
    }
    template = (
        "monitoring/_risk_register.html" if _fragment(request) else "monitoring/risk_list.html"
    )
    return render(request, template, context)


@login_required
@vary_on_headers("HX-Request")
def portfolio_risks_view(request: HttpRequest) -> HttpResponse:
    context = {
        "portfolio": True,
        "register_url": request.path,
        **_register(request, risks_visible_to(request.user), None),
    }
    fragment = _fragment(request)
    template = "monitoring/_risk_register.html" if fragment else "monitoring/portfolio_risks.html"
    return render(request, template, context)


@login_required
def risk_form_view(request: HttpRequest, pk: int, risk: int | None = None) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if risk is None:
        if not can_edit_risks(request.user, project):
            raise PermissionDenied
        instance = Risk(project=project)
    else:
        instance = get_object_or_404(Risk, pk=risk, project=project)
        if not can_update_risk(request.user, instance):
            raise PermissionDenied
    form = RiskForm(request.POST or None, instance=instance, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            saved = risk_save(risk=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk saved."))
            return redirect(saved)
    context = {
        "project": project,
        "form": form,
        "risk": instance if risk else None,
        "levels": _levels(),
    }
    return render(request, "monitoring/risk_form.html", context)


@login_required
@require_POST
def risk_delete_view(request: HttpRequest, pk: int, risk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    risk_delete(risk=get_object_or_404(Risk, pk=risk, project=project), actor=request.user)
    messages.success(request, _("Risk deleted."))
    return redirect("monitoring:risk_list", pk=project.pk)
