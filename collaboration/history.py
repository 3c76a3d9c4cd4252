"""Collaboration's records in a project's change history (`projects.history`), registered in
CollaborationConfig.ready."""

from django.utils.text import Truncator

from projects.history import Tracked, on_project

from .models import Interaction, Task

TRACKED = (
    Tracked("task", Task, on_project, lambda s, _: s["title"]),
    Tracked(
        "interaction",
        Interaction,
        on_project,
        lambda s, _: Truncator(s["summary"]).chars(40),
        frozenset({"id", "project", "customer"}),
    ),
)
