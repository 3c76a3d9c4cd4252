from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        from projects.gates import register_criteria

        from . import receivers
        from .gates import GATE_CRITERIA

        # The gates of strategy and execution read tasks: projects hears of them from here.
        register_criteria(self.label, GATE_CRITERIA)
        # The lifecycle (a lower app) tells the feed and notifications of its changes.
        receivers.register()
