"""API tokens moved from DRF's authtoken (one plaintext key per person, never expiring) to
django-rest-knox. The app is no longer installed, so its table stays as it was: this empties it,
so that the old keys are not kept in plaintext and do not come back to life if an older release
is ever deployed again. The table itself is left for that older release's migrations."""

from django.db import migrations


def forget_drf_tokens(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_text_refuses_control_characters")]

    operations = [migrations.RunPython(forget_drf_tokens, migrations.RunPython.noop)]
