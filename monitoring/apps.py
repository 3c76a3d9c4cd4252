from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from collaboration.calendar import event_source_register
        from collaboration.gantt import milestone_source_register
        from collaboration.labels import activity_choices_register
        from projects.gates import register_criteria
        from projects.history import tracked_register
        from projects.pages import project_panel_register
        from projects.selectors import list_annotation_register

        from . import calendar, history, panels
        from .gates import GATE_CRITERIA
        from .models import ReviewDecision, RiskLevel

        # The gates of execution and monitoring read reviews: projects hears of them from here.
        register_criteria(self.label, GATE_CRITERIA)
        # What monitoring shows on the pages and feeds of the apps below it (STYLE rule 11).
        project_panel_register(panels.project_reviews_panel)
        list_annotation_register("review_overdue", panels.review_overdue)
        tracked_register(*history.TRACKED)
        event_source_register(calendar.REVIEW_EVENTS)
        milestone_source_register(panels.project_milestones)
        activity_choices_register("decision", ReviewDecision)
        activity_choices_register("risk_level", RiskLevel)
