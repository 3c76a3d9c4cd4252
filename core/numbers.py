"""One way to show a number to a person, the same in both languages."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import numberformat


def format_amount(value, places=2) -> str:
    """Thousands grouped with a comma, a point before the decimals: `4,450,000.00` in zh-hans
    and in English alike. `places` is how many decimals (2 by default); negative, as with
    floatformat, shows them only when the number has any (`-2`: 12 → `12`, 12.5 → `12.50`).
    Nothing (None, "", not a number) is shown as an empty string."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
        places = int(places)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    if not number.is_finite():
        return ""
    if places < 0:
        places = 0 if number == number.to_integral_value() else -places
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return numberformat.format(
        rounded, ".", decimal_pos=places, grouping=3, thousand_sep=",", force_grouping=True
    )


def format_percent(value) -> str:
    """A share as every page writes it: at most one decimal, only when it has one, and the
    sign right after the number — `85.7%`, `60%`; nothing (None) is an empty string."""
    shown = format_amount(value, -1)
    return f"{shown}%" if shown else ""
