"""What the REST API reads and writes, validated by the same rules as the page forms.

Serializers only validate and represent; every write goes through `projects.services` or
`projects.lifecycle` in `projects.api`, so the pages and the API share one set of rules.
"""

from dataclasses import asdict

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Department
from accounts.people import team_eligible_people
from accounts.serializers import UserSummarySerializer
from core.api import DetailSerializer
from core.fields import ModelSerializer, StrictCharField
from core.text import no_control_characters
from customers.models import Customer

from .access import possible_owners
from .history import TRACKED
from .models import (
    ClosureReport,
    Feasibility,
    Goal,
    Lesson,
    Outcome,
    Project,
    ReasonCategory,
    ResourceAllocation,
    Stage,
    StageTransition,
    Strategy,
)
from .rules import (
    check_closure_values,
    check_expected_close_date,
    check_goal_deadline,
    check_goal_target,
)
from .selectors import closure_metrics, strategy_changes


@extend_schema_field(
    {
        "type": "string",
        "enum": [stage.value for stage in Stage],
        "description": "A stage of the sales project operating cycle, in its order.",
    },
    component_name="Stage",
)
class StageField(serializers.ChoiceField):
    """A stage of the cycle; one schema component wherever a stage appears."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=Stage.choices, **kwargs)


# --- projects ------------------------------------------------------------------------------------
class ProjectSerializer(ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(
        label=Project._meta.get_field("customer").verbose_name, queryset=Customer.objects.all()
    )
    customer_name = StrictCharField(source="customer.name", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(
        label=Project._meta.get_field("owner").verbose_name,
        queryset=possible_owners(),
        required=False,
    )
    owner_name = StrictCharField(source="owner.display_name", read_only=True)
    stage = StageField(label=Project._meta.get_field("stage").verbose_name, read_only=True)
    next_stage = StageField(read_only=True, allow_null=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True, allow_blank=True)
    days_in_stage = serializers.IntegerField(read_only=True)
    awaiting_approval = serializers.BooleanField(read_only=True)
    approval_requested_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "customer",
            "customer_name",
            "owner",
            "owner_name",
            "stage",
            "next_stage",
            "outcome",
            "estimated_value",
            "currency",
            "expected_close_date",
            "background",
            "review_cadence",
            "stage_entered_at",
            "days_in_stage",
            "awaiting_approval",
            "approval_requested_by",
            "approval_requested_at",
            "approval_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "code",
            "stage_entered_at",
            "approval_requested_at",
            "approval_note",
            "created_at",
            "updated_at",
        ]

    def validate_expected_close_date(self, value):
        unchanged = self.instance is not None and value == self.instance.expected_close_date
        check_expected_close_date(value, changed=not unchanged)
        return value


# --- stage records -------------------------------------------------------------------------------
class FeasibilitySerializer(ModelSerializer):
    class Meta:
        model = Feasibility
        fields = [
            "market_research",
            "customer_needs",
            "competitors",
            "decision",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = ["decided_by", "decided_at"]


class GoalSerializer(ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        label=Goal._meta.get_field("owner").verbose_name, queryset=team_eligible_people()
    )
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "metric",
            "title",
            "baseline",
            "target",
            "unit",
            "current_value",
            "deadline",
            "owner",
            "achievable",
            "relevant",
            "progress_percent",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]

    def validate_target(self, target):
        check_goal_target(target)
        return target

    def validate_deadline(self, deadline):
        # Only a new deadline must lie ahead; an old goal may keep the one it had.
        unchanged = self.instance is not None and deadline == self.instance.deadline
        check_goal_deadline(deadline, changed=not unchanged)
        return deadline


class ResourceAllocationSerializer(ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        label=ResourceAllocation._meta.get_field("department").verbose_name,
        queryset=Department.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    person = serializers.PrimaryKeyRelatedField(
        label=ResourceAllocation._meta.get_field("person").verbose_name,
        queryset=team_eligible_people(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = ResourceAllocation
        fields = [
            "id",
            "kind",
            "description",
            "department",
            "person",
            "quantity",
            "planned_cost",
            "actual_cost",
        ]
        read_only_fields = ["id"]


class StrategySerializer(ModelSerializer):
    action_list = serializers.ListField(child=StrictCharField(), read_only=True)
    changes = serializers.SerializerMethodField(
        help_text="Against the revision it supersedes: kind and summary {before, after}, "
        "actions added and removed; null for a first revision."
    )

    class Meta:
        model = Strategy
        fields = [
            "id",
            "kind",
            "summary",
            "actions",
            "action_list",
            "revision",
            "supersedes",
            "status",
            "changes",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "revision", "supersedes", "status", "created_by", "created_at"]

    @extend_schema_field({"type": "object", "nullable": True})
    def get_changes(self, strategy: Strategy) -> dict | None:
        changes = strategy_changes(strategy)
        return changes.as_dict() if changes else None


class ClosureMetricsSerializer(serializers.Serializer):
    goal_attainment = serializers.IntegerField(allow_null=True)
    goals_met = serializers.IntegerField()
    goals_total = serializers.IntegerField()
    schedule_variance_days = serializers.IntegerField(allow_null=True)
    budget_planned = serializers.DecimalField(max_digits=20, decimal_places=2)
    budget_actual = serializers.DecimalField(max_digits=20, decimal_places=2)
    budget_variance = serializers.DecimalField(max_digits=20, decimal_places=2)
    budget_variance_percent = serializers.IntegerField(allow_null=True)


class ClosureReportSerializer(ModelSerializer):
    metrics = serializers.SerializerMethodField()

    class Meta:
        model = ClosureReport
        fields = [
            "outcome",
            "actual_value",
            "reason_category",
            "reason",
            "summary",
            "went_well",
            "to_improve",
            "recommendations",
            "closed_on",
            "updated_at",
            "metrics",
        ]
        read_only_fields = ["closed_on", "updated_at"]

    @extend_schema_field(ClosureMetricsSerializer)
    def get_metrics(self, report: ClosureReport) -> dict:
        """Goal attainment, schedule and budget variance, computed from the project's records."""
        return ClosureMetricsSerializer(asdict(closure_metrics(report.project))).data

    def validate(self, attrs: dict) -> dict:
        def current(name):
            return attrs.get(name, getattr(self.instance, name, None))

        check_closure_values(outcome=current("outcome"), actual_value=current("actual_value"))
        return attrs


