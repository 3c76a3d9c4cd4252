import datetime
import re

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from projects.models import Stage

from ..labels import activity_label
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
    return activity_label("decision", value)


@register.filter
def risk_level_label(value: str) -> str:
    return activity_label("risk_level", value)


@register.filter
def iso_datetime(value: str):
    """A datetime kept as ISO text in an activity's data, for the `date` filter."""
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def comment_body(comment) -> SafeString:
    """A comment as people read it: each mention of a username shows the person's name
    (`@wang` → `@王磊`), the username kept in the title; line breaks kept."""
    text = escape(comment.body)  # usernames are [\w.@+-]: escaping leaves them as they were
    for person in comment.mentions.all():
        # Bounded as the server reads mentions (services.MENTION): Chinese may touch it.
        name = re.escape(person.username)
        pattern = re.compile(rf"(?<![A-Za-z0-9_.+-])@{name}(?![A-Za-z0-9_+-])", re.I)
        shown = format_html(
            '<span class="mention" title="@{}">@{}</span>', person.username, person.display_name
        )
        text = pattern.sub(lambda _match, shown=shown: shown, text)
    return linebreaksbr(mark_safe(text), autoescape=False)  # noqa: S308 — escaped above
