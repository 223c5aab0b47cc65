from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from questions.models import BankVersion
from workshops.forms.fields import CheckedModelMultipleChoiceField, RealDateField, gds_helper
from workshops.models import Assessment, Partnership
from workshops.models.assessment import Scope


class AssessmentForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter a title for the assessment"}
    )
    scope = forms.ChoiceField(
        label="Which questions",
        choices=Scope.CHOICES,
        widget=forms.RadioSelect,
        initial=Scope.FULL,
        error_messages={"required": "Choose which questions to ask"},
    )
    sections = forms.TypedMultipleChoiceField(
        label="Elements to ask about (for chosen elements only)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    basis = forms.ChoiceField(
        label="How partners rate the 'how well' questions",
        choices=Assessment.BasisChoice.choices,
        widget=forms.RadioSelect,
        initial=Assessment.BasisChoice.INTERNAL,
        error_messages={"required": "Choose the basis for ratings"},
    )
    opens_on = RealDateField(label="Opens on", help_text="For example, 27 3 2026")
    closes_on = RealDateField(label="Closes on", help_text="The last day answers are taken")
    anonymous = forms.BooleanField(
        required=False,
        label="Anonymous: coordinators see response counts by group, never who answered what",
    )

    def __init__(self, *args, bank: BankVersion | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = (
            [(s.number, s.heading) for s in bank.sections.all()] if bank else []
        )
        self.helper = gds_helper(
            Field.text("title"),
            Field.radios("scope", legend_size=Size.SMALL, small=True),
            Field.checkboxes("sections", legend_size=Size.SMALL, small=True),
            Field.radios("basis", legend_size=Size.SMALL, small=True),
            Field("opens_on"),
            Field("closes_on"),
            Field.checkbox("anonymous", small=True),
            submit="Create assessment",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Scope.ELEMENTS and not cleaned.get("sections"):
            self.add_error("sections", "Choose at least one element")
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        return cleaned


class InviteForm(forms.Form):
    people = CheckedModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Who to invite",
        error_messages={"required": "Choose at least one person to invite"},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = partnership.people.select_related("organisation")
        self.fields["people"].label_from_instance = lambda p: (
            f"{p.name}, {p.get_role_display()}, {p.organisation.name}"
            + ("" if p.email else " (no email address: pass the link on by hand)")
        )
        self.helper = gds_helper(
            Field.checkboxes("people", legend_size=Size.MEDIUM, small=True),
            submit="Send invitations",
        )
