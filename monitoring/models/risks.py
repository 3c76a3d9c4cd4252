"""监控评估: the risk register. Score and level are derived in the database from the
probability and impact, so every page, filter and aggregate reads the same level."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.dates import in_date_window
from core.history import History
from core.text import no_control_characters

from .choices import RiskCategory, RiskLevel, RiskStatus

User = settings.AUTH_USER_MODEL

# The level of a risk by its score (probability × impact, 1–25): the lowest score of each
# level. The 5×5 matrix colours its cells by this table; README "Risks" documents it.
RISK_LEVEL_FLOORS = (
    (20, RiskLevel.CRITICAL),
    (10, RiskLevel.HIGH),
    (5, RiskLevel.MEDIUM),
    (1, RiskLevel.LOW),
)
SERIOUS_LEVELS = (RiskLevel.HIGH, RiskLevel.CRITICAL)
LEVEL_RANK = {level: rank for rank, level in enumerate(RiskLevel)}


def risk_level(probability: int, impact: int) -> RiskLevel:
    """The level of a probability × impact pair, by RISK_LEVEL_FLOORS."""
    score = probability * impact
    for floor, level in RISK_LEVEL_FLOORS:
        if score >= floor:
            return level
    return RiskLevel.LOW


_SCORE = F("probability") * F("impact")
_ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    description = models.TextField(
        _("description"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    probability = models.PositiveSmallIntegerField(_("probability (1–5)"), validators=_ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), validators=_ONE_TO_FIVE)
    score = models.GeneratedField(
        expression=_SCORE, output_field=models.PositiveSmallIntegerField(), db_persist=True
    )
    level = models.GeneratedField(
        expression=Case(
            *[
                When(GreaterThanOrEqual(_SCORE, floor), then=Value(lv))
                for floor, lv in RISK_LEVEL_FLOORS
            ],
            default=Value(RiskLevel.LOW.value),
        ),
        output_field=models.CharField(max_length=10, choices=RiskLevel.choices),
        db_persist=True,
    )
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_risks"
    )
    mitigation = models.TextField(
        _("mitigation"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, validators=[in_date_window])
    last_reviewed_on = models.DateField(
        _("last reviewed"), null=True, blank=True, validators=[in_date_window]
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = History(
        excluded_fields=["score", "level", "updated_at"], table_name="projects_historicalrisk"
    )

    class Meta:
        db_table = "projects_risk"  # kept from the app that first held it
        ordering = ["-score", "due_date", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="risk_probability_impact_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"]),
            models.Index(fields=["status", "probability", "impact"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["-score", "due_date", "id"]),  # the register's order
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:risk_list", args=[self.project_id]) + f"#risk-{self.pk}"

    @property
    def level_label(self) -> str:
        """The level's translated name (a generated field gets no get_level_display)."""
        return RiskLevel(self.level).label if self.level else ""

    @property
    def derived_level(self) -> RiskLevel:
        """The level from the current probability and impact (before the row is reloaded)."""
        return risk_level(self.probability, self.impact)
