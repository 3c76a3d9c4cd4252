from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        from . import receivers

        # The lifecycle (a lower app) tells the feed and notifications of its changes.
        receivers.register()
