"""Monitoring's records in a project's change history (`projects.history`), registered in
MonitoringConfig.ready."""

from projects.history import Tracked, field_shown, on_project

from .models import ReviewMeeting, Risk

SCHEDULED_FOR = ReviewMeeting._meta.get_field("scheduled_for")

TRACKED = (
    Tracked(
        "review",
        ReviewMeeting,
        on_project,
        lambda s, _: field_shown(
            ReviewMeeting._meta.get_field("scheduled_for"), s["scheduled_for"]
        ),
    ),
    Tracked("risk", Risk, on_project, lambda s, _: s["title"]),
)
