"""The REST API (version 1): customers, projects, their stage records and the cycle.

Access is the pages' access: projects come from `projects_visible_to` (so a project a person may
not see is a 404, never a 403), writes go through `projects.services`, and stage changes go
through `projects.lifecycle`. Top-level lists are paginated; lists nested under one project
or customer are short and come whole.
"""

from django.db import models, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import (
    CONFLICT,
    DENIED,
    ERRORS,
    MISSING,
    StableOrderingFilter,
    UserLanguageMixin,
)

from .access import (
    can_create_project,
    can_edit_project,
    can_transition,
    get_project_for_user,
    projects_visible_to,
)
from .filters import ProjectFilter
from .history import changes_described, project_changes
from .lifecycle import evaluate_gate, project_approve, project_reject_approval, project_transition
from .models import (
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Project,
    ResourceAllocation,
    Stage,
    Strategy,
    TransitionKind,
)
from .serializers import (
    ApprovalRequestSerializer,
    ChangeSerializer,
    ClosureReportSerializer,
    FeasibilitySerializer,
    GateNotMetSerializer,
    GateSerializer,
    GoalSerializer,
    LessonSerializer,
    ProjectSerializer,
    ResourceAllocationSerializer,
    StageTransitionSerializer,
    StrategySerializer,
    TransitionRequestSerializer,
)
from .services import (
    project_create,
    project_update,
    stage_record_delete,
    stage_record_save,
    strategy_adopt,
)

# Stages sort in the order of the cycle, not alphabetically.
STAGE_POSITION = Case(
    *[When(stage=stage, then=Value(position)) for position, stage in enumerate(Stage)],
    output_field=IntegerField(),
)


class ProjectOrderingFilter(StableOrderingFilter):
    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        if any(term.lstrip("-") == "stage" for term in ordering):
            queryset = queryset.alias(stage_position=STAGE_POSITION)
            ordering = [
                term.replace("stage", "stage_position") if term.lstrip("-") == "stage" else term
                for term in ordering
            ]
        return queryset.order_by(*ordering)


def _changed_fields(instance: models.Model | None, data: dict) -> set[str]:
    """The names in `data` whose value differs from `instance` (all of them for a new one)."""
    if instance is None:
        return set(data)
    changed = set()
    for name, value in data.items():
        field = instance._meta.get_field(name)
        new = value.pk if isinstance(value, models.Model) else value
        if getattr(instance, field.attname) != new:
            changed.add(name)
    return changed


# --- projects ------------------------------------------------------------------------------------
PROJECT_WRITE = {200: ProjectSerializer, 400: ERRORS, 403: DENIED, 404: MISSING}


class HistoryPagination(PageNumberPagination):
    """Pages of a project's history: Django's paginator over the union of the historical
    tables (KeysPaginator pages one table's keys)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        """As documented: a whole number from 1 to 200, or a 400 (DRF ignores a bad one)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Enter a whole number from 1 to 200.")]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


