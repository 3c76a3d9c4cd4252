from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Sales projects")

    def ready(self) -> None:
        # What projects shows on the pages of the apps below it (STYLE rule 11).
        from customers.pages import customer_panel_register

        from .panels import customer_projects_panel

        customer_panel_register(customer_projects_panel)
