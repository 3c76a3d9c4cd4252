"""Exports of the project, task, risk and review lists to CSV and Excel.

One column list per table serves both formats. Headers are the models' own field names and
choices their labels, both in the language active for the request; dates are ISO 8601. The
querysets come from the access selectors, so an export never holds more than its page shows.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from collaboration.models import Task
from core.text import printable
from customers.models import Customer
from insights.kpis import reason_text
from insights.models import PortfolioSnapshot, ProjectSnapshot
from monitoring.models import ReviewMeeting, Risk, RiskLevel
from projects.models import Project

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Any], Any]


def field_column(model: type[models.Model], name: str, *, via: str = "") -> Column:
    """A column of `model.name`, reached from the row through the relation `via` (if any),
    headed by the field's verbose name and showing a choice's label."""
    field = model._meta.get_field(name)
    choices = field.choices or getattr(getattr(field, "output_field", None), "choices", None)
    labels = dict(field.flatchoices) if field.choices else dict(choices or [])

    def value(row: models.Model) -> Any:
        for step in filter(None, via.split(".")):
            row = getattr(row, step)
            if row is None:
                return None
        raw = getattr(row, name)
        return labels.get(raw, raw) if labels and raw != "" else raw

    return Column(field.verbose_name, value)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return printable(str(value))  # text stored before control characters were refused


def _csv_text(value: Any) -> str:
    text = _plain(value)
    if isinstance(value, (int, Decimal, float)) or not text.startswith(FORMULA_STARTS):
        return text
    return "'" + text


def csv_bytes(columns: list[Column], rows: Iterable[Any]) -> bytes:
    """UTF-8 with a byte-order mark, without which Excel reads Chinese as mojibake."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column.header) for column in columns])
    for row in rows:
        writer.writerow([_csv_text(column.value(row)) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(columns: list[Column], rows: Iterable[Any], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([str(column.header) for column in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = column.value(row)
            if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
                cells.append(value)
                continue
            # Text stays text: openpyxl would take "=…" for a formula.
            cell = WriteOnlyCell(sheet, value=_plain(value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(
    *, columns: list[Column], rows: Iterable[Any], name: str, fmt: str
) -> HttpResponse:
    """The file `name`-<date>.<fmt> of `rows` as a download."""
    rows = list(rows)
    csv_file = fmt == "csv"
    content = csv_bytes(columns, rows) if csv_file else xlsx_bytes(columns, rows, title=name)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    filename = f"{name}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the tables ------------------------------------------------------------------------------
PROJECT_COLUMNS = [
    field_column(Project, "code"),
    field_column(Project, "name"),
    field_column(Project, "customer"),
    field_column(Customer, "industry", via="customer"),
    field_column(Customer, "region", via="customer"),
    field_column(Project, "owner"),
    field_column(Project, "stage"),
    field_column(Project, "stage_entered_at"),
    field_column(Project, "estimated_value"),
    field_column(Project, "currency"),
    field_column(Project, "expected_close_date"),
    field_column(Project, "review_cadence"),
    field_column(Project, "outcome"),
    field_column(Project, "created_at"),
]
TASK_COLUMNS = [
    field_column(Task, "title"),
    field_column(Task, "stage"),
    field_column(Task, "department"),
    field_column(Task, "assignee"),
    field_column(Task, "status"),
    field_column(Task, "priority"),
    field_column(Task, "start_date"),
    field_column(Task, "due_date"),
    field_column(Task, "progress"),
    field_column(Task, "estimate_hours"),
    field_column(Task, "is_milestone"),
    field_column(Task, "strategy"),
    field_column(Task, "blocked_reason"),
    field_column(Task, "completed_at"),
]
PROJECT_OF_ROW = [
    field_column(Project, "code", via="project"),
    field_column(Project, "name", via="project"),
]
RISK_COLUMNS = [
    *PROJECT_OF_ROW,
    field_column(Risk, "title"),
    field_column(Risk, "category"),
    field_column(Risk, "probability"),
    field_column(Risk, "impact"),
    field_column(Risk, "score"),
    field_column(Risk, "level"),
    field_column(Risk, "owner"),
    field_column(Risk, "status"),
    field_column(Risk, "mitigation"),
    field_column(Risk, "due_date"),
    field_column(Risk, "last_reviewed_on"),
]
REVIEW_COLUMNS = [
    *PROJECT_OF_ROW,
    field_column(ReviewMeeting, "scheduled_for"),
    field_column(ReviewMeeting, "duration_minutes"),
    field_column(ReviewMeeting, "location"),
    field_column(ReviewMeeting, "held_at"),
    field_column(ReviewMeeting, "decision"),
    field_column(ReviewMeeting, "decision_note"),
]


def _risk_columns() -> list[Column]:
    """Open risks by level, one column per level, critical first."""
    return [
        Column(
            format_lazy("{}: {}", gettext_lazy("open risks"), level.label),
            lambda row, level=level: row.risks_open.get(level, 0),
        )
        for level in reversed(RiskLevel)
    ]


PROJECT_SNAPSHOT_COLUMNS = [
    field_column(ProjectSnapshot, "day"),
    *PROJECT_OF_ROW,
    field_column(ProjectSnapshot, "stage"),
    field_column(ProjectSnapshot, "days_in_stage"),
    field_column(ProjectSnapshot, "estimated_value"),
    field_column(ProjectSnapshot, "weighted_value"),
    field_column(ProjectSnapshot, "goal_attainment"),
    field_column(ProjectSnapshot, "goals_total"),
    field_column(ProjectSnapshot, "goals_met"),
    field_column(ProjectSnapshot, "tasks_total"),
    field_column(ProjectSnapshot, "tasks_done"),
    field_column(ProjectSnapshot, "tasks_overdue"),
    field_column(ProjectSnapshot, "tasks_blocked"),
    field_column(ProjectSnapshot, "budget_planned"),
    field_column(ProjectSnapshot, "budget_actual"),
    *_risk_columns(),
    field_column(ProjectSnapshot, "reviews_due"),
    field_column(ProjectSnapshot, "reviews_on_time"),
    field_column(ProjectSnapshot, "loops"),
    field_column(ProjectSnapshot, "health"),
    Column(
        ProjectSnapshot._meta.get_field("health_reasons").verbose_name,
        lambda row: "; ".join(reason_text(reason) for reason in row.health_reasons),
    ),
]


def portfolio_snapshot_columns(names: dict[tuple[str, str], str]) -> list[Column]:
    """Portfolio snapshot columns; `names` reads a (dimension, key) as a department, owner,
    industry or region name."""

    def rate(name: str) -> Column:
        return Column(RATES[name], lambda row: getattr(row, name))

    return [
        field_column(PortfolioSnapshot, "day"),
        field_column(PortfolioSnapshot, "dimension"),
        field_column(PortfolioSnapshot, "key"),
        Column(gettext_lazy("name"), lambda row: names.get((row.dimension, row.key), row.key)),
        field_column(PortfolioSnapshot, "open_projects"),
        field_column(PortfolioSnapshot, "pipeline_value"),
        field_column(PortfolioSnapshot, "weighted_forecast"),
        Column(gettext_lazy("won, 90 days"), lambda row: row.won_90),
        Column(gettext_lazy("lost, 90 days"), lambda row: row.lost_90),
        Column(gettext_lazy("cancelled, 90 days"), lambda row: row.cancelled_90),
        rate("success_rate_90"),
        rate("goal_success_rate_90"),
        Column(gettext_lazy("won, 365 days"), lambda row: row.won_365),
        Column(gettext_lazy("lost, 365 days"), lambda row: row.lost_365),
        Column(gettext_lazy("cancelled, 365 days"), lambda row: row.cancelled_365),
        rate("success_rate_365"),
        rate("goal_success_rate_365"),
        field_column(PortfolioSnapshot, "avg_cycle_days"),
        field_column(PortfolioSnapshot, "reviews_due"),
        field_column(PortfolioSnapshot, "reviews_on_time"),
        rate("review_compliance"),
        *_risk_columns(),
    ]


RATES = {
    "success_rate_90": gettext_lazy("success rate, 90 days (%)"),
    "goal_success_rate_90": gettext_lazy("goal success rate, 90 days (%)"),
    "success_rate_365": gettext_lazy("success rate, 365 days (%)"),
    "goal_success_rate_365": gettext_lazy("goal success rate, 365 days (%)"),
    "review_compliance": gettext_lazy("review compliance (%)"),
}