@extend_schema(tags=["projects"])
@extend_schema_view(
    create=extend_schema(responses={201: ProjectSerializer, 400: ERRORS, 403: DENIED}),
    partial_update=extend_schema(responses=PROJECT_WRITE),
)
class ProjectViewSet(
    UserLanguageMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sales projects; the stage changes only through `transitions/`."""

    serializer_class = ProjectSerializer
    filter_backends = [DjangoFilterBackend, ProjectOrderingFilter]
    filterset_class = ProjectFilter
    ordering_fields = [
        "code",
        "name",
        "estimated_value",
        "expected_close_date",
        "created_at",
        "stage",
    ]
    ordering = ["-created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return projects_visible_to(self.request.user).select_related("customer", "owner")

    def create(self, request: Request, *args, **kwargs) -> Response:
        if not can_create_project(request.user):
            raise exceptions.PermissionDenied()
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        project = Project(**serializer.validated_data)
        serializer.instance = project_create(project=project, actor=self.request.user)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        project = self.get_object()
        # Who may change it is decided before what they sent is looked at.
        if not can_edit_project(request.user, project):
            raise exceptions.PermissionDenied()
        serializer = self.get_serializer(project, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = list(serializer.validated_data)
        for name, value in serializer.validated_data.items():
            setattr(project, name, value)
        project_update(project=project, actor=request.user, fields=fields)
        return Response(self.get_serializer(project).data)

    # --- the cycle -------------------------------------------------------------------------------
    @extend_schema(responses={200: GateSerializer, 404: MISSING})
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=GateSerializer,
    )
    def gate(self, request: Request, pk=None) -> Response:
        """The exit criteria of the project's current stage, each met or not, with hints."""
        project = self.get_object()
        return Response(evaluate_gate(project).as_dict())

    @extend_schema(
        methods=["GET"],
        description="The project's stage history, oldest first.",
        request=None,
        responses={200: StageTransitionSerializer(many=True), 404: MISSING},
    )
    @extend_schema(
        methods=["POST"],
        description="Move the project to `to_stage`: an advance (its gate must be met; a "
        "stage whose policy requires approval waits for a director, 202), a loop back from "
        "monitoring (with a note), an abort to closure (with `outcome` lost or cancelled and a "
        "`reason`), or reopening a closed project (directors, with a note). With "
        "`from_stage`, the stage the client last saw, a project that has moved on meanwhile "
        "is a 409.",
        request=TransitionRequestSerializer,
        responses={
            201: OpenApiResponse(ProjectSerializer, description="Moved."),
            202: OpenApiResponse(
                ProjectSerializer, description="Waiting for a director's approval."
            ),
            400: ERRORS,
            403: DENIED,
            404: MISSING,
            409: OpenApiResponse(
                GateNotMetSerializer,
                description="The project moved meanwhile, or its exit criteria are not met "
                "(then `unmet` lists them).",
            ),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=TransitionRequestSerializer,
    )
    def transitions(self, request: Request, pk=None) -> Response:
        """The project's stage history, or a move to another stage."""
        project = self.get_object()
        if request.method == "GET":
            rows = project.transitions.select_related("actor")
            return Response(StageTransitionSerializer(rows, many=True).data)
        return self._transition(request, project)

    @extend_schema(
        description="What changed on the project, its customer and its records (goals, "
        "resources, strategies, team memberships, tasks, reviews, risks), newest first: who "
        "changed which field, from what, to what, and when; names and values in the reader's "
        "language.",
        responses={200: ChangeSerializer(many=True), 404: MISSING},
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=HistoryPagination,
        serializer_class=ChangeSerializer,
    )
    def history(self, request: Request, pk=None) -> Response:
        """The project's change history, paginated."""
        project = self.get_object()
        page = self.paginate_queryset(project_changes(project))
        return self.get_paginated_response(
            ChangeSerializer(changes_described(page), many=True).data
        )

    def _transition(self, request: Request, project: Project) -> Response:
        if not can_transition(request.user, project, TransitionKind.ADVANCE):
            raise exceptions.PermissionDenied(
                _("Only the project owner or a director can do this.")
            )
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = project_transition(
            project=project,
            to_stage=data["to_stage"],
            actor=request.user,
            expected_stage=data.get("from_stage", ""),
            note=data["note"] or data["reason"],
            outcome=data["outcome"],
            reason_category=data["reason_category"],
        )
        body = ProjectSerializer(result.project, context=self.get_serializer_context()).data
        if result.awaiting_approval:
            return Response({**body, "awaiting_approval": True}, status=status.HTTP_202_ACCEPTED)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        description="A director approves the advance the owner asked for (a 409 when none "
        "waits). With `from_stage`, a project that has moved on meanwhile is a 409.",
        request=ApprovalRequestSerializer,
        responses={
            201: ProjectSerializer,
            400: ERRORS,
            403: DENIED,
            404: MISSING,
            409: OpenApiResponse(
                GateNotMetSerializer,
                description="Nothing waits for approval, the project moved meanwhile, or its "
                "exit criteria are not met (then `unmet` lists them).",
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        pagination_class=None,
        serializer_class=ApprovalRequestSerializer,
    )
    def approve(self, request: Request, pk=None) -> Response:
        """A director approves the advance the owner asked for."""
        return self._decide_approval(request, project_approve, status.HTTP_201_CREATED)

    @extend_schema(
        description="A director sends the advance the owner asked for back, with a note the "
        "owner is told (a 409 when none waits). The project stays in its stage.",
        request=ApprovalRequestSerializer,
        responses={200: ProjectSerializer, 400: ERRORS, 403: DENIED, 404: MISSING, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="send-back",
        filter_backends=[],
        pagination_class=None,
        serializer_class=ApprovalRequestSerializer,
    )
    def send_back(self, request: Request, pk=None) -> Response:
        """A director sends the owner's approval request back."""
        return self._decide_approval(request, project_reject_approval, status.HTTP_200_OK)

    def _decide_approval(self, request: Request, decide, answer_status: int) -> Response:
        """Approve or send back (`decide`): directors only, on the stage the person saw."""
        project = self.get_object()
        if not can_transition(request.user, project, TransitionKind.APPROVAL):
            raise exceptions.PermissionDenied(_("Only a director can approve a stage change."))
        serializer = ApprovalRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = decide(
            project=project,
            actor=request.user,
            expected_stage=serializer.validated_data.get("from_stage", ""),
            note=serializer.validated_data["note"],
        )
        project = getattr(result, "project", result)  # approve returns a TransitionResult
        body = ProjectSerializer(project, context=self.get_serializer_context()).data
        return Response(body, status=answer_status)


# --- stage records -------------------------------------------------------------------------------
class ProjectRecordPermission(permissions.BasePermission):
    """Whoever sees the project reads its records; its owner or a director writes them."""

    def has_permission(self, request: Request, view) -> bool:
        project = view.get_project()  # a 404 for a project this person may not see
        return request.method in permissions.SAFE_METHODS or can_edit_project(request.user, project)


@extend_schema(tags=["projects"])
class ProjectRecordView(UserLanguageMixin, generics.GenericAPIView):
    """A kind of record of one project's stages, at /projects/{project_pk}/<kind>/."""

    model: type[models.Model]
    permission_classes = [permissions.IsAuthenticated, ProjectRecordPermission]
    pagination_class = None
    filter_backends = []

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_project_for_user(
                self.request.user,
                self.kwargs["project_pk"],
                queryset=Project.objects.select_related("customer", "owner"),
            )
        return self._project

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(project=self.get_project())

    def save_record(self, record: models.Model | None, data: dict) -> models.Model:
        changed = _changed_fields(record, data)
        if record is None:
            record = self.model(**data)
        else:
            for name, value in data.items():
                setattr(record, name, value)
        return stage_record_save(
            record=record, project=self.get_project(), actor=self.request.user, changed=changed
        )


class RecordListView(ProjectRecordView, generics.ListCreateAPIView):
    def perform_create(self, serializer) -> None:
        serializer.instance = self.save_record(None, serializer.validated_data)


class RecordDetailView(ProjectRecordView, generics.RetrieveUpdateDestroyAPIView):
    lookup_url_kwarg = "record_pk"

    def perform_update(self, serializer) -> None:
        serializer.instance = self.save_record(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance: models.Model) -> None:
        stage_record_delete(record=instance, project=self.get_project(), actor=self.request.user)


class SingleRecordView(ProjectRecordView):
    """A record a project has at most one of: read it, or write it whole (created if new)."""

    def get_object(self) -> models.Model:
        record = self.get_queryset().first()
        if record is None:
            raise Http404
        return record

    def get(self, request: Request, *args, **kwargs) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def put(self, request: Request, *args, **kwargs) -> Response:
        with transaction.atomic():
            # Two first writes at once: the second waits here and then updates the record.
            Project.objects.select_for_update().filter(pk=self.get_project().pk).exists()
            record = self.get_queryset().first()
            serializer = self.get_serializer(record, data=request.data)
            serializer.is_valid(raise_exception=True)
            saved = self.save_record(record, serializer.validated_data)
        code = status.HTTP_201_CREATED if record is None else status.HTTP_200_OK
        return Response(self.get_serializer(saved).data, status=code)


def _record_schema(serializer, *, single: bool = False, detail: bool = False):
    """Schema decorations of one kind of stage record."""
    read = {200: serializer, 404: MISSING}
    write = {200: serializer, 400: ERRORS, 403: DENIED, 404: MISSING}
    if single:
        return extend_schema_view(
            get=extend_schema(responses=read),
            put=extend_schema(responses={**write, 201: serializer}),
        )
    if detail:
        return extend_schema_view(
            get=extend_schema(responses=read),
            put=extend_schema(responses=write),
            patch=extend_schema(responses=write),
            delete=extend_schema(responses={204: None, 403: DENIED, 404: MISSING, 409: CONFLICT}),
        )
    return extend_schema_view(
        get=extend_schema(responses={200: serializer(many=True), 404: MISSING}),
        post=extend_schema(responses={201: serializer, 400: ERRORS, 403: DENIED, 404: MISSING}),
    )


@_record_schema(FeasibilitySerializer, single=True)
class FeasibilityView(SingleRecordView):
    model = Feasibility
    serializer_class = FeasibilitySerializer


@_record_schema(ClosureReportSerializer, single=True)
class ClosureReportView(SingleRecordView):
    model = ClosureReport
    serializer_class = ClosureReportSerializer


@_record_schema(GoalSerializer)
class GoalListView(RecordListView):
    model = Goal
    serializer_class = GoalSerializer


@_record_schema(GoalSerializer, detail=True)
class GoalDetailView(RecordDetailView):
    model = Goal
    serializer_class = GoalSerializer


@_record_schema(ResourceAllocationSerializer)
class ResourceListView(RecordListView):
    model = ResourceAllocation
    serializer_class = ResourceAllocationSerializer


@_record_schema(ResourceAllocationSerializer, detail=True)
class ResourceDetailView(RecordDetailView):
    model = ResourceAllocation
    serializer_class = ResourceAllocationSerializer


class StrategyRecords:
    """Strategies with the revision each supersedes (its `changes` read it), one query."""

    def get_queryset(self):
        return super().get_queryset().select_related("supersedes")


@_record_schema(StrategySerializer)
class StrategyListView(StrategyRecords, RecordListView):
    model = Strategy
    serializer_class = StrategySerializer


@_record_schema(StrategySerializer, detail=True)
class StrategyDetailView(StrategyRecords, RecordDetailView):
    model = Strategy
    serializer_class = StrategySerializer


@extend_schema(
    tags=["projects"],
    request=None,
    responses={200: StrategySerializer, 400: ERRORS, 403: DENIED, 404: MISSING},
)
class StrategyAdoptView(ProjectRecordView):
    """Put a draft revision (opened by the loop back to strategy) in force."""

    model = Strategy
    serializer_class = StrategySerializer
    lookup_url_kwarg = "record_pk"

    def post(self, request: Request, *args, **kwargs) -> Response:
        strategy = self.get_object()
        if not can_edit_project(request.user, self.get_project()):
            raise exceptions.PermissionDenied()
        adopted = strategy_adopt(strategy=strategy, actor=request.user)
        return Response(self.get_serializer(adopted).data)


@_record_schema(LessonSerializer)
class LessonListView(RecordListView):
    model = Lesson
    serializer_class = LessonSerializer


@_record_schema(LessonSerializer, detail=True)
class LessonDetailView(RecordDetailView):
    model = Lesson
    serializer_class = LessonSerializer
