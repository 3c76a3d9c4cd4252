"""The REST API (version 1) of the team work: members, tasks, comments, notifications and the
customer's interaction log.

Access is the pages' access: a project comes from `get_project_for_user` (one the person may
not see is a 404), who may write is decided by `collaboration.access` before the body is
looked at (a 403), and every write goes through `collaboration.services`, whose field errors
come back as a 400. Every list is paginated and runs a fixed number of queries.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from core.api import (
    DENIED,
    ERRORS,
    MISSING,
    Conflict,
    DetailSerializer,
    UserLanguageMixin,
)
from customers.api import OfOneCustomer
from projects.access import get_project_for_user
from projects.models import Project, ProjectMembership

from . import access
from .filters import TaskFilter
from .models import Comment, Interaction, Notification, Task
from .notifications import notifications_for, notifications_mark_read, unread_count
from .selectors import my_tasks, overdue_first, tasks_with_people
from .serializers import (
    PROGRESS_FIELDS,
    CommentEditSerializer,
    CommentQuerySerializer,
    CommentSerializer,
    InteractionSerializer,
    MarkedSerializer,
    MarkReadSerializer,
    MembershipChangeSerializer,
    MembershipQuerySerializer,
    MembershipSerializer,
    NotificationQuerySerializer,
    NotificationSerializer,
    TaskProgressSerializer,
    TaskSerializer,
    UnreadCountSerializer,
)
from .services import (
    comment_delete,
    comment_edit,
    comment_post,
    interaction_log,
    membership_add,
    membership_remove,
    membership_update,
    task_delete,
    task_save,
    task_update_progress,
)


# --- shared pieces -------------------------------------------------------------------------------
def query_params(serializer_class, request: Request) -> dict:
    """The query parameters of a list, checked (a 400 for a malformed one)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def writable_fields_sent(request: Request, serializer_class) -> set[str]:
    if not isinstance(request.data, Mapping):
        return set()
    writable = {name for name, field in serializer_class().fields.items() if not field.read_only}
    return writable & set(request.data)


class SeesProject(permissions.BasePermission):
    """A project this person may not see is a 404, before anything else is looked at."""

    def has_permission(self, request: Request, view) -> bool:
        view.get_project()
        return True


class ProjectWorkView(UserLanguageMixin, generics.GenericAPIView):
    """Something of one project, at /projects/{project_pk}/<kind>/."""

    permission_classes = [permissions.IsAuthenticated, SeesProject]
    filter_backends = []

    def get_project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = get_project_for_user(
                self.request.user,
                self.kwargs["project_pk"],
                queryset=Project.objects.select_related("owner"),
            )
        return self._project

    def require(self, allowed: bool, message: str | None = None) -> None:
        if not allowed:
            raise exceptions.PermissionDenied(message)


def _owner_only() -> str:
    return _("Only the project owner or a director can do this.")


# --- the team ------------------------------------------------------------------------------------
class MembershipView(ProjectWorkView):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectMembership.objects.none()
        return (
            self.get_project()
            .memberships.select_related("user", "department")
            # The team as it is now, then those who left, the latest first.
            .order_by(F("left_on").desc(nulls_first=True), "role", "id")
        )


@extend_schema(tags=["team"])
@extend_schema_view(
    get=extend_schema(
        parameters=[MembershipQuerySerializer],
        responses={200: MembershipSerializer(many=True), 400: ERRORS, 404: MISSING},
    ),
    post=extend_schema(
        responses={201: MembershipSerializer, 400: ERRORS, 403: DENIED, 404: MISSING}
    ),
)
class MembershipListView(MembershipView, generics.ListCreateAPIView):
    """The project's team (people who left with `include_left`); the owner or a director adds
    people to it."""

    def get_queryset(self):
        memberships = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return memberships
        if not query_params(MembershipQuerySerializer, self.request)["include_left"]:
            memberships = memberships.active()
        return memberships

    def create(self, request: Request, *args, **kwargs) -> Response:
        self.require(access.can_manage_team(request.user, self.get_project()), _owner_only())
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        membership = ProjectMembership(project=self.get_project(), **serializer.validated_data)
        try:
            with transaction.atomic():
                serializer.instance = membership_add(membership=membership, actor=self.request.user)
        except IntegrityError as error:
            # Two requests adding the same person at once: the constraint catches the second.
            constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "")
            if constraint != "membership_one_active_per_person":
                raise
            raise exceptions.ValidationError(
                {"user": [_("This person is already on the team.")]}
            ) from None


