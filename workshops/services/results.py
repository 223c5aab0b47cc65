"""Results of an assessment: item statistics, element scores, where views differ,
consensus against individuals, what to investigate, trends and benchmarks.

Everything is computed in Python from a handful of queries that do not grow
with respondents or items: one for the items, one for every answer (a values
list), one for agreed ratings, two for earlier assessments and one for
benchmarks. Groups smaller than the minimum group size never get a cell.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from questions.models import Item, Section
from workshops.models import AgendaItem, Answer, Assessment, Person, Respondent, Sector
from workshops.services.benchmarks import (
    Benchmark,
    BenchmarkGap,
    benchmark_gaps,
    benchmarks_for,
)
from workshops.services.scores import band_for, mean, rating_aggregates, scores_by_element

WORKSHOP = Respondent.Channel.WORKSHOP

# A standard deviation of a point or more on a four-point scale means the
# partnership is split: typically as many at 1-2 as at 3-4.
SPLIT_SD = 1.0
# Share of "don't know" answers that is itself worth looking into.
HIGH_DONT_KNOW = 0.25
# How far, in points, an agreed rating may sit from the room's median before it is flagged.
CONSENSUS_GAP = 1

CHANNELS = {
    "all": "Questionnaire and workshops",
    "questionnaire": "Questionnaire only",
    "workshop": "Workshop votes only",
}

# The report compares coordinators with board members and other partners.
ROLE_GROUPS = {
    Person.Role.COORDINATOR: "Coordinators",
    Person.Role.CHAIR: "Board members",
    Person.Role.BOARD_MEMBER: "Board members",
}
OTHER_PARTNERS = "Other partners"
LAYERS = dict(Person.Layer.choices)
SECTORS = dict(Sector.choices)


@dataclass(slots=True)
class Row:
    """One answer, with who gave it, as the results need it. Slots: there are tens of
    thousands of these in a big assessment."""

    respondent: int
    item: int
    basis: str
    rating: int | None
    choice: str
    text: str
    role: str
    sector: str
    layer: str
    organisation: str
    channel: str
    groups: dict[str, str] = field(default_factory=dict)  # shared by a respondent's answers


def groups_of(role: str, sector: str, layer: str, organisation: str) -> dict[str, str]:
    """The groups a respondent falls in, on each dimension results compare."""
    return {
        "Role": ROLE_GROUPS.get(role, OTHER_PARTNERS),
        "Sector": SECTORS.get(sector, sector),
        "Governance layer": LAYERS.get(layer, layer),
        "Organisation": organisation or "Not given",
    }


@dataclass
class Rating:
    """One rating item on one basis."""

    item: Item
    basis: str
    counts: dict[str, int]  # scale value or choice -> answers
    ratings: list[int]
    dont_know: int
    not_applicable: int

    @property
    def n(self) -> int:
        return len(self.ratings)

    @property
    def mean(self) -> float | None:
        return mean(self.ratings)

    @property
    def median(self) -> float | None:
        return statistics.median(self.ratings) if self.ratings else None

    @property
    def spread(self) -> float | None:
        return statistics.pstdev(self.ratings) if len(self.ratings) > 1 else None

    @property
    def split(self) -> bool:
        return self.spread is not None and self.spread >= SPLIT_SD

    @property
    def dont_know_rate(self) -> float:
        asked = self.n + self.dont_know
        return self.dont_know / asked if asked else 0.0


@dataclass
class YesNo:
    item: Item
    yes: int
    no: int
    dont_know: int
    not_applicable: int

    @property
    def n(self) -> int:
        return self.yes + self.no

    @property
    def yes_percent(self) -> float | None:
        return 100 * self.yes / self.n if self.n else None

    @property
    def triggered(self) -> int:
        """Answers the instrument says to look into ('no' for most questions)."""
        # The rule is the item's own (Item.needs_investigation), said once.
        counts = {"yes": self.yes, "no": self.no}
        return sum(n for answer, n in counts.items() if self.item.needs_investigation(answer))

    @property
    def dont_know_rate(self) -> float:
        asked = self.n + self.dont_know
        return self.dont_know / asked if asked else 0.0


# Open answers shown on the page per question; the rest are in the downloads.
OPEN_ANSWERS_SHOWN = 10


@dataclass
class OpenAnswer:
    text: str
    who: str  # role group, sector and layer, or "" when that group is too small to show


@dataclass
class ElementResult:
    section: Section
    scores: dict[str, float | None]  # basis -> mean of every rating in the element
    bands: dict[str, dict | None]
    ratings: list[Rating] = field(default_factory=list)
    yes_no: list[YesNo] = field(default_factory=list)
    open_answers: list[tuple[Item, list[OpenAnswer]]] = field(default_factory=list)

    @property
    def headline(self) -> tuple[float | None, dict | None]:
        for basis in ("internal", "external"):
            if self.scores.get(basis) is not None:
                return self.scores[basis], self.bands[basis]
        return None, None


@dataclass
class Gap:
    item: Item
    basis: str
    dimension: str
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
        if self.dimension != "Organisation":
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


@dataclass
class Trend:
    label: str  # an earlier assessment
    elements: dict[int, float | None]  # section number -> score on the headline basis
    items: dict[tuple[str, str], float | None]  # (item key, basis) -> mean


@dataclass
class Results:
    assessment: Assessment
    channel: str
    min_group: int
    respondents: int
    by_channel: dict[str, int]
    elements: list[ElementResult]
    rating_gaps: list[Gap]
    yes_no_gaps: list[Gap]
    consensus: list[Consensus]
    investigate: list[tuple[Section, list[YesNo], list[Rating]]]
    trends: list[Trend]
    benchmarks: list[Benchmark]
    bases: list[str]
    benchmark_gaps: list[BenchmarkGap] = field(default_factory=list)
    # Anonymous assessments: why nothing is shown yet, or "" when results are shown.
    withheld: str = ""
    # Anonymous assessments: why open answers are not shown, or "" when they are.
    comments_withheld: str = ""

    @property
    def ratings(self) -> list[Rating]:
        return [r for e in self.elements for r in e.ratings]

    @property
    def yes_no(self) -> list[YesNo]:
        return [y for e in self.elements for y in e.yes_no]

    @property
    def trend_rows(self) -> list[tuple[Rating, list[float | None]]]:
        """Each rating item now, with its mean in each earlier assessment (matched by key)."""
        if not self.trends:
            return []
        return [
            (r, [trend.items.get((r.item.key, r.basis)) for trend in self.trends])
            for r in self.ratings
        ]


def withheld_because(assessment: Assessment, channel: str, min_group: int) -> str:
    """Why an anonymous assessment's results cannot be shown yet, or "" when they can.

    With fewer respondents than the minimum group size, any figure, chart or
    comment could be one person's. And a channel on its own is shown only when
    each channel is empty or large enough: otherwise "all" less "questionnaire
    only" would be the few workshop votes.
    """
    if not assessment.anonymous:
        return ""
    sizes: dict[str, int] = defaultdict(int)
    rows = counted_respondents(assessment).order_by().values_list("channel").annotate(n=Count("id"))
    for name, n in rows:
        sizes["workshop" if name == WORKSHOP else "questionnaire"] += n
    total = sum(sizes.values())
    if total < min_group:
        more = min_group - total
        return (
            f"Results are shown once at least {min_group} people have answered, to keep "
            f"the assessment anonymous: {more} more {'is' if more == 1 else 'are'} needed."
        )
    if channel != "all" and any(0 < n < min_group for n in sizes.values()):
        return (
            f"Questionnaire and workshop answers are shown apart once each has at least "
            f"{min_group} people, to keep the assessment anonymous. Choose "
            f"“{CHANNELS['all']}” to see the results."
        )
    return ""


def kept_dimensions(
    people: dict[int, dict[str, str]], dimensions: list[str], min_size: int
) -> list[str]:
    """The dimensions that may be shown beside each respondent's answers.

    Every combination shown must be shared by at least ``min_size`` respondents:
    each attribute may be common while the combination (a board member in the
    private sector) is one person. Dimensions are dropped one at a time, each
    time the one whose loss leaves the fewest people in too-small combinations.
    """
    kept = list(dimensions)

    def too_few(dims: list[str]) -> int:
        sizes = Counter(tuple(groups[d] for d in dims) for groups in people.values())
        return sum(n for n in sizes.values() if n < min_size)

    def loss(dimension: str) -> tuple[int, int]:
        # Fewest left in small combinations; on a tie the dimension that splits people most.
        rest = [k for k in kept if k != dimension]
        return too_few(rest), -len({groups[dimension] for groups in people.values()})

    while kept and too_few(kept):
        kept.remove(min(kept, key=loss))
    return kept


def counted_respondents(assessment: Assessment, channel: str = "all"):
    """Whose answers results count: submitted responses and workshop votes, by channel."""
    people = assessment.respondents.filter(Q(submitted_at__isnull=False) | Q(channel=WORKSHOP))
    if channel == "questionnaire":
        return people.exclude(channel=WORKSHOP)
    if channel == "workshop":
        return people.filter(channel=WORKSHOP)
    return people


def answer_rows(assessment: Assessment, channel: str = "all") -> list[Row]:
    """Every answer counted in results: submitted responses and workshop votes.

    Two queries: who answered, then the answers without the respondent's
    details repeated on every row, which is most of the time for big results.
    """
    people = counted_respondents(assessment, channel)
    who = {
        pk: (*details, groups_of(*details[:4]))
        for pk, *details in people.order_by().values_list(
            "pk", "role", "sector", "layer", "organisation", "channel"
        )
    }
    answers = Answer.objects.filter(respondent__in=people).order_by()
    fields = ("respondent_id", "item_id", "basis", "rating", "choice", "text")
    return [Row(*values, *who[values[0]]) for values in answers.values_list(*fields)]


def _rating(item: Item, basis: str, rows: list[Row]) -> Rating:
    counts: dict[str, int] = defaultdict(int)
    ratings = []
    for row in rows:
        key = str(row.rating) if row.rating is not None else row.choice
        counts[key] += 1
        if row.rating is not None:
            ratings.append(row.rating)
    return Rating(
        item, basis, dict(counts), ratings, counts.get("dont_know", 0), counts.get("na", 0)
    )


def _yes_no(item: Item, rows: list[Row]) -> YesNo:
    choices = defaultdict(int)
    for row in rows:
        choices[row.choice] += 1
    return YesNo(item, choices["yes"], choices["no"], choices["dont_know"], choices["na"])


def group_sizes(rows: list[Row]) -> dict[tuple[str, str], int]:
    """Respondents in each group of each dimension, over the whole assessment."""
    people = {row.respondent: row.groups for row in rows}
    sizes: dict[tuple[str, str], int] = defaultdict(int)
    for groups in people.values():
        for dimension, group in groups.items():
            sizes[(dimension, group)] += 1
    return sizes


def _gaps(
    item: Item, basis: str, rows: list[Row], min_group: int, anonymous: bool = False
) -> list[Gap]:
    """The widest difference between groups on each dimension, groups too small left out.

    In an anonymous assessment a dimension is left out too when the groups left
    out hold fewer than the minimum between them: the question's overall figure
    less the groups shown would be their answers.
    """
    gaps = []
    yes_no = item.kind == Item.Kind.YES_NO
    for dimension in ("Role", "Sector", "Governance layer", "Organisation"):
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


# What is said of whoever gave an answer, beside it.
DESCRIBED = ("Role", "Sector", "Governance layer")


def described_groups(
    row: Row, sizes: dict[tuple[str, str], int], min_group: int, anonymous: bool
) -> list[str | None]:
    """The role, sector and layer group of whoever gave an answer, as shown beside it;
    None for a group too small to show in an anonymous assessment."""
    return [
        group if not anonymous or sizes.get((dimension, group), 0) >= min_group else None
        for dimension in DESCRIBED
        for group in [row.groups[dimension]]
    ]


def _who(row: Row, sizes: dict[tuple[str, str], int], min_group: int, anonymous: bool) -> str:
    return ", ".join(g for g in described_groups(row, sizes, min_group, anonymous) if g)


def comments_threshold(min_group: int, min_comments: int | None = None) -> int:
    """How many respondents open answers need in an anonymous assessment: more than
    figures do, because what people write can point at them."""
    wanted = settings.MIN_GROUP_SIZE_COMMENTS if min_comments is None else min_comments
    return max(min_group, wanted)


def _withheld(assessment: Assessment, channel: str, min_group: int, reason: str) -> Results:
    return Results(
        assessment=assessment,
        channel=channel,
        min_group=min_group,
        respondents=0,
        by_channel={},
        elements=[],
        rating_gaps=[],
        yes_no_gaps=[],
        consensus=[],
        investigate=[],
        trends=[],
        benchmarks=[],
        bases=assessment.bases,
        withheld=reason,
    )


def build(
    assessment: Assessment, min_group: int, channel: str = "all", min_comments: int | None = None
) -> Results:
    channel = channel if channel in CHANNELS else "all"
    anonymous = assessment.anonymous
    if reason := withheld_because(assessment, channel, min_group):
        return _withheld(assessment, channel, min_group, reason)
    bank = assessment.bank
    items = list(assessment.items.select_related("section").order_by("position"))
    rows = answer_rows(assessment, channel)
    by_item: dict[tuple[int, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_item[(row.item, row.basis)].append(row)
    sizes = group_sizes(rows)
    bases = assessment.bases
    described: dict[int, str] = {}
    comments_withheld = ""
    if anonymous:
        min_comments = comments_threshold(min_group, min_comments)
        people = {row.respondent: row.groups for row in rows}
        if len(people) < min_comments:
            comments_withheld = (
                f"Open answers are shown once at least {min_comments} people have answered, "
                "to keep the assessment anonymous."
            )
        shown = kept_dimensions(people, list(DESCRIBED), min_comments)

    def who(row: Row) -> str:
        if row.respondent not in described:
            if anonymous:
                described[row.respondent] = ", ".join(row.groups[d] for d in shown)
            else:
                described[row.respondent] = _who(row, sizes, min_group, anonymous)
        return described[row.respondent]

    elements: dict[int, ElementResult] = {}
    rating_gaps, yes_no_gaps = [], []
    for item in items:
        section = item.section
        element = elements.setdefault(section.pk, ElementResult(section, {}, {}))
        if item.kind == Item.Kind.RATING:
            for basis in bases:
                item_rows = by_item.get((item.pk, basis), [])
                element.ratings.append(_rating(item, basis, item_rows))
                rating_gaps += _gaps(item, basis, item_rows, min_group, anonymous)
        elif item.kind == Item.Kind.YES_NO:
            item_rows = by_item.get((item.pk, ""), [])
            element.yes_no.append(_yes_no(item, item_rows))
            yes_no_gaps += _gaps(item, "", item_rows, min_group, anonymous)
        else:
            answers = [
                OpenAnswer(row.text, who(row))
                for row in by_item.get((item.pk, ""), [])
                if row.text.strip() and not comments_withheld
            ]
            element.open_answers.append((item, answers))
    for element in elements.values():
        for basis in bases:
            values = [v for r in element.ratings if r.basis == basis for v in r.ratings]
            element.scores[basis] = mean(values)
            element.bands[basis] = band_for(bank, element.scores[basis])

    medians = {(r.item.pk, r.basis): r.median for e in elements.values() for r in e.ratings}
    results = Results(
        assessment=assessment,
        channel=channel,
        min_group=min_group,
        respondents=len({row.respondent for row in rows}),
        by_channel=_by_channel(rows),
        elements=list(elements.values()),
        rating_gaps=sorted(rating_gaps, key=lambda g: (-g.size, g.item.position)),
        yes_no_gaps=sorted(yes_no_gaps, key=lambda g: (-g.size, g.item.position)),
        consensus=_consensus(assessment, medians),
        investigate=[],
        trends=_trends(assessment),
        benchmarks=benchmarks_for(assessment),
        bases=bases,
        comments_withheld=comments_withheld,
    )
    results.benchmark_gaps = benchmark_gaps(results)
    results.investigate = [
        (
            e.section,
            [y for y in e.yes_no if y.triggered],
            [r for r in e.ratings if r.dont_know_rate >= HIGH_DONT_KNOW],
        )
        for e in results.elements
        if any(y.triggered for y in e.yes_no)
        or any(r.dont_know_rate >= HIGH_DONT_KNOW for r in e.ratings)
    ]
    return results


def _by_channel(rows: list[Row]) -> dict[str, int]:
    people: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        people["workshop" if row.channel == WORKSHOP else "questionnaire"].add(row.respondent)
    return {name: len(members) for name, members in people.items()}


def _consensus(assessment: Assessment, medians: dict) -> list[Consensus]:
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


def _trends(assessment: Assessment) -> list[Trend]:
    """Earlier assessments of this partnership, matched item by item on the item's key
    (so a new bank version still lines up) and element by element on its number."""
    earlier = list(
        assessment.partnership.assessments.filter(opens_on__lt=assessment.opens_on).order_by(
            "opens_on"
        )
    )
    if not earlier:
        return []
    answers = Answer.objects.filter(respondent__assessment__in=earlier).filter(
        Q(respondent__submitted_at__isnull=False) | Q(respondent__channel=WORKSHOP)
    )
    by_assessment = defaultdict(list)
    rows = rating_aggregates(answers).values_list(
        "respondent__assessment_id", "item__section__number", "item__key", "basis", "avg", "n"
    )
    for assessment_id, *rest in rows:
        by_assessment[assessment_id].append(rest)
    trends = []
    for old in earlier:
        elements, items = scores_by_element(by_assessment.get(old.pk, []))
        trends.append(Trend(f"{old.title} ({old.opens_on:%B %Y})", elements, items))
    return trends
