"""The REST API (version 1) of the KPI snapshots: per project and for the portfolio.

Project snapshots follow project visibility. Portfolio figures add up every project, so the whole
portfolio is for directors; anyone else reads only their own row (dimension `owner`, their id).
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from .access import projects_visible_to
from .api import UserLanguageMixin
from .models import (
    Health,
    PortfolioDimension,
    PortfolioSnapshot,
    ProjectSnapshot,
    Stage,
)


class ProjectSnapshotSerializer(serializers.ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = ProjectSnapshot
        exclude = ["computed_at"]
        read_only_fields = [field.name for field in ProjectSnapshot._meta.fields]


class PortfolioSnapshotSerializer(serializers.ModelSerializer):
    success_rate_90 = serializers.FloatField(read_only=True, allow_null=True)
    success_rate_365 = serializers.FloatField(read_only=True, allow_null=True)
    goal_success_rate_90 = serializers.FloatField(read_only=True, allow_null=True)
    goal_success_rate_365 = serializers.FloatField(read_only=True, allow_null=True)
    review_compliance = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = PortfolioSnapshot
        exclude = ["computed_at"]
        read_only_fields = [field.name for field in PortfolioSnapshot._meta.fields]


class _DayRange(django_filters.FilterSet):
    day_from = django_filters.DateFilter(label=_("From"), field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(label=_("To"), field_name="day", lookup_expr="lte")


class ProjectSnapshotFilter(_DayRange):
    project = django_filters.NumberFilter(label=_("Project"), field_name="project_id", min_value=1)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    health = django_filters.ChoiceFilter(label=_("Health"), choices=Health.choices)

    class Meta:
        model = ProjectSnapshot
        fields = ["project", "stage", "health", "day_from", "day_to"]


class PortfolioSnapshotFilter(_DayRange):
    dimension = django_filters.ChoiceFilter(
        label=_("Dimension"), choices=PortfolioDimension.choices
    )
    key = django_filters.CharFilter(label=_("Key"), max_length=64)

    class Meta:
        model = PortfolioSnapshot
        fields = ["dimension", "key", "day_from", "day_to"]


@extend_schema(
    description="Daily KPI snapshots of the projects you may see, newest first: stage, days in "
    "it, weighted value, goal attainment, tasks, budget, open risks, reviews, loops, health "
    "and its reasons."
)
class ProjectSnapshotListView(UserLanguageMixin, generics.ListAPIView):
    serializer_class = ProjectSnapshotSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProjectSnapshotFilter

    def get_queryset(self) -> QuerySet[ProjectSnapshot]:
        if getattr(self, "swagger_fake_view", False):
            return ProjectSnapshot.objects.none()
        return (
            ProjectSnapshot.objects.filter(project__in=projects_visible_to(self.request.user))
            .select_related("project")
            .order_by("-day", "project_id")
        )


@extend_schema(
    description="Daily portfolio snapshots, newest first, overall and per department, owner, "
    "industry and region: pipeline and weighted forecast by stage, success rate = won / (won + "
    "lost) and goal success rate over 90 and 365 days, reasons, cycle time, review compliance, "
    "risk exposure. Directors read every row; others their own owner row."
)
class PortfolioSnapshotListView(UserLanguageMixin, generics.ListAPIView):
    serializer_class = PortfolioSnapshotSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PortfolioSnapshotFilter

    def get_queryset(self) -> QuerySet[PortfolioSnapshot]:
        if getattr(self, "swagger_fake_view", False):
            return PortfolioSnapshot.objects.none()
        rows = PortfolioSnapshot.objects.order_by("-day", "dimension", "key")
        user = self.request.user
        if user.is_director:
            return rows
        return rows.filter(Q(dimension=PortfolioDimension.OWNER) & Q(key=str(user.pk)))
