from django import template

register = template.Library()


@register.simple_tag
def norm_for(policies: dict, stage: str) -> int | None:
    """The norm in days of `stage` from the policies the view loaded once."""
    policy = policies.get(stage) if policies else None
    return policy.norm_days if policy else None
