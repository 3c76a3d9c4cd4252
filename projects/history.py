"""A project's change history, read from django-simple-history's tables (core.history).

Each historical table holds full snapshots; a change is the difference between a snapshot and
the one before it of the same record. `project_changes` lists, newest first, the snapshots of
the project, its customer and its records (one UNION ALL query over the ten tables, sliced or
paginated by the caller). `changes_described` turns a page of them into readable entries —
translated field names, choice labels, people's and records' names, localised dates and
amounts — in two more queries whatever the page holds: one UNION ALL reads each snapshot and
the one before it as JSON, one UNION ALL reads the names of the people and records they point
to.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import CharField, F, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, JSONObject
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import Truncator
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core.numbers import format_amount
from customers.models import Contact, Customer
from projects.models import ProjectMembership

from .models import Goal, Project, ResourceAllocation, Strategy, StrategyKind

TEXT_SHOWN = 160  # characters of a long text shown before it is cut


@dataclass(frozen=True)
class Tracked:
    """A kind of record whose changes a project's history shows."""

    key: str
    model: type[models.Model]
    # The historical rows of one project: a Q over the historical table, given the project.
    rows_of: Callable[[Project], Q]
    # How an entry names its record, from the snapshot (a dict) and the names of records.
    name: Callable[[dict, "Names"], str]
    # Fields never listed as changed: the record's number and its project.
    skip: frozenset[str] = frozenset({"id", "project"})


def on_project(project: Project) -> Q:
    """The historical rows of a record that belongs to the project (`project_id`)."""
    return Q(project_id=project.pk)


def _strategy_name(kind: str, revision) -> str:
    label = dict(StrategyKind.choices).get(kind, kind)
    # Named as the project page names it: 销售策略 · 第 2 版.
    return f"{label} · {_('revision %(revision)s') % {'revision': revision}}"


TRACKED = [
    Tracked("project", Project, lambda p: Q(id=p.pk), lambda s, _: s["name"], frozenset({"id"})),
    Tracked("customer", Customer, lambda p: Q(id=p.customer_id), lambda s, _: s["name"]),
    Tracked("goal", Goal, on_project, lambda s, _: s["title"]),
    Tracked("resource", ResourceAllocation, on_project, lambda s, _: s["description"]),
    Tracked(
        "strategy", Strategy, on_project, lambda s, _: _strategy_name(s["kind"], s["revision"])
    ),
    Tracked("membership", ProjectMembership, on_project, lambda s, n: n.of(User, s["user_id"])),
]
# The apps above projects add their records (tasks, reviews, …) with `tracked_register`.
TRACKED_BY_KEY = {tracked.key: tracked for tracked in TRACKED}


def tracked_register(*entries: Tracked) -> None:
    """Show the changes of these kinds of record in a project's history (once each)."""
    for tracked in entries:
        if tracked.key not in TRACKED_BY_KEY:
            TRACKED.append(tracked)
            TRACKED_BY_KEY[tracked.key] = tracked


def field_shown(model_field: models.Field, raw) -> str:
    """A snapshot's value of `model_field` as a person reads it (names of records aside)."""
    return _shown(model_field, raw)


ACTIONS = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}


def project_changes(project: Project) -> QuerySet:
    """Every snapshot of the project and its records, newest first, as
    `{"record_kind", "history_id", "history_date"}` rows: slice or paginate it, then describe
    the page with `changes_described`."""
    parts = [
        tracked.model.history.filter(tracked.rows_of(project))
        .order_by()
        .annotate(record_kind=Value(tracked.key, output_field=CharField()))
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


# --- the names of the records a snapshot points to ------------------------------------------------
def _text(value: str = "") -> Value:
    return Value(value, output_field=CharField())


# Each related model as four text columns and how a name is made of them.
NAMED: dict[type[models.Model], tuple[dict, Callable[..., str]]] = {
    User: (
        {"a": F("full_name"), "b": F("first_name"), "c": F("last_name"), "d": F("username")},
        User.name_from,
    ),
    Customer: ({"a": F("name"), "b": _text(), "c": _text(), "d": _text()}, lambda a, *_: a),
    Contact: ({"a": F("name"), "b": _text(), "c": _text(), "d": _text()}, lambda a, *_: a),
    Department: (
        {"a": F("name_zh"), "b": F("name_en"), "c": _text(), "d": _text()},
        lambda zh, en, *_: zh if (get_language() or "").startswith("zh") else en,
    ),
    Strategy: (
        {"a": F("kind"), "b": Cast("revision", CharField()), "c": _text(), "d": _text()},
        lambda kind, revision, *_: _strategy_name(kind, revision),
    ),
}


class Names:
    """The readable names of the people and records snapshots point to, read in one query."""

    def __init__(self) -> None:
        self._wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        self._names: dict[tuple[str, int], str] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk is not None and model in NAMED:
            self._wanted[model].add(pk)

    def load(self) -> None:
        parts = [
            model._default_manager.filter(pk__in=pks)
            .order_by()
            .annotate(model_label=_text(model._meta.label), **NAMED[model][0])
            .values_list("model_label", "pk", "a", "b", "c", "d")
            for model, pks in self._wanted.items()
        ]
        if not parts:
            return
        by_label = {model._meta.label: compose for model, (_, compose) in NAMED.items()}
        for label, pk, *columns in parts[0].union(*parts[1:], all=True):
            self._names[label, pk] = by_label[label](*columns)

    def of(self, model: type[models.Model], pk) -> str:
        if pk is None:
            return ""
        # A record deleted since is named by its number.
        return self._names.get((model._meta.label, pk), f"#{pk}")


# --- snapshots as JSON, and their values as a person reads them -----------------------------------
def _fields(tracked: Tracked) -> list[models.Field]:
    history_model = tracked.model.history.model
    return [f for f in history_model.tracked_fields if f.name not in tracked.skip]


def _as_json(model_field: models.Field):
    # Amounts as text: a JSON number would come back as a float.
    if isinstance(model_field, models.DecimalField):
        return Cast(model_field.attname, CharField())
    return F(model_field.attname)


def _snapshot_json(tracked: Tracked) -> JSONObject:
    return JSONObject(**{f.attname: _as_json(f) for f in _fields(tracked)})


def _value(model_field: models.Field, raw):
    """A snapshot's JSON value as the Python value of the field."""
    if raw is None or model_field.is_relation:
        return raw
    if isinstance(model_field, models.DecimalField):
        return Decimal(str(raw)).quantize(Decimal(1).scaleb(-model_field.decimal_places))
    if isinstance(model_field, models.DateTimeField):
        moment = parse_datetime(raw)
        # SQLite keeps times as naive UTC text.
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)
    if isinstance(model_field, models.DateField):
        return parse_date(raw[:10])
    if isinstance(model_field, models.BooleanField):
        return bool(raw)
    return raw


