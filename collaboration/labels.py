"""The labels of choices that the apps above collaboration keep in an activity's data (a
review's decision, a risk's level: monitoring), registered in their AppConfig.ready; the feed
shows them translated (`collaboration_tags.decision_label`, `risk_level_label`)."""

from django.db import models

activity_choices: dict[str, type[models.TextChoices]] = {}


def activity_choices_register(kind: str, choices: type[models.TextChoices]) -> None:
    """Show values of `kind` in activity data with the labels of `choices`."""
    activity_choices.setdefault(kind, choices)


def activity_label(kind: str, value: str) -> str:
    """The translated label of `value`, or the value itself if it is not a known choice."""
    choices = activity_choices.get(kind)
    if choices is None:
        return value
    try:
        return choices(value).label
    except ValueError:
        return value
