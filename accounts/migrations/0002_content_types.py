"""The content types (and so the permissions and admin log entries) of the user and of
departments follow them to the accounts app."""

from django.db import migrations

from core.migration_ops import content_types_moved


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        content_types_moved("core", "accounts", ["user"]),
        content_types_moved("collaboration", "accounts", ["department"]),
    ]
