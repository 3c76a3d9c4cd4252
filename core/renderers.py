"""The form renderer: Django's own widget templates, except that a select is written here.

Django draws a select by including two templates per option; a select of the 500 people of the
scale portfolio took 42 ms, and the project page has three. `FormRenderer` writes the same HTML
for a select (and a multiple select) in Python, in about a millisecond; every other widget keeps
its template."""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: True is a bare name, False leaves it out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{conditional_escape(str(value))}"')
    return "".join(parts)


def select_html(widget: dict) -> str:
    """As django/forms/widgets/select.html with its options, byte for byte."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # every value above is escaped


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if template_name == SELECT_TEMPLATE and widget and _options_standard(widget):
            return select_html(widget)
        return super().render(template_name, context, request=request)


def _options_standard(widget: dict) -> bool:
    """Options drawn by Django's own option template (a widget may name its own)."""
    return all(
        option.get("template_name") == OPTION_TEMPLATE
        for _name, options, _index in widget["optgroups"]
        for option in options
    )
