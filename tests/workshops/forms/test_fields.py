"""The form fields the site shares (workshops/forms/fields.py): the GOV.UK date input
and long text refused in words."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms

from workshops.forms.fields import RealDateField, refuse_too_long


class DateForm(forms.Form):
    held_on = RealDateField(label="Date")


def cleaned(day: str, month: str, year: str) -> tuple[date | None, list[str]]:
    form = DateForm({"held_on_0": day, "held_on_1": month, "held_on_2": year})
    valid = form.is_valid()
    return (form.cleaned_data["held_on"] if valid else None), form.errors.get("held_on", [])


@pytest.mark.parametrize(
    "month", ["12", "Dec", "dec", "DEC", "Dec.", "december", "December", " 12 "]
)
def test_a_month_is_taken_as_a_number_a_name_or_a_short_name(month):
    assert cleaned("1", month, "2026") == (date(2026, 12, 1), [])


def test_september_is_taken_short_either_way():
    assert cleaned("30", "Sep", "2026")[0] == cleaned("30", "Sept", "2026")[0] == date(2026, 9, 30)


@pytest.mark.parametrize("month", ["13", "0", "Dex", "Decem", "1.5"])
def test_a_month_that_is_not_one_says_what_a_month_may_be(month):
    assert cleaned("1", month, "2026") == (
        None,
        ["Month must be a number from 1 to 12, or a name such as Dec or December"],
    )


@pytest.mark.parametrize(
    ("day", "year", "problem"),
    [
        ("first", "2026", "Day must be a number"),
        ("1", "twenty", "Year must be a number"),
        ("1", "26", "Year must include 4 numbers"),
        ("30", "2026", "Date must be a real date"),  # 30 February
    ],
)
def test_a_day_or_year_that_is_wrong_says_which_and_why(day, year, problem):
    assert cleaned(day, "Feb", year) == (None, [problem])


def test_a_part_left_out_asks_for_the_whole_date():
    assert cleaned("1", "", "2026") == (None, ["Enter the day, month and year"])


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        refuse_too_long(self.fields["name"], "Name")


def test_text_over_its_limit_is_refused_in_words_and_the_box_does_not_cut_it():
    form = NameForm({"name": "x" * 11})
    assert "maxlength" not in str(form["name"])
    assert not form.is_valid()
    assert form.errors["name"] == ["Name must be 10 characters or fewer"]
    assert NameForm({"name": "x" * 10}).is_valid()
