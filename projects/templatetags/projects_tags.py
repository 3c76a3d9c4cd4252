from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def norm_for(policies: dict, stage: str) -> int | None:
    """The norm in days of `stage` from the policies the view loaded once."""
    policy = policies.get(stage) if policies else None
    return policy.norm_days if policy else None


@register.simple_tag
def project_flags(project) -> str:
    """Badges for what needs attention: a review overdue, an escalation, a move waiting for a
    director's approval.

    Lists annotate `review_overdue` in their one query; a single project page asks once. A
    project with neither draws nothing, without rendering a template (a board has 160 cards).
    """
    overdue = getattr(project, "review_overdue", None)
    if overdue is None:
        overdue = project.reviews.overdue().exists()
    if not (overdue or project.escalated_at or project.approval_requested_at):
        return ""
    return render_to_string("projects/_flags.html", {"project": project, "review_overdue": overdue})
