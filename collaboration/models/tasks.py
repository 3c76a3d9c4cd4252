"""Tasks: the work of a project, per stage, department and person, with dependencies."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.dates import in_date_window
from core.history import History
from core.models import ConstraintsOnFields
from core.text import no_control_characters
from projects.models.choices import OPEN_STAGE_CHOICES

# The input rules a task's row holds, in the words every page and the API show.
PROGRESS_OUT_OF_RANGE = _("Progress is a percentage from 0 to 100.")
DUE_BEFORE_START = _("The due date cannot be before the start date.")
ESTIMATE_NEGATIVE = _("The estimate cannot be negative.")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


def overdue_task(today: datetime.date | None = None) -> models.Q:
    """The one "overdue task" rule, as a condition (for filters, Count(filter=…), When):
    not done and due before `today`."""
    return models.Q(due_date__lt=today or timezone.localdate()) & ~models.Q(status=TaskStatus.DONE)


class TaskQuerySet(models.QuerySet):
    def open(self) -> "TaskQuerySet":
        return self.exclude(status=TaskStatus.DONE)

    def overdue(self, today: datetime.date | None = None) -> "TaskQuerySet":
        """Not done and past its due date."""
        return self.filter(overdue_task(today))


class Task(ConstraintsOnFields, models.Model):
    """A piece of work on a project, for one person in one department."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    description = models.TextField(
        _("description"), max_length=10000, blank=True, validators=[no_control_characters]
    )
    stage = models.CharField(_("stage it serves"), max_length=30, choices=OPEN_STAGE_CHOICES)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.SET_NULL, null=True, blank=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    strategy = models.ForeignKey(
        "projects.Strategy",
        verbose_name=_("strategy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    # The strategy action this task was made from (`projects.models.action_key`), so a later
    # revision repeating the action reuses the task instead of making a second one.
    strategy_action = models.CharField(
        _("strategy action"), max_length=200, blank=True, default="", editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, validators=[in_date_window]
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, validators=[in_date_window])
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100, PROGRESS_OUT_OF_RANGE)]
    )
    estimate_hours = models.DecimalField(
        _("estimate (hours)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    is_milestone = models.BooleanField(_("milestone"), default=False)
    dependencies = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        symmetrical=False,
        blank=True,
        related_name="dependents",
    )
    blocked_reason = models.CharField(
        _("blocked reason"), max_length=500, blank=True, validators=[no_control_characters]
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskQuerySet.as_manager()
    history = History(excluded_fields=["updated_at", "strategy_action"])  # an internal key
    constraint_fields = {
        "task_progress_at_most_100": "progress",
        "task_due_not_before_start": "due_date",
        "task_estimate_not_negative": "estimate_hours",
    }

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="task_progress_at_most_100",
                violation_error_message=PROGRESS_OUT_OF_RANGE,
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(due_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="task_due_not_before_start",
                violation_error_message=DUE_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=models.Q(estimate_hours__isnull=True) | models.Q(estimate_hours__gte=0),
                name="task_estimate_not_negative",
                violation_error_message=ESTIMATE_NEGATIVE,
            ),
            models.UniqueConstraint(
                fields=["project", "strategy_action"],
                condition=~models.Q(strategy_action=""),
                name="task_one_per_strategy_action",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["project", "due_date"]),
            models.Index(fields=["department", "stage"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("collaboration:task_detail", args=[self.project_id, self.pk])

    def starts_before_due_of(self, prerequisite: "Task") -> bool:
        """Planned to start before a task it depends on is due, that task not being done: a
        conflict of dates the pages and the Gantt chart show (a warning, not a refusal)."""
        return (
            self.start_date is not None
            and prerequisite.due_date is not None
            and prerequisite.status != TaskStatus.DONE
            and self.start_date < prerequisite.due_date
        )

    @property
    def is_overdue(self) -> bool:
        return (
            self.status != TaskStatus.DONE
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )
