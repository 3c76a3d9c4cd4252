"""Input rules of the stage records, shared by the page forms and the API serializers.

Each raises Django's ValidationError, which forms show next to the field and DRF turns into
a 400 with field errors.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Outcome


def check_expected_close_date(value: datetime.date | None, *, changed: bool) -> None:
    # Only a newly entered date must lie ahead; an old project may keep the one it had.
    if value and changed and value < timezone.localdate():
        raise ValidationError(_("The expected close date cannot be in the past."))


def check_goal_target(value: Decimal | None) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("The target must be a number above zero."))


def check_goal_deadline(value: datetime.date | None, *, changed: bool) -> None:
    if value and changed and value < timezone.localdate():
        raise ValidationError(_("The deadline cannot be in the past."))


def check_closure_values(*, outcome: str | None, actual_value: Decimal | None) -> None:
    if outcome == Outcome.WON and actual_value is None:
        raise ValidationError({"actual_value": _("Enter the actual value of the won contract.")})
