"""Answering a questionnaire: who may answer, saving answers, submitting.

Saving reads the stored answers it touches and writes each only if it is still
the version the page was based on, so a second window never quietly replaces
what another stored; sending again what is stored is taken, so a double click or
a retry after a dropped connection stores one answer. One answer costs the same
few queries however long the questionnaire is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from questions.models import Item, Section
from workshops import audit
from workshops.models import (
    Answer,
    Assessment,
    Basis,
    EvidenceNote,
    Invitation,
    Person,
    Respondent,
    User,
)
from workshops.models.slots import Base, Slot, initial_from
from workshops.services.assessment import render_email


class QuestionnaireError(Exception):
    """The answer cannot be taken; the message says why, for the person answering."""


def editable_problem(assessment: Assessment, respondent: Respondent | None) -> str | None:
    """Why answers cannot be changed now, or None when they can."""
    status = assessment.status()
    if status == "not_open":
        return f"This questionnaire opens on {assessment.opens_on:%-d %B %Y}."
    if status == "closed":
        return f"This questionnaire closed on {assessment.closes_on:%-d %B %Y}."
    if respondent is not None and respondent.is_submitted:
        return "You have submitted your answers, so they can no longer be changed."
    return None


def respondent_for_invitation(invitation: Invitation, channel: str, entered_by=None) -> Respondent:
    """The invitee's response, created on their first answer (safe against a race)."""
    try:
        respondent = invitation.respondent
    except Respondent.DoesNotExist:
        pass
    else:
        respondent.assessment = invitation.assessment  # already loaded: no second query
        return respondent
    attributes = Respondent.attributes_of(invitation.person)
    try:
        with transaction.atomic():
            respondent = Respondent.objects.create(
                assessment=invitation.assessment,
                invitation=invitation,
                channel=channel,
                entered_by=entered_by,
                **attributes,
            )
    except IntegrityError:
        respondent = Respondent.objects.get(invitation=invitation)
    invitation.respondent = respondent
    return respondent


def _unlinked_paper_returns(assessment: Assessment, person: Person):
    return assessment.respondents.filter(
        channel=Respondent.Channel.PAPER, invitation=None, person=person, submitted_at=None
    )


def find_respondent(
    assessment: Assessment, invitation: Invitation | None, person: Person | None
) -> Respondent | None:
    """The response being answered, or None before the first answer.

    Without an invitation (a paper return in an anonymous assessment) it is the
    paper return being entered for the person, never their online response.
    """
    if invitation is None:
        respondent = _unlinked_paper_returns(assessment, person).order_by("pk").first()
    elif invitation.pk is None:
        return None
    else:
        try:
            respondent = invitation.respondent
        except Respondent.DoesNotExist:
            return None
    if respondent is not None:
        respondent.assessment = assessment
    return respondent


def start_respondent(
    assessment: Assessment,
    invitation: Invitation | None,
    person: Person,
    channel: str,
    entered_by: User | None = None,
) -> Respondent:
    """The response the first answer goes to, created then (never on a mere visit)."""
    if invitation is None:
        respondent = find_respondent(assessment, None, person)
        if respondent is None:
            respondent = Respondent.objects.create(
                assessment=assessment,
                channel=channel,
                person=person,
                entered_by=entered_by,
                **Respondent.attributes_of(person),
            )
            respondent.assessment = assessment
        return respondent
    if invitation.pk is None:
        # A named paper return: the invitation is stored with the first answer.
        invitation, _ = Invitation.objects.get_or_create(assessment=assessment, person=person)
        invitation.assessment, invitation.person = assessment, person
    return respondent_for_invitation(invitation, channel, entered_by)


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
class _Row:
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


def _rows(values: dict[Slot, str | bool]) -> dict[tuple, _Row]:
    """The write's slots by the row they are stored in: an open answer and its
    "not applicable" box share one answer."""
    rows: dict[tuple, _Row] = {}
    for slot in values:
        note = slot.part == "note"
        basis = "" if slot.part in ("", "na") else slot.part
        key = (note, slot.item.pk, basis)
        rows.setdefault(key, _Row([], note, basis)).slots.append(slot)
    return rows


def _wanted(row: _Row, values: dict[Slot, str | bool]) -> dict | None:
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


