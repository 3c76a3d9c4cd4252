"""Operations for migrations that move models between apps without touching their tables."""

from django.db import migrations


def content_types_moved(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """Re-label the content types (and so the permissions and admin log entries) of `models`
    from `old_app` to `new_app`; the reverse puts them back. A model that already has one under
    its new app (a database migrated step by step, whose post-migrate signal made it) keeps
    that one; the old one is then stale (`manage.py remove_stale_contenttypes`)."""

    def relabel(source: str, target: str):
        def run(apps, schema_editor) -> None:
            content_types = apps.get_model("contenttypes", "ContentType")
            taken = content_types.objects.filter(app_label=target).values("model")
            content_types.objects.filter(app_label=source, model__in=models).exclude(
                model__in=taken
            ).update(app_label=target)

        return run

    return migrations.RunPython(relabel(old_app, new_app), relabel(new_app, old_app))
