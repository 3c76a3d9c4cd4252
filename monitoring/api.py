"""The REST API (version 1) of 监控评估: review meetings and the risk register.

Access is the pages' access: reviews and risks are found only among the projects
`projects_visible_to` the person (anything else is a 404), who may write is decided by
`monitoring.reviews` / `monitoring.risks` before the body is looked at (a 403), and every write
goes through those services, whose field errors come back as a 400. Lists are paginated and
run a fixed number of queries.
"""

from collections.abc import Mapping

import django_filters
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from collaboration.selectors import tasks_with_people
from collaboration.serializers import TaskSerializer
from core.api import DENIED, ERRORS, MISSING, StableOrderingFilter, UserLanguageMixin
from monitoring.filters import RiskFilter
from monitoring.models import ReviewActionItem, ReviewMeeting, Risk
from monitoring.reviews import (
    action_item_add,
    action_items_to_tasks,
    can_manage_reviews,
    review_cancel,
    review_hold,
    review_prepare,
    review_schedule,
)
from monitoring.risks import can_edit_risks, can_update_risk, risk_delete, risk_matrix, risk_save
from monitoring.serializers import (
    MAX_ID,
    ActionItemSerializer,
    HoldResultSerializer,
    HoldSerializer,
    ReviewChangeSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
    RiskChangeSerializer,
    RiskMatrixSerializer,
    RiskSerializer,
)
from projects.access import projects_visible_to
from projects.models import Project

# What a PATCH of a review changes: its schedule (through review_schedule, which checks the
# time and the attendees) or its texts (through review_prepare).
SCHEDULE_FIELDS = {"scheduled_for", "duration_minutes", "location", "attendees"}
TEXT_FIELDS = {"agenda", "minutes"}


def _owner_only() -> str:
    return _("Only the project owner or a director can do this.")


def _project_in_body(request: Request) -> Project | None:
    """The project a create names, if the person may see it: who may write to it is decided
    before the rest of the body is looked at. Anything else is left to the serializer."""
    if not isinstance(request.data, Mapping):
        return None
    try:
        pk = int(request.data.get("project"))
    except (TypeError, ValueError):
        return None
    if not 0 < pk <= MAX_ID:
        return None
    return projects_visible_to(request.user).filter(pk=pk).first()


def _sent(request: Request) -> set[str]:
    return set(request.data) if isinstance(request.data, Mapping) else set()


# --- filters -------------------------------------------------------------------------------------
class ReviewFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(
        label=gettext_lazy("Project"), field_name="project_id", min_value=1, max_value=MAX_ID
    )
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("State"),
        choices=[
            ("upcoming", gettext_lazy("Upcoming")),
            # The word a review's `state` says for it.
            ("scheduled", gettext_lazy("Scheduled")),
            ("overdue", gettext_lazy("Overdue")),
            ("held", gettext_lazy("Held")),
        ],
        method="filter_state",
    )
    scheduled_from = django_filters.DateFilter(
        label=gettext_lazy("Scheduled from"), field_name="scheduled_for", lookup_expr="date__gte"
    )
    scheduled_to = django_filters.DateFilter(
        label=gettext_lazy("Scheduled to"), field_name="scheduled_for", lookup_expr="date__lte"
    )

    class Meta:
        model = ReviewMeeting
        fields = ["project", "state", "scheduled_from", "scheduled_to"]

    def filter_state(self, queryset: QuerySet[ReviewMeeting], name: str, value: str):
        if value == "held":
            return queryset.filter(held_at__isnull=False)
        return queryset.overdue() if value == "overdue" else queryset.upcoming()


class RiskApiFilter(RiskFilter):
    """The register's filters (status defaults to open and mitigating; `status=` empty for
    any), and across the portfolio one project's risks with `project`."""

    project = django_filters.NumberFilter(
        label=gettext_lazy("Project"), field_name="project_id", min_value=1, max_value=MAX_ID
    )

    class Meta(RiskFilter.Meta):
        fields = ["project", *RiskFilter.Meta.fields]


# --- reviews -------------------------------------------------------------------------------------
REVIEW_WRITE = {400: ERRORS, 403: DENIED, 404: MISSING}


