"""What the REST API reads and writes for 监控评估: review meetings, their action items and
holding them with a decision, the risk register and its 5×5 matrix.

As in `projects.serializers`, these only check the shape of the input and represent the
records; the rules (a review in the past, an attendee off the team, a decision the lifecycle
refuses, a risk owner off the team) belong to `monitoring.reviews` and `monitoring.risks`, whose
field errors `monitoring.api` returns as a 400.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.people import team_eligible_people
from accounts.serializers import UserSummarySerializer
from core.fields import ModelSerializer, PrimaryKeysRelatedField, StrictCharField
from core.text import no_control_characters
from monitoring.models import (
    ReviewActionItem,
    ReviewDecision,
    ReviewMeeting,
    Risk,
    RiskCategory,
    RiskLevel,
    RiskStatus,
)
from monitoring.reviews import review_brief
from projects.access import projects_visible_to
from projects.models import Project
from projects.serializers import StageField

# Ids are BigAutoFields: a larger number is a database error, not a miss.
MAX_ID = 2**63 - 1
REVIEW_STATES = [
    ("scheduled", _("Scheduled")),
    ("overdue", _("Overdue")),
    ("held", _("Held")),
]


def _label(model, name: str):
    return model._meta.get_field(name).verbose_name


def _choice_field(name: str, choices, description: str):
    """A choice field that is one named schema component wherever it appears (decision and
    status mean other things on feasibility studies and tasks)."""

    @extend_schema_field(
        {
            "type": "string",
            "enum": [value for value, _label in choices],
            "description": description,
        },
        component_name=name,
    )
    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs) -> None:
            super().__init__(choices=choices, **kwargs)

        def to_representation(self, value):
            # A review not yet held has no decision: null, not a value outside the enum.
            if value == "" and self.allow_null:
                return None
            return super().to_representation(value)

    Field.__name__ = Field.__qualname__ = f"{name}Field"
    return Field


ReviewDecisionField = _choice_field(
    "ReviewDecision", ReviewDecision.choices, "The decision of a held review."
)
ReviewStateField = _choice_field(
    "ReviewState", REVIEW_STATES, "held, overdue (past and not held) or scheduled (ahead)."
)
RiskCategoryField = _choice_field("RiskCategory", RiskCategory.choices, "The kind of risk.")
RiskLevelField = _choice_field(
    "RiskLevel",
    RiskLevel.choices,
    "From the score (probability × impact): 1–4 low, 5–9 medium, 10–19 high, 20–25 critical.",
)
RiskStatusField = _choice_field("RiskStatus", RiskStatus.choices, "Where the risk stands.")


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project the person may see; any other id is "does not exist", never a hint."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Project.objects.none()
        return projects_visible_to(request.user)


# --- reviews -------------------------------------------------------------------------------------
class ActionItemSerializer(ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        label=_label(ReviewActionItem, "owner"), queryset=team_eligible_people()
    )
    owner_name = StrictCharField(source="owner.display_name", read_only=True)

    class Meta:
        model = ReviewActionItem
        fields = ["id", "title", "owner", "owner_name", "due_date", "task", "created_at"]
        read_only_fields = ["id", "task", "created_at"]


class ReviewSerializer(ModelSerializer):
    """A review as the lists show it; written when it is scheduled."""

    project = VisibleProjectField(label=_label(ReviewMeeting, "project"))
    project_name = StrictCharField(source="project.name", read_only=True)
    attendees = PrimaryKeysRelatedField(
        label=_label(ReviewMeeting, "attendees"),
        queryset=team_eligible_people(),
        many=True,
        required=False,
        help_text="Ids of people on the project's team.",
    )
    attendee_details = UserSummarySerializer(source="attendees", many=True, read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    state = ReviewStateField(read_only=True)
    decision = ReviewDecisionField(read_only=True, allow_null=True)
    action_item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReviewMeeting
        fields = [
            "id",
            "project",
            "project_name",
            "scheduled_for",
            "duration_minutes",
            "ends_at",
            "location",
            "attendees",
            "attendee_details",
            "agenda",
            "minutes",
            "state",
            "decision",
            "decision_note",
            "held_at",
            "action_item_count",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "decision_note", "held_at", "created_by", "created_at"]


class ReviewChangeSerializer(ReviewSerializer):
    """A change to a review before it is held: its schedule, attendees, agenda and minutes."""

    project = serializers.PrimaryKeyRelatedField(read_only=True)


# The brief: what changed since the last held review (`monitoring.reviews.ReviewBrief`).
class GoalChangeSerializer(serializers.Serializer):
    title = StrictCharField()
    unit = StrictCharField()
    target = serializers.FloatField()
    then = serializers.FloatField(allow_null=True)
    now = serializers.FloatField()
    progress_then = serializers.IntegerField(allow_null=True)
    progress_now = serializers.IntegerField()


class DepartmentTasksSerializer(serializers.Serializer):
    department = StrictCharField()
    overdue = serializers.IntegerField()
    blocked = serializers.IntegerField()


class RiskChangeSummarySerializer(serializers.Serializer):
    title = StrictCharField()
    level = RiskLevelField()
    score = serializers.IntegerField()
    status = RiskStatusField()


class ReviewBriefSerializer(serializers.Serializer):
    since = StrictCharField(allow_null=True, help_text="When the last review was held.")
    stage = StageField()
    days_in_stage = serializers.IntegerField()
    norm_days = serializers.IntegerField(allow_null=True)
    over_norm = serializers.BooleanField()
    goals = GoalChangeSerializer(many=True)
    tasks_by_department = DepartmentTasksSerializer(many=True)
    risks_new = RiskChangeSummarySerializer(many=True)
    risks_changed = RiskChangeSummarySerializer(many=True)
    open_risks_by_level = serializers.DictField(child=serializers.IntegerField())
    budget_planned = serializers.FloatField()
    budget_actual = serializers.FloatField()
    budget_actual_then = serializers.FloatField(allow_null=True)
    budget_burn = serializers.IntegerField(allow_null=True)


class ReviewDetailSerializer(ReviewChangeSerializer):
    """One review with its action items and, until it is held, the brief it starts from."""

    action_items = ActionItemSerializer(many=True, read_only=True)
    brief = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "action_items", "brief"]

    @extend_schema_field(ReviewBriefSerializer(allow_null=True))
    def get_brief(self, review: ReviewMeeting) -> dict | None:
        """What changed since the last held review; null once this one is held."""
        if review.is_held:
            return None
        return ReviewBriefSerializer(review_brief(review.project, before=review).as_dict()).data


class HoldSerializer(serializers.Serializer):
    """The decision of a review; the lifecycle decides where it takes the project."""

    decision = ReviewDecisionField(label=_label(ReviewMeeting, "decision"))
    decision_note = StrictCharField(
        validators=[no_control_characters],
        label=_label(ReviewMeeting, "decision_note"),
        max_length=ReviewMeeting._meta.get_field("decision_note").max_length,
        required=False,
        allow_blank=True,
        default="",
    )
    minutes = StrictCharField(
        validators=[no_control_characters],
        label=_label(ReviewMeeting, "minutes"),
        max_length=ReviewMeeting._meta.get_field("minutes").max_length,
        required=False,
        allow_blank=True,
        help_text="Left out, the minutes saved so far are kept.",
    )


class HoldResultSerializer(serializers.Serializer):
    review = ReviewDetailSerializer(read_only=True)
    moved_to = StageField(
        read_only=True, allow_null=True, help_text="The stage the decision moved the project to."
    )
    awaiting_approval = serializers.BooleanField(
        read_only=True, help_text="The move waits for a director's approval."
    )
    next_review = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The id of the review scheduled next."
    )


# --- risks ---------------------------------------------------------------------------------------
class RiskSerializer(ModelSerializer):
    project = VisibleProjectField(label=_label(Risk, "project"))
    project_name = StrictCharField(source="project.name", read_only=True)
    category = RiskCategoryField(label=_label(Risk, "category"))
    probability = serializers.IntegerField(
        label=_label(Risk, "probability"), min_value=1, max_value=5
    )
    impact = serializers.IntegerField(label=_label(Risk, "impact"), min_value=1, max_value=5)
    score = serializers.IntegerField(read_only=True, help_text="probability × impact")
    level = RiskLevelField(read_only=True)
    owner = serializers.PrimaryKeyRelatedField(
        label=_label(Risk, "owner"), queryset=team_eligible_people()
    )
    owner_name = StrictCharField(source="owner.display_name", read_only=True)
    status = RiskStatusField(label=_label(Risk, "status"), required=False)

    class Meta:
        model = Risk
        fields = [
            "id",
            "project",
            "project_name",
            "title",
            "description",
            "category",
            "probability",
            "impact",
            "score",
            "level",
            "owner",
            "owner_name",
            "mitigation",
            "status",
            "due_date",
            "last_reviewed_on",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_by", "created_at", "updated_at"]


class RiskChangeSerializer(RiskSerializer):
    """A change to a risk; it stays on its project."""

    project = serializers.PrimaryKeyRelatedField(read_only=True)


class MatrixCellSerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    impact = serializers.IntegerField()
    count = serializers.IntegerField()
    level = RiskLevelField()


class RiskMatrixSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=MatrixCellSerializer(many=True),
        help_text="Five rows, probability 5 down to 1; in each, impact 1 to 5.",
    )
    total = serializers.IntegerField()
    by_level = serializers.DictField(child=serializers.IntegerField())
