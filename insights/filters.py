"""Filters of the knowledge base and the KPI snapshot lists, and the project list's health
filter (registered with `projects.filters` in InsightsConfig.ready)."""

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from customers.models import Industry, Region
from insights.lessons import lessons_search
from insights.models import Health, PortfolioDimension, PortfolioSnapshot, ProjectSnapshot
from projects.models import Lesson, Outcome, Stage


class LessonFilter(django_filters.FilterSet):
    """The knowledge base's search form, for the page and the API. The filters only read the
    request; `insights.lessons.lessons_search` does the searching, with the person's access
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


def filter_project_health(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """Projects whose snapshot of the latest KPI day has this health."""
    latest = ProjectSnapshot.objects.aggregate(day=Max("day"))["day"]
    snapshot = ProjectSnapshot.objects.filter(project=OuterRef("pk"), day=latest, health=value)
    return queryset.filter(Exists(snapshot))


def project_health_filter() -> django_filters.ChoiceFilter:
    """The project list's filter by health (of the latest KPI day)."""
    return django_filters.ChoiceFilter(
        field_name="health",
        label=_("Health"),
        choices=Health.choices,
        method=filter_project_health,
    )
