from django import forms
from django.core.exceptions import ValidationError

# What a browser accepts in a date or datetime box, whatever the language of the page: an
# <input type="date"> holding "2027/03/05" (the zh-hans format) is emptied by the browser, and
# the form then saves the date away. The value inside an input is for the machine; dates shown
# outside inputs stay localised.
DATE_VALUE_FORMAT = "%Y-%m-%d"
DATETIME_VALUE_FORMAT = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATE_VALUE_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_VALUE_FORMAT)


# One widget each for the date and datetime boxes of every form.
DATE = DateInput()
DATETIME = DateTimeInput()


def short_text(rows: int = 3) -> forms.Textarea:
    """A text box a few lines high, for notes and descriptions."""
    return forms.Textarea(attrs={"rows": rows})


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors by field, others on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
