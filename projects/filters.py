"""Filters of the project, customer and risk lists: one definition for the pages and the API."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.filters import YesNoFilter
from core.forms import DateInput
from customers.models import Customer, Industry, Region

from .access import possible_owners
from .models import Outcome, Project, Stage, StageTransition, TransitionKind


class ProjectFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=100)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    # Choices by role, not "owns a project", so the list reveals nothing about projects
    # the person cannot see.
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"),
        queryset=possible_owners(),
    )
    # Set by links (a customer's page); typing a customer's name goes in the search. A select
    # would draw every customer (2,000 options took 260 ms at scale).
    customer = django_filters.ModelChoiceFilter(
        label=_("Customer"), queryset=Customer.objects.all(), widget=forms.HiddenInput
    )
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), field_name="customer__industry", choices=Industry.choices
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="customer__region", choices=Region.choices
    )
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=Outcome.choices)
    # The owner's department, by code: the key the KPI snapshots and the dashboard use.
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="owner__department",
        to_field_name="code",
        queryset=Department.objects.all(),
    )
    looped = YesNoFilter(label=_("Strategy adjusted"), method="filter_looped")
    active = YesNoFilter(label=_("Open"), method="filter_active")
    awaiting_approval = YesNoFilter(
        label=_("Waiting for approval"), method="filter_awaiting_approval"
    )
    closed_from = django_filters.DateFilter(
        label=_("Closed on or after"),
        field_name="closure_report__closed_on",
        lookup_expr="gte",
        widget=DateInput(),
    )

    class Meta:
        model = Project
        fields = [
            "search",
            "stage",
            "owner",
            "customer",
            "industry",
            "region",
            "outcome",
            "department",
            "looped",
            "active",
            "awaiting_approval",
            "closed_from",
        ]

    def filter_search(self, queryset: QuerySet[Project], name: str, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(customer__name__icontains=value)
        )

    def filter_active(self, queryset: QuerySet[Project], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.open() if value else queryset.closed()

    def filter_awaiting_approval(self, queryset: QuerySet[Project], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.awaiting_approval(waiting=value)

    def filter_looped(self, queryset: QuerySet[Project], name: str, value: bool | None):
        """Projects whose strategy was adjusted at least once (a loop back from monitoring)."""
        if value is None:
            return queryset
        loop = StageTransition.objects.filter(
            project=OuterRef("pk"), kind=TransitionKind.LOOP, to_stage=Stage.STRATEGY
        )
        return queryset.filter(Exists(loop)) if value else queryset.exclude(Exists(loop))


def project_filter_register(name: str, filter_: django_filters.Filter) -> None:
    """Add a filter of the project list (pages and API) that an app above projects defines
    (insights: `health`), after the ones above; called from its AppConfig.ready."""
    ProjectFilter.base_filters.setdefault(name, filter_)
