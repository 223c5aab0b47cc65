from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

# The ids a database row can have (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


class RealDateField(DateInputField):
    """The GOV.UK date input (day, month, year), refusing dates that do not exist.

    The library builds the date with Python's own words ("day is out of range
    for month"), lets a number too big for a date escape as a server error, and
    takes a day, month or year of only spaces as no date at all, even when one
    is required.
    """

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
