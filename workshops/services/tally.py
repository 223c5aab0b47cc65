"""How the room voted: how many have voted on the current item, and each item's tally
(with what the remote questionnaire said beside it).

Screens ask for the current item's tally only once results are revealed, so no
response to a participant or the presenter carries votes before then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from questions.models import Item
from workshops.models import AgendaItem, Answer, Basis, Respondent, Workshop
from workshops.services.voting import vote_options, vote_slots, votes


def progress(workshop: Workshop) -> tuple[int, int]:
    """How many have joined, and how many of them have voted on the current item."""
    joined = Respondent.objects.filter(workshop=workshop).count()
    voted = 0
    if workshop.current_id:
        voted = votes(workshop.current).values("respondent").distinct().count()
    return joined, voted


@dataclass
class OptionCount:
    """How many chose one option on the ballot, and what share of the answers that is."""

    label: str
    count: int
    percent: int


@dataclass
class Distribution:
    basis: str
    label: str
    rows: list[OptionCount]
    total: int
    withheld: bool = False

    @property
    def most_common(self) -> list[str]:
        top = max((row.count for row in self.rows), default=0)
        return [row.label for row in self.rows if top and row.count == top]


@dataclass
class Group:
    key: str  # "room" or "remote"
    title: str
    distributions: list[Distribution]


@dataclass
class Tally:
    room: list[Distribution] = field(default_factory=list)
    remote: list[Distribution] = field(default_factory=list)
    min_group: int = 0

    @property
    def groups(self) -> list[Group]:
        groups = [Group("room", "In the room", self.room)]
        if self.remote:
            groups.append(Group("remote", "In the remote questionnaire", self.remote))
        return groups

    # The console's count: one table, a column for each distribution shown.

    @property
    def columns(self) -> list[tuple[Group, Distribution]]:
        return [(g, d) for g in self.groups for d in g.distributions if not d.withheld]

    @property
    def rows(self) -> list[tuple[str, list[OptionCount]]]:
        """Each answer on the ballot with its count in every column."""
        shown = [dist for _, dist in self.columns]
        if not shown:
            return []
        return [
            (row.label, [dist.rows[n] for dist in shown]) for n, row in enumerate(shown[0].rows)
        ]

    @property
    def withheld(self) -> list[tuple[Group, Distribution]]:
        return [(g, d) for g in self.groups for d in g.distributions if d.withheld]


def _distributions(
    workshop: Workshop, item: Item, answers, *, min_group: int = 0
) -> list[Distribution]:
    counts: dict[str, Counter] = {basis: Counter() for basis in vote_slots(workshop, item)}
    for row in answers.values("basis", "rating", "choice").annotate(n=Count("id")):
        value = str(row["rating"]) if row["rating"] is not None else row["choice"]
        if row["basis"] in counts:
            counts[row["basis"]][value] += row["n"]
    result = []
    for basis, counter in counts.items():
        total = sum(counter.values())
        rows = [
            OptionCount(label, counter[key], round(100 * counter[key] / total) if total else 0)
            for key, label in vote_options(workshop, item)
        ]
        withheld = bool(min_group) and total < min_group
        result.append(
            Distribution(basis, Basis.ballot(basis), [] if withheld else rows, total, withheld)
        )
    return result


def tally(workshop: Workshop, agenda_item: AgendaItem | None = None) -> Tally:
    """An item's votes (the current one by default), and what the remote
    questionnaire said beside them.

    Screens call this for the current item only once results are revealed:
    before that no response to a participant or the presenter carries them.
    """
    agenda_item = agenda_item or workshop.current
    if agenda_item is None or agenda_item.item.kind == Item.Kind.OPEN:
        return Tally()
    item = agenda_item.item
    result = Tally(room=_distributions(workshop, item, votes(agenda_item)))
    if workshop.show_remote:
        assessment = workshop.assessment
        remote = Answer.objects.filter(
            respondent__assessment=assessment, item=item, respondent__submitted_at__isnull=False
        ).exclude(respondent__channel=Respondent.Channel.WORKSHOP)
        # An anonymous assessment never shows a group smaller than the minimum.
        min_group = settings.MIN_GROUP_SIZE if assessment.anonymous else 0
        result.remote = _distributions(workshop, item, remote, min_group=min_group)
        result.min_group = min_group
    return result
