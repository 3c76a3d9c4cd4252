"""Downloads of the project list (with its filters and sort), a project's tasks, the risk
registers and the reviews, as CSV or Excel; each finds its rows as the page it mirrors does."""

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from dataio.exports import (
    FORMATS,
    PROJECT_COLUMNS,
    PROJECT_SNAPSHOT_COLUMNS,
    REVIEW_COLUMNS,
    RISK_COLUMNS,
    TASK_COLUMNS,
    export_response,
    portfolio_snapshot_columns,
)
from insights.filters import PortfolioSnapshotFilter, ProjectSnapshotFilter
from insights.kpis import dimension_names
from insights.selectors import portfolio_snapshots_visible_to, project_snapshots_visible_to
from monitoring.filters import RiskFilter
from monitoring.models import ReviewMeeting
from monitoring.risks import risks_visible_to
from projects.access import get_project_for_user, projects_visible_to
from projects.models import Project
from projects.views.projects import SORTS, projects_filtered


def export_format(fmt: str) -> str:
    """`fmt` if it is a format we write, else 404."""
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _project(request: HttpRequest, pk: int) -> Project:
    return get_project_for_user(
        request.user, pk, queryset=Project.objects.select_related("customer", "owner")
    )


@login_required
def project_list_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    export_format(fmt)
    _, projects = projects_filtered(request)
    projects = projects.order_by(SORTS.get(request.GET.get("sort"), "-created_at"), "-id")
    return export_response(columns=PROJECT_COLUMNS, rows=projects, name="projects", fmt=fmt)


@login_required
def task_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    export_format(fmt)
    project = _project(request, pk)
    tasks = project.tasks.select_related("department", "assignee", "strategy").order_by(
        "due_date", "pk"
    )
    return export_response(columns=TASK_COLUMNS, rows=tasks, name=f"{project.code}-tasks", fmt=fmt)


def _risks(request: HttpRequest, risks, project: Project | None):
    filterset = RiskFilter(request.GET, queryset=risks, project=project, request=request)
    listed = filterset.qs if filterset.is_valid() else risks.none()
    return listed.select_related("project", "owner").order_by("project__code", "-score", "pk")


@login_required
def risk_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    export_format(fmt)
    project = _project(request, pk)
    rows = _risks(request, project.risks.all(), project)
    return export_response(columns=RISK_COLUMNS, rows=rows, name=f"{project.code}-risks", fmt=fmt)


@login_required
def portfolio_risk_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    export_format(fmt)
    rows = _risks(request, risks_visible_to(request.user), None)
    return export_response(columns=RISK_COLUMNS, rows=rows, name="risks", fmt=fmt)


@login_required
def review_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    export_format(fmt)
    project = _project(request, pk)
    rows = project.reviews.select_related("project").order_by("-scheduled_for", "-pk")
    return export_response(
        columns=REVIEW_COLUMNS, rows=rows, name=f"{project.code}-reviews", fmt=fmt
    )


@login_required
def portfolio_review_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    export_format(fmt)
    rows = (
        ReviewMeeting.objects.filter(project__in=projects_visible_to(request.user))
        .select_related("project")
        .order_by("-scheduled_for", "-pk")
    )
    return export_response(columns=REVIEW_COLUMNS, rows=rows, name="reviews", fmt=fmt)


# The longest span of days one KPI export holds (a year of daily rows).
KPI_EXPORT_DAYS = 366


def _snapshot_rows(request: HttpRequest, filter_class, rows):
    """`rows` narrowed by the request's filters; without a date range, the latest day."""
    filterset = filter_class(request.GET, queryset=rows)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in filterset.errors.items()
        )
        return None, HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
    data = filterset.form.cleaned_data
    rows = filterset.qs
    day_from, day_to = data.get("day_from"), data.get("day_to")
    if day_from is None and day_to is None:
        return rows.filter(day=rows.aggregate(latest=Max("day"))["latest"]), None
    if day_from is None or day_to is None or (day_to - day_from).days >= KPI_EXPORT_DAYS:
        message = _("Give both day_from and day_to, at most %(days)s days apart.") % {
            "days": KPI_EXPORT_DAYS
        }
        return None, HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    return rows, None


@login_required
def kpi_project_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """Project snapshots the person may see: the latest day, or a range of at most a year."""
    export_format(fmt)
    rows, refused = _snapshot_rows(
        request, ProjectSnapshotFilter, project_snapshots_visible_to(request.user)
    )
    if refused:
        return refused
    return export_response(
        columns=PROJECT_SNAPSHOT_COLUMNS,
        rows=rows.order_by("-day", "project__code"),
        name="kpi-projects",
        fmt=fmt,
    )


@login_required
def kpi_portfolio_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """Portfolio snapshots: every row for directors, a person's own owner row otherwise."""
    export_format(fmt)
    rows, refused = _snapshot_rows(
        request, PortfolioSnapshotFilter, portfolio_snapshots_visible_to(request.user)
    )
    if refused:
        return refused
    columns = portfolio_snapshot_columns(dimension_names())
    return export_response(columns=columns, rows=rows, name="kpi-portfolio", fmt=fmt)
