"""What the collaboration API reads and writes: the team, tasks, comments, notifications and
the customer's interaction log.

Serializers only validate the shape of the input and represent the records; the rules (who
may do what, a cycle of dependencies, an assignee off the team, the comment edit window) are
the services' and come back from `collaboration.api` as field errors.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Department
from accounts.people import team_eligible_people
from core.fields import ModelSerializer, PrimaryKeysRelatedField, StrictCharField
from core.text import no_control_characters
from customers.models import Contact
from projects.models import OPEN_STAGE_CHOICES, Project, ProjectMembership, TeamRole

from .models import Comment, Interaction, Notification, Task, TaskStatus
from .notifications import notification_text

# Ids are BigAutoFields: a larger number is a database error, not a miss.
MAX_ID = 2**63 - 1
# More notifications than a page of the list holds is not a request a client needs to make.
MAX_IDS_PER_REQUEST = 100


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


# --- the team --------------------------------------------------------------------------------
class MembershipSerializer(ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(
        label=_label(ProjectMembership, "user"), queryset=team_eligible_people()
    )
    user_name = StrictCharField(source="user.display_name", read_only=True)
    department = serializers.PrimaryKeyRelatedField(
        label=_label(ProjectMembership, "department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    department_name = StrictCharField(source="department.name", read_only=True, allow_null=True)
    role = serializers.ChoiceField(
        label=_label(ProjectMembership, "role"), choices=TeamRole.choices
    )

    class Meta:
        model = ProjectMembership
        fields = [
            "id",
            "user",
            "user_name",
            "department",
            "department_name",
            "role",
            "responsibilities",
            "joined_on",
            "left_on",
        ]
        read_only_fields = ["id", "joined_on", "left_on"]


class MembershipChangeSerializer(MembershipSerializer):
    """A change to a member: role, department, responsibilities; the person stays."""

    user = serializers.PrimaryKeyRelatedField(
        label=_label(ProjectMembership, "user"), read_only=True
    )


class MembershipQuerySerializer(serializers.Serializer):
    include_left = serializers.BooleanField(
        required=False, default=False, help_text="Also list the people who have left the team."
    )


# --- tasks -----------------------------------------------------------------------------------
# What the person a task is assigned to may change on it; everything else is the owner's.
PROGRESS_FIELDS = frozenset({"status", "progress", "blocked_reason"})


@extend_schema_field(
    {
        "type": "string",
        "enum": [value for value, _label in OPEN_STAGE_CHOICES],
        "description": "A stage of the cycle a task serves: any stage but closed.",
    },
    component_name="TaskStage",
)
class TaskStageField(serializers.ChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(choices=OPEN_STAGE_CHOICES, **kwargs)


class TaskSerializer(ModelSerializer):
    stage = TaskStageField(label=_label(Task, "stage"), required=False)
    department = serializers.PrimaryKeyRelatedField(
        label=_label(Task, "department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    department_name = StrictCharField(source="department.name", read_only=True, allow_null=True)
    assignee = serializers.PrimaryKeyRelatedField(
        label=_label(Task, "assignee"),
        queryset=team_eligible_people(),
        required=False,
        allow_null=True,
    )
    assignee_name = StrictCharField(source="assignee.display_name", read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        label=_label(Task, "status"), choices=TaskStatus.choices, required=False
    )
    progress = serializers.IntegerField(
        label=_label(Task, "progress"), min_value=0, max_value=100, required=False
    )
    dependencies = PrimaryKeysRelatedField(
        label=_label(Task, "dependencies"),
        queryset=Task.objects.none(),
        many=True,
        required=False,
        help_text="Ids of tasks of the same project that must be done first.",
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "project",
            "title",
            "description",
            "stage",
            "department",
            "department_name",
            "assignee",
            "assignee_name",
            "strategy",
            "status",
            "priority",
            "start_date",
            "due_date",
            "progress",
            "estimate_hours",
            "is_milestone",
            "dependencies",
            "blocked_reason",
            "is_overdue",
            "completed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "project",
            "strategy",
            "completed_at",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Tasks the writer can see are offered: one of another project gets the service's
        # "same project" error, one they cannot see is simply not found.
        tasks = self.context.get("dependency_choices")
        if tasks is not None:
            self.fields["dependencies"].child_relation.queryset = tasks


class TaskProgressSerializer(serializers.Serializer):
    """What the assignee changes on their task: status, progress and why it is blocked."""

    status = serializers.ChoiceField(
        label=_label(Task, "status"), choices=TaskStatus.choices, required=False
    )
    progress = serializers.IntegerField(
        label=_label(Task, "progress"), min_value=0, max_value=100, required=False
    )
    blocked_reason = StrictCharField(
        validators=[no_control_characters],
        label=_label(Task, "blocked_reason"),
        max_length=Task._meta.get_field("blocked_reason").max_length,
        required=False,
        allow_blank=True,
    )


# --- comments --------------------------------------------------------------------------------
class CommentSerializer(ModelSerializer):
    task = serializers.PrimaryKeyRelatedField(
        label=_label(Comment, "task"),
        queryset=Task.objects.none(),
        required=False,
        allow_null=True,
    )
    author_name = StrictCharField(source="author.display_name", read_only=True)
    # Blank gets through to the service, which says what to do about it.
    body = StrictCharField(
        validators=[no_control_characters],
        label=_label(Comment, "body"),
        max_length=5000,
        allow_blank=True,
        trim_whitespace=False,
    )
    mentions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "project",
            "task",
            "author",
            "author_name",
            "body",
            "mentions",
            "created_at",
            "edited_at",
        ]
        read_only_fields = ["id", "project", "author", "created_at", "edited_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:
            self.fields["task"].queryset = project.tasks.all()


class CommentEditSerializer(CommentSerializer):
    """A correction of a comment's text; it stays where it was posted."""

    task = serializers.PrimaryKeyRelatedField(label=_label(Comment, "task"), read_only=True)