@extend_schema(tags=["team"])
@extend_schema_view(
    get=extend_schema(responses={200: MembershipSerializer, 404: MISSING}),
    patch=extend_schema(
        request=MembershipChangeSerializer,
        responses={
            200: MembershipSerializer,
            400: ERRORS,
            403: DENIED,
            404: MISSING,
            409: OpenApiResponse(DetailSerializer, description="This person has left the team."),
        },
    ),
    delete=extend_schema(
        description="Take the person off the team: the membership stays, with a leaving date.",
        responses={204: None, 400: ERRORS, 403: DENIED, 404: MISSING},
    ),
)
class MembershipDetailView(MembershipView, generics.RetrieveUpdateDestroyAPIView):
    """One member: their role, department and responsibilities."""

    http_method_names = ["get", "patch", "delete", "head", "options"]

    def patch(self, request: Request, *args, **kwargs) -> Response:
        membership = self.get_object()
        self.require(access.can_manage_team(request.user, self.get_project()), _owner_only())
        if membership.left_on is not None:
            raise Conflict(_("This person has left the team."))
        serializer = MembershipChangeSerializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(membership, name, value)
        membership_update(
            membership=membership, actor=request.user, fields=list(serializer.validated_data)
        )
        return Response(self.get_serializer(self.get_object()).data)

    def perform_destroy(self, instance: ProjectMembership) -> None:
        membership_remove(membership=instance, actor=self.request.user)


# --- tasks ---------------------------------------------------------------------------------------
class TaskFilterBackend(DjangoFilterBackend):
    """The task filters, with the assignees to choose from narrowed to the project's team."""

    def get_filterset_kwargs(self, request: Request, queryset, view) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if hasattr(view, "get_project"):
            kwargs["project"] = view.get_project()
        return kwargs


