"""The user model moved from `core` to `accounts` (AUTH_USER_MODEL "core.User" → "accounts.User").

Every migration that points at the user depends on the user model's first migration, so on a
database made before the move Django would find those migrations applied before their new
dependency, `accounts.0001_initial`, and refuse to migrate (InconsistentMigrationHistory). On
such a database the table that migration creates already exists — core 0001 made it — so it is
recorded as applied, the step Django's documentation calls faking an initial migration, before
the migration history is read. A new database has neither row and migrates from the start.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

MOVED_FROM = ("core", "0001_initial")
MOVED_TO = ("accounts", "0001_initial")
USER_TABLE = "core_user"


def user_model_moved_in(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Record `accounts.0001_initial` as applied where core 0001 made the user's table; True if
    it did so."""
    connection = connections[using]
    recorder = MigrationRecorder(connection)
    # Today core 0001 creates no table (its user is swapped out): only a database migrated
    # before the move has one.
    if not recorder.has_table() or USER_TABLE not in connection.introspection.table_names():
        return False
    applied = recorder.migration_qs.filter(app__in=["core", "accounts"]).values_list("app", "name")
    applied = set(applied)
    if MOVED_FROM not in applied or MOVED_TO in applied:
        return False
    recorder.migration_qs.create(app=MOVED_TO[0], name=MOVED_TO[1], applied=timezone.now())
    return True
