"""Field-level history of the records people edit, kept by django-simple-history.

Every model that declares `history = History(...)` gets a historical table with one row per
save that changed something (a full snapshot, who, when, created/changed/deleted). Who made
a change is, in order: the `actor` of the write service running (`acting_as`, applied by
`@records_actor`), then the signed-in person of the request (simple-history's
HistoryRequestMiddleware), else nobody (a migration, a shell). Reading the history as field
changes is the domain's job (`projects.history`).

The history is append-only: a snapshot is never deleted (`delete()` on one or on a queryset of
them is refused) and survives the deletion of the record it describes, and a person who made a
recorded change cannot be deleted (deactivate them instead): simple-history would set the
snapshots' `history_user` to NULL, forgetting who made the change.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Max, OuterRef, Q, Subquery
from simple_history.manager import HistoricalQuerySet
from simple_history.models import HistoricalChanges, HistoricalRecords

_actor: ContextVar[Any] = ContextVar("history_actor", default=None)


@contextmanager
def acting_as(actor) -> Iterator[None]:
    """Record what is saved inside the block as done by `actor` (a job, a command, a service)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def records_actor(service: Callable) -> Callable:
    """A write service's `actor` keyword is who its saves are recorded as made by, whoever
    calls it: a page, the API, a Celery job or a command."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with acting_as(kwargs.get("actor") or _actor.get()):
            return service(*args, **kwargs)

    return wrapper


def history_user(request=None, **kwargs):
    """simple-history's `get_user`: the acting service's actor, else the request's user."""
    actor = _actor.get()
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class DeletionRefused(ValueError):
    """A delete of a record that is kept for good: a snapshot of the history, a stage
    transition, a project."""


class KeptQuerySet(models.QuerySet):
    """A queryset whose `delete()` is refused: its rows are kept for good. (A cascade from a
    row they refer to does not go through it; their foreign keys PROTECT or DO_NOTHING.)"""

    def delete(self):
        raise DeletionRefused(f"{self.model._meta.object_name} rows are never deleted.")

    delete.alters_data = True
    delete.queryset_only = True


class KeptHistoricalQuerySet(KeptQuerySet, HistoricalQuerySet):
    """The queryset of `Model.history`: simple-history's, with `delete()` refused."""


class KeptSnapshot(models.Model):
    """The base of every historical model: neither a snapshot nor a queryset of them deletes."""

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise DeletionRefused(f"{self._meta.object_name} rows are never deleted.")


class History(HistoricalRecords):
    """HistoricalRecords that attributes changes through `history_user`, keeps no row for a
    save that changed none of the recorded fields (a form saved as it was, a touch) and is
    append-only (see the module's docstring)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("get_user", history_user)
        kwargs.setdefault("bases", (KeptSnapshot,))
        kwargs.setdefault("historical_queryset", KeptHistoricalQuerySet)
        super().__init__(**kwargs)

    def _get_history_user_fields(self) -> dict:
        # simple-history's field, but PROTECT where it has SET_NULL: deleting a person who made
        # a recorded change would erase who made it. (A migration changes no column for this.)
        return {
            "history_user": models.ForeignKey(
                self.user_model or settings.AUTH_USER_MODEL,
                null=True,
                related_name=self.user_related_name,
                on_delete=models.PROTECT,
                db_constraint=self.user_db_constraint,
            )
        }

    def post_save(self, instance, created, using=None, **kwargs) -> None:
        if not created and not kwargs.get("raw") and not self._changed(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _changed(self, instance) -> bool:
        names = [field.attname for field in self.fields_included(instance)]
        last = getattr(instance, self.manager_name).order_by("-history_id").values(*names).first()
        return last is None or any(last[name] != getattr(instance, name) for name in names)


def history_rewrite(model: type, pks, fields: list[str], *, created_at: bool = False) -> None:
    """Write the current value of `fields` into the snapshots of the records `pks`, for data
    that rewrites its own past (the demo's timeline spreads a project over months), so that no
    change appears that nobody made: every snapshot in which the field had a value, and each
    record's latest. With `created_at`, each record's creation is also dated when the record
    says it was created. A query per field, whatever the number of records."""
    history = model.history.model
    recorded = {field.attname for field in history.tracked_fields}
    current = model._default_manager.filter(pk=OuterRef("id"))
    snapshots = history.objects.filter(id__in=pks)
    latest = snapshots.values("id").annotate(last=Max("history_id")).values("last")
    for name in fields:
        if name in recorded:
            snapshots.filter(Q(**{f"{name}__isnull": False}) | Q(history_id__in=latest)).update(
                **{name: Subquery(current.values(name)[:1])}
            )
    if created_at:
        snapshots.filter(history_type="+").update(
            history_date=Subquery(current.values("created_at")[:1])
        )


def historical_models() -> list[type[models.Model]]:
    """The models of the field history's snapshots (the `Historical*` tables)."""
    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]
