"""A questionnaire's answerable slots, and what a page showed of each.

The vocabulary shared by the answer form (``workshops.forms.questionnaire``) and
the services that save answers (``workshops.services.answer_saving``, imports): it
sits below both, so each depends on it and neither on the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from questions.models import Item
from workshops.models.assessment import Answer, Assessment, Basis, EvidenceNote

MAX_TEXT = 5000
MAX_NOTE = 2000

# Field names of the hidden "as loaded" fields start with these.
BASE_PREFIXES = ("was-", "version-")


def item_key(name: str) -> str:
    """The item a posted field is about: "was-1.1:note" and "1.1:internal" are both 1.1."""
    for prefix in BASE_PREFIXES:
        name = name.removeprefix(prefix)
    return name.split(":")[0]


@dataclass(frozen=True)
class Base:
    """What the page showed of a slot: its value as loaded (None when the page did
    not say) and the version of the stored answer (0 when there was none)."""

    was: str | None
    version: int


@dataclass(frozen=True)
class Slot:
    """One answerable thing on the page: an item, and for ratings a basis or its note."""

    item: Item
    part: str = ""  # a basis ("internal"/"external"), "note", "na", or "" for the answer

    @property
    def name(self) -> str:
        return f"{self.item.key}:{self.part}" if self.part else self.item.key

    @property
    def was_name(self) -> str:
        return f"was-{self.name}"

    @property
    def version_name(self) -> str:
        return f"version-{self.name}"

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


def initial_from(
    answers: list[Answer], notes: list[EvidenceNote], items: list[Item]
) -> dict[str, str | bool | int]:
    """Form initial data from stored answers and notes, with each slot's value as
    loaded and its version (0 and "" where nothing is stored)."""
    initial: dict[str, str | bool | int] = {}
    for item in items:
        for part in ["", "na", "note", *Basis.values]:
            slot = Slot(item, part)
            initial[slot.was_name], initial[slot.version_name] = "", 0
    for answer in answers:
        parts = ["", "na"] if answer.item.kind == Item.Kind.OPEN else [answer.basis]
        for part in parts:
            slot = Slot(answer.item, part)
            value = answer.value_for(part)
            initial[slot.name] = value == "on" if part == "na" else value
            initial[slot.was_name], initial[slot.version_name] = value, answer.version
    for note in notes:
        slot = Slot(note.item, "note")
        initial[slot.name] = initial[slot.was_name] = note.text
        initial[slot.version_name] = note.version
    return initial
