"""The three roles of SalesCycle, kept as Django groups so the admin can assign them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # The value is the group's name in the database; the label is what people read.
    DIRECTOR = "Director", _("Director")
    SALES_MANAGER = "Sales manager", _("Sales manager")
    MEMBER = "Member", _("Member")
