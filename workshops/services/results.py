"""Results of an assessment: item statistics, element scores, what to investigate, and the
results page's other parts gathered in one Results (where views differ, consensus, trends
and benchmarks come from their own modules).

Everything is computed in Python from a handful of queries that do not grow
with respondents or items: one for the items, two for every answer and who gave
it (a values list each), one for agreed ratings, two for earlier assessments and
a few for benchmarks. Groups smaller than the minimum group size never get a cell.

On the questionnaire and workshops together each person is one voice on each question:
where someone answered both ways, their later answer counts (see answer_rows), and the
headline counts people (``Turnout``), not responses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count

from questions.models import Item, Section
from workshops.models import Assessment, Respondent
from workshops.services.answer_rows import (
    AnswerRow,
    Turnout,
    answer_rows,
    counted_respondents,
    turnout,
)
from workshops.services.benchmarks import (
    Benchmark,
    BenchmarkGap,
    benchmark_gaps,
    benchmarks_for,
)
from workshops.services.comments import Comment, comment_rule, note_rows
from workshops.services.differences import (
    Consensus,
    Differences,
    Gap,
    adjust,
    consensus_for,
    gaps_between_groups,
    largest_first,
)
from workshops.services.groups import Group, people, people_in, why_not_shown
from workshops.services.item_results import HIGH_DONT_KNOW, Rating, YesNo, rating_of, yes_no_of
from workshops.services.scores import band_for, mean, share_well, well_words
from workshops.services.targets import TargetReport, targets_reached
from workshops.services.trends import Trend, trends_for

WORKSHOP = Respondent.Channel.WORKSHOP

CHANNELS = {
    "all": "Questionnaire and workshops",
    "questionnaire": "Questionnaire only",
    "workshop": "Workshop votes only",
}


# Open answers shown on the page per question; the rest are in the downloads.
OPEN_ANSWERS_SHOWN = 10


@dataclass
class ElementResult:
    section: Section
    scores: dict[str, float | None]  # basis -> mean of every rating in the element
    bands: dict[str, dict | None]
    # basis -> share of every rating in the element at 3 or 4, "performs well or better"
    shares: dict[str, float | None] = field(default_factory=dict)
    ratings: list[Rating] = field(default_factory=list)
    yes_no: list[YesNo] = field(default_factory=list)
    open_answers: list[tuple[Item, list[Comment]]] = field(default_factory=list)
    # Comments and evidence notes on the element's questions, for those with any shown.
    notes: list[tuple[Item, list[Comment]]] = field(default_factory=list)

    @property
    def headline(self) -> tuple[float | None, dict | None]:
        for basis in ("internal", "external"):
            if self.scores.get(basis) is not None:
                return self.scores[basis], self.bands[basis]
        return None, None

    @property
    def headline_share(self) -> float | None:
        """The share "performs well or better" on the headline score's basis."""
        for basis in ("internal", "external"):
            if self.scores.get(basis) is not None:
                return self.shares.get(basis)
        return None


@dataclass
class Results:
    assessment: Assessment
    channel: str
    min_group: int
    turnout: Turnout
    elements: list[ElementResult]
    rating_gaps: list[Gap]
    yes_no_gaps: list[Gap]
    consensus: list[Consensus]
    # By section: the yes/no answers to look into, and each rating item with many "don't
    # know" answers once, with its ratings on every basis where that is so.
    investigate: list[tuple[Section, list[YesNo], list[tuple[Item, list[Rating]]]]]
    trends: list[Trend]
    benchmarks: list[Benchmark]
    bases: list[str]
    benchmark_gaps: list[BenchmarkGap] = field(default_factory=list)
    # Anonymous assessments: why nothing is shown yet, or "" when results are shown.
    withheld: str = ""
    # Anonymous assessments: why open answers are not shown, or "" when they are.
    comments_withheld: str = ""
    # The previous plan's targets for this assessment, how far each was reached, and the
    # trend chart's figures with targets.
    targets: TargetReport | None = None
    # The one group whose answers these are, or None for everyone's.
    group: Group | None = None

    @cached_property
    def differences(self) -> Differences:
        """Every comparison between groups, largest first, as "Where views differ" tells it."""
        return Differences(largest_first(self.rating_gaps + self.yes_no_gaps))

    @property
    def well_words(self) -> str:
        """What a share counts, in the scale's words: "performs well or better"."""
        return well_words(self.assessment.bank)

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
            if not r.item.local  # "L1" of an earlier round may ask something else entirely
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


def _withheld(
    assessment: Assessment, channel: str, min_group: int, reason: str, group: Group | None = None
) -> Results:
    return Results(
        assessment=assessment,
        channel=channel,
        min_group=min_group,
        turnout=Turnout(0, 0, 0, 0, 0),
        elements=[],
        rating_gaps=[],
        yes_no_gaps=[],
        consensus=[],
        investigate=[],
        trends=[],
        benchmarks=[],
        bases=assessment.bases,
        withheld=reason,
        group=group,
    )


def results_for(
    assessment: Assessment,
    min_group: int,
    channel: str = "all",
    min_comments: int | None = None,
    group: Group | None = None,
) -> Results:
    """The assessment's results on one channel ("all", "questionnaire" or "workshop"), for
    everyone or one ``group``, or why they are withheld."""
    return side_by_side(assessment, min_group, channel, [group], min_comments)[0]


