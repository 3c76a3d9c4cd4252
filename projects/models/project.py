from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from core.dates import in_date_window
from core.history import DeletionRefused, History, KeptQuerySet
from core.text import no_control_characters

from .choices import OPEN_STAGES, Currency, Outcome, ReviewCadence, Stage, TransitionKind

# The graph of the cycle is declared once, as the django-fsm transitions of Project.stage
# below: the only edges the stage may follow, each naming its kind. projects.lifecycle reads
# the declarations to classify a move and to offer the moves, and decides who may take an
# edge and when.
NEXT_STAGE = {
    Stage.INITIATION: Stage.GOAL_SETTING,
    Stage.GOAL_SETTING: Stage.RESOURCE_ALLOCATION,
    Stage.RESOURCE_ALLOCATION: Stage.STRATEGY,
    Stage.STRATEGY: Stage.EXECUTION,
    Stage.EXECUTION: Stage.MONITORING,
    Stage.MONITORING: Stage.CLOSURE,
    Stage.CLOSURE: Stage.CLOSED,
}
LOOP_TARGETS = (Stage.EXECUTION, Stage.STRATEGY)
ABORTABLE_STAGES = [stage for stage in OPEN_STAGES if stage != Stage.CLOSURE]
# A project carries its history (stage transitions, field history, activity): it ends by being
# closed, won, lost or cancelled, through the lifecycle, and is never deleted.
PROJECTS_ARE_KEPT = "Projects are never deleted: close or cancel them through projects.lifecycle."


def _edges(kind: TransitionKind, edges: dict[Stage, Stage]):
    """Declare `edges` (source → target) as django-fsm transitions of `kind`, one declaration
    per edge: django-fsm gives each declaration a single target."""

    def declare(method):
        for source, target in edges.items():
            edge = transition(field="stage", source=source, target=target, custom={"kind": kind})
            method = edge(method)
        return method

    return declare


def open_project(through: str = "") -> Q:
    """The one "open project" rule, as a condition: not closed. `through` is the path from a
    related row to its project ("project" on a task, a risk, a review)."""
    return ~Q(**{f"{through}__stage" if through else "stage": Stage.CLOSED})


class ProjectQuerySet(models.QuerySet):
    def awaiting_approval(self, waiting: bool = True) -> "ProjectQuerySet":
        """Projects whose owner asked to advance and no director has decided yet (with
        `waiting=False`, the others)."""
        return self.filter(approval_requested_at__isnull=not waiting)

    def open(self) -> "ProjectQuerySet":
        """Projects not closed (the queryset twin of `Project.is_open`)."""
        return self.filter(open_project())

    def closed(self) -> "ProjectQuerySet":
        return self.filter(~open_project())

    def involving(self, user) -> "ProjectQuerySet":
        """Projects `user` owns or is on the team of now (for directors too: their own)."""
        # One list of ids, owned UNION on the team: PostgreSQL counts it right (a few hundred)
        # and walks the indexes from it. "owner = me OR EXISTS (membership)" made it guess half
        # the portfolio and scan every project, task and activity row (activity feed 123 → 12 ms).
        owned = self.model._default_manager.filter(owner=user).order_by().values("pk")
        # The membership model, found through the relation: projects.models names no other app.
        memberships = self.model._meta.get_field("memberships").related_model
        on_team = memberships.objects.active().filter(user=user).order_by().values("project")
        return self.filter(pk__in=owned.union(on_team))

    def visible_to(self, user) -> "ProjectQuerySet":
        """What `user` may see: directors everything, others the projects involving them,
        anonymous nobody."""
        if not user.is_authenticated:
            return self.none()
        if user.is_director:
            return self
        return self.involving(user)

    def delete(self):
        raise DeletionRefused(PROJECTS_ARE_KEPT)

    delete.alters_data = True
    delete.queryset_only = True


