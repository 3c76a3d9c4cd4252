import django_filters
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Industry, Region


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("Search"), field_name="name", lookup_expr="icontains", max_length=100
    )
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    region = django_filters.ChoiceFilter(label=_("Region"), choices=Region.choices)

    class Meta:
        model = Customer
        fields = ["search", "industry", "region"]
