"""监控评估: review meetings, whose decisions drive the cycle, and their action items."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import in_date_window
from core.history import History
from core.text import no_control_characters
from projects.models.choices import ReviewCadence
from projects.models.project import open_project

from .choices import ReviewDecision

User = settings.AUTH_USER_MODEL

# How far apart reviews are for each cadence; "none" schedules nothing by itself.
CADENCE_INTERVAL = {
    ReviewCadence.WEEKLY: datetime.timedelta(weeks=1),
    ReviewCadence.FORTNIGHTLY: datetime.timedelta(weeks=2),
    ReviewCadence.MONTHLY: datetime.timedelta(days=30),
}


class ReviewQuerySet(models.QuerySet):
    def pending(self) -> "ReviewQuerySet":
        return self.filter(held_at__isnull=True)

    def past_due(self, now: datetime.datetime | None = None) -> "ReviewQuerySet":
        """Past their scheduled time and not held, whatever the project's stage."""
        return self.pending().filter(scheduled_for__lt=now or timezone.now())

    def overdue(self, now: datetime.datetime | None = None) -> "ReviewQuerySet":
        """Past due on a project still open (a query about projects states the open part
        on its own rows: see monitoring.panels.review_overdue)."""
        return self.past_due(now).filter(open_project("project"))

    def upcoming(self, now: datetime.datetime | None = None) -> "ReviewQuerySet":
        """Ahead and not held, on a project still open."""
        return self.pending().filter(
            open_project("project"), scheduled_for__gte=now or timezone.now()
        )


class ReviewMeeting(models.Model):
    """A project review: agenda, then minutes and action items, then a decision."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reviews"
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), validators=[in_date_window])
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(600)],
    )
    location = models.CharField(
        _("place or link"), max_length=300, blank=True, validators=[no_control_characters]
    )
    attendees = models.ManyToManyField(
        User, verbose_name=_("attendees"), blank=True, related_name="review_invitations"
    )
    agenda = models.TextField(
        _("agenda"), max_length=5000, blank=True, validators=[no_control_characters]
    )
    minutes = models.TextField(
        _("minutes"), max_length=20000, blank=True, validators=[no_control_characters]
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=ReviewDecision.choices, blank=True
    )
    decision_note = models.TextField(
        _("reason for the decision"),
        max_length=2000,
        blank=True,
        validators=[no_control_characters],
    )
    held_at = models.DateTimeField(_("held at"), null=True, blank=True, validators=[in_date_window])
    # What the meeting started from (the brief: goals, tasks, risks, budget), kept as it was
    # when the review was held so that the next review can show what changed since.
    facts = models.JSONField(_("facts at the review"), default=dict, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ReviewQuerySet.as_manager()
    history = History(excluded_fields=["facts"], table_name="projects_historicalreviewmeeting")

    class Meta:
        db_table = "projects_reviewmeeting"  # kept from the app that first held it
        ordering = ["-scheduled_for"]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        indexes = [
            models.Index(fields=["project", "scheduled_for"]),
            models.Index(
                fields=["scheduled_for"],
                condition=Q(held_at__isnull=True),
                name="review_pending_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(held_at__isnull=False),
                name="review_decision_only_when_held",
            ),
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | ~Q(decision=""),
                name="review_held_has_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} @ {self.scheduled_for:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:review_detail", args=[self.project_id, self.pk])

    @property
    def ends_at(self) -> datetime.datetime:
        return self.scheduled_for + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.held_at is None and self.scheduled_for < timezone.now()

    @property
    def state(self) -> str:
        """held / overdue / scheduled: the one word every page shows."""
        if self.is_held:
            return "held"
        return "overdue" if self.is_overdue else "scheduled"


class ReviewActionItem(models.Model):
    """An action agreed in a review, with its owner and due date; becomes a task in one step."""

    review = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("action"), max_length=200, validators=[no_control_characters])
    owner = models.ForeignKey(
        User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), validators=[in_date_window])
    task = models.OneToOneField(
        "collaboration.Task",
        verbose_name=_("task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_action",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "projects_reviewactionitem"
        ordering = ["due_date", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title
