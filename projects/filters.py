"""Filters of the project, customer and risk lists: one definition for the pages and the API."""

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from collaboration.models import Department
from core.filters import YesNoFilter
from core.forms import DateInput

from .access import possible_owners
from .lessons import lessons_search
from .models import (
    Customer,
    Health,
    Industry,
    Lesson,
    Outcome,
    PortfolioDimension,
    PortfolioSnapshot,
    Project,
    ProjectSnapshot,
    Region,
    Stage,
    StageTransition,
    TransitionKind,
)


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
    health = django_filters.ChoiceFilter(
        label=_("Health"), choices=Health.choices, method="filter_health"
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
            "health",
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
        closed = Q(stage=Stage.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def filter_awaiting_approval(self, queryset: QuerySet[Project], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.awaiting_approval(waiting=value)

    def filter_health(self, queryset: QuerySet[Project], name: str, value: str):
        """Projects whose snapshot of the latest KPI day has this health."""
        latest = ProjectSnapshot.objects.aggregate(day=Max("day"))["day"]
        snapshot = ProjectSnapshot.objects.filter(project=OuterRef("pk"), day=latest, health=value)
        return queryset.filter(Exists(snapshot))

    def filter_looped(self, queryset: QuerySet[Project], name: str, value: bool | None):
        """Projects whose strategy was adjusted at least once (a loop back from monitoring)."""
        if value is None:
            return queryset
        loop = StageTransition.objects.filter(
            project=OuterRef("pk"), kind=TransitionKind.LOOP, to_stage=Stage.STRATEGY
        )
        return queryset.filter(Exists(loop)) if value else queryset.exclude(Exists(loop))


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        label=_("Search"), field_name="name", lookup_expr="icontains", max_length=100
    )
    industry = django_filters.ChoiceFilter(label=_("Industry"), choices=Industry.choices)
    region = django_filters.ChoiceFilter(label=_("Region"), choices=Region.choices)

    class Meta:
        model = Customer
        fields = ["search", "industry", "region"]


class LessonFilter(django_filters.FilterSet):
    """The knowledge base's search form, for the page and the API. The filters only read the
    request; `projects.lessons.lessons_search` does the searching, with the person's access
    built in, so the queryset handed in is not narrowed further here."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_nothing", max_length=100)
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), choices=Industry.choices, method="filter_nothing"
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), choices=Region.choices, method="filter_nothing"
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=Stage.choices, method="filter_nothing"
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=Outcome.choices, method="filter_nothing"
    )

    class Meta:
        model = Lesson
        fields = ["q", "industry", "region", "stage", "outcome"]

    def filter_nothing(self, queryset: QuerySet[Lesson], name: str, value: str):
        return queryset

    def filter_queryset(self, queryset: QuerySet[Lesson]) -> QuerySet[Lesson]:
        data = self.form.cleaned_data
        return lessons_search(
            getattr(self.request, "user", None) or AnonymousUser(),
            text=data.get("q") or "",
            industry=data.get("industry") or "",
            region=data.get("region") or "",
            stage=data.get("stage") or "",
            outcome=data.get("outcome") or "",
        )


# --- the KPI snapshots (API and exports) ---------------------------------------------------------
class _DayRange(django_filters.FilterSet):
    day_from = django_filters.DateFilter(label=_("From"), field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(label=_("To"), field_name="day", lookup_expr="lte")


class ProjectSnapshotFilter(_DayRange):
    project = django_filters.NumberFilter(label=_("Project"), field_name="project_id", min_value=1)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    health = django_filters.ChoiceFilter(label=_("Health"), choices=Health.choices)
    # The dashboard's dimensions, as the project list reads them.
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="project__owner__department",
        to_field_name="code",
        queryset=Department.objects.all(),
    )
    owner = django_filters.NumberFilter(label=_("Owner"), field_name="project__owner_id")
    industry = django_filters.ChoiceFilter(
        label=_("Industry"), field_name="project__customer__industry", choices=Industry.choices
    )
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="project__customer__region", choices=Region.choices
    )

    class Meta:
        model = ProjectSnapshot
        fields = [
            "project",
            "stage",
            "health",
            "department",
            "owner",
            "industry",
            "region",
            "day_from",
            "day_to",
        ]


class PortfolioSnapshotFilter(_DayRange):
    dimension = django_filters.ChoiceFilter(
        label=_("Dimension"), choices=PortfolioDimension.choices
    )
    key = django_filters.CharFilter(label=_("Key"), max_length=64)

    class Meta:
        model = PortfolioSnapshot
        fields = ["dimension", "key", "day_from", "day_to"]