@extend_schema(tags=["reviews"])
@extend_schema_view(
    list=extend_schema(
        description="Reviews of the projects I can see, the latest first. `state`: upcoming "
        "(ahead and not held), overdue (past and not held) or held.",
        responses={200: ReviewSerializer(many=True), 400: ERRORS},
    ),
    create=extend_schema(
        description="Schedule a review of a project (its owner or a director). It cannot lie "
        "in the past, and its attendees must be on the project's team.",
        request=ReviewSerializer,
        responses={201: ReviewDetailSerializer, 400: ERRORS, 403: DENIED},
    ),
    retrieve=extend_schema(
        description="One review with its action items and, until it is held, the brief: what "
        "changed since the last held review.",
        responses={200: ReviewDetailSerializer, 404: MISSING},
    ),
    partial_update=extend_schema(
        description="Reschedule a review, change its attendees, or save its agenda and the "
        "minutes so far (its owner or a director, before it is held).",
        request=ReviewChangeSerializer,
        responses={200: ReviewDetailSerializer, **REVIEW_WRITE},
    ),
    destroy=extend_schema(
        description="Cancel a review that has not been held (its owner or a director); a held "
        "review is history: 400.",
        responses={204: None, **REVIEW_WRITE},
    ),
)
class ReviewViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Review meetings: scheduled, prepared, then held with a decision that drives the cycle."""

    serializer_class = ReviewSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ReviewFilter
    ordering_fields = ["scheduled_for", "held_at", "created_at"]
    ordering = ["-scheduled_for"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReviewMeeting.objects.none()
        reviews = (
            ReviewMeeting.objects.filter(project__in=projects_visible_to(self.request.user))
            .select_related("project")
            .prefetch_related(
                Prefetch("attendees", queryset=User.objects.order_by("username", "pk"))
            )
            .annotate(action_item_count=Count("action_items"))
        )
        if self.action != "list":
            reviews = reviews.prefetch_related(
                Prefetch("action_items", queryset=ReviewActionItem.objects.select_related("owner"))
            )
        return reviews

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ReviewDetailSerializer
        return super().get_serializer_class()

    def get_object(self) -> ReviewMeeting:
        review = super().get_object()
        # Who may change it is decided before what they sent is looked at.
        writes = self.request.method not in permissions.SAFE_METHODS
        if writes and not can_manage_reviews(self.request.user, review.project):
            raise exceptions.PermissionDenied(_owner_only())
        return review

    def _detail(self, review: ReviewMeeting) -> dict:
        """The review as saved, read again with its attendees and action items."""
        fresh = self.get_queryset().get(pk=review.pk)
        return ReviewDetailSerializer(fresh, context=self.get_serializer_context()).data

    def create(self, request: Request, *args, **kwargs) -> Response:
        project = _project_in_body(request)
        if project is not None and not can_manage_reviews(request.user, project):
            raise exceptions.PermissionDenied(_owner_only())
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendees = data.pop("attendees", [])
        review = ReviewMeeting(**data)
        review_schedule(review=review, actor=request.user, attendees=attendees)
        return Response(self._detail(review), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        review = self.get_object()
        serializer = ReviewChangeSerializer(
            review, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendees = data.pop("attendees", None)
        for name, value in data.items():
            setattr(review, name, value)
        # Both services run in one transaction: a refused schedule keeps the texts unsaved too.
        with transaction.atomic():
            if attendees is not None or SCHEDULE_FIELDS & set(data):
                review_schedule(review=review, actor=request.user, attendees=attendees)
            elif TEXT_FIELDS & set(data):
                review_prepare(review=review, actor=request.user)
        return Response(self._detail(review))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        review = self.get_object()
        review_cancel(review=review, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        description="Record the review as held with its decision: continue → execution, "
        "adjust strategy → strategy (with a new strategy revision), close → closure, "
        "escalate → the directors are told and the project is flagged. The next review is "
        "scheduled from the project's cadence. A move the lifecycle refuses (an unmet gate) "
        "is a 400 on `decision`, and nothing of the hold is kept.",
        request=HoldSerializer,
        responses={200: HoldResultSerializer, **REVIEW_WRITE},
    )
    @action(detail=True, methods=["post"], serializer_class=HoldSerializer)
    def hold(self, request: Request, pk=None) -> Response:
        review = self.get_object()
        serializer = HoldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = review_hold(
            review=review,
            actor=request.user,
            decision=data["decision"],
            minutes=data.get("minutes"),
            decision_note=data["decision_note"],
        )
        body = {
            "review": self._detail(result.review),
            "moved_to": result.moved_to,
            "awaiting_approval": result.awaiting_approval,
            "next_review": result.next_review.pk if result.next_review else None,
        }
        return Response(body)

    @extend_schema(
        description="Record an action agreed in the review: its owner (on the project's "
        "team) and due date (not in the past).",
        request=ActionItemSerializer,
        responses={201: ActionItemSerializer, **REVIEW_WRITE},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="action-items",
        url_name="action-items",
        serializer_class=ActionItemSerializer,
    )
    def action_items(self, request: Request, pk=None) -> Response:
        review = self.get_object()
        serializer = ActionItemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = ReviewActionItem(review=review, **serializer.validated_data)
        action_item_add(item=item, actor=request.user)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        description="Turn every action item of the review that has no task yet into a task "
        "for its owner, due on its date. Answers the tasks created (201), or an empty list "
        "when every item has its task already (200).",
        request=None,
        responses={
            201: TaskSerializer(many=True),
            200: OpenApiResponse(TaskSerializer(many=True), description="Nothing to convert."),
            403: DENIED,
            404: MISSING,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="action-items/to-tasks",
        url_name="action-items-to-tasks",
        serializer_class=TaskSerializer,
        filter_backends=[],
        pagination_class=None,
    )
    def action_items_to_tasks(self, request: Request, pk=None) -> Response:
        review = self.get_object()
        created = action_items_to_tasks(review=review, actor=request.user)
        tasks = tasks_with_people(review.project.tasks.filter(pk__in=[t.pk for t in created]))
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(TaskSerializer(tasks.order_by("pk"), many=True).data, status=code)


# --- risks ---------------------------------------------------------------------------------------
@extend_schema(tags=["risks"])
@extend_schema_view(
    list=extend_schema(
        description="Risks of the projects I can see, the most serious first.",
        responses={200: RiskSerializer(many=True), 400: ERRORS},
    ),
    create=extend_schema(
        description="Record a risk of a project (its owner or a director). A risk that is high "
        "or critical notifies its owner and the directors.",
        responses={201: RiskSerializer, 400: ERRORS, 403: DENIED},
    ),
    retrieve=extend_schema(responses={200: RiskSerializer, 404: MISSING}),
    partial_update=extend_schema(
        description="Change a risk: the project's owner, a director, or the risk's owner while "
        "the project is open. A risk that rises to high or critical notifies.",
        request=RiskChangeSerializer,
        responses={200: RiskSerializer, 400: ERRORS, 403: DENIED, 404: MISSING},
    ),
    destroy=extend_schema(responses={204: None, 403: DENIED, 404: MISSING}),
)
class RiskViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The risk register; score and level follow from probability × impact."""

    serializer_class = RiskSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = RiskApiFilter
    ordering_fields = ["score", "due_date", "created_at", "updated_at"]
    ordering = ["-score", "due_date"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        return Risk.objects.filter(
            project__in=projects_visible_to(self.request.user)
        ).select_related("project", "owner")

    def create(self, request: Request, *args, **kwargs) -> Response:
        project = _project_in_body(request)
        if project is not None and not can_edit_risks(request.user, project):
            raise exceptions.PermissionDenied(_owner_only())
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        risk = Risk(**serializer.validated_data)
        serializer.instance = risk_save(risk=risk, actor=self.request.user)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        risk = self.get_object()
        if not can_update_risk(request.user, risk):
            raise exceptions.PermissionDenied(
                _("Only the risk's owner, the project owner or a director can change this risk.")
            )
        serializer = RiskChangeSerializer(
            risk, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(risk, name, value)
        risk_save(risk=risk, actor=request.user)
        return Response(
            RiskSerializer(self.get_object(), context=self.get_serializer_context()).data
        )

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        risk = self.get_object()
        if not can_edit_risks(request.user, risk.project):
            raise exceptions.PermissionDenied(_owner_only())
        risk_delete(risk=risk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        description="The 5×5 risk matrix of the risks I can see, narrowed by the same filters "
        "as the list (open and mitigating risks unless `status` says otherwise; one project's "
        "with `project`): how many risks in each probability × impact cell, rows from "
        "probability 5 down to 1, each cell with its level.",
        filters=True,
        responses={200: RiskMatrixSerializer, 400: ERRORS},
    )
    @action(
        detail=False,
        methods=["get"],
        serializer_class=RiskMatrixSerializer,
        filter_backends=[DjangoFilterBackend],
        pagination_class=None,
    )
    def matrix(self, request: Request) -> Response:
        matrix = risk_matrix(self.filter_queryset(self.get_queryset()))
        rows = [
            [
                {
                    "probability": cell.probability,
                    "impact": cell.impact,
                    "count": cell.count,
                    "level": cell.level,
                }
                for cell in row
            ]
            for row in matrix.rows
        ]
        body = {"rows": rows, "total": matrix.total, "by_level": matrix.by_level}
        return Response(RiskMatrixSerializer(body).data)
