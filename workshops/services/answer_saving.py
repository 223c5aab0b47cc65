"""Saving a respondent's answers: saved means stored, never quietly replaced.

Saving reads the stored answers it touches and writes each only if it is still
the version the page was based on, so a second window never quietly replaces
what another stored; sending again what is stored is taken, so a double click or
a retry after a dropped connection stores one answer. One answer costs the same
few queries however long the questionnaire is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from questions.models import Item
from workshops.models import Answer, EvidenceNote, Respondent
from workshops.models.slots import Base, Slot
from workshops.services.questionnaire import (
    QuestionnaireError,
    editable_problem,
    stored_answers,
)

CHANGED_ELSEWHERE = (
    "This answer was changed in another window or device. It now shows what is saved."
)


@dataclass
class Saved:
    """What a save did: how many answers and notes it stored, which slots it
    refused because they had changed since the page loaded them, and what is now
    stored in every slot it was sent, as {name: (value, version)}."""

    count: int = 0
    conflicts: list[str] = field(default_factory=list)
    stored: dict[str, tuple[str, int]] = field(default_factory=dict)


def _canon(value: str | bool | None) -> str:
    """A slot's value as compared: a ticked box is "on"; text as it is stored
    (browsers send line breaks as CRLF, scripts as LF)."""
    if isinstance(value, bool):
        return "on" if value else ""
    return (value or "").replace("\r\n", "\n").strip()


@dataclass
class _SlotRow:
    """One stored row (an answer, or a note) and the slots of the write that fall on it."""

    slots: list[Slot]
    note: bool
    basis: str
    stored: Answer | EvidenceNote | None = None
    wanted: dict | None = None  # the row's fields after the write; None: no row

    def value_for(self, slot: Slot) -> str:
        if self.stored is None:
            return ""
        return self.stored.text if self.note else self.stored.value_for(slot.part)

    @property
    def version(self) -> int:
        return self.stored.version if self.stored is not None else 0

    def fields(self) -> dict | None:
        if self.stored is None:
            return None
        if self.note:
            return {"text": self.stored.text}
        return {f: getattr(self.stored, f) for f in ("rating", "choice", "text")}


def _rows(values: dict[Slot, str | bool]) -> dict[tuple, _SlotRow]:
    """The write's slots by the row they are stored in: an open answer and its
    "not applicable" box share one answer."""
    rows: dict[tuple, _SlotRow] = {}
    for slot in values:
        note = slot.part == "note"
        basis = "" if slot.part in ("", "na") else slot.part
        key = (note, slot.item.pk, basis)
        rows.setdefault(key, _SlotRow([], note, basis)).slots.append(slot)
    return rows


def _wanted(row: _SlotRow, values: dict[Slot, str | bool]) -> dict | None:
    """The fields the row should hold after the write, or None for no row."""
    given = {slot.part: values[slot] for slot in row.slots}
    if row.note:
        text = given["note"].strip()
        return {"text": text} if text else None
    slot = row.slots[0]
    fields = {"rating": None, "choice": "", "text": ""}
    if slot.item.kind == Item.Kind.OPEN:
        if given.get("na"):
            return fields | {"choice": Answer.Choice.NA}
        if "" in given:
            text = given[""].strip()
            return fields | {"text": text} if text else None
        # Only the box, unticked: it clears "not applicable", never a written answer.
        current = row.fields()
        return None if current and current["choice"] == Answer.Choice.NA else current
    value = given[slot.part]
    if value == "":
        return None
    if value.isdigit():
        return fields | {"rating": int(value)}
    return fields | {"choice": value}


def _is_stale(row: _SlotRow, bases: dict[Slot, Base], values: dict[Slot, str | bool]) -> bool:
    """Whether the page changed this row from something other than what is stored."""
    for slot in row.slots:
        base = bases[slot]
        if not _changed(values[slot], base):
            continue
        if base.version != row.version:
            return True
        if base.was is not None and _canon(base.was) != _canon(row.value_for(slot)):
            return True
    return False


def _changed(value: str | bool, base: Base) -> bool:
    """Whether the page changed the slot from what it loaded (a page that does not
    say what it loaded changed it)."""
    return base.was is None or _canon(value) != _canon(base.was)


def save_values(
    respondent: Respondent,
    values: dict[Slot, str | bool],
    *,
    bases: dict[Slot, Base] | None = None,
    section: int | None = None,
) -> Saved:
    """Store what the person changed, over only what their page had seen.

    ``bases`` says, for each slot, its value and version as the page loaded them
    (see ``AnswerForm.bases``). A slot whose value is as loaded is left alone, so
    a page open for an hour clears nothing. A change based on an older version
    of the answer is refused (a conflict) and the stored answer kept; the other
    slots are still saved. Sending again what is already stored is taken, so a
    retry after a lost reply is harmless. Without ``bases`` (the demo data and
    tests' fixtures) the values are simply stored.
    """
    problem = editable_problem(respondent.assessment, respondent)
    if problem:
        raise QuestionnaireError(problem)
    trusted = bases is None
    if not trusted:
        bases = {slot: bases.get(slot, Base(None, 0)) for slot in values}
    touched = {
        key: row
        for key, row in _rows(values).items()
        if trusted or any(_changed(values[slot], bases[slot]) for slot in row.slots)
    }
    _load(respondent, touched)
    saved = Saved()
    created: list[tuple[_SlotRow, Answer | EvidenceNote]] = []
    for row in touched.values():
        row.wanted = _wanted(row, values)
        if row.wanted == row.fields():
            continue  # already stored: a retry, or the same change from two places
        if not trusted and _is_stale(row, bases, values):
            saved.conflicts += [slot.name for slot in row.slots]
        elif row.stored is None:
            created.append((row, _new(respondent, row)))
        elif _write(row):
            saved.count += 1
        else:
            saved.conflicts += [slot.name for slot in row.slots]
    saved.count += _create(respondent, created, saved)
    if section is not None and section != respondent.last_section:
        respondent.last_section = section
        respondent.save(update_fields=["last_section"])
    for row in touched.values():
        for slot in row.slots:
            saved.stored[slot.name] = (row.value_for(slot), row.version)
    return saved


@dataclass
class NotStored:
    """What of a page is not stored: the questions (by key, in the page's order) whose
    answers differ from what is stored, and whether the page's other questions have
    anything stored (answers saved as they were given, or on an earlier visit)."""

    keys: list[str]
    others_stored: bool


def not_stored(respondent: Respondent | None, given: dict[Slot, str | bool]) -> NotStored:
    """Compare what a page gave with what is stored, as a save would compare them.

    A page refused as a whole stores nothing, but the answers saved as they were
    given already are: what the page says of saving must tell the two apart.
    """
    items = list({slot.item.pk: slot.item for slot in given}.values())
    stored = stored_answers(respondent, items)
    keys: list[str] = []
    for slot, value in given.items():
        if _canon(value) != _canon(stored.get(slot.name)) and slot.item.key not in keys:
            keys.append(slot.item.key)
    others_stored = any(
        _canon(stored.get(slot.name)) for slot in given if slot.item.key not in keys
    )
    return NotStored(keys, others_stored)


def _load(respondent: Respondent, rows: dict[tuple, _SlotRow]) -> None:
    """Read the stored rows the write touches: one query for answers, one for notes."""
    answer_items = {key[1] for key in rows if not key[0]}
    note_items = {key[1] for key in rows if key[0]}
    if answer_items:
        for answer in respondent.answers.filter(item__in=answer_items).order_by():
            if (row := rows.get((False, answer.item_id, answer.basis))) is not None:
                answer.item = row.slots[0].item  # already loaded
                row.stored = answer
    if note_items:
        for note in respondent.evidence_notes.filter(item__in=note_items):
            rows[(True, note.item_id, "")].stored = note


def _new(respondent: Respondent, row: _SlotRow) -> Answer | EvidenceNote:
    item = row.slots[0].item
    if row.note:
        return EvidenceNote(respondent=respondent, item=item, **row.wanted)
    return Answer(respondent=respondent, item=item, basis=row.basis, **row.wanted)


def _write(row: _SlotRow) -> bool:
    """Change or delete the stored row if it is still the version read. False when
    another write got there first."""
    model = EvidenceNote if row.note else Answer
    current = model.objects.filter(pk=row.stored.pk, version=row.stored.version)
    if row.wanted is None:
        if not current.delete()[0]:
            return _reread(row)
        row.stored = None
        return True
    fields = row.wanted | {"version": row.stored.version + 1, "updated_at": timezone.now()}
    if not current.update(**fields):
        return _reread(row)
    for name, value in fields.items():
        setattr(row.stored, name, value)
    return True


def _reread(row: _SlotRow) -> bool:
    """Another write changed the row between reading and writing: report what it stored."""
    model = EvidenceNote if row.note else Answer
    row.stored = model.objects.filter(pk=row.stored.pk).first()
    if row.stored is not None:
        row.stored.item = row.slots[0].item
    return False


def _create(respondent: Respondent, created: list, saved: Saved) -> int:
    """Insert the new rows. If another write inserted one first, nothing of this
    batch is stored and each is reported as changed elsewhere."""
    if not created:
        return 0
    count = 0
    for model in (Answer, EvidenceNote):
        batch = [(row, obj) for row, obj in created if isinstance(obj, model)]
        if not batch:
            continue
        try:
            with transaction.atomic():
                model.objects.bulk_create([obj for _, obj in batch])
        except IntegrityError:
            for row, _ in batch:
                filters = {"respondent": respondent, "item": row.slots[0].item}
                if model is Answer:
                    filters["basis"] = row.basis
                row.stored = model.objects.filter(**filters).first()
                if row.stored is not None:
                    row.stored.item = row.slots[0].item
                if row.stored is None or row.fields() != row.wanted:
                    saved.conflicts += [slot.name for slot in row.slots]
            continue
        for row, obj in batch:
            row.stored = obj
        count += len(batch)
    return count
