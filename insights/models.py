"""KPI snapshots: what a project looked like on a day, written by the daily rollup."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import Stage


class Health(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class ProjectSnapshot(models.Model):
    """One project on one day; re-running the day's rollup replaces the row."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="snapshots"
    )
    day = models.DateField(_("day"))
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices)
    days_in_stage = models.PositiveIntegerField(_("days in stage"))
    estimated_value = models.DecimalField(
        _("estimated value"), max_digits=14, decimal_places=2, null=True
    )
    weighted_value = models.DecimalField(
        _("weighted value"), max_digits=14, decimal_places=2, null=True
    )
    goal_attainment = models.PositiveSmallIntegerField(_("goal attainment (%)"), null=True)
    goals_total = models.PositiveIntegerField(_("goals"), default=0)
    goals_met = models.PositiveIntegerField(_("goals met"), default=0)
    tasks_total = models.PositiveIntegerField(_("tasks"), default=0)
    tasks_done = models.PositiveIntegerField(_("tasks done"), default=0)
    tasks_overdue = models.PositiveIntegerField(_("tasks overdue"), default=0)
    tasks_blocked = models.PositiveIntegerField(_("tasks blocked"), default=0)
    # Sums of allocations (each up to 14 digits): room for a million of them at the maximum.
    budget_planned = models.DecimalField(
        _("budget planned"), max_digits=20, decimal_places=2, default=0
    )
    budget_actual = models.DecimalField(
        _("budget spent"), max_digits=20, decimal_places=2, default=0
    )
    risks_open = models.JSONField(_("open risks by level"), default=dict)
    reviews_due = models.PositiveIntegerField(_("reviews due"), default=0)
    reviews_on_time = models.PositiveIntegerField(_("reviews held on time"), default=0)
    loops = models.PositiveIntegerField(_("strategy loops"), default=0)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices)
    health_reasons = models.JSONField(_("health reasons"), default=list)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        db_table = "projects_projectsnapshot"  # kept from the app that first held it
        ordering = ["-day", "project_id"]
        verbose_name = _("project snapshot")
        verbose_name_plural = _("project snapshots")
        constraints = [
            models.UniqueConstraint(fields=["project", "day"], name="snapshot_once_per_day"),
        ]
        indexes = [models.Index(fields=["day", "health"]), models.Index(fields=["day", "stage"])]

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.day}"


class PortfolioDimension(models.TextChoices):
    OVERALL = "overall", _("Overall")
    DEPARTMENT = "department", _("Department")
    OWNER = "owner", _("Owner")
    INDUSTRY = "industry", _("Industry")
    REGION = "region", _("Region")


class PortfolioSnapshot(models.Model):
    """The portfolio — overall, or one department, owner, industry or region — on one day."""

    day = models.DateField(_("day"))
    dimension = models.CharField(_("dimension"), max_length=20, choices=PortfolioDimension.choices)
    key = models.CharField(_("key"), max_length=64, blank=True)  # "" for overall
    open_projects = models.PositiveIntegerField(_("open projects"), default=0)
    # stage → count, value, weighted, days (average days in stage so far), loops
    by_stage = models.JSONField(_("by stage"), default=dict)
    # Sums of project values (each up to 14 digits): room for a million projects at the maximum.
    pipeline_value = models.DecimalField(
        _("open pipeline"), max_digits=20, decimal_places=2, default=0
    )
    weighted_forecast = models.DecimalField(
        _("weighted forecast"), max_digits=20, decimal_places=2, default=0
    )
    # Closed in the trailing 90 / 365 days (by closing date).
    won_90 = models.PositiveIntegerField(default=0)
    lost_90 = models.PositiveIntegerField(default=0)
    cancelled_90 = models.PositiveIntegerField(default=0)
    won_all_goals_90 = models.PositiveIntegerField(default=0)
    won_365 = models.PositiveIntegerField(default=0)
    lost_365 = models.PositiveIntegerField(default=0)
    cancelled_365 = models.PositiveIntegerField(default=0)
    won_all_goals_365 = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(_("win and loss reasons"), default=dict)  # outcome → category → n
    avg_cycle_days = models.FloatField(_("average cycle time (days)"), null=True)
    reviews_due = models.PositiveIntegerField(_("reviews due"), default=0)
    reviews_on_time = models.PositiveIntegerField(_("reviews held on time"), default=0)
    risks_open = models.JSONField(_("open risks by level"), default=dict)
    # Stays in a stage that ended in the trailing 365 days: stage → average days, count.
    stage_days = models.JSONField(_("average days per stage"), default=dict)
    # Open risks of open projects per cell of the 5×5 matrix: "probability-impact" → count.
    risk_cells = models.JSONField(_("open risks by probability and impact"), default=dict)
    # Open tasks of open projects per task department (its id, "" for none): open, overdue.
    workload = models.JSONField(_("workload by department"), default=dict)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        db_table = "projects_portfoliosnapshot"  # kept from the app that first held it
        ordering = ["-day", "dimension", "key"]
        verbose_name = _("portfolio snapshot")
        verbose_name_plural = _("portfolio snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "dimension", "key"], name="portfolio_snapshot_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}:{self.key}"

    @property
    def success_rate_90(self) -> float | None:
        """won / (won + lost), cancelled counted apart (DESIGN.md)."""
        return self._share(self.won_90, self.won_90 + self.lost_90)

    @property
    def success_rate_365(self) -> float | None:
        return self._share(self.won_365, self.won_365 + self.lost_365)

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(part * 100 / whole, 1) if whole else None

    @property
    def goal_success_rate_90(self) -> float | None:
        """The stricter rate: won with every goal met / (won + lost)."""
        return self._share(self.won_all_goals_90, self.won_90 + self.lost_90)

    @property
    def goal_success_rate_365(self) -> float | None:
        return self._share(self.won_all_goals_365, self.won_365 + self.lost_365)

    @property
    def review_compliance(self) -> float | None:
        return self._share(self.reviews_on_time, self.reviews_due)


class KpiRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class KpiRun(models.Model):
    """One on-demand recompute of today's snapshots, started by a director; its progress."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=KpiRunStatus.choices, default=KpiRunStatus.QUEUED
    )
    projects_done = models.PositiveIntegerField(_("projects done"), default=0)
    projects_total = models.PositiveIntegerField(_("projects"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        db_table = "projects_kpirun"  # kept from the app that first held it
        ordering = ["-started_at", "-pk"]
        verbose_name = _("KPI run")
        verbose_name_plural = _("KPI runs")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in (KpiRunStatus.QUEUED, KpiRunStatus.RUNNING)
