from django import template

register = template.Library()


@register.simple_tag
def norm_for(policies: dict, stage: str) -> int | None:
    """The norm in days of `stage` from the policies the view loaded once."""
    policy = policies.get(stage) if policies else None
    return policy.norm_days if policy else None


@register.inclusion_tag("projects/_flags.html")
def project_flags(project) -> dict:
    """Badges for what needs attention: a review overdue, an escalation.

    Lists annotate `review_overdue` in their one query; a single project page asks once.
    """
    overdue = getattr(project, "review_overdue", None)
    if overdue is None:
        overdue = project.reviews.overdue().exists()
    return {"project": project, "review_overdue": overdue}
