"""Batched inserts for the scale seed, and the seed's own timestamps."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.apps import apps
from django.db import models

# Rows per INSERT: large enough that a small portfolio needs one statement per table, small
# enough that a statement of the big one stays a few megabytes.
BATCH_SIZE = 5000


def insert(model: type[models.Model], rows: Sequence[models.Model]) -> list:
    """Insert `rows` in batches; on PostgreSQL each row gets its primary key back."""
    return model.objects.bulk_create(rows, batch_size=BATCH_SIZE)


@contextmanager
def own_timestamps() -> Iterator[None]:
    """Let the seed write created_at and updated_at itself.

    auto_now and auto_now_add would stamp every row with the moment of the insert, but the
    portfolio's history lies in the past. The flags are switched off for the length of the
    seed (this process only) and always switched back on.
    """
    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    flags = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in flags:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
