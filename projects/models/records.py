"""The records each stage of the cycle produces."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import Cast, Greatest, Least
from django.utils.translation import gettext_lazy as _

from core.dates import in_date_window
from core.history import History
from core.text import no_control_characters
from customers.models import Industry, Region

from .choices import (
    FeasibilityDecision,
    GoalMetric,
    Outcome,
    ReasonCategory,
    ResourceKind,
    Stage,
    StrategyKind,
    StrategyStatus,
)

User = settings.AUTH_USER_MODEL


class Feasibility(models.Model):
    """项目立项: the feasibility assessment that justifies opening the project."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="feasibility"
    )
    market_research = models.TextField(
        _("market research notes"), max_length=10000, blank=True, validators=[no_control_characters]
    )
    customer_needs = models.TextField(
        _("customer needs"), max_length=10000, blank=True, validators=[no_control_characters]
    )
    competitors = models.TextField(
        _("competitors"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=FeasibilityDecision.choices,
        default=FeasibilityDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feasibility assessment")
        verbose_name_plural = _("feasibility assessments")

    def __str__(self) -> str:
        return str(self.project)


def goal_attainment_ratio() -> Greatest:
    """A goal's attainment as a fraction of its target, 0–1: past the target counts as met.

    The one definition the KPI rollup, the closure report and the dashboard aggregate."""
    ratio = Cast(F("current_value"), FloatField()) / Cast(F("target"), FloatField())
    return Greatest(Least(ratio, Value(1.0)), Value(0.0))


def goal_met() -> Q:
    """A goal reached: its reading at or past its target (attainment 1 in the ratio above)."""
    return Q(current_value__gte=F("target"))


class Goal(models.Model):
    """目标设定: one SMART goal of a project."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("metric"), max_length=30, choices=GoalMetric.choices)
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    baseline = models.DecimalField(
        _("baseline"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=30, validators=[no_control_characters])
    current_value = models.DecimalField(
        _("current value"),
        max_digits=16,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    deadline = models.DateField(_("deadline"), validators=[in_date_window])
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_goals"
    )
    achievable = models.TextField(
        _("why it is achievable"), max_length=2000, blank=True, validators=[no_control_characters]
    )
    relevant = models.TextField(
        _("why it is relevant"), max_length=2000, blank=True, validators=[no_control_characters]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(condition=Q(target__gt=0), name="goal_target_positive"),
            # Attainment is current ÷ target; a negative reading has no meaning for any metric.
            models.CheckConstraint(
                condition=Q(current_value__gte=0) & (Q(baseline__isnull=True) | Q(baseline__gte=0)),
                name="goal_values_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress_percent(self) -> int:
        if not self.target:
            return 0
        return max(0, min(100, int(self.current_value * 100 / self.target)))


class ResourceAllocation(models.Model):
    """资源配置: people, material or budget committed to a project."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="allocations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    description = models.CharField(
        _("description"), max_length=300, validators=[no_control_characters]
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.SET_NULL, null=True, blank=True
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    planned_cost = models.DecimalField(
        _("planned cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )
    actual_cost = models.DecimalField(
        _("actual cost"),
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )

    history = History()

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("resource allocation")
        verbose_name_plural = _("resource allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_cost__gte=0) & Q(actual_cost__gte=0) & Q(quantity__gte=0),
                name="allocation_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Strategy(models.Model):
    """策略制定: a strategy and its actions; looping back supersedes it with a new revision."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="strategies"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=StrategyKind.choices)
    summary = models.TextField(_("summary"), max_length=5000, validators=[no_control_characters])
    actions = models.TextField(
        _("actions"),
        max_length=5000,
        blank=True,
        help_text=_("One action per line."),
        validators=[no_control_characters],
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StrategyStatus.choices, default=StrategyStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["-status", "kind", "-revision"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} r{self.revision}"

    @property
    def action_list(self) -> list[str]:
        return [line.strip() for line in self.actions.splitlines() if line.strip()]


def action_key(action: str) -> str:
    """What identifies a strategy action within its project, whatever the revision: its text
    with runs of spaces made one and case folded, as long as a task title may be."""
    return " ".join(action.split()).casefold()[:200]


class ClosureReport(models.Model):
    """项目收尾: how the project ended and what it teaches."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="closure_report"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    actual_value = models.DecimalField(
        _("actual contract value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    reason_category = models.CharField(
        _("main reason"), max_length=20, choices=ReasonCategory.choices, blank=True
    )
    reason = models.TextField(
        _("reason in detail"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    summary = models.TextField(
        _("summary"), max_length=10000, blank=True, validators=[no_control_characters]
    )
    went_well = models.TextField(
        _("what went well"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    to_improve = models.TextField(
        _("what to improve"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    recommendations = models.TextField(
        _("recommendations"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, validators=[in_date_window])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("closure report")
        verbose_name_plural = _("closure reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_value__isnull=True) | Q(actual_value__gte=0),
                name="closure_actual_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)


class Lesson(models.Model):
    """One lesson learned, tagged so that later similar projects find it."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="lessons"
    )
    text = models.TextField(_("lesson"), max_length=5000, validators=[no_control_characters])
    stage = models.CharField(_("stage it concerns"), max_length=30, choices=Stage.choices)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    created_by = models.ForeignKey(
        User, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        indexes = [models.Index(fields=["industry", "region"]), models.Index(fields=["stage"])]

    def __str__(self) -> str:
        return self.text[:60]
