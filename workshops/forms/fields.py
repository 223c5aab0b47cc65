from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

# The ids a database row can have (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


# Month names and their short forms, as GOV.UK's date input accepts them: people
# type "Dec" or "december" as often as "12".
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}


class _Number(forms.CharField):
    """A day or a year: digits only, said in words when it is not."""

    def __init__(self, what: str, *, digits: int | None = None):
        self.what, self.digits = what, digits
        super().__init__(label=what, error_messages={"incomplete": f"Enter the {what.lower()}"})

    def to_python(self, value):
        value = super().to_python(value)
        if value and not value.isdecimal():
            raise ValidationError(f"{self.what} must be a number", code="invalid")
        if value and self.digits and len(value) != self.digits:
            raise ValidationError(f"{self.what} must include {self.digits} numbers", code="invalid")
        return value


class _Month(forms.CharField):
    """A month as a number (1 to 12) or a name ("Dec", "december"), given as its number."""

    def __init__(self):
        super().__init__(label="Month", error_messages={"incomplete": "Enter the month"})

    def to_python(self, value):
        value = super().to_python(value).casefold().rstrip(".")
        if not value:
            return value
        number = int(value) if value.isdecimal() and len(value) <= 2 else MONTHS.get(value)
        if number is None or not 1 <= number <= 12:
            raise ValidationError(
                "Month must be a number from 1 to 12, or a name such as Dec or December",
                code="invalid",
            )
        return str(number)


class RealDateField(DateInputField):
    """The GOV.UK date input (day, month, year), refusing dates that do not exist.

    The month may be given by name or its short form ("Dec"), as GOV.UK's date
    pattern asks. Each part that is not a number (or a month) is refused in words
    of its own. The library builds the date with Python's own words ("day is out
    of range for month"), lets a number too big for a date escape as a server
    error, and takes a day, month or year of only spaces as no date at all, even
    when one is required.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields = (_Number("Day"), _Month(), _Number("Year", digits=4))
        for part in self.fields:
            # As the library's own parts: whether all three are needed is this
            # field's to say (compress), not each part's.
            part.required = False

    def compress(self, data_list):
        given = [part for part in data_list or () if part]
        if not given and not self.required:
            return None
        if len(given) < 3:
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            return super().compress(data_list)
        except (ValidationError, OverflowError):
            raise ValidationError("Date must be a real date", code="invalid_date") from None


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Check boxes of objects, where an id no row can have is a choice not offered.

    Django looks the ids up with ``pk__in``, which SQLite cannot do with a number
    of 2**63 or more: a server error instead of a message.
    """

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django's own check refuses it with a message
            if not -LARGEST_ID <= number <= LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def refuse_too_long(field: forms.CharField, what: str) -> None:
    """Let a text box take more than the field's limit, so the form can refuse it in words.

    A browser silently cuts what is typed or pasted into a box with ``maxlength``, so a
    long name would be saved cut short without anyone noticing; GOV.UK's text input
    guidance is to leave it off and say what the limit is instead.
    """
    field.widget.attrs.pop("maxlength", None)
    field.error_messages["max_length"] = f"{what} must be {field.max_length} characters or fewer"


def gds_helper(*fields, submit: str = "Save", button=Button.primary) -> FormHelper:
    """A helper for a form the page wraps itself, ending in one button (``Button.warning``
    for a step that cannot be undone)."""
    helper = FormHelper()
    # Pages render their own <form> (with the error summary above it).
    helper.form_tag = False
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields, button("submit", submit))
    return helper
