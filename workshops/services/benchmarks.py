"""How other partnerships score: comparison groups by type of authority, by element and by
item, and this partnership's differences from them, each tested: is our figure unusual
among partnerships, or could the gap be chance?

Partnerships are never named, and a group is shown only when enough partnerships are in it
that none can be picked out. The test needs the spread of the partnerships' own figures;
it is worked out in memory from the figures already fetched and never handed out: a page
says only whether each gap is unlikely to be chance. docs/results-method.md explains why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q

from questions.models import Item
from workshops.models import Answer, Assessment, Partnership, Respondent
from workshops.services.scores import (
    mean,
    rating_aggregates,
    scores_by_element,
    shares_by_element,
)
from workshops.services.significance import (
    FALSE_DISCOVERY_RATE,
    LARGE_PERCENTAGE_POINTS,
    LARGE_STANDARDISED,
    Spread,
    adjusted,
    unusual,
)

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
    # section number -> mean of partnerships' element shares at 3 or 4 (0 to 1, whole %)
    shares: dict[int, float | None] = field(default_factory=dict)
    # The items' figures, unrounded and with their spread, for the tests of benchmark_gaps only. The
    # leading underscore keeps it from every template: Django's never reads such a name.
    _spreads: dict[tuple[str, str], Spread] = field(default_factory=dict, repr=False)


@dataclass
class BenchmarkGap:
    item: Item
    basis: str
    group: str
    ours: float
    theirs: float  # as shown
    unit: str  # "points" or "percentage points"
    # The test's p-value, adjusted among every gap from other partnerships, and the gap in
    # the others' standard deviations: for the verdict and the order only, never shown
    # (the leading underscores keep them from templates; see Benchmark._spreads).
    _p: float = field(default=1.0, repr=False)
    _q: float = field(default=1.0, repr=False)
    _standardised: float = field(default=0.0, repr=False)

    @property
    def size(self) -> float:
        return self.ours - self.theirs

    @property
    def clear(self) -> bool:
        """Our figure is unlikely to be chance among partnerships like the others, the rate
        of false discoveries held across every gap from them."""
        return self._q < FALSE_DISCOVERY_RATE

    @property
    def verdict(self) -> str:
        return "Unlikely to be chance" if self.clear else "Could be chance"

    @property
    def leads(self) -> bool:
        """Clear and large: a yes/no gap of at least LARGE_PERCENTAGE_POINTS as shown, a
        rating at least LARGE_STANDARDISED of the others' standard deviations away. Every
        clear rating gap is that far (test_significance checks it), so which rows lead
        says nothing of the others' spread beyond the verdicts shown."""
        if not self.clear:
            return False
        if self.unit == "percentage points":
            return abs(self.size) >= LARGE_PERCENTAGE_POINTS
        return abs(self._standardised) >= LARGE_STANDARDISED

    @property
    def plain(self) -> str:
        group = self.group[:1].lower() + self.group[1:]
        if self.unit == "percentage points":
            return f"{self.ours:.0f}% here say yes; {self.theirs:.0f}% across {group}"
        return f"Rated {self.ours:.1f} here; {self.theirs:.1f} across {group}"


def benchmarks_for(assessment: Assessment) -> list[Benchmark]:
    """How other partnerships that share their results score, by element and by item.

    Only partnerships support staff have verified count, each once: its latest
    assessment with at least MIN_GROUP_SIZE submitted questionnaires. The
    viewer's own partnership is never among them. Every figure needs at least
    MIN_BENCHMARK_PARTNERSHIPS partnerships behind it and is rounded as shown
    (one decimal for means, whole percentages), so that nobody can set up
    partnerships of their own and subtract them out to find another's figures.
    Partnerships are never named. Questionnaire answers only: workshops vary
    too much in who attends to compare across partnerships.
    """
    partnership = assessment.partnership
    if not partnership.share_benchmarks:
        return []
    others = Partnership.objects.filter(share_benchmarks=True, verified_at__isnull=False).exclude(
        pk=partnership.pk
    )
    types = dict(others.values_list("pk", "authority_type"))
    latest = latest_counted(others)
    answers = Answer.objects.filter(
        respondent__assessment_id__in=list(latest.values()),
        respondent__submitted_at__isnull=False,
    ).exclude(respondent__channel=WORKSHOP)
    owner = "respondent__assessment__partnership_id"
    ratings: dict[int, list] = defaultdict(list)
    for partnership_id, *rest in rating_aggregates(answers).values_list(
        owner, "item__section__number", "item__key", "basis", "avg", "n", "well"
    ):
        ratings[partnership_id].append(rest)
    percents: dict[int, dict[tuple[str, str], float]] = defaultdict(dict)
    for partnership_id, key, yes, n in (
        # Local questions are one partnership's own: never compared with another's.
        answers.filter(choice__in=["yes", "no"], item__kind=Item.Kind.YES_NO, item__local=False)
        .values_list(owner, "item__key")
        .annotate(yes=Count("id", filter=Q(choice="yes")), n=Count("id"))
        .order_by()
    ):
        percents[partnership_id][(key, "")] = 100 * yes / n
    figures = {}
    for p in latest:
        elements, items = scores_by_element(ratings[p])
        shares = {n: 100 * s for n, s in shares_by_element(ratings[p]).items() if s is not None}
        figures[p] = (elements, {**items, **percents[p]}, shares)
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
            sets = ((0, benchmark.elements), (1, benchmark.items), (2, benchmark.shares))
            for index, target in sets:
                keys = {k for p in members for k in figures[p][index]}
                for key in sorted(keys):
                    values = [
                        figures[p][index][key]
                        for p in members
                        if figures[p][index].get(key) is not None
                    ]
                    # Each figure on its own needs enough partnerships: a question only a
                    # few of them asked would otherwise give those few away.
                    if len(values) >= MIN_BENCHMARK_PARTNERSHIPS:
                        if index == 2:  # a share, as pages show it: a whole percentage
                            target[key] = as_shown(mean(values), 0) / 100
                        else:
                            percent = index == 1 and key[1] == ""
                            target[key] = as_shown(mean(values), 0 if percent else 1)
                            if index == 1:
                                benchmark._spreads[key] = Spread.of(values)
        result.append(benchmark)
    return result


