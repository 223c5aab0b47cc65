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

    @property
    def side_by_side(self) -> SideBySide:
        return side_by_side(self)


# --- The projector's chart ---------------------------------------------------
# A projector has room for one chart: the answers down the side, written once,
# and a column of bars for each basis, the remote questionnaire's beside the
# room's. Two charts each with their own labels do not fit beside each other
# at 1280 x 720 in type the back of a room can read.


@dataclass
class ChartCell:
    """How many gave one answer in one of the chart's columns."""

    count: int
    percent: int
    group: str  # "room" or "remote": the bar's colour
    top: bool  # among the answers most chose in this column


@dataclass
class ChartColumn:
    basis: str  # "Against our own plans", or "Answer" for a yes/no question
    group: str  # "In the room" or "Remote"
    summary: str  # the column in one sentence, for a screen reader


@dataclass
class ChartAnswer:
    label: str
    cells: list[ChartCell]


@dataclass
class SideBySide:
    columns: list[ChartColumn]
    answers: list[ChartAnswer]
    withheld: list[str]  # columns too small to show, said in words

    @property
    def beside_remote(self) -> bool:
        return any(column.group == "Remote" for column in self.columns)

    @property
    def bases(self) -> list[tuple[str, int]]:
        """Each basis once, with how many columns it spans."""
        spans: dict[str, int] = {}
        for column in self.columns:
            spans[column.basis] = spans.get(column.basis, 0) + 1
        return list(spans.items())


def side_by_side(votes: Tally) -> SideBySide:
    shown: list[tuple[str, Distribution]] = []
    withheld = []
    remote = dict(enumerate(votes.remote))
    for index, room in enumerate(votes.room):
        shown.append(("room", room))
        beside = remote.get(index)
        if beside is None:
            continue
        if beside.withheld:
            withheld.append(
                f"{beside.label}. In the remote questionnaire: fewer than {votes.min_group} "
                "answers, not shown to keep the assessment anonymous."
            )
        else:
            shown.append(("remote", beside))
    columns = []
    for group, dist in shown:
        where = "In the room" if group == "room" else "In the remote questionnaire"
        summary = f"{dist.label}. {where}: {dist.total} answer{'' if dist.total == 1 else 's'}"
        if dist.most_common:
            summary += f"; most chose {' and '.join(dist.most_common)}"
        basis = Basis.column(dist.basis) or "Answer"
        columns.append(
            ChartColumn(basis, "In the room" if group == "room" else "Remote", summary + ".")
        )
    answers = []
    if shown:
        for index, option in enumerate(shown[0][1].rows):
            cells = [
                ChartCell(
                    dist.rows[index].count,
                    dist.rows[index].percent,
                    group,
                    dist.rows[index].label in dist.most_common,
                )
                for group, dist in shown
            ]
            answers.append(ChartAnswer(option.label, cells))
    return SideBySide(columns, answers, withheld)


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
