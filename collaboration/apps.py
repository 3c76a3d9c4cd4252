from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        from customers.pages import customer_panel_register
        from projects.gates import register_criteria
        from projects.history import tracked_register
        from projects.pages import project_panel_register
        from projects.views.sections import section_register

        from . import history, panels, receivers
        from .gates import GATE_CRITERIA

        # The gates of strategy and execution read tasks: projects hears of them from here.
        register_criteria(self.label, GATE_CRITERIA)
        # The lifecycle (a lower app) tells the feed and notifications of its changes.
        receivers.register()
        # What collaboration shows on the pages of the apps below it (STYLE rule 11).
        customer_panel_register(panels.customer_interactions_panel)
        project_panel_register(panels.project_tasks_panel)
        project_panel_register(panels.project_comments_panel)
        project_panel_register(panels.project_sent_back_panel)
        section_register("team", panels.TEAM_SECTION)
        tracked_register(*history.TRACKED)
