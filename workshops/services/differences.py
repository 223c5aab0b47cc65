"""Where views differ: the widest gap between groups of respondents on each question, and
each rating a workshop agreed beside the median of what people answered on their own.

Groups smaller than the minimum group size never get a cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from questions.models import Item
from workshops.models import AgendaItem, Assessment, Comparison
from workshops.services.answer_rows import AnswerRow

# How far, in points, an agreed rating may sit from the room's median before it is flagged.
CONSENSUS_GAP = 1


@dataclass
class Gap:
    item: Item
    basis: str
    dimension: Comparison
    high: tuple[str, float, int]  # group, value, respondents
    low: tuple[str, float, int]
    kind: str  # "points" or "percentage points"

    @property
    def size(self) -> float:
        return self.high[1] - self.low[1]

    @property
    def plain(self) -> str:
        (hg, hv, _), (lg, lv, _) = self.high, self.low
        # "coordinators", "public sector" read as ordinary words; organisations keep their names.
        if self.dimension != Comparison.ORGANISATION:
            hg, lg = hg.lower(), lg.lower()
        if self.kind == "percentage points":
            return f"{hv:.0f}% of {hg} say yes; {lv:.0f}% of {lg}"
        return f"{hg[:1].upper()}{hg[1:]} rate it {hv:.1f} on average; {lg} {lv:.1f}"


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


def gaps_between_groups(
    item: Item, basis: str, rows: list[AnswerRow], min_group: int, anonymous: bool = False
) -> list[Gap]:
    """The widest difference between groups on each dimension, groups too small left out.

    In an anonymous assessment a dimension is left out too when the groups left
    out hold fewer than the minimum between them: the question's overall figure
    less the groups shown would be their answers.
    """
    gaps = []
    yes_no = item.kind == Item.Kind.YES_NO
    for dimension in Comparison:
        values: dict[str, list[float]] = defaultdict(list)
        for row in rows:
            if yes_no and row.choice in ("yes", "no"):
                values[row.groups[dimension]].append(100.0 if row.choice == "yes" else 0.0)
            elif not yes_no and row.rating is not None:
                values[row.groups[dimension]].append(row.rating)
        shown = [
            (group, sum(v) / len(v), len(v)) for group, v in values.items() if len(v) >= min_group
        ]
        hidden = sum(len(v) for v in values.values() if len(v) < min_group)
        if len(shown) < 2 or (anonymous and 0 < hidden < min_group):
            continue
        shown.sort(key=lambda g: (-g[1], g[0]))
        gap = Gap(
            item, basis, dimension, shown[0], shown[-1], "percentage points" if yes_no else "points"
        )
        if gap.size > 0:
            gaps.append(gap)
    return gaps


def widest_each(gaps: list[Gap]) -> list[Gap]:
    """The first gap given on each question and basis (the widest, as results sort them),
    so a short list names each question once."""
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
