"""Local questions: a few questions of a partnership's own, added to one assessment.

A local question is an ``Item`` of the assessment's bank version marked ``local``, asked
only by that assessment, so the questionnaire, paper returns, imports, the agenda,
results and exports take it as they take the instrument's own. Its key is "L1", "L2", …
within the assessment; it sits after the instrument's questions of the section it is
placed in. Comparisons with other partnerships and trends across assessments leave
local questions out: "L1" of one round is not "L1" of another.

Once anyone has answered one, it is neither changed nor removed: the answers would
otherwise lose the question they were given to.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError

from questions.models import Item, Section
from workshops import audit
from workshops.models import Assessment, User

# Enough for a partnership's own concerns, few enough that the instrument stays the
# heart of the assessment (said on the assessment's page).
LIMIT = 10
# Local questions follow the instrument's in their section: the bank's own positions
# stay far below this.
FIRST_POSITION = 1000


class LocalQuestionError(Exception):
    """The change breaks a rule; the message says which, for the coordinator."""


def local_questions(assessment: Assessment) -> list[Item]:
    return list(assessment.items.filter(local=True).select_related("section").order_by("position"))


def times_answered(item: Item) -> int:
    """How many answers (online, on paper, imported or voted in a room) the question has."""
    return item.answers.count()


def _locked(assessment: Assessment) -> Assessment:
    # One change at a time per assessment: numbers are given out under this lock, and a
    # double submit finds the question the first submit added.
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _section(assessment: Assessment, section_number: int) -> Section:
    if section_number == Section.LOCAL_NUMBER:
        return Section.local_section(assessment.bank)
    section = assessment.bank.sections.filter(number=section_number, local=False).first()
    if section is None:
        raise LocalQuestionError("Choose where the question goes.")
    return section


def _check(text: str, kind: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise LocalQuestionError("Enter the question.")
    if kind not in Item.Kind.values:
        raise LocalQuestionError("Choose the kind of answer the question takes.")
    return text


def _target(assessment: Assessment, item: Item) -> str:
    return f"Local question {item.key} of “{assessment}”"


@transaction.atomic
def add_local_question(
    assessment: Assessment, *, text: str, kind: str, section_number: int, by: User | None = None
) -> Item:
    """Add a question to the assessment; the same question submitted twice is added once."""
    assessment = _locked(assessment)
    text = _check(text, kind)
    if assessment.status() == "closed":
        raise LocalQuestionError("This assessment has closed, so no questions can be added.")
    section = _section(assessment, section_number)
    existing = local_questions(assessment)
    for item in existing:
        if item.text == text and item.kind == kind and item.section_id == section.pk:
            return item
    if len(existing) >= LIMIT:
        raise LocalQuestionError(
            f"An assessment can have at most {LIMIT} local questions. "
            "Remove one before adding another."
        )
    number = max((i.local_number for i in existing), default=0) + 1
    item = Item.objects.create(
        bank=assessment.bank,
        section=section,
        key=f"L{number}",
        text=text,
        kind=kind,
        investigate_when=Item.Trigger.NO if kind == Item.Kind.YES_NO else "",
        position=FIRST_POSITION + number,
        local=True,
    )
    assessment.items.add(item)
    audit.record(
        "local_question.added",
        by=by,
        partnership=assessment.partnership,
        target=_target(assessment, item),
        data={"assessment": assessment.pk, "key": item.key, "text": text, "kind": kind},
    )
    return item


def _refuse_if_answered(item: Item, doing: str) -> None:
    answers = times_answered(item)
    if answers:
        raise LocalQuestionError(
            f"{item.key} already has {answers} answer{'s' if answers != 1 else ''}, so it "
            f"cannot be {doing}: the answers would no longer match the question."
        )


@transaction.atomic
def change_local_question(
    assessment: Assessment,
    item: Item,
    *,
    text: str,
    kind: str,
    section_number: int,
    by: User | None = None,
) -> Item:
    assessment = _locked(assessment)
    text = _check(text, kind)
    section = _section(assessment, section_number)
    if (text, kind, section.pk) == (item.text, item.kind, item.section_id):
        return item  # nothing changed (or a second submit of the same change)
    _refuse_if_answered(item, "changed")
    was = {"text": item.text, "kind": item.kind, "section": item.section.number}
    item.text, item.kind, item.section = text, kind, section
    item.investigate_when = Item.Trigger.NO if kind == Item.Kind.YES_NO else ""
    item.save(update_fields=["text", "kind", "section", "investigate_when"])
    audit.record(
        "local_question.changed",
        by=by,
        partnership=assessment.partnership,
        target=_target(assessment, item),
        data={
            "assessment": assessment.pk,
            "key": item.key,
            "text": text,
            "kind": kind,
            "section": section.number,
            "was": was,
        },
    )
    return item


@transaction.atomic
def remove_local_question(assessment: Assessment, item: Item, *, by: User | None = None) -> None:
    assessment = _locked(assessment)
    _refuse_if_answered(item, "removed")
    key, text = item.key, item.text
    assessment.items.remove(item)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise LocalQuestionError(
            f"{key} is on a workshop's agenda or in the improvement plan, so it cannot be "
            "removed. Take it off the agenda first."
        ) from None
    audit.record(
        "local_question.removed",
        by=by,
        partnership=assessment.partnership,
        target=f"Local question {key} of “{assessment}”",
        data={"assessment": assessment.pk, "key": key, "text": text},
    )
