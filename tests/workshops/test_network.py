"""The partnership network counted from known structures: a star, two clusters joined by
one broker, an isolate and an organisation nobody knows; medians of several people's
answers; reliability as others see it; the change since the previous round; and the
findings in words, exactly."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.builders import build_network, make_assessment
from tests.workshops.network_shapes import COUNCIL, clusters, star
from workshops.services.network import network_for
from workshops.services.network_words import findings


@pytest.mark.django_db
def test_a_star_has_one_centre_that_links_everyone(cast, bank):
    assessment = make_assessment(cast)
    star(assessment)

    network = network_for(assessment, min_group=1)

    assert network.withheld == ""
    assert len(network.members) == 5 and len(network.ties) == 4
    assert network.density == pytest.approx(0.4)
    degrees = {m.organisation.name: m.degree for m in network.members}
    assert degrees == {
        "Chamber of commerce": 1,
        COUNCIL: 1,
        "Fire service": 4,
        "Food bank": 1,
        "Youth club": 1,
    }
    betweenness = {m.organisation.name: m.betweenness for m in network.members}
    assert betweenness["Fire service"] == pytest.approx(1.0)
    assert {v for k, v in betweenness.items() if k != "Fire service"} == {0.0}
    assert network.isolates == []
    assert network.confirmed == 4 and network.across == 3 and network.within == 1
    assert network.by_sector_pair() == {
        ("public", "public"): 1,
        ("public", "private"): 1,
        ("public", "third"): 2,
    }
    assert findings(network) == [
        "5 organisations are known to the network, with 4 ties between them out of 10 "
        "possible: a density of 0.40.",
        "Fire service works with 4 of 4 partners, more than any other.",
        "Fire service links partners that would otherwise be apart more than any other "
        "(betweenness 1.00).",
        "4 organisations work with only one partner: Chamber of commerce (with Fire service), "
        f"{COUNCIL} (with Fire service), Food bank (with Fire service) and Youth club "
        "(with Fire service).",
        "Only Fire service connects the public sector to the rest.",
        "Only Chamber of commerce connects the private sector to the rest.",
        "2 organisations connect the third sector to the rest.",
        "3 of 4 ties (75%) cross sectors; 1 is within one sector.",
        "4 of 4 ties (100%) are confirmed by both sides.",
    ]


@pytest.mark.django_db
def test_two_clusters_joined_by_a_broker_with_an_isolate_and_an_unknown(cast, bank):
    assessment = make_assessment(cast)
    clusters(assessment)

    network = network_for(assessment, min_group=1)

    assert [o.name for o in network.unknown] == ["Water company"]
    assert len(network.members) == 8 and len(network.ties) == 8
    assert network.density == pytest.approx(8 / 28)
    member = {m.organisation.name: m for m in network.members}
    assert member["Chamber of commerce"].betweenness == pytest.approx(9 / 21)
    assert member[COUNCIL].betweenness == pytest.approx(8 / 21)
    assert member["Food bank"].betweenness == pytest.approx(8 / 21)
    assert member["Police"].betweenness == 0
    assert [m.organisation.name for m in network.isolates] == ["Parish council"]
    assert network.one_tie == []
    tie = next(t for t in network.ties if t.second.name == "Food bank" and t.crosses_sectors)
    assert (tie.first.name, tie.frequency, tie.confirmed) == ("Chamber of commerce", 2, False)
    assert findings(network) == [
        "8 organisations are known to the network, with 8 ties between them out of 28 "
        "possible: a density of 0.29.",
        f"{COUNCIL} and Food bank each work with 3 of 7 partners, more than any other.",
        "Chamber of commerce links partners that would otherwise be apart more than any "
        "other (betweenness 0.43).",
        "1 organisation works with no other partner: Parish council.",
        f"Only {COUNCIL} connects the public sector to the rest.",
        "Only Chamber of commerce connects the private sector to the rest.",
        "Only Food bank connects the third sector to the rest.",
        "2 of 8 ties (25%) cross sectors; 6 are within one sector.",
        "7 of 8 ties (88%) are confirmed by both sides.",
        "1 organisation is not known: nobody from it answered and nobody said whether they "
        "work with it: Water company.",
    ]


@pytest.mark.django_db
def test_a_tie_is_the_median_of_every_answer_on_the_pair(cast, bank):
    assessment = make_assessment(cast)
    sectors = {COUNCIL: "public", "Police": "public", "Food bank": "third"}
    build_network(
        assessment,
        sectors,
        {
            # Two of the council's people split evenly; the police never answered.
            (COUNCIL, "Police"): [3, 0],
            # Weekly from one side, never from both of the other's: no tie.
            ("Food bank", COUNCIL): [3, "?"],
            (COUNCIL, "Food bank"): [0, 0],
        },
    )

    network = network_for(assessment, min_group=1)

    [tie] = network.ties
    assert (tie.first.name, tie.second.name) == (COUNCIL, "Police")
    assert tie.frequency == 1.5
    assert tie.frequency_words == "between a few times a year and monthly"
    assert not tie.confirmed
    assert network.people == 4


@pytest.mark.django_db
def test_reliability_as_others_see_it_needs_as_many_ratings_as_a_group(cast, bank):
    assessment = make_assessment(cast)
    sectors = {COUNCIL: "public", "Police": "public", "Food bank": "third", "Gym": "private"}
    build_network(
        assessment,
        sectors,
        {
            ("Police", COUNCIL): (3, 2, 4),
            ("Food bank", COUNCIL): (2, 3, 4),
            ("Gym", COUNCIL): (1, 4, 1),
            (COUNCIL, "Police"): (3, 1, 1),
        },
    )

    network = network_for(assessment, min_group=3)

    council = next(m for m in network.members if m.organisation.name == COUNCIL)
    police = next(m for m in network.members if m.organisation.name == "Police")
    assert (council.reliability, council.contribution) == (3, 4)
    # One rating of the police: it would be one person's.
    assert (police.reliability, police.contribution) == (None, None)
    tie = next(t for t in network.ties if t.second.name == "Police")
    assert (tie.reliability, tie.contribution) == (1.5, 2.5)


@pytest.mark.django_db
def test_it_says_why_when_the_section_is_off_or_too_few_answered(cast, bank):
    assessment = make_assessment(cast)
    assert network_for(assessment, min_group=3).withheld == (
        "This assessment did not ask how partner organisations work together."
    )
    build_network(assessment, {COUNCIL: "public", "Police": "public"}, {(COUNCIL, "Police"): 2})

    network = network_for(assessment, min_group=3)

    assert network.withheld == (
        "The network is shown once at least 3 people have answered its questions, so that "
        "no one's answers stand alone: 2 more are needed."
    )
    assert network.ties == [] and findings(network) == []


@pytest.mark.django_db
def test_unsubmitted_answers_do_not_count(cast, bank):
    assessment = make_assessment(cast)
    build_network(
        assessment, {COUNCIL: "public", "Police": "public"}, {(COUNCIL, "Police"): 3},
        submitted=False,
    )  # fmt: skip

    assert network_for(assessment, min_group=1).withheld.startswith("The network is shown once")


@pytest.mark.django_db
def test_it_names_ties_gained_and_lost_since_the_previous_round(cast, bank):
    before = make_assessment(cast, title="Spring 2025", opens=-400, closes=-380)
    star(before)
    now = make_assessment(cast, title="Spring 2026")
    clusters(now)

    network = network_for(now, min_group=1)

    change = network.change
    assert change.previous == "Spring 2025"
    # Only organisations known in both rounds are compared: the fire service did not take
    # part this time, so its ties are not counted as lost.
    assert [[a.name, b.name] for a, b in change.gained] == [
        ["Chamber of commerce", COUNCIL],
        ["Chamber of commerce", "Food bank"],
        ["Food bank", "Youth club"],
    ]
    assert change.lost == []
    assert change.density_before == pytest.approx(0.4)
    assert [(o.name, round(now_, 2)) for o, _, now_ in change.centrality] == [
        ("Chamber of commerce", 0.43),
        (COUNCIL, 0.38),
        ("Food bank", 0.38),
    ]
    assert findings(network)[-2:] == [
        "Since “Spring 2025”: 3 ties gained (Chamber of commerce and "
        f"{COUNCIL}; Chamber of commerce and Food bank; Food bank and Youth club), 0 ties "
        "lost; density fell from 0.40 to 0.29.",
        "Linking partners that would otherwise be apart changed most for Chamber of commerce "
        f"(0.00 to 0.43), {COUNCIL} (0.00 to 0.38) and Food bank (0.00 to 0.38).",
    ]


@pytest.mark.django_db
def test_it_counts_in_the_same_number_of_queries_whatever_the_size(cast, bank):
    def queries(size: int) -> int:
        assessment = make_assessment(cast, title=f"Round of {size}", opens=-size)
        names = {f"Organisation {size}-{i}": "public" for i in range(size)}
        build_network(
            assessment,
            names,
            {(a, b): [1, 2] for a in names for b in names if a != b},
        )
        with CaptureQueriesContext(connection) as captured:
            network = network_for(assessment, min_group=1)
            findings(network)
        return len(captured)

    assert queries(4) == queries(12)
