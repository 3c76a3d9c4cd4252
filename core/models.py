from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .text import no_control_characters


class User(AbstractUser):
    """A person who signs in: any department, one or more roles (groups), a language."""

    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[no_control_characters]
    )
    department = models.ForeignKey(
        "collaboration.Department",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="users",
    )
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        return self.name_from(self.full_name, self.first_name, self.last_name, self.username)

    NAME_FIELDS = ("full_name", "first_name", "last_name", "username")

    @staticmethod
    def name_from(full_name: str, first_name: str, last_name: str, username: str) -> str:
        """The name people see, from NAME_FIELDS (read without loading whole users)."""
        return full_name or f"{first_name} {last_name}".strip() or username

    @property
    def display_name(self) -> str:
        return self.get_full_name()

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of this user's groups, read once per request."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def is_director(self) -> bool:
        return self.has_role(Role.DIRECTOR)

    @property
    def is_sales_manager(self) -> bool:
        return self.has_role(Role.SALES_MANAGER)

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if role.value in self.role_names]


class DeferredTask(models.Model):
    """Background work that could not be handed to the broker (core.background); published
    again by `deferred_tasks_replay` once Redis answers."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}"


class Heartbeat(models.Model):
    """The last sign of life of each Celery worker and beat, read by /healthz (core.health)."""

    class Kind(models.TextChoices):
        WORKER = "worker", "worker"
        BEAT = "beat", "beat"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    hostname = models.CharField(max_length=200)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "hostname"], name="heartbeat_once_per_process")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hostname} {self.seen_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, kind: str, hostname: str) -> None:
        from django.utils import timezone

        cls.objects.update_or_create(
            kind=kind, hostname=hostname[:200], defaults={"seen_at": timezone.now()}
        )
