"""Filter pieces every list shares."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _


class AnyYesNoSelect(forms.NullBooleanSelect):
    """A yes/no filter's select: "Any" (no filter), yes, no. Django's own says "Unknown" for
    the first, which reads as a third state of the record, not as "do not filter"."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]

    def format_value(self, value) -> list[str]:
        # A list, as every choice widget's: a bare string would make "" (Any) match first,
        # because the options are marked selected by `str(choice) in value`.
        return [{True: "true", "true": "true", False: "false", "false": "false"}.get(value, "")]


class YesNoFilter(django_filters.BooleanFilter):
    """A BooleanFilter drawn as Any / Yes / No (the one yes/no filter of every list)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", AnyYesNoSelect)
        super().__init__(*args, **kwargs)
