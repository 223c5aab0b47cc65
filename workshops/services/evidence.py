"""Partners' evidence notes on one question, as the console shows them beside the item
the room is discussing.

A note is what a respondent wrote beside a rating in the questionnaire; only submitted
questionnaires count. A named assessment says who wrote each note, as the partnership's
list of people names them. An anonymous one names nobody, and shows the notes only once
enough people have answered the question that a note cannot point at one of them (the
threshold for anything people wrote, as for open answers in the results).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from questions.models import Item
from workshops.models import Assessment, EvidenceNote, Respondent
from workshops.services.answer_rows import comments_threshold


@dataclass
class Note:
    text: str
    who: str  # "Priya Shah, Eastvale District Council"; "" in an anonymous assessment


@dataclass
class ItemNotes:
    """An item's notes; ``notes`` is empty when they are withheld, and ``count`` says
    how many there are all the same."""

    count: int
    answered: int  # people whose submitted questionnaire answered the item
    needed: int  # how many must have answered before an anonymous assessment shows notes
    notes: list[Note] = field(default_factory=list)

    @property
    def withheld(self) -> bool:
        return bool(self.count) and not self.notes


def _who(respondent: Respondent) -> str:
    invited = respondent.invitation.person if respondent.invitation_id else None
    person = respondent.person or invited
    parts = [person.name if person else "", respondent.organisation]
    return ", ".join(part for part in parts if part)


def notes_for(assessment: Assessment, item: Item) -> ItemNotes:
    """The evidence notes partners wrote on ``item`` in their questionnaires."""
    submitted = Respondent.objects.filter(assessment=assessment, submitted_at__isnull=False)
    answered = submitted.filter(answers__item=item).distinct().count()
    notes = list(
        EvidenceNote.objects.filter(respondent__in=submitted, item=item)
        .exclude(text="")
        .select_related("respondent__person", "respondent__invitation__person")
        .order_by("respondent_id")
    )
    needed = comments_threshold(settings.MIN_GROUP_SIZE) if assessment.anonymous else 0
    result = ItemNotes(count=len(notes), answered=answered, needed=needed)
    if answered >= needed:
        result.notes = [
            Note(note.text, "" if assessment.anonymous else _who(note.respondent)) for note in notes
        ]
    return result
