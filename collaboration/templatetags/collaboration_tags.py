import datetime

from django import template

from projects.models import ReviewDecision, RiskLevel, Stage

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


@register.filter
def decision_label(value: str) -> str:
    try:
        return ReviewDecision(value).label
    except ValueError:
        return value


@register.filter
def risk_level_label(value: str) -> str:
    try:
        return RiskLevel(value).label
    except ValueError:
        return value


@register.filter
def iso_datetime(value: str):
    """A datetime kept as ISO text in an activity's data, for the `date` filter."""
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
