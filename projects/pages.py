"""What the apps above `projects` add to its pages, registered in their AppConfig.ready.

The project page is composed here in order: `project_page_context` builds what `projects`
owns, then each registered panel adds what its app shows (tasks, comments, reviews, similar
lessons). `projects` imports none of those apps; they register with it (STYLE rule 11).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from .models import Project

TASKS_SHOWN = 15  # the tasks the project page lists; the task list has them all


@dataclass(frozen=True)
class ProjectPage:
    """What a panel knows of the page it adds to."""

    request: HttpRequest
    project: Project
    editable: bool
    # The page's forms, by section, when the user may edit; a panel adds its section's form.
    # Forms bound to a failed post replace them afterwards.
    forms: dict


# A panel returns the template context it adds to the project page.
ProjectPanel = Callable[[ProjectPage], dict]
project_panels: list[ProjectPanel] = []


def project_panel_register(panel: ProjectPanel) -> None:
    """Add `panel` to the project page, after those registered before it (once)."""
    if panel not in project_panels:
        project_panels.append(panel)


def panels_context(page: ProjectPage) -> dict:
    """The context every registered panel adds, in the order they were registered."""
    context: dict = {}
    for panel in project_panels:
        context.update(panel(page))
    return context
