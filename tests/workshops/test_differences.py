"""Where views differ, with hand-computed expectations: gaps between groups, small groups
left out, and agreed workshop ratings against the median of individual answers."""

from __future__ import annotations

import csv
import io
import random
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_assessment, make_workshop
from tests.workshops.test_results import MIN, build, respond
from workshops.models import Action, AgendaItem, Answer, Comparison, Respondent
from workshops.services.draft_actions import drafts_from
from workshops.services.significance import FALSE_DISCOVERY_RATE, LARGE_DELTA


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
    assert sector_gap.plain == (
        "100% of public sector partners rate it performs well or better (3.7 on average); "
        "0% of third sector partners (1.7)"
    )
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
    for value in ["4", "4", "4", "3"] * 2:
        respond(assessment, role="coordinator", **{"1_1": value})
    for value in ["1", "1", "2", "1"] * 2:
        respond(assessment, role="board_member", **{"1_1": value})
    results = build(assessment)
    (gap,) = results.rating_gaps
    assert f"{gap.dimension}" == "Role"
    # Draft actions keep this key in the database: a new word would propose them all again.
    keys = {d.key for d in drafts_from(results) if d.source == Action.Source.GAP}
    assert keys == {"gap-1.1-internal-Role"}


# --- Differences that are not chance -------------------------------------------------------------


def crowd(assessment, people: list[tuple[dict, dict]]) -> None:
    """Many responses at once: each (who, answers by item key), as ``respond`` takes them."""
    respondents = Respondent.objects.bulk_create(
        Respondent(
            assessment=assessment,
            channel="online",
            role=who.get("role", "officer"),
            sector=who.get("sector", "public"),
            layer=who.get("layer", "strategic"),
            organisation=who.get("organisation", "Eastvale District Council"),
            submitted_at=timezone.now(),
        )
        for who, _ in people
    )
    items = {item.key: item for item in assessment.items.all()}
    answers = []
    for respondent, (_, given) in zip(respondents, people, strict=True):
        for key, value in given.items():
            item = items[key]
            if item.kind == "rating":
                answers.append(
                    Answer(respondent=respondent, item=item, basis="internal", rating=value)
                )
            else:
                answers.append(Answer(respondent=respondent, item=item, choice=value))
    Answer.objects.bulk_create(answers)


TRUE = {("1.1.2", "Role"), ("1.2", "Sector")}


