from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for the lessons search's similarity ranking. CreateExtension does nothing on
    databases other than PostgreSQL (it checks schema_editor.connection.vendor), so SQLite
    migrates as before."""

    dependencies = [
        ("projects", "0004_project_snapshots"),
    ]

    operations = [TrigramExtension()]
