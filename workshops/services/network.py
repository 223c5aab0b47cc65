"""The partnership network counted from an assessment's network answers: which partner
organisations work together and how often, who is on the edge, who links the rest, and
what changed since the previous round. The findings in words are in network_words.

Ties join organisations, never people. Each organisation's view of another is the median
of its people's answers; a tie's frequency is the median of every answer on the pair from
both sides ("don't know" left out), and the tie exists when that is at least "a few times a
year". It needs an answer from at least one side; it is confirmed when both sides answered
and both say they work together. Reliability and contribution are medians too: per tie, of
both sides' ratings; per organisation, of the ratings others gave it.

Who is in the network. An organisation is known when its people answered the section or
someone said how often they work with it (even "never"). One whose people answered "never"
to everyone is isolated; one nobody said anything of and whose people did not answer is
"not known": it is left out of the map and the measures rather than counted as isolated,
since nothing says whether it works with anyone.

Only submitted questionnaire, paper and imported responses count (a workshop asks no
network questions). Four queries whatever the size: the organisations, the answers, the
previous round with network answers, and its answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

import networkx as nx

from workshops.models import (
    Assessment,
    Frequency,
    NetworkAnswer,
    Organisation,
    Respondent,
    Sector,
)
from workshops.services.trends import earlier_assessments

WORKSHOP = Respondent.Channel.WORKSHOP
# A tie is at least this often, as the median of its answers.
TIE_AT = Frequency.YEARLY
# How many of the largest changes in centrality since the last round are named.
CHANGES_SHOWN = 3

Pair = tuple[int, int]  # two organisations' ids, the smaller first


@dataclass(frozen=True)
class Tie:
    first: Organisation
    second: Organisation
    frequency: float  # the median of every answer on the pair, from both sides
    reliability: float | None
    contribution: float | None
    confirmed: bool  # both sides answered, and both say they work together

    @property
    def crosses_sectors(self) -> bool:
        return self.first.sector != self.second.sector

    @property
    def frequency_words(self) -> str:
        return frequency_words(self.frequency)


@dataclass
class Member:
    """An organisation known to the network, with its place in it."""

    organisation: Organisation
    partners: list[tuple[Organisation, Tie]] = field(default_factory=list)
    betweenness: float = 0.0
    # Medians of the ratings others gave it; None when fewer than may be shown.
    reliability: float | None = None
    contribution: float | None = None

    @property
    def degree(self) -> int:
        return len(self.partners)

    @property
    def betweenness_words(self) -> str:
        return betweenness_words(self.betweenness)


@dataclass
class Change:
    """The network against the previous round's, among organisations known in both."""

    previous: str  # the previous assessment's title
    gained: list[tuple[Organisation, Organisation]]  # each in name order, and by name
    lost: list[tuple[Organisation, Organisation]]
    density_before: float
    density_now: float
    # (organisation, betweenness before, now): the largest changes first.
    centrality: list[tuple[Organisation, float, float]]


@dataclass
class Network:
    assessment: Assessment
    withheld: str = ""
    people: int = 0  # how many answered the section
    members: list[Member] = field(default_factory=list)  # by name
    unknown: list[Organisation] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)
    graph: nx.Graph = field(default_factory=nx.Graph)
    change: Change | None = None

    @property
    def density(self) -> float:
        return nx.density(self.graph) if len(self.graph) > 1 else 0.0

    @property
    def possible(self) -> int:
        n = len(self.members)
        return n * (n - 1) // 2

    @property
    def isolates(self) -> list[Member]:
        return [m for m in self.members if m.degree == 0]

    @property
    def one_tie(self) -> list[Member]:
        return [m for m in self.members if m.degree == 1]

    @property
    def confirmed(self) -> int:
        return sum(t.confirmed for t in self.ties)

    @property
    def across(self) -> int:
        return sum(t.crosses_sectors for t in self.ties)

    @property
    def within(self) -> int:
        return len(self.ties) - self.across

    def by_sector_pair(self) -> dict[tuple[str, str], int]:
        """Ties between each two sectors (in the sectors' own order), within ones included."""
        order = list(Sector.values)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for tie in self.ties:
            a, b = sorted((tie.first.sector, tie.second.sector), key=order.index)
            counts[a, b] += 1
        return dict(sorted(counts.items(), key=lambda kv: tuple(map(order.index, kv[0]))))

    @property
    def sector_pairs(self) -> list[tuple[str, tuple[int, str]]]:
        """("Public sector and third sector", (4, "25%")), and "Within the public sector",
        for the table of ties within and across sectors."""
        rows = []
        for (a, b), count in self.by_sector_pair().items():
            words = (
                f"Within the {Sector(a).label.lower()}"
                if a == b
                else f"{Sector(a).label} and {Sector(b).label.lower()}"
            )
            rows.append((words, (count, f"{count / len(self.ties):.0%}")))
        return rows

    def member(self, organisation_id: int) -> Member:
        return next(m for m in self.members if m.organisation.pk == organisation_id)


def frequency_words(value: float) -> str:
    """A median frequency in words: "monthly", or "between monthly and weekly or more"
    when the answers split evenly."""
    low, high = Frequency(int(value)), Frequency(min(int(value) + 1, Frequency.WEEKLY))
    if value == int(value):
        return low.label.lower()
    return f"between {low.label.lower()} and {high.label.lower()}"


def betweenness_words(value: float) -> str:
    """How far an organisation links partners who would otherwise be apart."""
    if value == 0:
        return "none"
    if value < 0.05:
        return "low"
    return "some" if value < 0.2 else "high"


def _median(values: list[int]) -> float | None:
    return median(values) if values else None


