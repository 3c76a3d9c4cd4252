"""The demo, seeded once per test session and put back for each module that reads it.

Seeding goes through every service and takes about a minute. The session fixture seeds it once
(once per pytest-xdist worker; the modules that use it are grouped on one worker, see
tests/conftest.py), keeps every table's rows in memory and rolls the seeding back. A module that
reads the demo asks for `demo`: the rows are put back (a TRUNCATE and a binary COPY per table,
well under a second) in a transaction rolled back at the module's end; each test runs in a
savepoint within it, so what a test writes — running `seed_demo` again included — is undone
before the next one.
"""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class Snapshot:
    """Every table of the models and its rows, in COPY's binary format."""

    tables: dict[str, bytes]

    @classmethod
    def take(cls) -> "Snapshot":
        tables = {}
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.django_table_names(only_existing=True)):
                name = connection.ops.quote_name(table)
                with cursor.copy(f"COPY {name} TO STDOUT (FORMAT BINARY)") as copy:
                    tables[table] = b"".join(copy)
        return cls(tables)

    def restore(self) -> None:
        """Put the rows back, in place of whatever the tables hold (call it in a transaction)."""
        quoted = {table: connection.ops.quote_name(table) for table in self.tables}
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(quoted.values())}")
            for table, rows in self.tables.items():
                with cursor.copy(f"COPY {quoted[table]} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(rows)
            # A test that reset the sequences since must not hand out ids the rows hold.
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker) -> Snapshot:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        snapshot = Snapshot.take()
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(scope="module")
def demo(demo_snapshot, django_db_blocker):
    """The seeded demo for the whole module (mark it `pytest.mark.usefixtures("demo")`)."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_snapshot.restore()
        yield
        transaction.set_rollback(True)