class Project(FSMModelMixin, models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_projects",
    )
    background = models.TextField(
        _("background and opportunity"),
        max_length=10000,
        blank=True,
        validators=[no_control_characters],
    )
    estimated_value = models.DecimalField(
        _("estimated contract value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    expected_close_date = models.DateField(
        _("expected close date"), null=True, blank=True, validators=[in_date_window]
    )
    stage = FSMField(
        _("stage"), max_length=30, choices=Stage.choices, default=Stage.INITIATION, protected=True
    )
    stage_entered_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    review_cadence = models.CharField(
        _("review cadence"),
        max_length=20,
        choices=ReviewCadence.choices,
        default=ReviewCadence.NONE,
    )
    # An advance that waits for a director's approval (StagePolicy.requires_approval).
    approval_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approval requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approval_requested_at = models.DateTimeField(_("approval requested at"), null=True, blank=True)
    approval_note = models.TextField(
        _("approval request note"), max_length=2000, blank=True, validators=[no_control_characters]
    )
    # Set when a review escalates the project to the directors; cleared by the next review
    # that decides otherwise.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()
    history = History(excluded_fields=["updated_at", "stage_entered_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("sales project")
        verbose_name_plural = _("sales projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="project_estimated_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(stage__in=[Stage.CLOSURE, Stage.CLOSED]),
                name="project_outcome_only_on_closure",
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.CLOSED) | ~Q(outcome=""),
                name="project_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "-created_at"]),
            models.Index(fields=["stage", "stage_entered_at"]),  # the board's columns
            models.Index(fields=["created_at", "id"]),  # newest first, the lists' default
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["customer", "stage"]),
            models.Index(fields=["outcome"]),
            models.Index(fields=["expected_close_date"]),
            # The few projects waiting for a director: the home page and the list filter.
            models.Index(
                fields=["approval_requested_at"],
                condition=Q(approval_requested_at__isnull=False),
                name="project_awaiting_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise DeletionRefused(PROJECTS_ARE_KEPT)

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def next_stage(self) -> Stage | None:
        return NEXT_STAGE.get(Stage(self.stage))

    @property
    def awaiting_approval(self) -> bool:
        return self.approval_requested_at is not None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def days_in_stage(self) -> int:
        return (timezone.now() - self.stage_entered_at).days

    # --- the edges of the cycle (taken only by projects.lifecycle) -------------------------
    @_edges(TransitionKind.ADVANCE, NEXT_STAGE)
    def _advance(self) -> None:
        pass

    @transition(
        field=stage,
        source=Stage.MONITORING,
        target=RETURN_VALUE(*LOOP_TARGETS),
        custom={"kind": TransitionKind.LOOP},
    )
    def _loop(self, to_stage: Stage) -> Stage:
        return to_stage

    @_edges(TransitionKind.ABORT, dict.fromkeys(ABORTABLE_STAGES, Stage.CLOSURE))
    def _abort(self) -> None:
        pass

    @_edges(TransitionKind.REOPEN, {Stage.CLOSED: Stage.MONITORING})
    def _reopen(self) -> None:
        pass


class StageTransition(models.Model):
    """One change of a project's stage (or an approval of one); never edited or deleted."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_stage = models.CharField(_("from stage"), max_length=30, choices=Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=30, choices=Stage.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=TransitionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(
        _("note"), max_length=2000, blank=True, validators=[no_control_characters]
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    objects = KeptQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        indexes = [models.Index(fields=["project", "created_at"])]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage} → {self.to_stage}"

    def save(self, *args, **kwargs) -> None:
        # History is append-only: a transition row is written once, in the transaction of
        # the change it records.
        if not self._state.adding:
            raise ValueError("Stage transitions are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DeletionRefused("Stage transitions are never deleted.")


class ProjectCodeCounter(models.Model):
    """The last project number issued per year; numbers only ever go up, so none is reused."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("project code counter")
        verbose_name_plural = _("project code counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class StagePolicy(models.Model):
    """Per-stage settings: the norm in days, whether leaving needs a director, win odds."""

    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices, unique=True)
    norm_days = models.PositiveSmallIntegerField(_("norm (days)"))
    requires_approval = models.BooleanField(
        _("leaving requires a director's approval"), default=False
    )
    win_probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("stage policy")
        verbose_name_plural = _("stage policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(win_probability__lte=100), name="stage_policy_probability_range"
            )
        ]

    def __str__(self) -> str:
        return str(Stage(self.stage).label)
