"""People: who signs in, their department, roles and language."""

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.text import no_control_characters


class Department(models.Model):
    """A department of the sales organisation; named in both interface languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(
        _("name (Chinese)"), max_length=80, validators=[no_control_characters]
    )
    name_en = models.CharField(
        _("name (English)"), max_length=80, validators=[no_control_characters]
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        db_table = "collaboration_department"  # kept from the app that first held it
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(Lower("name_en"), name="department_name_en_unique_ci"),
            models.UniqueConstraint("name_zh", name="department_name_zh_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active interface language."""
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class UserQuerySet(models.QuerySet):
    def directors(self) -> "UserQuerySet":
        """The active directors: who approve stage changes and hear of escalations."""
        return self.filter(groups__name=Role.DIRECTOR, is_active=True)


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, create_superuser…) with the people queries."""


class User(AbstractUser):
    """A person who signs in: any department, one or more roles (groups), a language."""

    full_name = models.CharField(
        _("full name"), max_length=150, blank=True, validators=[no_control_characters]
    )
    department = models.ForeignKey(
        "accounts.Department",
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

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        db_table = "core_user"  # kept from the app that first held it
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
