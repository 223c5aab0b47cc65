"""What people wrote beside their answers, and which of it may be shown: open answers, and the
comment or evidence note a partner may add to a rating.

One rule, shared by the results page, the answers export, the plan PDF and the workshop
console: in an anonymous assessment nothing written is shown until at least the comments'
minimum have answered (what people write can point at them), and beside each comment only
the descriptions of its writer that every combination shown shares with that many people; in
a named assessment each comment says the writer's role, sector and layer where that group is
at least the minimum group size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from questions.models import Item
from workshops.models import Assessment, Comparison, EvidenceNote
from workshops.services.answer_rows import (
    DESCRIBED,
    AnswerRow,
    answer_rows,
    comments_threshold,
    counted_respondents,
    described_groups,
    group_sizes,
    kept_dimensions,
)


@dataclass
class Comment:
    """Something a respondent wrote: an open answer or a note on a rating."""

    text: str
    who: str  # role group, sector and layer, or "" when that group is too small to show


@dataclass
class CommentRule:
    """Whether comments may be shown at all, and what may be said of who wrote each."""

    anonymous: bool
    min_group: int
    # Why no comment is shown (too few people in an anonymous assessment), or "".
    withheld: str
    writers: dict[int, AnswerRow]  # respondent -> one of their answers, for who they are
    sizes: dict[tuple[Comparison, str], int]
    shown: list[Comparison]  # in an anonymous assessment, the descriptions kept
    _described: dict[int, str] = field(default_factory=dict)

    def who(self, respondent: int) -> str:
        if respondent not in self._described:
            row = self.writers[respondent]
            if self.anonymous:
                parts = [row.groups[d] for d in self.shown]
            else:
                parts = described_groups(row, self.sizes, self.min_group, anonymous=False)
            self._described[respondent] = ", ".join(p for p in parts if p)
        return self._described[respondent]

    def comment(self, respondent: int, text: str) -> Comment | None:
        """What is shown of one written answer or note, or None when it may not be."""
        if self.withheld or not text.strip() or respondent not in self.writers:
            return None
        return Comment(text, self.who(respondent))


def comment_rule(
    assessment: Assessment, rows: list[AnswerRow], min_group: int, min_comments: int | None = None
) -> CommentRule:
    """The rule for an assessment's comments, from every answer its results count."""
    writers = {row.respondent: row for row in rows}
    withheld, shown = "", list(DESCRIBED)
    if assessment.anonymous:
        least = comments_threshold(min_group, min_comments)
        # People, not responses: someone who answered both ways is one voice.
        people = {row.voice: row.groups for row in rows}
        if len(people) < least:
            withheld = (
                f"Open answers are shown once at least {least} people have answered, "
                "to keep the assessment anonymous."
            )
        shown = kept_dimensions(people, list(DESCRIBED), least)
    return CommentRule(assessment.anonymous, min_group, withheld, writers, group_sizes(rows), shown)


def note_rows(assessment: Assessment, channel: str = "all") -> list[tuple[int, int, str]]:
    """(respondent, item, text) of every evidence note by someone whose answers count, in
    item order. One query."""
    notes = EvidenceNote.objects.filter(
        respondent__in=counted_respondents(assessment, channel)
    ).exclude(text="")
    return list(
        notes.order_by("item__position", "respondent_id").values_list(
            "respondent_id", "item_id", "text"
        )
    )


def notes_for(
    assessment: Assessment,
    item: Item,
    min_group: int | None = None,
    min_comments: int | None = None,
) -> tuple[list[Comment], str]:
    """The evidence notes on one item that may be shown, each with who wrote it as far as the
    rule allows, and why none are shown when they are withheld ("" otherwise). The minimums
    are the site's unless given."""
    min_group = settings.MIN_GROUP_SIZE if min_group is None else min_group
    rule = comment_rule(assessment, answer_rows(assessment), min_group, min_comments)
    notes = EvidenceNote.objects.filter(
        item=item, respondent__in=counted_respondents(assessment)
    ).order_by("respondent_id")
    shown = [
        rule.comment(respondent, text)
        for respondent, text in notes.values_list("respondent_id", "text")
    ]
    return [c for c in shown if c is not None], rule.withheld
