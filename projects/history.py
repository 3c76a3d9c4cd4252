"""A project's change history, read from django-simple-history's tables (core.history).

Each historical table holds full snapshots; a change is the difference between a snapshot and
the one before it of the same record. `project_changes` lists, newest first, the snapshots of
the project, its customer and its records (one UNION ALL query, sliced or paginated by the
caller); `changes_described` turns a page of them into readable entries — translated field
names, choice labels, people's and records' names, localised dates and numbers — in one query
per kind of record on the page and one per kind of related record named, whatever the number.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from collaboration.models import ProjectMembership, Task
from core.models import User

from .models import Customer, Goal, Project, ResourceAllocation, ReviewMeeting, Risk, Strategy

TEXT_SHOWN = 160  # characters of a long text shown before it is cut


@dataclass(frozen=True)
class Tracked:
    """A kind of record whose changes a project's history shows."""

    key: str
    model: type[models.Model]
    # The historical rows of one project: a Q over the historical table, given the project.
    rows_of: Callable[[Project], Q]
    # How an entry names its record, from the snapshot and the names of related records.
    name: Callable[[models.Model, "Names"], str]
    # Fields never listed as changed: the project link and what the snapshot names already.
    skip: frozenset[str] = frozenset({"id", "project"})


def _on_project(project: Project) -> Q:
    return Q(project_id=project.pk)


def _review_name(row, names: "Names") -> str:
    return formats.date_format(timezone.localtime(row.scheduled_for), "DATETIME_FORMAT")


TRACKED = (
    Tracked(
        "project", Project, lambda p: Q(id=p.pk), lambda row, names: row.name, frozenset({"id"})
    ),
    Tracked("customer", Customer, lambda p: Q(id=p.customer_id), lambda row, names: row.name),
    Tracked("goal", Goal, _on_project, lambda row, names: row.title),
    Tracked("resource", ResourceAllocation, _on_project, lambda row, names: row.description),
    Tracked(
        "strategy",
        Strategy,
        _on_project,
        lambda row, names: f"{row.get_kind_display()} r{row.revision}",
    ),
    Tracked(
        "membership",
        ProjectMembership,
        _on_project,
        lambda row, names: names.of(User, row.user_id),
    ),
    Tracked("task", Task, _on_project, lambda row, names: row.title),
    Tracked("review", ReviewMeeting, _on_project, _review_name),
    Tracked("risk", Risk, _on_project, lambda row, names: row.title),
)
TRACKED_BY_KEY = {tracked.key: tracked for tracked in TRACKED}

ACTIONS = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}