class TaskView(ProjectWorkView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        return overdue_first(tasks_with_people(self.get_project().tasks.all()))

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["dependency_choices"] = access.tasks_visible_to(self.request.user)
        return context


@extend_schema(tags=["tasks"])
@extend_schema_view(
    get=extend_schema(responses={200: TaskSerializer(many=True), 400: ERRORS, 404: MISSING}),
    post=extend_schema(responses={201: TaskSerializer, 400: ERRORS, 403: DENIED, 404: MISSING}),
)
class TaskListView(TaskView, generics.ListCreateAPIView):
    """The project's tasks, overdue first; the owner or a director adds them."""

    filter_backends = [TaskFilterBackend]
    filterset_class = TaskFilter

    def create(self, request: Request, *args, **kwargs) -> Response:
        self.require(access.can_manage_tasks(request.user, self.get_project()), _owner_only())
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        dependencies = data.pop("dependencies", [])
        project = self.get_project()
        task = Task(project=project, **data)
        task.stage = data.get("stage") or project.stage
        task_save(task=task, actor=self.request.user, dependencies=dependencies)
        serializer.instance = tasks_with_people(Task.objects.filter(pk=task.pk)).get()


@extend_schema(tags=["tasks"])
@extend_schema_view(
    get=extend_schema(responses={200: TaskSerializer, 404: MISSING}),
    patch=extend_schema(
        description="The owner or a director changes any field. The person the task is "
        "assigned to changes only `status`, `progress` and `blocked_reason` (any other field "
        "from them is a 403). A change of those three alone moves the status with the "
        "progress, as the one-click update on the pages does.",
        responses={200: TaskSerializer, 400: ERRORS, 403: DENIED, 404: MISSING},
    ),
    delete=extend_schema(responses={204: None, 403: DENIED, 404: MISSING}),
)
class TaskDetailView(TaskView, generics.RetrieveUpdateDestroyAPIView):
    """One task of the project."""

    http_method_names = ["get", "patch", "delete", "head", "options"]

    def patch(self, request: Request, *args, **kwargs) -> Response:
        task = self.get_object()
        user = request.user
        # Who may change it is decided from what they try to change, before its values.
        if writable_fields_sent(request, TaskSerializer) <= PROGRESS_FIELDS:
            self.require(
                access.can_update_task(user, task),
                _("Only the assignee, the project owner or a director can update this task."),
            )
            serializer = TaskProgressSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            task_update_progress(task=task, actor=user, **serializer.validated_data)
        else:
            self.require(
                access.can_manage_tasks(user, task.project),
                _(
                    "Only the project owner or a director can change this; the assignee "
                    "updates the status, progress and blocked reason."
                ),
            )
            serializer = self.get_serializer(task, data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            dependencies = data.pop("dependencies", None)
            for name, value in data.items():
                setattr(task, name, value)
            task_save(task=task, actor=user, dependencies=dependencies)
        return Response(self.get_serializer(self.get_object()).data)

    def perform_destroy(self, instance: Task) -> None:
        task_delete(task=instance, actor=self.request.user)


@extend_schema(tags=["tasks"])
@extend_schema_view(get=extend_schema(responses={200: TaskSerializer(many=True), 400: ERRORS}))
class MyTasksView(UserLanguageMixin, generics.ListAPIView):
    """The tasks assigned to me on the projects I can see, overdue first."""

    serializer_class = TaskSerializer
    filter_backends = [TaskFilterBackend]
    filterset_class = TaskFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()
        return my_tasks(self.request.user)


# --- comments ------------------------------------------------------------------------------------
class CommentView(ProjectWorkView):
    serializer_class = CommentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return (
            Comment.objects.filter(project=self.get_project(), deleted_at__isnull=True)
            .select_related("author")
            .prefetch_related(Prefetch("mentions", queryset=User.objects.only("id")))
            .order_by("created_at", "id")
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["project"] = self.get_project()
        return context


@extend_schema(tags=["comments"])
@extend_schema_view(
    get=extend_schema(
        parameters=[CommentQuerySerializer],
        responses={200: CommentSerializer(many=True), 400: ERRORS, 404: MISSING},
    ),
    post=extend_schema(
        description="Post on the project or, with `task`, on one of its tasks; the members "
        "@mentioned in the body are notified (mentioning anyone else is a 400).",
        responses={201: CommentSerializer, 400: ERRORS, 403: DENIED, 404: MISSING},
    ),
)
class CommentListView(CommentView, generics.ListCreateAPIView):
    """The project's comments, oldest first (`task` for those on one task)."""

    def get_queryset(self):
        comments = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return comments
        task = query_params(CommentQuerySerializer, self.request).get("task")
        return comments if task is None else comments.filter(task=task)

    def create(self, request: Request, *args, **kwargs) -> Response:
        self.require(
            access.can_comment(request.user, self.get_project()),
            _("You may read the comments of this project but not post one."),
        )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = comment_post(
            project=self.get_project(),
            actor=self.request.user,
            body=data["body"],
            task=data.get("task"),
        )


@extend_schema(tags=["comments"])
@extend_schema_view(
    get=extend_schema(responses={200: CommentSerializer, 404: MISSING}),
    patch=extend_schema(
        description="The author corrects the text within the edit window (after it, a 400).",
        request=CommentEditSerializer,
        responses={200: CommentSerializer, 400: ERRORS, 403: DENIED, 404: MISSING},
    ),
    delete=extend_schema(
        description="Hide the comment (its author, the project owner or a director).",
        responses={204: None, 403: DENIED, 404: MISSING},
    ),
)
class CommentDetailView(CommentView, generics.RetrieveUpdateDestroyAPIView):
    """One comment."""

    http_method_names = ["get", "patch", "delete", "head", "options"]

    def patch(self, request: Request, *args, **kwargs) -> Response:
        comment = self.get_object()
        self.require(
            access.can_change_comment(request.user, comment),
            _("Only its author can edit a comment, while they may still comment on the project."),
        )
        serializer = CommentEditSerializer(comment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "body" in serializer.validated_data:
            comment_edit(
                comment=comment, actor=request.user, body=serializer.validated_data["body"]
            )
        return Response(self.get_serializer(self.get_object()).data)

    def perform_destroy(self, instance: Comment) -> None:
        comment_delete(comment=instance, actor=self.request.user)


# --- notifications -------------------------------------------------------------------------------
@extend_schema(tags=["notifications"])
@extend_schema_view(
    get=extend_schema(
        parameters=[NotificationQuerySerializer],
        responses={200: NotificationSerializer(many=True), 400: ERRORS},
    )
)
class NotificationListView(UserLanguageMixin, generics.ListAPIView):
    """My notifications, newest first (`unread` for those not yet read)."""

    serializer_class = NotificationSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        notifications = notifications_for(self.request.user)
        if query_params(NotificationQuerySerializer, self.request)["unread"]:
            notifications = notifications.filter(read_at__isnull=True)
        return notifications


@extend_schema(tags=["notifications"])
class NotificationMarkReadView(UserLanguageMixin, generics.GenericAPIView):
    serializer_class = MarkReadSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(
        description="Mark my notifications read: those in `ids` (ids of someone else's are "
        "ignored) or, with `all`: true, every one. Answers how many were unread.",
        responses={200: MarkedSerializer, 400: ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = None if serializer.validated_data["all"] else serializer.validated_data["ids"]
        return Response({"marked": notifications_mark_read(user=request.user, ids=ids)})


@extend_schema(tags=["notifications"])
class NotificationUnreadCountView(UserLanguageMixin, generics.GenericAPIView):
    serializer_class = UnreadCountSerializer
    filter_backends = []
    pagination_class = None

    @extend_schema(description="How many of my notifications are unread.")
    def get(self, request: Request) -> Response:
        return Response({"unread": unread_count(request.user)})


# --- the customer's interaction log --------------------------------------------------------------
@extend_schema(tags=["customers"])
@extend_schema_view(
    get=extend_schema(
        description="The customer's interaction log, newest first: for directors and anyone "
        "on the team of one of the customer's projects, whichever project an entry was logged "
        "on. For everyone else the list is empty.",
        responses={200: InteractionSerializer(many=True), 404: MISSING},
    ),
    post=extend_schema(
        description="Log a call, meeting, e-mail or visit on one of the customer's projects "
        "(its owner, a director or a team member who is not an observer).",
        responses={201: InteractionSerializer, 400: ERRORS, 403: DENIED, 404: MISSING},
    ),
)
class InteractionListView(OfOneCustomer, UserLanguageMixin, generics.ListCreateAPIView):
    serializer_class = InteractionSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Interaction.objects.none()
        log = access.interactions_visible_to(self.request.user, self.get_customer())
        return log.select_related("user", "contact", "project")

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["projects"] = access.customer_projects_visible_to(
                self.request.user, self.get_customer()
            )
        return context

    def create(self, request: Request, *args, **kwargs) -> Response:
        customer = self.get_customer()
        if not access.projects_for_logging(request.user, customer).exists():
            raise exceptions.PermissionDenied(
                _("Only the teams of this customer's projects log interactions with it.")
            )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        interaction = Interaction(customer=self.get_customer(), **serializer.validated_data)
        serializer.instance = interaction_log(interaction=interaction, actor=self.request.user)
