from django import template

from core.numbers import format_amount, format_percent

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current page's query with `page` set to `number`, every other value kept — a
    filter chosen several times (status=todo&status=blocked) included."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@register.simple_tag(takes_context=True)
def url_without(context, *names: str) -> str:
    """The current page's query without `names` (and back to the first page)."""
    query = context["request"].GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return f"?{query.urlencode()}"


@register.filter
def amount(value, places=2) -> str:
    """`{{ value|amount }}` → 4,450,000.00; see core.numbers.format_amount."""
    return format_amount(value, places)


@register.filter
def percent(value) -> str:
    """`{{ rate|percent }}` → 85.7%; see core.numbers.format_percent."""
    return format_percent(value)