def _shown(model_field: models.Field, raw, names: Names | None = None) -> str:
    value = _value(model_field, raw)
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return names.of(model_field.related_model, value) if names else f"#{value}"
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal | int):
        return format_amount(value, getattr(model_field, "decimal_places", 0))
    return Truncator(str(value)).chars(TEXT_SHOWN)


def _snapshots(wanted: dict[str, list[int]]) -> dict[tuple[str, int], dict]:
    """The snapshots asked for, each with the one before it of the same record, in one query."""
    parts = []
    for kind, history_ids in wanted.items():
        tracked = TRACKED_BY_KEY[kind]
        history = tracked.model.history
        before = (
            history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .annotate(snapshot=_snapshot_json(tracked))
            .values("snapshot")[:1]
        )
        parts.append(
            history.filter(history_id__in=history_ids)
            .order_by()
            .annotate(
                record_kind=_text(kind),
                snapshot=_snapshot_json(tracked),
                before=Subquery(before, output_field=JSONField()),
            )
            .values(
                "record_kind",
                "history_id",
                "id",
                "history_type",
                "history_user_id",
                "snapshot",
                "before",
            )
        )
    if not parts:
        return {}
    rows = parts[0].union(*parts[1:], all=True)
    return {(row["record_kind"], row["history_id"]): row for row in rows}


def changes_described(rows: Iterable[dict]) -> list[Change]:
    """The entries of `project_changes` rows, in their order, as readable changes."""
    rows = list(rows)
    wanted: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        wanted[row["record_kind"]].append(row["history_id"])
    found = _snapshots(wanted)

    names = Names()
    for (kind, _history_id), snapshot in found.items():
        names.want(User, snapshot["history_user_id"])
        for model_field in _fields(TRACKED_BY_KEY[kind]):
            if model_field.is_relation:
                for version in (snapshot["snapshot"], snapshot["before"] or {}):
                    names.want(model_field.related_model, version.get(model_field.attname))
    names.load()

    changes = []
    for row in rows:
        tracked = TRACKED_BY_KEY[row["record_kind"]]
        found_row = found[tracked.key, row["history_id"]]
        after, before = found_row["snapshot"], found_row["before"]
        action = found_row["history_type"]
        change = Change(
            kind=tracked.key,
            record_id=found_row["id"],
            record_type=str(tracked.model._meta.verbose_name),
            record_name=tracked.name(after, names),
            action=action,
            action_label=str(ACTIONS[action]),
            at=row["history_date"],
            user_id=found_row["history_user_id"],
            user_name=names.of(User, found_row["history_user_id"]),
            earlier_unknown=action == "~" and before is None,
        )
        if action == "~" and before is not None:
            change.fields = _field_changes(tracked, before, after, names)
            if not change.fields:
                continue  # a save that changed nothing a person can see
        changes.append(change)
    return changes


def _field_changes(tracked: Tracked, before: dict, after: dict, names: Names) -> list[FieldChange]:
    """The fields that changed between two snapshots, as a person reads them.

    Compared as values, not as stored text ("195800.0" and "195800.00" are one amount), and
    only where the change shows: a form's time box keeps minutes, so a time saved with seconds
    comes back without them — a different value that reads the same is not a change."""
    changed = []
    for model_field in _fields(tracked):
        old, new = before.get(model_field.attname), after.get(model_field.attname)
        if old == new or _value(model_field, old) == _value(model_field, new):
            continue
        old_display, new_display = _shown(model_field, old, names), _shown(model_field, new, names)
        if old_display == new_display:
            continue
        changed.append(
            FieldChange(
                name=model_field.name,
                label=str(model_field.verbose_name),
                old=_value(model_field, old),
                new=_value(model_field, new),
                old_display=old_display,
                new_display=new_display,
            )
        )
    return changed
