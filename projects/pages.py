"""What the apps above `projects` add to its pages, registered in their AppConfig.ready.

The project page is composed here in order: `project_page_context` builds what `projects`
owns, then each registered panel adds what its app shows (tasks, comments, reviews, similar
lessons). `projects` imports none of those apps; they register with it (STYLE rule 11).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from core.registry import Panels

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


# Each panel returns the template context it adds to the project page, in the order the apps
# registered them (`project_panel_register`); `panels_context` calls them all.
ProjectPanel = Callable[[ProjectPage], dict]
project_panels = Panels()
project_panel_register = project_panels.register
panels_context = project_panels.context
