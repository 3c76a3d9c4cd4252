"""One rule for numbers and dates on pages, the same in both languages; machine values inside
inputs whatever the language."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.forms import DateInput, DateTimeInput
from core.numbers import format_amount


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Decimal("4450000.5"), 2, "4,450,000.50"),
        (Decimal("4450000.5"), 0, "4,450,001"),
        (Decimal("4450000"), "-2", "4,450,000"),
        (Decimal("12.5"), "-2", "12.50"),
        (Decimal("-1234.567"), 2, "-1,234.57"),
        (999, 2, "999.00"),
        (0, 0, "0"),
        (None, 2, ""),
        ("", 2, ""),
        ("not a number", 2, ""),
        (Decimal("NaN"), 2, ""),
    ],
)
def test_format_amount(value, places, shown):
    assert format_amount(value, places) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_amount_filter_reads_the_same_in_both_languages(language):
    template = Template("{% load core_tags %}{{ value|amount }} · {{ value|amount:0 }}")
    with translation.override(language):
        shown = template.render(Context({"value": Decimal("4450000.50")}))
    assert shown == "4,450,000.50 · 4,450,001"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dates_read_the_same_in_both_languages(language):
    template = Template(
        '{{ day|date }} · {{ moment|date:"DATETIME_FORMAT" }} · {{ day|date:"SHORT_DATE_FORMAT" }}'
    )
    with translation.override(language):
        shown = template.render(
            Context(
                {"day": datetime.date(2027, 3, 5), "moment": datetime.datetime(2027, 3, 5, 14, 30)}
            )
        )
    assert shown == "2027-03-05 · 2027-03-05 14:30 · 2027-03-05"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inputs_carry_machine_values(language):
    with translation.override(language):
        date_box = DateInput().render("d", datetime.date(2027, 3, 5))
        moment_box = DateTimeInput().render("m", datetime.datetime(2027, 3, 5, 14, 30))
        plain = (
            __import__("django.forms", fromlist=["DateInput"])
            .DateInput()
            .render("p", datetime.date(2027, 3, 5))
        )
    assert 'type="date"' in date_box and 'value="2027-03-05"' in date_box
    assert 'type="datetime-local"' in moment_box and 'value="2027-03-05T14:30"' in moment_box
    # Any DateInput, not only ours: the first input format of both languages is the machine's.
    assert 'value="2027-03-05"' in plain
