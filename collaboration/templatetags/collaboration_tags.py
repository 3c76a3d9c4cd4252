from django import template

from projects.models import Stage

from ..models import TaskStatus

register = template.Library()


@register.filter
def stage_label(value: str) -> str:
    """The translated name of a stage code kept in an activity or notification."""
    try:
        return Stage(value).label
    except ValueError:
        return value


@register.filter
def status_label(value: str) -> str:
    try:
        return TaskStatus(value).label
    except ValueError:
        return value
