from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        # What collaboration shows on the pages of the apps below it (STYLE rule 11).
        from customers.pages import customer_panel_register
        from projects.history import tracked_register
        from projects.pages import project_panel_register
        from projects.views.sections import section_register

        from . import (
            history,
            panels,
            receivers,  # noqa: F401  (connects the lifecycle's signals)
        )

        customer_panel_register(panels.customer_interactions_panel)
        project_panel_register(panels.project_tasks_panel)
        project_panel_register(panels.project_comments_panel)
        project_panel_register(panels.project_sent_back_panel)
        section_register("team", panels.TEAM_SECTION)
        tracked_register(*history.TRACKED)
