"""The REST API (version 1) of the director's dashboard: the same figures as /dashboard/, for one
period and at most one of department, owner, industry or region. Directors only."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department
from core.api import DENIED, ERRORS, UserLanguageMixin
from customers.models import Industry, Region
from insights.dashboard import PERIODS, dashboard_filter_parse, director_dashboard
from projects.access import possible_owners
from projects.models import Stage


class DashboardQuerySerializer(serializers.Serializer):
    """The query: checked here, so that a bad value is a 400 rather than silently ignored."""

    period = serializers.ChoiceField(choices=PERIODS, required=False, label=_("Period"))
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        label=_("Department"),
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=possible_owners(), required=False, label=_("Owner")
    )
    industry = serializers.ChoiceField(choices=Industry.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)

    def validate(self, attrs: dict) -> dict:
        chosen = [name for name in ("department", "owner", "industry", "region") if name in attrs]
        if len(chosen) > 1:
            message = _("Choose at most one of department, owner, industry and region.")
            raise serializers.ValidationError({name: [message] for name in chosen})
        return attrs


class DashboardTrendPointSerializer(serializers.Serializer):
    day = serializers.DateField()
    rate = serializers.FloatField()


class DashboardStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    count = serializers.IntegerField(help_text="Open projects in the stage.")
    reached = serializers.IntegerField(help_text="Open projects at or past the stage.")
    conversion = serializers.FloatField(
        allow_null=True, help_text="% of those that reached the next stage."
    )
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=16, decimal_places=2)
    finished_days = serializers.FloatField(
        help_text="Average days of the stays in the stage that ended in the trailing year."
    )
    finished_stays = serializers.IntegerField()
    open_days = serializers.FloatField(help_text="Average days so far of today's projects.")
    norm = serializers.IntegerField(allow_null=True)


class DashboardRiskCellSerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    impact = serializers.IntegerField()
    level = serializers.CharField()
    count = serializers.IntegerField()


class DashboardWorkloadSerializer(serializers.Serializer):
    department = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()


class DashboardRedProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class DashboardSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="The day of the latest KPI rollup.")
    period = serializers.IntegerField()
    window = serializers.IntegerField(help_text="The success rate's window in days (90 or 365).")
    dimension = serializers.CharField()
    key = serializers.CharField()
    target = serializers.IntegerField(help_text="The success-rate target in %.")
    success_rate = serializers.FloatField(allow_null=True)
    goal_success_rate = serializers.FloatField(allow_null=True)
    trend = DashboardTrendPointSerializer(many=True)
    closed = serializers.DictField(child=serializers.IntegerField())
    pipeline_value = serializers.DecimalField(max_digits=20, decimal_places=2)
    weighted_forecast = serializers.DecimalField(max_digits=20, decimal_places=2)
    stages = DashboardStageSerializer(many=True)
    loops = serializers.IntegerField()
    reviews_due = serializers.IntegerField()
    reviews_on_time = serializers.IntegerField()
    review_compliance = serializers.FloatField(allow_null=True)
    risks_by_level = serializers.DictField(child=serializers.IntegerField())
    risk_cells = DashboardRiskCellSerializer(many=True)
    workload = DashboardWorkloadSerializer(many=True)
    red = DashboardRedProjectSerializer(many=True)


def dashboard_data(figures: dict, filters) -> dict:
    """The dashboard's figures as plain data (no chart geometry, no links)."""
    current = figures["current"]
    matrix = figures["matrix"]
    cells = [cell for row in matrix.rows for cell in row]
    return {
        "day": figures["day"],
        "period": filters.period,
        "window": filters.window,
        "dimension": filters.dimension,
        "key": filters.key,
        "target": figures["target"],
        "success_rate": figures["success_rate"],
        "goal_success_rate": figures["goal_success_rate"],
        "trend": figures["trend"].points,
        "closed": {str(item.outcome): item.count for item in figures["closed"]},
        "pipeline_value": current.pipeline_value if current else 0,
        "weighted_forecast": current.weighted_forecast if current else 0,
        "stages": figures["stages"],
        "loops": figures["loops"],
        "reviews_due": current.reviews_due if current else 0,
        "reviews_on_time": current.reviews_on_time if current else 0,
        "review_compliance": figures["review_compliance"],
        "risks_by_level": matrix.by_level,
        "risk_cells": [
            {
                "probability": cell.probability,
                "impact": cell.impact,
                "level": cell.level.value,
                "count": cell.count,
            }
            for cell in cells
        ],
        "workload": figures["workload_figures"],
        "red": [
            {
                "id": item["project"].pk,
                "code": item["project"].code,
                "name": item["project"].name,
                "reasons": item["reasons"],
            }
            for item in figures["red"]
        ],
    }


class DashboardView(UserLanguageMixin, APIView):
    @extend_schema(
        parameters=[DashboardQuerySerializer],
        responses={
            200: DashboardSerializer,
            204: OpenApiResponse(description="No KPI rollup has run yet."),
            400: ERRORS,
            403: DENIED,
        },
        description="The director's dashboard for a period (30, 90 or 365 days) and at most one "
        "of department (code), owner (id), industry and region: success rate against the 60 % "
        "target with its trend, closed projects by outcome, pipeline and weighted forecast, the "
        "stage funnel and days per stage, strategy loops, review compliance, the risk heat map, "
        "workload by department and the projects in red with their reasons. Read from the "
        "daily KPI snapshots; directors only.",
    )
    def get(self, request: Request) -> Response:
        if not request.user.is_director:
            raise exceptions.PermissionDenied
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        chosen = QueryDict(mutable=True)
        for name, value in query.validated_data.items():
            if name == "department":
                value = value.code
            elif name == "owner":
                value = value.pk
            chosen[name] = str(value)  # as a query string carries it
        filters = dashboard_filter_parse(chosen)
        figures = director_dashboard(user=request.user, filters=filters)
        if figures is None:
            return Response(status=204)
        return Response(DashboardSerializer(dashboard_data(figures, filters)).data)