class LessonSerializer(ModelSerializer):
    stage = StageField(label=Lesson._meta.get_field("stage").verbose_name)

    class Meta:
        model = Lesson
        fields = ["id", "text", "stage", "industry", "region", "created_by", "created_at"]
        read_only_fields = ["id", "industry", "region", "created_by", "created_at"]


# --- the cycle -----------------------------------------------------------------------------------
class CriterionSerializer(serializers.Serializer):
    code = StrictCharField(read_only=True)
    label = StrictCharField(read_only=True)
    met = serializers.BooleanField(read_only=True)
    hint = StrictCharField(read_only=True)


class GateSerializer(serializers.Serializer):
    stage = StageField(read_only=True)
    next_stage = StageField(read_only=True, allow_null=True)
    can_advance = serializers.BooleanField(read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)


class StageTransitionSerializer(ModelSerializer):
    from_stage = StageField(read_only=True)
    to_stage = StageField(read_only=True)
    actor = UserSummarySerializer(read_only=True)

    class Meta:
        model = StageTransition
        fields = ["id", "from_stage", "to_stage", "kind", "actor", "note", "created_at"]
        read_only_fields = fields


class TransitionRequestSerializer(serializers.Serializer):
    """A move of the project to `to_stage`; the lifecycle decides whether it may happen."""

    to_stage = StageField(label=_("To stage"))
    note = StrictCharField(
        validators=[no_control_characters],
        label=_("Note"),
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
    )
    outcome = serializers.ChoiceField(
        label=Project._meta.get_field("outcome").verbose_name,
        choices=Outcome.choices,
        required=False,
        allow_blank=True,
        default="",
    )
    reason = StrictCharField(
        validators=[no_control_characters],
        label=ClosureReport._meta.get_field("reason").verbose_name,
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
    )
    reason_category = serializers.ChoiceField(
        label=_("Main reason"),
        choices=ReasonCategory.choices,
        required=False,
        allow_blank=True,
        default="",
    )
    from_stage = StageField(
        label=StageTransition._meta.get_field("from_stage").verbose_name,
        required=False,
    )


class ApprovalRequestSerializer(serializers.Serializer):
    note = StrictCharField(
        validators=[no_control_characters],
        label=_("Note"),
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
    )
    from_stage = StageField(
        label=StageTransition._meta.get_field("from_stage").verbose_name,
        required=False,
    )


class GateNotMetSerializer(DetailSerializer):
    """A 409: the gate's unmet criteria, or — the project changed meanwhile, a row lock held
    elsewhere, no pending change to decide — a message and a code alone."""

    code = StrictCharField(required=False)
    unmet = CriterionSerializer(many=True, required=False)


class StoredValueField(serializers.JSONField):
    """A stored value as JSON: decimals as strings (like every amount in this API), dates and
    times in ISO 8601, the rest as it is."""

    def to_representation(self, value):
        if value is None or isinstance(value, bool | int | str):
            return value
        return DjangoJSONEncoder().default(value)


class FieldChangeSerializer(serializers.Serializer):
    """One field of a record changed: stored values and how the reader's language shows them."""

    name = StrictCharField(help_text="The field's name in the API and the database.")
    label = StrictCharField(help_text="The field's name in the reader's language.")
    old = StoredValueField(allow_null=True, help_text="The stored value before.")
    new = StoredValueField(allow_null=True, help_text="The stored value after.")
    old_display = StrictCharField(help_text="The value before, as a person reads it.")
    new_display = StrictCharField(help_text="The value after, as a person reads it.")


class ChangeUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = StrictCharField()


class ChangeSerializer(serializers.Serializer):
    """One save of the project, its customer or one of its records, and what it changed."""

    at = serializers.DateTimeField()
    user = serializers.SerializerMethodField()
    record_kind = serializers.ChoiceField(
        source="kind", choices=[tracked.key for tracked in TRACKED]
    )
    record_id = serializers.IntegerField()
    record_type = StrictCharField(help_text="The kind of record in the reader's language.")
    record_name = StrictCharField()
    action = serializers.ChoiceField(choices=[("+", "created"), ("~", "changed"), ("-", "deleted")])
    action_label = StrictCharField()
    fields = FieldChangeSerializer(many=True, help_text="Empty when created or deleted.")
    earlier_unknown = serializers.BooleanField(
        help_text="A change of a record whose earlier state was never recorded (created before "
        "the history existed, or by the bulk scale seeding): what it changed is unknown."
    )

    @extend_schema_field(ChangeUserSerializer(allow_null=True))
    def get_user(self, change) -> dict | None:
        if change.user_id is None:
            return None
        return {"id": change.user_id, "name": change.user_name}
