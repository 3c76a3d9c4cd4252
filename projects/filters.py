"""Filters of the project and customer lists: one definition for the pages and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.models import User
from core.roles import Role

from .models import Customer, Industry, Outcome, Project, Region, Stage


class ProjectFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    # Choices by role, not "owns a project", so the list reveals nothing about projects
    # the person cannot see.
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=User.objects.filter(
            groups__name__in=[Role.SALES_MANAGER, Role.DIRECTOR]
        ).distinct(),
    )
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"), queryset=Customer.objects.all()
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), field_name="customer__industry", choices=Industry.choices
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="customer__region", choices=Region.choices
    )
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)

    class Meta:
        model = Project
        fields = ["search", "stage", "owner", "customer", "industry", "region", "outcome"]

    def filter_search(self, queryset: QuerySet[Project], name: str, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(customer__name__icontains=value)
        )


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("Search"), field_name="name", lookup_expr="icontains", max_length=100
    )
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    region = django_filters.ChoiceFilter(label=_("Region"), choices=Region.choices)

    class Meta:
        model = Customer
        fields = ["search", "industry", "region"]