class CommentQuerySerializer(serializers.Serializer):
    task = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only the comments on this task."
    )


# --- notifications ---------------------------------------------------------------------------
class NotificationSerializer(ModelSerializer):
    text = serializers.SerializerMethodField()
    project_name = StrictCharField(source="project.name", read_only=True)
    task_title = StrictCharField(source="task.title", read_only=True, allow_null=True)
    actor_name = StrictCharField(source="actor.display_name", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "text",
            "project",
            "project_name",
            "task",
            "task_title",
            "actor",
            "actor_name",
            "data",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_text(self, notification: Notification) -> str:
        """What happened, in one sentence in the reader's language."""
        return notification_text(notification)


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only the notifications not yet read."
    )


class MarkReadSerializer(serializers.Serializer):
    """Either `ids` (of one's own notifications; others are ignored) or `all`: true."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        allow_empty=False,
        max_length=MAX_IDS_PER_REQUEST,
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:
        if attrs["all"] == ("ids" in attrs):
            raise serializers.ValidationError(
                _("Send either the ids of the notifications or all: true."), code="invalid"
            )
        return attrs


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(read_only=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(read_only=True)


# --- the customer's interaction log ----------------------------------------------------------
class InteractionSerializer(ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(
        label=_label(Interaction, "project"), queryset=Project.objects.none()
    )
    project_code = StrictCharField(source="project.code", read_only=True)
    contact = serializers.PrimaryKeyRelatedField(
        label=_label(Interaction, "contact"),
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
    )
    contact_name = StrictCharField(source="contact.name", read_only=True, allow_null=True)
    user_name = StrictCharField(source="user.display_name", read_only=True)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "customer",
            "project",
            "project_code",
            "kind",
            "occurred_on",
            "user",
            "user_name",
            "contact",
            "contact_name",
            "summary",
            "next_step",
            "created_at",
        ]
        read_only_fields = ["id", "customer", "user", "created_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        projects = self.context.get("projects")
        if projects is not None:
            self.fields["project"].queryset = projects
