"""Where views differ: each question compared between groups of respondents (by role,
sector, governance layer, organisation and channel), whether each difference is unlikely to
be chance, how large it is, and each rating a workshop agreed beside the median of what
people answered on their own.

Groups smaller than the minimum group size never get a cell. Which test, which effect size
and the false-discovery rate are services.significance's; docs/results-method.md explains
them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from questions.models import Item
from workshops.models import AgendaItem, Assessment, Comparison, Respondent
from workshops.services.answer_rows import AnswerRow
from workshops.services.scores import share_well
from workshops.services.significance import (
    FALSE_DISCOVERY_RATE,
    LARGE_DELTA,
    LARGE_PERCENTAGE_POINTS,
    adjusted,
    cliffs_delta,
    rating_test,
    yes_no_test,
)

# How far, in points, an agreed rating may sit from the room's median before it is flagged.
CONSENSUS_GAP = 1

# Questionnaire against workshop votes: compared here only, so it is no Comparison (the
# results page's other parts do not group people by it).
CHANNEL = "Channel"
CHANNEL_GROUPS = {False: "Questionnaire", True: "Workshop"}
DIMENSIONS: list[str] = [*Comparison, CHANNEL]

# Groups as a sentence names them. Organisations keep their own names.
PLAIN_WORDS = {
    Comparison.ROLE: {
        "Coordinators": "coordinators",
        "Board members": "board members",
        "Other partners": "other partners",
    },
    Comparison.SECTOR: {
        "Public sector": "public sector partners",
        "Private sector": "private sector partners",
        "Third sector": "third sector partners",
    },
    Comparison.LAYER: {
        "Strategic (board)": "board-level members",
        "Executive": "executive-level partners",
        "Operational or thematic": "operational partners",
    },
    CHANNEL: {
        "Questionnaire": "people answering the questionnaire",
        "Workshop": "people voting in a workshop",
    },
}


def plain_group(dimension: str, group: str) -> str:
    """A group as a sentence names it: "board-level members", "people from Eastvale"."""
    if dimension == Comparison.ORGANISATION:
        return f"people from {group}" if group != "Not given" else "people naming no organisation"
    return PLAIN_WORDS.get(dimension, {}).get(group, group.lower())


@dataclass
class Gap:
    """One question compared between the shown groups of one dimension: its highest and
    lowest group, the test of the whole dimension, and the effect between those two."""

    item: Item
    basis: str
    dimension: str  # a Comparison, or CHANNEL
    high: tuple[str, float, int]  # group, mean or % yes, respondents
    low: tuple[str, float, int]
    kind: str  # "points" or "percentage points"
    groups: int = 2  # how many groups were compared
    test: str = ""
    p: float = 1.0
    # Adjusted for every comparison on the page (Benjamini–Hochberg): see adjust().
    q: float = 1.0
    # Ratings: Cliff's delta between the highest and lowest group, and each one's share
    # rating "performs well or better" (percent).
    delta: float | None = None
    shares: tuple[float, float] | None = None
    well: str = "performs well or better"

    @property
    def size(self) -> float:
        return self.high[1] - self.low[1]

    @property
    def share_gap(self) -> float:
        """Percentage points between the highest and lowest group's shares."""
        return self.shares[0] - self.shares[1] if self.shares else self.size

    @property
    def effect(self) -> float:
        """The size of the difference from 0 to 1, alike for both kinds: for yes/no answers
        Cliff's delta is the difference in shares."""
        return max(abs(self.delta or 0.0), abs(self.share_gap) / 100)

    @property
    def clear(self) -> bool:
        """Unlikely to be chance, the page's false-discovery rate held."""
        return self.q < FALSE_DISCOVERY_RATE

    @property
    def large(self) -> bool:
        return abs(self.share_gap) >= LARGE_PERCENTAGE_POINTS or abs(self.delta or 0) >= LARGE_DELTA

    @property
    def adjusted_p(self) -> str:
        """The adjusted p-value as a page prints it."""
        return "below 0.001" if self.q < 0.001 else f"{self.q:.3f}"

    @property
    def verdict(self) -> str:
        return "Unlikely to be chance" if self.clear else "Could be chance"

    @property
    def plain(self) -> str:
        (hg, hv, _), (lg, lv, _) = self.high, self.low
        hg, lg = plain_group(self.dimension, hg), plain_group(self.dimension, lg)
        if self.kind == "percentage points":
            return f"{hv:.0f}% of {hg} say yes; {lv:.0f}% of {lg}"
        hs, ls = self.shares or (0.0, 0.0)
        return (
            f"{hs:.0f}% of {hg} rate it {self.well} ({hv:.1f} on average); "
            f"{ls:.0f}% of {lg} ({lv:.1f})"
        )


@dataclass
class Consensus:
    item: Item
    basis: str
    agreed: int | str
    median: float | None
    workshop: str

    @property
    def flagged(self) -> bool:
        return (
            isinstance(self.agreed, int)
            and self.median is not None
            and abs(self.agreed - self.median) >= CONSENSUS_GAP
        )


def _group_of(row: AnswerRow, dimension: str) -> str:
    if dimension == CHANNEL:
        return CHANNEL_GROUPS[row.channel == Respondent.Channel.WORKSHOP]
    return row.groups[dimension]


