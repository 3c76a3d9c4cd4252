"""Sharing information: comments with mentions, the activity feed, notifications, and the
log of interactions with a customer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import in_date_window
from core.history import History
from core.text import no_control_characters

# A comment may be corrected by its author for this long after posting.
COMMENT_EDIT_WINDOW_MINUTES = 15


class Comment(models.Model):
    """A comment on a project or, with `task`, on one of its tasks."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="comments"
    )
    task = models.ForeignKey(
        "collaboration.Task",
        verbose_name=_("task"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    body = models.TextField(_("comment"), max_length=5000, validators=[no_control_characters])
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentions"),
        blank=True,
        related_name="mentioned_in",
    )
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["project", "task", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ActivityVerb(models.TextChoices):
    STAGE_CHANGED = "stage_changed", _("changed the stage")
    TASK_CREATED = "task_created", _("created a task")
    TASK_ASSIGNED = "task_assigned", _("assigned a task")
    TASK_STATUS = "task_status", _("changed a task's status")
    TASK_UPDATED = "task_updated", _("updated a task")
    MEMBER_ADDED = "member_added", _("added a team member")
    MEMBER_REMOVED = "member_removed", _("removed a team member")
    COMMENTED = "commented", _("commented")
    REVIEW_SCHEDULED = "review_scheduled", _("scheduled a review")
    REVIEW_HELD = "review_held", _("recorded a review")
    REVIEW_CANCELLED = "review_cancelled", _("cancelled a review")
    RISK_RECORDED = "risk_recorded", _("recorded a risk")
    RISK_UPDATED = "risk_updated", _("updated a risk")
    INTERACTION = "interaction", _("logged an interaction with the customer")
    APPROVAL_REQUESTED = "approval_requested", _("asked the directors to approve a stage change")
    APPROVAL_SENT_BACK = "approval_sent_back", _("sent a stage change request back")


class Activity(models.Model):
    """One thing that happened on a project, for its feed; written by the services."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    verb = models.CharField(_("what"), max_length=30, choices=ActivityVerb.choices)
    task = models.ForeignKey(
        "collaboration.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person the event is about: the assignee, the new member.",
    )
    # What changed, as plain values the feed formats in the reader's language
    # (e.g. {"from": "todo", "to": "done"} or {"title": "..."}).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_verb_display()}"


class NotificationKind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", _("A task is assigned to me")
    MENTIONED = "mentioned", _("Someone mentions me")
    TASK_OVERDUE = "task_overdue", _("A task of mine becomes overdue")
    TASK_BLOCKED = "task_blocked", _("A task of mine becomes blocked")
    STAGE_CHANGED = "stage_changed", _("A project of mine changes stage")
    REVIEW_REMINDER = "review_reminder", _("A review I attend is coming up")
    REVIEW_OVERDUE = "review_overdue", _("A review of my project is overdue")
    ESCALATED = "escalated", _("A review escalates a project to the directors")
    RISK_SERIOUS = "risk_serious", _("A risk becomes high or critical")
    PROJECT_STUCK = "project_stuck", _("A project stays in its stage beyond the norm")
    APPROVAL_REQUESTED = "approval_requested", _("A stage change waits for my approval")
    APPROVAL_GRANTED = "approval_granted", _("A director approves my stage change")
    APPROVAL_REJECTED = "approval_rejected", _("A director sends my stage change back")


class Notification(models.Model):
    """A message to one person about one event; `event_key` makes it exist once per event."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=80)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="notifications"
    )
    task = models.ForeignKey(
        "collaboration.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # True from the moment an e-mail is wanted until it is sent (or no longer wanted): the
    # sweep sends what a failed enqueue (Redis down) left behind.
    email_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "event_key"], name="notification_once_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(email_pending=True),
                name="notification_email_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.get_kind_display()}"


class NotificationSetting(models.Model):
    """Whether one kind of notification also comes by email to one person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    by_email = models.BooleanField(_("by email"), default=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"


# By email unless the person says otherwise; stage changes are in-app only by default.
EMAIL_BY_DEFAULT = {
    NotificationKind.TASK_ASSIGNED: True,
    NotificationKind.MENTIONED: True,
    NotificationKind.TASK_OVERDUE: True,
    NotificationKind.TASK_BLOCKED: True,
    NotificationKind.STAGE_CHANGED: False,
    NotificationKind.REVIEW_REMINDER: True,
    NotificationKind.REVIEW_OVERDUE: True,
    NotificationKind.ESCALATED: True,
    NotificationKind.RISK_SERIOUS: True,
    NotificationKind.PROJECT_STUCK: True,
    NotificationKind.APPROVAL_REQUESTED: True,
    NotificationKind.APPROVAL_GRANTED: True,
    NotificationKind.APPROVAL_REJECTED: True,
}


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")


class Interaction(models.Model):
    """A contact with a customer, logged for everyone working on that customer's projects."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="interactions"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    occurred_on = models.DateField(_("date"), validators=[in_date_window])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    summary = models.TextField(_("summary"), max_length=4000, validators=[no_control_characters])
    next_step = models.CharField(
        _("next step"), max_length=500, blank=True, validators=[no_control_characters]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = History(excluded_fields=["created_at"])

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["customer", "-occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_on}"