def _is_stale(row: _Row, bases: dict[Slot, Base], values: dict[Slot, str | bool]) -> bool:
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
    created: list[tuple[_Row, Answer | EvidenceNote]] = []
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


def _load(respondent: Respondent, rows: dict[tuple, _Row]) -> None:
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


def _new(respondent: Respondent, row: _Row) -> Answer | EvidenceNote:
    item = row.slots[0].item
    if row.note:
        return EvidenceNote(respondent=respondent, item=item, **row.wanted)
    return Answer(respondent=respondent, item=item, basis=row.basis, **row.wanted)


def _write(row: _Row) -> bool:
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


def _reread(row: _Row) -> bool:
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


def submit(respondent: Respondent, *, by: User | None = None) -> None:
    """Submit the response. ``by`` is whoever entered a paper return, for the audit
    log; partners submitting through their own link are not in it."""
    problem = editable_problem(respondent.assessment, respondent)
    if problem:
        raise QuestionnaireError(problem)
    # Named before an anonymous paper return lets go of the person.
    person = respondent.person or (respondent.invitation and respondent.invitation.person)
    submitted = {"submitted_at": timezone.now()}
    if respondent.invitation_id is None and respondent.assessment.anonymous:
        # A paper return in an anonymous assessment is held against the person's
        # name only while it is being entered.
        submitted["person"] = None
    # A conditional update, so two submits racing record one submission time.
    if Respondent.objects.filter(pk=respondent.pk, submitted_at=None).update(**submitted):
        audit.record(
            "paper_return.submitted",
            by=by,
            partnership=respondent.assessment.partnership,
            target=f"Paper return of {person} to “{respondent.assessment}”",
            data={"respondent": respondent.pk, "person": str(person)},
        )
    respondent.refresh_from_db(fields=["submitted_at", "person"])


def email_copy(respondent: Respondent, address: str) -> None:
    """Send the person a copy of what they submitted: once submitted, their link
    shows only that they have, so the answers are not readable by whoever has it."""
    answers = list(respondent.answers.select_related("item").order_by("item__position", "basis"))
    notes = dict(respondent.evidence_notes.values_list("item_id", "text"))
    lines = []
    for answer in answers:
        basis = f" ({Basis(answer.basis).short.lower()})" if answer.basis else ""
        lines.append((answer.item, f"{answer.display}{basis}", notes.pop(answer.item_id, "")))
    context = {
        "assessment": respondent.assessment,
        "partnership": respondent.assessment.partnership,
        "submitted_at": respondent.submitted_at,
        "lines": lines,
    }
    subject, body = render_email("answers_copy", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=False)


@dataclass
class OutlineSection:
    section: Section
    items: list[Item]
    questions: list[tuple[Item, list[Item]]]
    slots: int


def outline(assessment: Assessment) -> list[OutlineSection]:
    """The sections an assessment asks, with their items, in instrument order (one query)."""
    result: list[OutlineSection] = []
    for item in assessment.items.select_related("section").order_by("position"):
        if not result or result[-1].section.pk != item.section_id:
            result.append(OutlineSection(item.section, [], [], 0))
        current = result[-1]
        current.items.append(item)
        if item.parent_id and current.questions and current.questions[-1][0].pk == item.parent_id:
            current.questions[-1][1].append(item)
        else:
            current.questions.append((item, []))
    for entry in result:
        entry.slots = assessment.slots_per_respondent(entry.items)
    return result


def answered_by_section(respondent: Respondent | None) -> dict[int, int]:
    """How many answers the respondent has given in each section, by section id."""
    if respondent is None or respondent.pk is None:
        return {}
    rows = (
        respondent.answers.values("item__section_id")
        .annotate(n=Count("id"))
        .values_list("item__section_id", "n")
    )
    return dict(rows)


def stored_answers(respondent: Respondent | None, items: list[Item]) -> dict[str, str | bool]:
    """Form initial data for these items from what the respondent has stored."""
    if respondent is None or respondent.pk is None:
        return {}
    answers = list(respondent.answers.filter(item__in=items).select_related("item"))
    notes = list(respondent.evidence_notes.filter(item__in=items).select_related("item"))
    return initial_from(answers, notes, items)