def project_changes(project: Project) -> QuerySet:
    """Every snapshot of the project and its records, newest first, as
    `{"record_kind", "history_id", "history_date"}` rows: slice or paginate it, then describe the
    page with `changes_described`."""
    parts = [
        tracked.model.history.filter(tracked.rows_of(project))
        .order_by()
        .annotate(record_kind=Value(tracked.key, output_field=models.CharField()))
        .values("record_kind", "history_id", "history_date")
        for tracked in TRACKED
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


@dataclass
class FieldChange:
    name: str
    label: str
    old: object
    new: object
    old_display: str
    new_display: str


@dataclass
class Change:
    """One save of one record: who, when, what record, and each field that changed."""

    kind: str
    record_id: int
    record_type: str
    record_name: str
    action: str
    action_label: str
    at: datetime.datetime
    user_id: int | None
    user_name: str
    fields: list[FieldChange] = field(default_factory=list)
    # A change of a record whose earlier state was never recorded (created before the history
    # existed, or in bulk by seed_scale): what it changed cannot be told.
    earlier_unknown: bool = False


class Names:
    """The readable names of related records, each model's read in one query."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self._names: dict[type[models.Model], dict[int, str]] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk is not None:
            self._wanted[model].add(pk)

    def load(self) -> None:
        for model, pks in self._wanted.items():
            if model is User:
                rows = User.objects.filter(pk__in=pks).values_list("pk", *User.NAME_FIELDS)
                self._names[model] = {pk: User.name_from(*rest) for pk, *rest in rows}
            else:
                self._names[model] = {
                    pk: str(obj) for pk, obj in model.objects.in_bulk(pks).items()
                }

    def of(self, model: type[models.Model], pk) -> str:
        if pk is None:
            return ""
        # A record deleted since is named by its number.
        return self._names.get(model, {}).get(pk, f"#{pk}")


def _fields(tracked: Tracked) -> list[models.Field]:
    history_model = tracked.model.history.model
    return [f for f in history_model.tracked_fields if f.name not in tracked.skip]


def _related_model(model_field: models.Field) -> type[models.Model] | None:
    return model_field.related_model if model_field.is_relation else None


def _display(model_field: models.Field, value, names: Names) -> str:
    if value is None or value == "":
        return "—"
    related = _related_model(model_field)
    if related is not None:
        return names.of(related, value)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal):
        places = getattr(model_field, "decimal_places", 2)
        return formats.number_format(value, places, use_l10n=True, force_grouping=True)
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return Truncator(str(value)).chars(TEXT_SHOWN)


def _snapshots(tracked: Tracked, history_ids: list[int]) -> list:
    """The snapshots asked for and the one before each, in one query."""
    history = tracked.model.history
    previous = (
        history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    before = history.filter(history_id__in=history_ids).annotate(p=Subquery(previous)).values("p")
    return list(history.filter(Q(history_id__in=history_ids) | Q(history_id__in=before)))


def changes_described(rows: Iterable[dict]) -> list[Change]:
    """The entries of `project_changes` rows, in their order, as readable changes."""
    rows = list(rows)
    wanted: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        wanted[row["record_kind"]].append(row["history_id"])

    names = Names()
    found: dict[tuple[str, int], tuple] = {}  # (kind, history_id) -> (snapshot, previous)
    for kind, history_ids in wanted.items():
        tracked = TRACKED_BY_KEY[kind]
        by_record: dict[int, list] = defaultdict(list)
        for snapshot in _snapshots(tracked, history_ids):
            by_record[snapshot.id].append(snapshot)
        fields = _fields(tracked)
        for snapshots in by_record.values():
            snapshots.sort(key=lambda s: s.history_id)
            keys = [s.history_id for s in snapshots]
            for snapshot in snapshots:
                if snapshot.history_id not in history_ids:
                    continue
                at = bisect.bisect_left(keys, snapshot.history_id)
                previous = snapshots[at - 1] if at else None
                found[kind, snapshot.history_id] = (snapshot, previous)
                names.want(User, snapshot.history_user_id)
                if kind == "membership":
                    names.want(User, snapshot.user_id)
                for model_field in fields:
                    related = _related_model(model_field)
                    if related is None:
                        continue
                    for version in (snapshot, previous):
                        if version is not None:
                            names.want(related, getattr(version, model_field.attname))
    names.load()

    changes = []
    for row in rows:
        snapshot, previous = found[row["record_kind"], row["history_id"]]
        tracked = TRACKED_BY_KEY[row["record_kind"]]
        change = Change(
            kind=tracked.key,
            record_id=snapshot.id,
            record_type=str(tracked.model._meta.verbose_name),
            record_name=tracked.name(snapshot, names),
            action=snapshot.history_type,
            action_label=str(ACTIONS[snapshot.history_type]),
            at=snapshot.history_date,
            user_id=snapshot.history_user_id,
            user_name=names.of(User, snapshot.history_user_id),
        )
        change.earlier_unknown = snapshot.history_type == "~" and previous is None
        if snapshot.history_type == "~" and previous is not None:
            for model_field in _fields(tracked):
                old = getattr(previous, model_field.attname)
                new = getattr(snapshot, model_field.attname)
                if old != new:
                    change.fields.append(
                        FieldChange(
                            name=model_field.name,
                            label=str(model_field.verbose_name),
                            old=old,
                            new=new,
                            old_display=_display(model_field, old, names),
                            new_display=_display(model_field, new, names),
                        )
                    )
        changes.append(change)
    return changes
