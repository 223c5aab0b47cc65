"""The answer form for one section of a questionnaire, built from its items.

Field names carry the item key, so one form validates a whole page
("Save and continue") or a single answer saved as the person gives it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from questions.models import BankVersion, Item
from workshops.models import Answer, Assessment

MAX_TEXT = 5000
MAX_NOTE = 2000

DONT_KNOW = (Answer.Choice.DONT_KNOW.value, Answer.Choice.DONT_KNOW.label)
NOT_APPLICABLE = (Answer.Choice.NA.value, Answer.Choice.NA.label)


@dataclass(frozen=True)
class Slot:
    """One answerable thing on the page: an item, and for ratings a basis or its note."""

    item: Item
    part: str = ""  # a basis ("internal"/"external"), "note", "na", or "" for the answer

    @property
    def name(self) -> str:
        return f"{self.item.key}:{self.part}" if self.part else self.item.key

    @property
    def control(self) -> str:
        """How the slot is shown: radios, a text area or a check box."""
        if self.part == "na":
            return "checkbox"
        if self.part == "note" or self.item.kind == Item.Kind.OPEN:
            return "textarea"
        return "radios"


def slots_for(assessment: Assessment, items: list[Item]) -> list[Slot]:
    slots = []
    for item in items:
        if item.kind == Item.Kind.RATING:
            slots += [Slot(item, basis) for basis in assessment.bases]
            slots.append(Slot(item, "note"))
        elif item.kind == Item.Kind.OPEN and item.na_allowed:
            slots += [Slot(item), Slot(item, "na")]
        else:
            slots.append(Slot(item))
    return slots


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

    def clean(self):
        cleaned = super().clean()
        for name, slot in self.slots.items():
            if slot.part == "na" and cleaned.get(name) and cleaned.get(slot.item.key):
                self.add_error(
                    slot.item.key, "Either answer the question or mark it not applicable"
                )
        return cleaned

    def fields_of(self, item: Item) -> list[tuple[Slot, forms.BoundField]]:
        return [(slot, self[name]) for name, slot in self.slots.items() if slot.item == item]

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

    def values(self) -> dict[Slot, str | bool]:
        """What the person gave, by slot; fields left out of the data are not included."""
        given = set(self.data)
        return {
            slot: self.cleaned_data[name]
            for name, slot in self.slots.items()
            if name in given or (slot.part == "na" and slot.item.key in given)
        }


def initial_from(answers: list[Answer], notes: dict[str, str]) -> dict[str, str | bool]:
    """Form initial data from stored answers and notes."""
    initial: dict[str, str | bool] = {}
    for answer in answers:
        slot = Slot(answer.item, answer.basis)
        if answer.item.kind == Item.Kind.OPEN and answer.choice == Answer.Choice.NA:
            initial[Slot(answer.item, "na").name] = True
        else:
            initial[slot.name] = answer.value
    for item_key, text in notes.items():
        initial[f"{item_key}:note"] = text
    return initial
