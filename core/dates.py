"""The window of dates people may enter: wide for any sales project, narrow enough that every
chart, feed and date calculation stays finite (a year 1 or 9999 overflows `date + timedelta`)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
# The same window for moments, in UTC.
EARLIEST_MOMENT = datetime.datetime.combine(EARLIEST, datetime.time.min, datetime.UTC)
LATEST_MOMENT = datetime.datetime.combine(LATEST, datetime.time.max, datetime.UTC)


@deconstructible
class DateWindowValidator:
    message = _("Enter a date between %(earliest)s and %(latest)s.")
    code = "date_window"

    def __call__(self, value) -> None:
        day = value.date() if isinstance(value, datetime.datetime) else value
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, DateWindowValidator)


in_date_window = DateWindowValidator()


def clamp(day: datetime.date) -> datetime.date:
    """`day` moved into the window: for dates stored before the window was enforced."""
    return min(max(day, EARLIEST), LATEST)
