"""The answer form for one section of a questionnaire, built from its items.

Field names carry the item key, so one form validates a whole page
("Save and continue") or a single answer saved as the person gives it.

Beside each answer the page carries, hidden, its value as loaded (``was-``) and
the version of the stored answer it came from (``version-``): a page save then
stores only what was changed on it, and only over what the page had seen.
"""

from __future__ import annotations

from django import forms

from questions.models import BankVersion, Item
from workshops.models import Answer, Assessment
from workshops.models.slots import (  # noqa: F401 - the form's vocabulary, used from here too
    BASE_PREFIXES,
    MAX_NOTE,
    MAX_TEXT,
    Base,
    Slot,
    initial_from,
    item_key,
    slots_for,
)

DONT_KNOW = (Answer.Choice.DONT_KNOW.value, Answer.Choice.DONT_KNOW.label)
NOT_APPLICABLE = (Answer.Choice.NA.value, Answer.Choice.NA.label)
OUT_OF_DATE = "This page is out of date: reload the page and try again"


def _field(slot: Slot, bank: BankVersion) -> forms.Field:
    item = slot.item
    extra = [NOT_APPLICABLE] if item.na_allowed else []
    if slot.part == "note":
        return forms.CharField(
            required=False,
            max_length=MAX_NOTE,
            label="Comment or evidence (optional)",
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"max_length": f"Keep the comment to {MAX_NOTE} characters or fewer"},
        )
    if slot.part == "na":
        return forms.BooleanField(required=False, label="Not applicable to our partnership")
    if item.kind == Item.Kind.RATING:
        choices = [(str(v), f"{v} – {label}") for v, label in bank.scale_choices()]
        return forms.ChoiceField(
            required=False,
            choices=choices + [DONT_KNOW] + extra,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose a rating from the scale, or don't know"},
        )
    if item.kind == Item.Kind.YES_NO:
        return forms.ChoiceField(
            required=False,
            choices=[("yes", "Yes"), ("no", "No"), DONT_KNOW] + extra,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": "Choose yes, no or don't know"},
        )
    return forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Keep the answer to {MAX_TEXT} characters or fewer"},
    )


class AnswerForm(forms.Form):
    """Validates the slots of the given items; unknown names are simply not fields."""

    def __init__(self, *args, assessment: Assessment, items: list[Item], **kwargs):
        super().__init__(*args, **kwargs)
        self.assessment = assessment
        self.slots = {slot.name: slot for slot in slots_for(assessment, items)}
        for name, slot in self.slots.items():
            self.fields[name] = _field(slot, assessment.bank)
            self.fields[slot.was_name] = forms.CharField(
                required=False,
                strip=False,
                max_length=MAX_TEXT,
                widget=forms.HiddenInput,
                error_messages={"max_length": OUT_OF_DATE},
            )
            self.fields[slot.version_name] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=2**31 - 1,
                widget=forms.HiddenInput,
                error_messages={
                    "invalid": OUT_OF_DATE,
                    "min_value": OUT_OF_DATE,
                    "max_value": OUT_OF_DATE,
                },
            )

    def clean(self):
        cleaned = super().clean()
        for name, slot in self.slots.items():
            if slot.part == "na" and cleaned.get(name) and cleaned.get(slot.item.key):
                self.add_error(
                    slot.item.key, "Either answer the question or mark it not applicable"
                )
        return cleaned

    def fields_of(self, item: Item) -> list[tuple[Slot, forms.BoundField, list]]:
        """Each slot of the item with its field and its hidden "as loaded" fields."""
        return [
            (slot, self[name], [self[slot.was_name], self[slot.version_name]])
            for name, slot in self.slots.items()
            if slot.item == item
        ]

    def layout(self, questions: list[tuple[Item, list[Item]]]) -> list[dict]:
        """Questions with their bound fields and their sub-questions', for the template."""
        return [
            {
                "item": question,
                "fields": self.fields_of(question),
                "children": [
                    {"item": child, "fields": self.fields_of(child)} for child in children
                ],
            }
            for question, children in questions
        ]

    def _sent(self) -> dict[str, Slot]:
        """The slots the data speaks of; fields left out of it are not included. An
        unticked box is left out of a page, so a box counts as sent when the page says
        what it had loaded of it: a save of the text alone leaves the box as stored."""
        given = set(self.data)
        return {
            name: slot
            for name, slot in self.slots.items()
            if name in given or (slot.part == "na" and slot.was_name in given)
        }

    def values(self) -> dict[Slot, str | bool]:
        """What the person gave, by slot, once the form is valid."""
        return {slot: self.cleaned_data[name] for name, slot in self._sent().items()}

    def given(self) -> dict[Slot, str | bool]:
        """What the person gave, by slot, as sent: valid or not (for saying what of an
        invalid page is stored and what is not)."""
        return {slot: self[name].value() or "" for name, slot in self._sent().items()}

    def bases(self) -> dict[Slot, Base]:
        """What the page had loaded of each slot it sent. A write that does not say
        is based on no stored answer, so it cannot replace one it never saw."""
        return {
            slot: Base(
                self.cleaned_data[slot.was_name] if slot.was_name in self.data else None,
                self.cleaned_data[slot.version_name] or 0,
            )
            for slot in self.values()
        }
