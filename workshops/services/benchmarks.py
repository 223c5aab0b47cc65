"""How other partnerships score: comparison groups by type of authority, by element and by
item, and this partnership's largest differences from them.

Partnerships are never named, and a group is shown only when enough partnerships are in it
that none can be picked out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q

from questions.models import Item
from workshops.models import Answer, Assessment, Partnership, Respondent
from workshops.services.scores import mean, rating_aggregates, scores_by_element

if TYPE_CHECKING:
    from workshops.services.results import Results

WORKSHOP = Respondent.Channel.WORKSHOP

# Comparisons with other partnerships need this many of them, so none can be picked out.
MIN_BENCHMARK_PARTNERSHIPS = 5

# The report compares counties, metropolitan districts and London boroughs
# with districts and unitaries.
AUTHORITY_GROUPS = {
    Partnership.AuthorityType.COUNTY: "Counties, metropolitan districts and London boroughs",
    Partnership.AuthorityType.METROPOLITAN: "Counties, metropolitan districts and London boroughs",
    Partnership.AuthorityType.LONDON: "Counties, metropolitan districts and London boroughs",
    Partnership.AuthorityType.DISTRICT: "Districts and unitaries",
    Partnership.AuthorityType.UNITARY: "Districts and unitaries",
}


@dataclass
class Benchmark:
    group: str
    partnerships: int
    elements: dict[int, float | None]  # section number -> mean of partnerships' scores
    shown: bool
    # (item key, basis) -> mean of partnerships' item means, or of their % yes
    items: dict[tuple[str, str], float | None] = field(default_factory=dict)


@dataclass
class BenchmarkGap:
    item: Item
    basis: str
    group: str
    ours: float
    theirs: float
    unit: str  # "points" or "percentage points"

    @property
    def size(self) -> float:
        return self.ours - self.theirs

    @property
    def plain(self) -> str:
        group = self.group[:1].lower() + self.group[1:]
        if self.unit == "percentage points":
            return f"{self.ours:.0f}% here say yes; {self.theirs:.0f}% across {group}"
        return f"Rated {self.ours:.1f} here; {self.theirs:.1f} across {group}"


def benchmarks_for(assessment: Assessment) -> list[Benchmark]:
    """How other partnerships that share their results score, by element and by item.

    Each partnership counts once (its latest assessment with answers), and a
    comparison group is shown only when at least MIN_BENCHMARK_PARTNERSHIPS
    partnerships are in it. Partnerships are never named. Questionnaire answers
    only: workshops vary too much in who attends to compare across partnerships.
    """
    partnership = assessment.partnership
    if not partnership.share_benchmarks:
        return []
    answers = (
        Answer.objects.filter(
            respondent__assessment__partnership__share_benchmarks=True,
            respondent__submitted_at__isnull=False,
        )
        .exclude(respondent__assessment__partnership=partnership)
        .exclude(respondent__channel=WORKSHOP)
    )
    owner = ("respondent__assessment__partnership_id", "respondent__assessment_id")
    ratings = rating_aggregates(answers).values_list(
        *owner, "item__section__number", "item__key", "basis", "avg", "n"
    )
    yes_no = (
        answers.filter(choice__in=["yes", "no"], item__kind=Item.Kind.YES_NO)
        .values_list(*owner, "item__key")
        .annotate(yes=Count("id", filter=Q(choice="yes")), n=Count("id"))
        .order_by()
    )
    opened = dict(
        Assessment.objects.filter(partnership__share_benchmarks=True).values_list("pk", "opens_on")
    )
    types = dict(
        Partnership.objects.filter(share_benchmarks=True).values_list("pk", "authority_type")
    )
    grouped: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    percents: dict[int, dict[tuple[str, str], float]] = defaultdict(dict)
    latest: dict[int, int] = {}
    for partnership_id, assessment_id, *rest in ratings:
        grouped[partnership_id][assessment_id].append(rest)
        current = latest.get(partnership_id)
        if current is None or opened[assessment_id] > opened[current]:
            latest[partnership_id] = assessment_id
    for partnership_id, assessment_id, key, yes, n in yes_no:
        latest.setdefault(partnership_id, assessment_id)
        if assessment_id == latest[partnership_id]:
            percents[partnership_id][(key, "")] = 100 * yes / n
    figures = {}
    for p, a in latest.items():
        elements, items = scores_by_element(grouped[p][a])
        figures[p] = (elements, {**items, **percents[p]})
    own_group = AUTHORITY_GROUPS[partnership.authority_type]
    comparisons = [
        ("All participating partnerships", list(figures)),
        (own_group, [p for p in figures if AUTHORITY_GROUPS[types[p]] == own_group]),
    ]
    result = []
    for label, members in comparisons:
        shown = len(members) >= MIN_BENCHMARK_PARTNERSHIPS
        benchmark = Benchmark(label, len(members), {}, shown)
        if shown:
            for index, target in ((0, benchmark.elements), (1, benchmark.items)):
                keys = {k for p in members for k in figures[p][index]}
                for key in sorted(keys):
                    values = [
                        figures[p][index][key]
                        for p in members
                        if figures[p][index].get(key) is not None
                    ]
                    target[key] = mean(values)
        result.append(benchmark)
    return result


def benchmark_gaps(results: Results) -> list[BenchmarkGap]:
    """This partnership against each comparison group, item by item, largest first."""
    ours: dict[tuple[str, str], tuple[Item, float | None, str]] = {}
    for r in results.ratings:
        ours[(r.item.key, r.basis)] = (r.item, r.mean, "points")
    for y in results.yes_no:
        ours[(y.item.key, "")] = (y.item, y.yes_percent, "percentage points")
    gaps = []
    for benchmark in results.benchmarks:
        if not benchmark.shown:
            continue
        for key, theirs in benchmark.items.items():
            item, mine, unit = ours.get(key, (None, None, ""))
            if item is not None and mine is not None and theirs is not None:
                gaps.append(BenchmarkGap(item, key[1], benchmark.group, mine, theirs, unit))
    return sorted(gaps, key=lambda g: (g.unit, -abs(g.size), g.item.position))