def gaps_between_groups(
    item: Item,
    basis: str,
    rows: list[AnswerRow],
    min_group: int,
    anonymous: bool = False,
    well: str = "performs well or better",
) -> list[Gap]:
    """Each dimension's comparison of the question between its groups large enough to
    show, tested as a whole, with the highest and lowest group named.

    In an anonymous assessment a dimension is left out too when the groups left
    out hold fewer than the minimum between them: the question's overall figure
    less the groups shown would be their answers.
    """
    gaps = []
    yes_no = item.kind == Item.Kind.YES_NO
    for dimension in DIMENSIONS:
        values: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if yes_no and row.choice in ("yes", "no"):
                values[_group_of(row, dimension)].append(1 if row.choice == "yes" else 0)
            elif not yes_no and row.rating is not None:
                values[_group_of(row, dimension)].append(row.rating)
        shown = {group: v for group, v in values.items() if len(v) >= min_group}
        hidden = sum(len(v) for v in values.values() if len(v) < min_group)
        if len(shown) < 2 or (anonymous and 0 < hidden < min_group):
            continue
        gaps.append(_gap(item, basis, dimension, shown, yes_no, well))
    return gaps


def _gap(
    item: Item, basis: str, dimension: str, shown: dict[str, list[int]], yes_no: bool, well: str
) -> Gap:
    def summary(group: str) -> tuple[str, float, int]:
        v = shown[group]
        return group, (100 if yes_no else 1) * sum(v) / len(v), len(v)

    def share(group: str) -> float:
        return 100 * share_well(shown[group])

    order = sorted(shown, key=lambda g: (-summary(g)[1], -share(g) if not yes_no else 0, g))
    high, low = order[0], order[-1]
    if yes_no:
        tested = yes_no_test([(sum(v), len(v) - sum(v)) for v in shown.values()])
        return Gap(
            item,
            basis,
            dimension,
            summary(high),
            summary(low),
            "percentage points",
            groups=len(shown),
            test=tested.test,
            p=tested.p,
        )
    tested = rating_test(list(shown.values()))
    return Gap(
        item,
        basis,
        dimension,
        summary(high),
        summary(low),
        "points",
        groups=len(shown),
        test=tested.test,
        p=tested.p,
        delta=cliffs_delta(shown[high], shown[low]),
        shares=(share(high), share(low)),
        well=well,
    )


def adjust(gaps: list[Gap]) -> None:
    """Give every comparison on a page its Benjamini–Hochberg adjusted p-value, so that of
    the differences called clear at most ``FALSE_DISCOVERY_RATE`` are expected to be chance."""
    for gap, q in zip(gaps, adjusted([g.p for g in gaps]), strict=True):
        gap.q = q


def largest_first(gaps: list[Gap]) -> list[Gap]:
    return sorted(gaps, key=lambda g: (-g.effect, g.q, g.item.position, g.basis))


@dataclass
class Differences:
    """Every comparison on the page, and what "Where views differ" says of them: it leads
    with those both clear and large, and counts the rest in words."""

    every: list[Gap] = field(default_factory=list)  # largest first

    @property
    def leading(self) -> list[Gap]:
        return [g for g in self.every if g.clear and g.large]

    @property
    def clear_small(self) -> int:
        return sum(g.clear and not g.large for g in self.every)

    @property
    def large_chance(self) -> int:
        return sum(g.large and not g.clear for g in self.every)

    @property
    def neither(self) -> int:
        return sum(not g.large and not g.clear for g in self.every)

    @property
    def more(self) -> int:
        return len(self.every) - len(self.leading)


def widest_each(gaps: list[Gap]) -> list[Gap]:
    """The first gap given on each question and basis (the largest, as given), so a short
    list names each question once."""
    seen: set[tuple[int, str]] = set()
    kept = []
    for gap in gaps:
        if (gap.item.pk, gap.basis) not in seen:
            seen.add((gap.item.pk, gap.basis))
            kept.append(gap)
    return kept


def consensus_for(assessment: Assessment, medians: dict) -> list[Consensus]:
    """The latest agreed rating for each item, beside the individual median."""
    agreed = (
        AgendaItem.objects.filter(workshop__assessment=assessment, agreed_at__isnull=False)
        .select_related("item", "workshop")
        .order_by("item__position", "-agreed_at")
    )
    result, seen = [], set()
    for entry in agreed:
        if entry.item_id in seen:
            continue
        seen.add(entry.item_id)
        title = entry.workshop.title
        agreed = {"internal": entry.agreed_internal, "external": entry.agreed_external}
        for basis, value in agreed.items():
            if value is not None:
                median = medians.get((entry.item_id, basis))
                result.append(Consensus(entry.item, basis, value, median, title))
        if entry.agreed_choice:
            result.append(Consensus(entry.item, "", entry.agreed_choice, None, title))
    return result


# How the list of every difference may be sorted, by the word its address carries.
SORTS = {
    "size": "Largest first",
    "clear": "Clearest first",
    "question": "In question order",
}
KINDS = {"rating": "Ratings", "yes_no": "Yes or no"}
VERDICTS = {"clear": "Unlikely to be chance", "chance": "Could be chance"}
_UNITS = {"rating": "points", "yes_no": "percentage points"}


def listed(
    differences: Differences, dimension: str = "", kind: str = "", clear: str = "", sort: str = ""
) -> list[Gap]:
    """Every comparison, or those of one dimension, kind (``KINDS``) or verdict (``VERDICTS``),
    in one of ``SORTS`` (largest first unless told). A kind, verdict or sort the list does
    not know filters or sorts nothing."""
    gaps = [
        g
        for g in differences.every
        if not dimension or g.dimension == dimension
        if kind not in _UNITS or g.kind == _UNITS[kind]
        if clear not in VERDICTS or g.clear == (clear == "clear")
    ]
    if sort == "clear":
        return sorted(gaps, key=lambda g: (g.q, -g.effect, g.item.position))
    if sort == "question":
        return sorted(gaps, key=lambda g: (g.item.position, g.basis, DIMENSIONS.index(g.dimension)))
    return gaps
