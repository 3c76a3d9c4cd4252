from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        # What insights shows on the pages of the apps below it (STYLE rule 11).
        from projects.filters import project_filter_register
        from projects.pages import project_panel_register

        from .filters import project_health_filter
        from .panels import project_similar_lessons_panel

        project_panel_register(project_similar_lessons_panel)
        project_filter_register("health", project_health_filter())
