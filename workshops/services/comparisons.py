"""Partnerships side by side: the 2008 report's groups of authority types (counties,
metropolitan districts and London boroughs against districts and unitaries, and all), and a
county partnership's districts.

Each partnership counts with its latest assessment that has at least MIN_GROUP_SIZE submitted
questionnaires (``latest_counted``), questionnaire answers only, as benchmarks do. A group's
figure is a mean over its partnerships, each weighing the same however many people answered
it: a mean rating and the share rating 3 or 4 ("performs well or better"), or the share
saying yes.

The answers are summed in the database, per assessment and item, in one query whatever
the number of partnerships; only those sums come to Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from questions.models import BankVersion, Item, Section
from workshops.models import Answer, Assessment, Partnership, Respondent
from workshops.services.benchmarks import (
    AUTHORITY_GROUPS,
    MIN_BENCHMARK_PARTNERSHIPS,
    as_shown,
    latest_counted,
)
from workshops.services.scores import WELL, mean

WORKSHOP = Respondent.Channel.WORKSHOP

EVERYONE = "All participating partnerships"
# The report's two groups, in its order, then everyone.
GROUP_ORDER = [
    AUTHORITY_GROUPS[Partnership.AuthorityType.COUNTY],
    AUTHORITY_GROUPS[Partnership.AuthorityType.DISTRICT],
    EVERYONE,
]


@dataclass(frozen=True)
class Figure:
    mean: float | None  # the mean rating; None for a yes/no question
    share: float  # % rating 3 or 4, or % saying yes


@dataclass
class Figures:
    """One partnership's figures, or one group's (means of its partnerships' figures)."""

    elements: dict[int, Figure] = field(default_factory=dict)  # section number ->
    items: dict[tuple[str, str], Figure] = field(default_factory=dict)  # (key, basis) ->


def partnership_figures(latest: dict[int, int]) -> dict[int, Figures]:
    """Element and item figures of each partnership from the submitted questionnaires of its
    assessment in ``latest`` (partnership id -> assessment id). Element figures are on the
    headline basis: internal where the element was rated on it, else external.

    The database sums by assessment and item id, so the sums need no join beyond the
    respondent; items and partnerships are put to them here.
    """
    owners = {assessment_id: partnership_id for partnership_id, assessment_id in latest.items()}
    answers = Answer.objects.filter(
        respondent__assessment_id__in=list(owners), respondent__submitted_at__isnull=False
    ).exclude(respondent__channel=WORKSHOP)
    items, yes_no_items = {}, []
    for pk, section, key, kind in Item.objects.values_list("pk", "section__number", "key", "kind"):
        items[pk] = (section, key)
        if kind == Item.Kind.YES_NO:
            yes_no_items.append(pk)
    figures: dict[int, Figures] = defaultdict(Figures)
    # partnership -> section -> basis -> [sum of ratings, ratings of 3 or 4, ratings]
    sums: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0, 0])))
    # Ratings and yes/no answers in one pass over the answers.
    rows = (
        answers.filter(
            Q(rating__isnull=False) | Q(choice__in=["yes", "no"], item_id__in=yes_no_items)
        )
        .values_list("respondent__assessment_id", "item_id", "basis")
        .annotate(
            total=Sum("rating"),
            high=Count("id", filter=Q(rating__gte=WELL)),
            rated=Count("rating"),
            yes=Count("id", filter=Q(choice="yes")),
            n=Count("id"),
        )
        .order_by()
    )
    for assessment_id, item_id, basis, total, high, rated, yes, n in rows:
        partnership_id = owners[assessment_id]
        section, key = items[item_id]
        if not rated:
            figures[partnership_id].items[(key, "")] = Figure(None, 100 * yes / n)
            continue
        figures[partnership_id].items[(key, basis)] = Figure(total / rated, 100 * high / rated)
        element = sums[partnership_id][section][basis]
        element[0] += total
        element[1] += high
        element[2] += rated
    for partnership_id, by_section in sums.items():
        for section, by_basis in by_section.items():
            total, high, n = by_basis.get("internal") or by_basis["external"]
            figures[partnership_id].elements[section] = Figure(total / n, 100 * high / n)
    return dict(figures)


def _combined(figures: list[dict], minimum: int) -> dict:
    """The mean of the partnerships' figures, key by key, where at least ``minimum`` have
    one, rounded as shown (see benchmarks.as_shown)."""
    combined = {}
    for key in {key for f in figures for key in f}:
        found = [f[key] for f in figures if key in f]
        if len(found) < minimum:
            continue
        means = [f.mean for f in found if f.mean is not None]
        share = as_shown(mean([f.share for f in found]), 0)
        combined[key] = Figure(as_shown(mean(means), 1) if means else None, share)
    return combined


