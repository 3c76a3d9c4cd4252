"""The three roles of SalesCycle, kept as Django groups so the admin can assign them."""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The value is the group's name in the database; the label is what people read.
    DIRECTOR = "Director", _("Director")
    SALES_MANAGER = "Sales manager", _("Sales manager")
    MEMBER = "Member", _("Member")


def active_directors() -> QuerySet:
    """The active directors: who approve stage changes and hear of escalations."""
    return get_user_model().objects.filter(groups__name=Role.DIRECTOR, is_active=True)
