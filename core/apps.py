from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from celery.signals import task_postrun
        from django.db.models.signals import post_save

        from .page_cache import invalidate_after_job, invalidate_on_write

        post_save.connect(invalidate_on_write, dispatch_uid="page-cache-save")
        task_postrun.connect(invalidate_after_job, dispatch_uid="page-cache-job", weak=False)