@dataclass
class Group:
    label: str
    partnerships: int
    shown: bool
    figures: Figures


@dataclass
class Row:
    """A question on one basis ("" for yes/no), and each shown group's figure for it."""

    item: Item
    basis: str
    figures: list[Figure | None]


@dataclass
class TypeComparison:
    groups: list[Group]  # every group, shown or not
    elements: list[tuple[Section, list[Figure | None]]]  # each shown group's figure
    # By section: its rating rows and its yes/no rows.
    sections: list[tuple[Section, list[Row], list[Row]]]

    @property
    def shown(self) -> list[Group]:
        return [g for g in self.groups if g.shown]


def authority_comparison(partnership: Partnership) -> TypeComparison | None:
    """Counties, metropolitan districts and London boroughs | districts and unitaries | all,
    per element and per question, or None when this partnership does not share its own.

    As in benchmarks_for: only verified partnerships that share their results count, never
    the viewer's own, never fewer than MIN_BENCHMARK_PARTNERSHIPS for a group or a figure,
    and nothing more precise than shown. Partnerships are never named.
    """
    if not partnership.share_benchmarks:
        return None
    others = Partnership.objects.filter(share_benchmarks=True, verified_at__isnull=False).exclude(
        pk=partnership.pk
    )
    types = dict(others.values_list("pk", "authority_type"))
    latest = latest_counted(others)
    figures = partnership_figures(latest)
    members: dict[str, list[Figures]] = {label: [] for label in GROUP_ORDER}
    for partnership_id in latest:
        found = figures.get(partnership_id, Figures())
        members[AUTHORITY_GROUPS[types[partnership_id]]].append(found)
        members[EVERYONE].append(found)
    groups = []
    for label in GROUP_ORDER:
        group = members[label]
        shown = len(group) >= MIN_BENCHMARK_PARTNERSHIPS
        combined = Figures()
        if shown:
            combined.elements = _combined([f.elements for f in group], MIN_BENCHMARK_PARTNERSHIPS)
            combined.items = _combined([f.items for f in group], MIN_BENCHMARK_PARTNERSHIPS)
        groups.append(Group(label, len(group), shown, combined))
    return _laid_out(groups)


def _laid_out(groups: list[Group]) -> TypeComparison:
    """The current question bank's elements and questions, with each shown group's figures;
    questions no group has a figure for are left out."""
    shown = [g.figures for g in groups if g.shown]
    bank = BankVersion.current()
    items = list(
        Item.objects.filter(bank=bank).select_related("section").order_by("position")
        if bank
        else []
    )
    sections: dict[Section, tuple[list[Row], list[Row]]] = {}
    for item in items:
        ratings, yes_no = sections.setdefault(item.section, ([], []))
        if item.kind == Item.Kind.RATING:
            bases, rows = ("internal", "external"), ratings
        elif item.kind == Item.Kind.YES_NO:
            bases, rows = ("",), yes_no
        else:
            continue
        for basis in bases:
            row = Row(item, basis, [f.items.get((item.key, basis)) for f in shown])
            if any(row.figures):
                rows.append(row)
    elements = [
        (section, [f.elements.get(section.number) for f in shown])
        for section in sections
        if section.is_element
    ]
    return TypeComparison(
        groups,
        elements,
        [(section, *rows) for section, rows in sections.items() if rows[0] or rows[1]],
    )


@dataclass
class District:
    partnership: Partnership
    assessment: Assessment | None  # its figures' assessment; None: too few answers to show
    elements: dict[int, Figure]


def districts_for(county: Partnership) -> list[District]:
    """The county partnership's districts that share their results with it, by name, with
    the element figures of each one's latest assessment with at least MIN_GROUP_SIZE
    submitted questionnaires. A district that has not opted in is not here at all."""
    if county.authority_type != Partnership.AuthorityType.COUNTY:
        return []
    districts = list(Partnership.objects.filter(county_partnership=county, share_with_county=True))
    latest = latest_counted(districts)
    assessments = Assessment.objects.in_bulk(latest.values())
    figures = partnership_figures(latest)
    return [
        District(
            district,
            assessments.get(latest.get(district.pk, 0)),
            figures.get(district.pk, Figures()).elements,
        )
        for district in districts
    ]


def element_sections() -> list[Section]:
    """The elements of the current question bank, in order."""
    bank = BankVersion.current()
    return list(bank.sections.filter(is_element=True).order_by("number")) if bank else []
