from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from projects.gates import register_criteria

        from .gates import GATE_CRITERIA

        # The gates of execution and monitoring read reviews: projects hears of them from here.
        register_criteria(self.label, GATE_CRITERIA)
