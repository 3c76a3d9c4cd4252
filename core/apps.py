from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Infrastructure")

    def ready(self) -> None:
        from . import (
            signals,  # noqa: F401 — connects the heartbeat receivers
            throttles,  # noqa: F401 — counts failed sign-ins per address
        )
