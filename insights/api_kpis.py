"""The REST API (version 1) of the KPI snapshots: per project and for the portfolio.

Project snapshots follow project visibility. Portfolio figures add up every project, so the whole
portfolio is for directors; anyone else reads only their own row (dimension `owner`, their id).
"""

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from core.api import UserLanguageMixin
from core.fields import ModelSerializer, StrictCharField
from insights.filters import PortfolioSnapshotFilter, ProjectSnapshotFilter
from insights.models import PortfolioSnapshot, ProjectSnapshot
from insights.selectors import portfolio_snapshots_visible_to, project_snapshots_visible_to


class ProjectSnapshotSerializer(ModelSerializer):
    project_code = StrictCharField(source="project.code", read_only=True)

    class Meta:
        model = ProjectSnapshot
        exclude = ["computed_at"]
        read_only_fields = [field.name for field in ProjectSnapshot._meta.fields]


class PortfolioSnapshotSerializer(ModelSerializer):
    success_rate_90 = serializers.FloatField(read_only=True, allow_null=True)
    success_rate_365 = serializers.FloatField(read_only=True, allow_null=True)
    goal_success_rate_90 = serializers.FloatField(read_only=True, allow_null=True)
    goal_success_rate_365 = serializers.FloatField(read_only=True, allow_null=True)
    review_compliance = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = PortfolioSnapshot
        exclude = ["computed_at"]
        read_only_fields = [field.name for field in PortfolioSnapshot._meta.fields]


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
        return project_snapshots_visible_to(self.request.user)


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
        return portfolio_snapshots_visible_to(self.request.user)