def side_by_side(
    assessment: Assessment,
    min_group: int,
    channel: str,
    groups: list[Group | None],
    min_comments: int | None = None,
) -> list[Results]:
    """The results of each of ``groups`` (None for everyone), from one reading of the
    answers, each shown only where the group is large enough (see groups.why_not_shown)."""
    channel = channel if channel in CHANNELS else "all"
    if reason := withheld_because(assessment, channel, min_group):
        return [_withheld(assessment, channel, min_group, reason, group) for group in groups]
    given = answer_rows(assessment, channel)
    everyone: dict[int, tuple] = {}
    if any(groups):
        everyone = people_in(given) if channel == "all" else people(assessment)
    views = []
    for group in groups:
        reason = group and why_not_shown(group, everyone, min_group, assessment.anonymous, channel)
        if reason:
            views.append(_withheld(assessment, channel, min_group, reason, group))
        else:
            views.append(
                _view(assessment, min_group, channel, given, group, everyone, min_comments)
            )
    return views


def _view(
    assessment: Assessment,
    min_group: int,
    channel: str,
    given: list[AnswerRow],
    group: Group | None,
    everyone: dict[int, tuple],
    min_comments: int | None,
) -> Results:
    """One view's results from every answer counted (``given``): everyone's, or a group's,
    whose size has been checked."""
    anonymous = assessment.anonymous
    bank = assessment.bank
    items = list(assessment.items.select_related("section").order_by("section__number", "position"))
    members = None
    if group:
        members = {pk for pk, (who, _) in everyone.items() if group.holds(who)}
        given = [row for row in given if row.respondent in members]
    # A person's earlier answer to a question they answered again counts nowhere below.
    rows = [row for row in given if not row.superseded]
    by_item: dict[tuple[int, str], list[AnswerRow]] = defaultdict(list)
    for row in rows:
        by_item[(row.item, row.basis)].append(row)
    bases = assessment.bases
    rule = comment_rule(assessment, rows, min_group, min_comments)
    notes: dict[int, list[Comment]] = defaultdict(list)
    for respondent, item_id, text in [] if rule.withheld else note_rows(assessment, channel):
        if members is not None and respondent not in members:
            continue
        if note := rule.comment(respondent, text):
            notes[item_id].append(note)

    elements: dict[int, ElementResult] = {}
    rating_gaps, yes_no_gaps = [], []
    well = well_words(bank)
    for item in items:
        section = item.section
        element = elements.setdefault(section.pk, ElementResult(section, {}, {}))
        if item.kind == Item.Kind.RATING:
            for basis in bases:
                item_rows = by_item.get((item.pk, basis), [])
                element.ratings.append(rating_of(item, basis, item_rows))
                if not group:
                    rating_gaps += gaps_between_groups(
                        item, basis, item_rows, min_group, anonymous, well
                    )
        elif item.kind == Item.Kind.YES_NO:
            item_rows = by_item.get((item.pk, ""), [])
            element.yes_no.append(yes_no_of(item, item_rows))
            if not group:
                yes_no_gaps += gaps_between_groups(item, "", item_rows, min_group, anonymous, well)
        else:
            answers = [rule.comment(row.respondent, row.text) for row in by_item[(item.pk, "")]]
            element.open_answers.append((item, [a for a in answers if a]))
        if notes.get(item.pk):
            element.notes.append((item, notes[item.pk]))
    for element in elements.values():
        for basis in bases:
            # The instrument's questions only (see scores.rating_aggregates).
            values = [
                v
                for r in element.ratings
                if r.basis == basis and not r.item.local
                for v in r.ratings
            ]
            element.scores[basis] = mean(values)
            element.shares[basis] = share_well(values)
            element.bands[basis] = band_for(bank, element.scores[basis])

    # Every comparison on the page shares one false-discovery rate.
    adjust(rating_gaps + yes_no_gaps)
    medians = {(r.item.pk, r.basis): r.median for e in elements.values() for r in e.ratings}
    results = Results(
        assessment=assessment,
        channel=channel,
        min_group=min_group,
        turnout=turnout(given),
        elements=list(elements.values()),
        rating_gaps=sorted(rating_gaps, key=lambda g: (-g.size, g.item.position)),
        yes_no_gaps=sorted(yes_no_gaps, key=lambda g: (-g.size, g.item.position)),
        # What the room agreed, earlier assessments and other partnerships are everyone's.
        consensus=[] if group else consensus_for(assessment, medians),
        investigate=[],
        trends=[] if group else trends_for(assessment),
        benchmarks=[] if group else benchmarks_for(assessment),
        bases=bases,
        comments_withheld=rule.withheld,
        group=group,
    )
    results.benchmark_gaps = benchmark_gaps(results)
    results.targets = None if group else targets_reached(results)
    results.investigate = [
        (e.section, flagged, unsure)
        for e in results.elements
        for flagged, unsure in [([y for y in e.yes_no if y.triggered], _unsure(e.ratings))]
        if flagged or unsure
    ]
    return results


def _unsure(ratings: list[Rating]) -> list[tuple[Item, list[Rating]]]:
    """Rating items with many "don't know" answers, each item once whatever its bases."""
    by_item: dict[Item, list[Rating]] = {}
    for r in ratings:
        if r.dont_know_rate >= HIGH_DONT_KNOW:
            by_item.setdefault(r.item, []).append(r)
    return list(by_item.items())