def latest_counted(partnerships) -> dict[int, int]:
    """Each partnership's latest assessment with at least MIN_GROUP_SIZE submitted
    questionnaires, by partnership id, in two queries however many partnerships there are."""
    counted = (
        Respondent.objects.filter(
            assessment__partnership__in=partnerships, submitted_at__isnull=False
        )
        .exclude(channel=WORKSHOP)
        .values("assessment")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.MIN_GROUP_SIZE)
        .values("assessment")
    )
    latest: dict[int, int] = {}
    for assessment_id, partnership_id in (
        Assessment.objects.filter(pk__in=counted)
        .order_by("opens_on", "pk")
        .values_list("pk", "partnership_id")
    ):
        latest[partnership_id] = assessment_id
    return latest


def as_shown(value: float, places: int) -> float:
    """The value rounded as pages show it (halves up), so no more precision is ever handed out."""
    step = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def benchmark_gaps(results: Results) -> list[BenchmarkGap]:
    """This partnership against each comparison group, item by item, each tested against
    the spread of the group's partnerships (significance.unusual): those clear and large
    first, then largest first.

    The gaps are adjusted for false discoveries among themselves, not with the page's
    differences between groups of our own people, whose adjusted p-values are printed:
    Benjamini–Hochberg's adjusted value for one p-value is another's scaled, so theirs
    would carry these, and with them the others' spread.
    """
    ours: dict[tuple[str, str], tuple[Item, float | None, str]] = {}
    # A local question's key ("L1") means something else in every partnership: never matched.
    for r in results.ratings:
        if not r.item.local:
            ours[(r.item.key, r.basis)] = (r.item, r.mean, "points")
    for y in results.yes_no:
        if not y.item.local:
            ours[(y.item.key, "")] = (y.item, y.yes_percent, "percentage points")
    gaps = []
    for benchmark in results.benchmarks:
        if not benchmark.shown:
            continue
        for key, theirs in benchmark.items.items():
            item, mine, unit = ours.get(key, (None, None, ""))
            if item is not None and mine is not None and theirs is not None:
                spread = benchmark._spreads[key]
                gap = BenchmarkGap(item, key[1], benchmark.group, mine, theirs, unit)
                gap._standardised = spread.standardised(mine)
                gaps.append((gap, spread))
    tested = unusual([(gap.ours, spread) for gap, spread in gaps])
    for (gap, _), test, q in zip(gaps, tested, adjusted([t.p for t in tested]), strict=True):
        gap._p, gap._q = test.p, q
    # Ratings first, then yes/no questions; each kind clear and large first, then largest
    # difference first. Points on the 1 to 4 scale and percentage points are not one
    # measure, so neither kind may crowd out the other (see benchmark_tables). Never by
    # p-value: the order would give away how the others spread.
    return sorted(
        (gap for gap, _ in gaps),
        key=lambda g: (g.unit != "points", not g.leads, -abs(g.size), g.item.position),
    )


# Rows of each kind the results page shows; the rest are in the downloads, and it says so.
GAPS_SHOWN = 15


@dataclass
class GapTable:
    caption: str
    kind: str  # "rating" or "yes or no", as the page's "… more … rows" names them
    shown: list[BenchmarkGap]
    more: int
    compared: int  # rows in all, shown or not
    clear: int  # of them, unlikely to be chance


def benchmark_tables(gaps: list[BenchmarkGap]) -> list[GapTable]:
    """The results page's two tables of differences from other partnerships: ratings, then
    yes/no questions, each with those unlikely to be chance and large first, then the
    largest, and how many rows are left for the downloads."""
    tables = []
    for unit, caption, kind in (
        ("points", "Ratings compared with other partnerships", "rating"),
        ("percentage points", "Yes or no questions compared with other partnerships", "yes or no"),
    ):
        rows = [g for g in gaps if g.unit == unit]
        if rows:
            caption += ": unlikely to be chance and large first, then largest difference first"
            tables.append(
                GapTable(
                    caption,
                    kind,
                    rows[:GAPS_SHOWN],
                    len(rows[GAPS_SHOWN:]),
                    len(rows),
                    sum(g.clear for g in rows),
                )
            )
    return tables