def _answers(assessment: Assessment):
    return (
        NetworkAnswer.objects.filter(
            respondent__assessment=assessment, respondent__submitted_at__isnull=False
        )
        .exclude(respondent__channel=WORKSHOP)
        .order_by()
        .values_list(
            "respondent_id", "organisation_id", "partner_id", "frequency", "reliability",
            "contribution",
        )
    )  # fmt: skip


def _count(
    assessment: Assessment,
    organisations: dict[int, Organisation],
    rows: list[tuple],
    min_group: int,
) -> Network:
    """The network from ``rows`` of answers: its ties, members and measures."""
    views: dict[tuple[int, int], list[int]] = defaultdict(list)  # (from, about) -> frequencies
    pairs: dict[Pair, list[int]] = defaultdict(list)
    rated: dict[Pair, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    of_others: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    answered, people = set(), set()
    for respondent, own, partner, frequency, reliability, contribution in rows:
        people.add(respondent)
        answered.add(own)
        if frequency is None:  # "don't know this organisation"
            continue
        pair = (min(own, partner), max(own, partner))
        views[own, partner].append(frequency)
        pairs[pair].append(frequency)
        for values, rating in zip(rated[pair], (reliability, contribution), strict=True):
            if rating is not None:
                values.append(rating)
        for values, rating in zip(of_others[partner], (reliability, contribution), strict=True):
            if rating is not None:
                values.append(rating)
    known = answered | {about for (_, about) in views}
    network = Network(assessment, people=len(people))
    by_name = sorted((organisations[pk] for pk in known), key=lambda o: (o.name, o.pk))
    network.unknown = [o for o in organisations.values() if o.pk not in known]
    network.members = [Member(o) for o in by_name]
    members = {m.organisation.pk: m for m in network.members}
    graph = network.graph
    graph.add_nodes_from(members)
    for (a, b), frequencies in sorted(pairs.items()):
        strength = median(frequencies)
        if strength < TIE_AT:
            continue
        sides = [_median(views.get((x, y), [])) for x, y in ((a, b), (b, a))]
        reliability, contribution = (_median(values) for values in rated[a, b])
        first, second = sorted((organisations[a], organisations[b]), key=lambda o: (o.name, o.pk))
        confirmed = all(side is not None and side >= TIE_AT for side in sides)
        tie = Tie(first, second, strength, reliability, contribution, confirmed)
        network.ties.append(tie)
        graph.add_edge(a, b, frequency=strength)
        members[a].partners.append((organisations[b], tie))
        members[b].partners.append((organisations[a], tie))
    network.ties.sort(key=lambda t: (t.first.name, t.second.name))
    for pk, value in nx.betweenness_centrality(graph).items():
        members[pk].betweenness = value
    for member in network.members:
        member.partners.sort(key=lambda p: (p[0].name, p[0].pk))
        reliability, contribution = of_others.get(member.organisation.pk, ([], []))
        # A figure from fewer people than a group may have could be one person's rating.
        member.reliability = _median(reliability) if len(reliability) >= min_group else None
        member.contribution = _median(contribution) if len(contribution) >= min_group else None
    return network


def _withheld(assessment: Assessment, people: int, min_group: int) -> str:
    if not assessment.network:
        return "This assessment did not ask how partner organisations work together."
    if people < min_group:
        more = min_group - people
        return (
            f"The network is shown once at least {min_group} people have answered its "
            f"questions, so that no one's answers stand alone: {more} more "
            f"{'is' if more == 1 else 'are'} needed."
        )
    return ""


def previous_round(assessment: Assessment) -> Assessment | None:
    """The partnership's latest earlier assessment that asked about the network."""
    earlier = earlier_assessments(assessment).filter(network=True)
    return earlier.filter(respondents__network_answers__isnull=False).distinct().last()


def _change(now: Network, before: Network, title: str) -> Change:
    common = set(now.graph) & set(before.graph)
    edges_now = {tuple(sorted(e)) for e in now.graph.subgraph(common).edges}
    edges_before = {tuple(sorted(e)) for e in before.graph.subgraph(common).edges}
    names = {m.organisation.pk: m.organisation for m in now.members}

    def by_name(pairs: set) -> list[tuple[Organisation, Organisation]]:
        named = [
            tuple(sorted((names[a], names[b]), key=lambda o: (o.name, o.pk))) for a, b in pairs
        ]
        return sorted(named, key=lambda p: (p[0].name, p[1].name))

    moved = []
    for pk in common:
        was, is_ = before.member(pk).betweenness, now.member(pk).betweenness
        if round(is_ - was, 2):
            moved.append((names[pk], was, is_))
    moved.sort(key=lambda c: (-abs(c[2] - c[1]), c[0].name))
    return Change(
        title,
        gained=by_name(edges_now - edges_before),
        lost=by_name(edges_before - edges_now),
        density_before=before.density,
        density_now=now.density,
        centrality=moved[:CHANGES_SHOWN],
    )


def network_for(assessment: Assessment, min_group: int) -> Network:
    """The assessment's network, compared with the previous round's; or why it is not
    shown (``withheld``): the section was off, or fewer than ``min_group`` people answered."""
    organisations = {o.pk: o for o in assessment.partnership.organisations.all()}
    rows = list(_answers(assessment))
    network = _count(assessment, organisations, rows, min_group)
    if withheld := _withheld(assessment, network.people, min_group):
        return Network(assessment, withheld=withheld, people=network.people)
    previous = previous_round(assessment)
    if previous is not None:
        before = _count(previous, organisations, list(_answers(previous)), min_group)
        if before.people >= min_group:
            network.change = _change(network, before, previous.title)
    return network