def the_2008_survey(assessment, seed: int = 2008) -> None:
    """600 people in about 150 organisations of 3 to 5. Two true differences: 58% of
    coordinators against 44% of board members say yes to 1.1.2, and the third sector rates
    1.2 a point lower than the public sector. Every other question, and every organisation,
    draws from one distribution: any difference there is chance."""
    rng = random.Random(seed)
    # Half of each role in each sector, with the same share saying yes in both sectors: by
    # role the difference is true, by sector there is none at all.
    yes = {
        (role, sector): [True] * count + [False] * (150 - count)
        for role, count in (("coordinator", 87), ("board_member", 66))
        for sector in ("public", "third")
    }
    for answers in yes.values():
        rng.shuffle(answers)
    people = []
    for n in range(600):
        role = ("coordinator", "board_member")[n % 2]
        sector = ("public", "third")[(n // 2) % 2]
        who = {
            "role": role,
            "sector": sector,
            "layer": rng.choice(["strategic", "executive", "operational"]),
            "organisation": f"Organisation {rng.randrange(150)}",
        }
        answers = {key: rng.choice([1, 2, 2, 3, 3, 3, 4]) for key in ("1.1", "1.3", "1.4", "2.1")}
        answers |= {key: rng.choice(["yes", "yes", "no"]) for key in ("1.1.3", "2.1.1")}
        answers["1.1.2"] = "yes" if yes[(role, sector)].pop() else "no"
        answers["1.2"] = rng.choice([2, 3, 3, 4]) - (1 if sector == "third" else 0)
        people.append((who, answers))
    crowd(assessment, people)


def test_the_true_differences_lead_and_chance_ones_do_not(assessment):
    the_2008_survey(assessment)
    results = build(assessment)
    leading = results.differences.leading
    assert {(g.item.key, str(g.dimension)) for g in leading[:2]} == TRUE
    sector, role = leading[0], leading[1]  # a point lower is larger than 14 percentage points
    assert (sector.item.key, role.item.key) == ("1.2", "1.1.2")
    assert role.plain == "58% of coordinators say yes; 44% of board members"
    assert role.test == "Fisher's exact" and role.q < FALSE_DISCOVERY_RATE
    assert role.share_gap == pytest.approx(14)
    assert sector.test == "Mann–Whitney U" and sector.delta > LARGE_DELTA
    assert sector.plain == (
        "74% of public sector partners rate it performs well or better (3.0 on average); "
        "24% of third sector partners (2.0)"
    )
    # Chance: organisations of 3 to 5 differ widely, but none is clear.
    chance = [g for g in results.differences.every if (g.item.key, str(g.dimension)) not in TRUE]
    by_organisation = [g for g in chance if g.dimension == Comparison.ORGANISATION]
    assert len(by_organisation) == 8 and all(g.large for g in by_organisation)
    assert not [g for g in chance if g.clear]


def test_nothing_is_dropped_the_counts_and_the_full_list_hold_every_comparison(assessment):
    the_2008_survey(assessment)
    summary = build(assessment).differences
    every = summary.every
    # 8 questions by role, sector, layer and organisation (one channel only).
    assert len(every) == 8 * 4
    assert summary.leading and summary.more == 32 - len(summary.leading)
    assert len(summary.leading) + summary.clear_small + summary.large_chance + summary.neither == 32


def test_across_many_null_questions_few_differences_are_called_clear(assessment):
    rng = random.Random(20)
    items = [i for i in assessment.items.all() if i.kind in ("rating", "yes_no")]
    people = []
    for n in range(160):
        who = {
            "role": rng.choice(["coordinator", "board_member", "officer"]),
            "sector": rng.choice(["public", "private", "third"]),
            "layer": rng.choice(["strategic", "executive", "operational"]),
            "organisation": f"Organisation {n // 4}",  # 40 organisations of 4
        }
        answers = {
            i.key: rng.choice([1, 2, 3, 3, 4] if i.kind == "rating" else ["yes", "no"])
            for i in items
        }
        people.append((who, answers))
    crowd(assessment, people)
    every = build(assessment).differences.every
    assert len(every) > 200
    flagged = [g for g in every if g.clear]
    # Every difference here is chance, so any flagged is a false discovery: with the rate
    # held, calling even one clear happens in at most one such partnership in twenty. Two
    # (1% of these comparisons) would be far beyond that.
    assert len(flagged) <= FALSE_DISCOVERY_RATE * len(every) / 5


def test_layers_and_roles_are_named_in_plain_words(assessment):
    for value in ["yes"] * 5 + ["no"] * 2:
        respond(assessment, layer="executive", **{"1_1_2": value})
    for value in ["yes"] * 5 + ["no"] * 3:
        respond(assessment, layer="strategic", **{"1_1_2": value})
    results = build(assessment)
    gap = next(g for g in results.yes_no_gaps if g.dimension == Comparison.LAYER)
    assert gap.plain == "71% of executive-level partners say yes; 62% of board-level members"


def test_the_channel_is_a_comparison_when_both_were_used(assessment):
    for value in ["4", "4", "3"]:
        respond(assessment, **{"1_1": value})
    for value in ["1", "2", "2"]:
        respond(assessment, channel="workshop", **{"1_1": value})
    gap = next(g for g in build(assessment).rating_gaps if g.dimension == "Channel")
    assert gap.plain == (
        "100% of people answering the questionnaire rate it performs well or better "
        "(3.7 on average); 0% of people voting in a workshop (1.7)"
    )
    assert build(assessment, "questionnaire").rating_gaps == []


# --- The pages -----------------------------------------------------------------------------------


def test_executives_read_the_clear_and_large_differences_first(client, cast, assessment):
    the_2008_survey(assessment)
    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    text = " ".join(page.content.decode().split())
    differ = text[text.index('id="differ"') : text.index('id="consensus"')]
    assert differ.index("third sector partners") < differ.index(
        "58% of coordinators say yes; 44% of board members"
    )
    assert "unlikely to be chance" in differ
    assert "Organisation 1" not in differ
    summary = build(assessment).differences
    assert (
        f"30 more differences: {summary.clear_small} unlikely to be chance but small; "
        f"{summary.large_chance} large but could be chance; {summary.neither} small and could "
        "be chance."
    ) in differ
    everything = reverse("results-differences", args=[cast.partnership.pk, assessment.pk])
    assert f'href="{everything}?channel=all"' in differ


def test_the_list_of_every_difference_filters_and_sorts_by_its_address(client, cast, assessment):
    the_2008_survey(assessment)
    client.force_login(cast.executive)
    url = reverse("results-differences", args=[cast.partnership.pk, assessment.pk])
    text = client.get(url).content.decode()
    assert text.count('class="govuk-table__row lsp-difference"') == 32
    assert "Showing all 32 comparisons" in text
    text = client.get(url, {"dimension": "Organisation", "kind": "yes_no"}).content.decode()
    assert text.count('class="govuk-table__row lsp-difference"') == 3
    assert "Could be chance <span" in text and "Unlikely to be chance <span" not in text
    text = client.get(url, {"clear": "clear", "sort": "question"}).content.decode()
    rows = re.findall(r'lsp-item-name__key">([^<]+)<', text)
    assert rows == ["1.1.2", "1.2"]
    # A filter the page does not offer is no filter: everything, as it comes.
    text = client.get(
        url, {"dimension": "Shoe size", "sort": "'; drop", "clear": ["x", "y"]}
    ).content.decode()
    assert text.count('class="govuk-table__row lsp-difference"') == 32


HOSTILE = ["", "Role ", "role", "\x00", "é" * 5000, "1' OR '1'='1", "../../", ["clear", "chance"]]


@pytest.mark.parametrize("name", ["channel", "dimension", "kind", "clear", "sort"])
def test_no_address_breaks_the_list_of_every_difference(client, cast, assessment, name):
    for value in ["4", "4", "3"]:
        respond(assessment, role="coordinator", **{"1_1": value, "1_1_2": "yes"})
    for value in ["1", "2", "2"]:
        respond(assessment, role="board_member", **{"1_1": value, "1_1_2": "no"})
    client.force_login(cast.coordinator)
    url = reverse("results-differences", args=[cast.partnership.pk, assessment.pk])
    for value in HOSTILE:
        response = client.get(url, {name: value})
        assert response.status_code == 200
        assert "Showing all 2 comparisons" in response.content.decode()
    outsider = reverse("results-differences", args=[cast.other.pk, assessment.pk])
    assert client.get(outsider).status_code == 404


def test_the_download_holds_every_comparison_with_its_test_and_verdict(client, cast, assessment):
    the_2008_survey(assessment)
    client.force_login(cast.executive)
    url = reverse("results-export", args=[cast.partnership.pk, assessment.pk, "gaps", "csv"])
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert len(rows) == 32
    role = next(r for r in rows if r["Item"] == "1.1.2" and r["Compared by"] == "Role")
    assert (role["Test"], role["Chance"], role["Large"]) == (
        "Fisher's exact",
        "Unlikely to be chance",
        "Yes",
    )
    assert float(role["Adjusted p"]) < FALSE_DISCOVERY_RATE
    assert (role["Share gap (percentage points)"], role["Cliff's delta"]) == ("14.0", "")
    sector = next(r for r in rows if r["Item"] == "1.2" and r["Compared by"] == "Sector")
    assert float(sector["Cliff's delta"]) > LARGE_DELTA
    chance = [r for r in rows if r["Compared by"] == "Organisation"]
    assert {r["Chance"] for r in chance} == {"Could be chance"}
    assert {r["Test"] for r in chance} == {"Kruskal–Wallis", "Chi-square"}


def test_drafts_come_only_from_differences_unlikely_to_be_chance(assessment):
    the_2008_survey(assessment)
    results = build(assessment)
    assert results.differences.large_chance >= 8  # every organisation comparison, at least
    drafts = [d for d in drafts_from(results) if d.source == Action.Source.GAP]
    assert [d.title for d in drafts] == [
        "Understand why views differ on 1.2",
        "Understand why views differ on 1.1.2",
    ]
    assert drafts[1].description == (
        "58% of coordinators say yes; 44% of board members. Talk it through with both groups."
    )


def test_an_anonymous_assessment_too_small_to_show_lists_no_comparison(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    for value in ["4", "1"]:
        respond(anonymous, **{"1_1": value})
    client.force_login(cast.executive)
    url = reverse("results-differences", args=[cast.partnership.pk, anonymous.pk])
    text = client.get(url).content.decode()
    assert "Results are shown once at least 3 people have answered" in text
    assert "lsp-difference" not in text
