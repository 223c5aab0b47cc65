"""Where views differ, with hand-computed expectations: gaps between groups, small groups
left out, and agreed workshop ratings against the median of individual answers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.builders import make_workshop
from tests.workshops.test_results import MIN, build, respond
from workshops.models import Action, AgendaItem, Comparison
from workshops.services.draft_actions import drafts_from


def test_gaps_by_role_in_percentage_points_leaving_out_small_groups(assessment):
    for value in ["yes", "yes", "no"]:
        respond(assessment, role="coordinator", **{"1_1_2": value})
    for value in ["yes", "no", "no", "no"]:
        respond(assessment, role="board_member", **{"1_1_2": value})
    for value in ["yes", "yes"]:  # only two other partners: never a cell of their own
        respond(assessment, role="officer", **{"1_1_2": value})
    results = build(assessment)
    gap = next(g for g in results.yes_no_gaps if g.dimension == "Role")
    assert gap.size == pytest.approx(200 / 3 - 25)  # 41.7 percentage points
    assert gap.plain == "67% of coordinators say yes; 25% of board members"
    groups = {g.high[0] for g in results.yes_no_gaps} | {g.low[0] for g in results.yes_no_gaps}
    assert "Other partners" not in groups


def test_gaps_by_sector_and_organisation_in_points_largest_first(assessment):
    for value, org in [("4", "A"), ("4", "A"), ("3", "A")]:
        respond(assessment, sector="public", organisation=org, **{"1_1": value, "1_2": "3"})
    for value in ["2", "2", "1"]:
        respond(assessment, sector="third", organisation="B", **{"1_1": value, "1_2": "2"})
    respond(assessment, sector="private", organisation="C", **{"1_1": "1"})
    results = build(assessment)
    top = results.rating_gaps[0]
    assert (top.item.key, top.size) == ("1.1", pytest.approx(2.0))
    assert {g.dimension for g in results.rating_gaps if g.item.key == "1.1"} == {
        "Sector",
        "Organisation",
    }
    sector_gap = next(g for g in results.rating_gaps if g.dimension == "Sector")
    assert sector_gap.plain == "Public sector rate it 3.7 on average; third sector 1.7"
    assert [g.size for g in results.rating_gaps] == sorted(
        (g.size for g in results.rating_gaps), reverse=True
    )
    assert all(g.high[2] >= MIN and g.low[2] >= MIN for g in results.rating_gaps)


def test_agreed_ratings_a_point_or_more_from_the_median_are_flagged(cast, assessment):
    for value in ["2", "2", "3"]:
        respond(assessment, **{"1_1": value, "1_2": value})
    workshop = make_workshop(cast, assessment)
    first, second = workshop.agenda.all()[:2]
    AgendaItem.objects.filter(pk=first.pk).update(agreed_internal=4, agreed_at=timezone.now())
    AgendaItem.objects.filter(pk=second.pk).update(agreed_internal=2, agreed_at=timezone.now())
    consensus = {c.item.key: c for c in build(assessment).consensus}
    assert (consensus["1.1"].agreed, consensus["1.1"].median, consensus["1.1"].flagged) == (
        4,
        2,
        True,
    )
    assert not consensus["1.2"].flagged


def test_each_comparison_prints_as_the_word_people_read_and_in_stored_draft_keys(assessment):
    words = ["Role", "Sector", "Governance layer", "Organisation"]
    assert [str(c) for c in Comparison] == [c.label for c in Comparison] == words
    for value in ["4", "4", "4"]:
        respond(assessment, role="coordinator", **{"1_1": value})
    for value in ["1", "1", "2"]:
        respond(assessment, role="board_member", **{"1_1": value})
    results = build(assessment)
    (gap,) = results.rating_gaps
    assert f"{gap.dimension}" == "Role"
    # Draft actions keep this key in the database: a new word would propose them all again.
    keys = {d.key for d in drafts_from(results) if d.source == Action.Source.GAP}
    assert keys == {"gap-1.1-internal-Role"}
