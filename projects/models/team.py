"""A project's team: who works on it, in which department and role. Who may see and change a
project follows from it (projects.access)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.dates import in_date_window
from core.history import History
from core.text import no_control_characters


class TeamRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ACCOUNT_LEAD = "account_lead", _("Account lead")
    SOLUTION_LEAD = "solution_lead", _("Solution lead")
    FULFILMENT_LEAD = "fulfilment_lead", _("Fulfilment lead")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


# The "iron triangle" (铁三角) that the resource-allocation gate asks for.
IRON_TRIANGLE = (TeamRole.ACCOUNT_LEAD, TeamRole.SOLUTION_LEAD, TeamRole.FULFILMENT_LEAD)


class ProjectMembership(models.Model):
    """A person on a project's team, in a department and a role."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=TeamRole.choices)
    responsibilities = models.TextField(
        _("responsibilities"), max_length=2000, blank=True, validators=[no_control_characters]
    )
    joined_on = models.DateField(
        _("joined on"), default=timezone.localdate, validators=[in_date_window]
    )
    left_on = models.DateField(_("left on"), null=True, blank=True, validators=[in_date_window])

    class QuerySet(models.QuerySet):
        def active(self) -> "models.QuerySet[ProjectMembership]":
            """The one "on the team now" rule: memberships nobody has ended (observers and
            the owner's row included; callers narrow by role or by the person's account)."""
            return self.filter(left_on__isnull=True)

    objects = QuerySet.as_manager()
    history = History(table_name="collaboration_historicalprojectmembership")

    class Meta:
        db_table = "collaboration_projectmembership"  # kept from the app that first held it
        ordering = ["project", "role", "id"]
        verbose_name = _("project membership")
        verbose_name_plural = _("project memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=models.Q(left_on__isnull=True),
                name="membership_one_active_per_person",
            ),
        ]
        indexes = [models.Index(fields=["user", "project"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
