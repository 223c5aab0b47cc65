"""Results with hand-computed expectations: item statistics, element scores and bands, what
to investigate, what building them costs, and the page, charts and files. Where views
differ, trends, benchmarks and who is said to have answered have files of their own."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.builders import make_assessment
from workshops.models import Answer, Respondent
from workshops.services import results as results_service
from workshops.services.scores import band_for

MIN = 3


def respond(assessment, channel="online", submitted=True, **who_and_answers) -> Respondent:
    """A response with the given attributes; other keyword arguments are answers by item key
    ("1_1" for 1.1 on the internal basis, "1_1__external" for the external one)."""
    who = {
        key: who_and_answers.pop(key)
        for key in ("role", "sector", "layer", "organisation")
        if key in who_and_answers
    }
    respondent = Respondent.objects.create(
        assessment=assessment,
        channel=channel,
        role=who.get("role", "officer"),
        sector=who.get("sector", "public"),
        layer=who.get("layer", "strategic"),
        organisation=who.get("organisation", "Eastvale District Council"),
        submitted_at=timezone.now() if submitted else None,
    )
    items = {item.key: item for item in assessment.items.all()}
    answers = []
    for name, value in who_and_answers.items():
        key, _, basis = name.partition("__")
        item = items[key.replace("_", ".")]
        answer = Answer(respondent=respondent, item=item)
        if item.kind == "rating":
            answer.basis = basis or "internal"
            if str(value).isdigit():
                answer.rating = int(value)
            else:
                answer.choice = value
        elif item.kind == "yes_no":
            answer.choice = value
        else:
            answer.text = value
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    return respondent


def build(assessment, channel="all"):
    return results_service.results_for(assessment, MIN, channel)


def rating(results, key, basis="internal"):
    return next(r for r in results.ratings if r.item.key == key and r.basis == basis)


# --- Items ---------------------------------------------------------------------------------------


def test_item_statistics_and_a_split_partnership(assessment):
    for value in ["1", "2", "2", "4", "dont_know"]:
        respond(assessment, **{"1_1": value})
    for value in ["3", "3", "3", "2"]:
        respond(assessment, **{"1_2": value})
    respond(assessment, submitted=False, **{"1_1": "1"})  # a draft is not counted
    results = build(assessment)
    split = rating(results, "1.1")
    assert (split.n, split.mean, split.median) == (4, 2.25, 2.0)
    assert split.counts == {"1": 1, "2": 2, "4": 1, "dont_know": 1}
    assert split.spread == pytest.approx(math.sqrt(4.75 / 4))  # 1.09
    assert split.split and split.dont_know_rate == pytest.approx(0.2)
    agreed = rating(results, "1.2")
    assert agreed.spread == pytest.approx(math.sqrt(0.1875)) and not agreed.split


def test_yes_no_items_are_percentages_and_flag_the_answer_to_investigate(assessment):
    for value in ["yes", "no", "no", "dont_know"]:
        respond(assessment, **{"1_1_2": value})  # 'no' calls for investigation
    respond(assessment, **{"1_1_3": "yes"})  # here 'yes' does (an update is due)
    results = build(assessment)
    plan = next(y for y in results.yes_no if y.item.key == "1.1.2")
    assert (plan.yes, plan.no, plan.dont_know, plan.yes_percent) == (
        1,
        2,
        1,
        pytest.approx(33.33, 0.01),
    )
    assert plan.triggered == 2
    section, flagged, unsure = results.investigate[0]
    assert section.number == 1
    assert [(y.item.key, y.triggered) for y in flagged] == [("1.1.2", 2), ("1.1.3", 1)]
    assert unsure == []


# --- Elements and bands --------------------------------------------------------------------------


def test_an_element_score_is_the_mean_of_its_ratings_banded_by_the_yaml(assessment):
    respond(assessment, **{"1_1": "3", "1_1_1": "4", "1_2": "2", "2_1": "2"})
    respond(assessment, **{"1_1": "3", "2_1": "2", "2_2": "3"})
    results = build(assessment)
    one, two = results.elements[0], results.elements[1]
    assert one.scores["internal"] == pytest.approx(12 / 4)  # 3, 4, 2, 3
    assert one.headline[1]["key"] == "strength"  # 3.0 is the band's inclusive minimum
    assert two.scores["internal"] == pytest.approx(7 / 3)  # 2.33
    assert two.headline[1]["label"] == "Needs attention"
    assert results.elements[2].scores["internal"] is None
    assert results.elements[2].headline == (None, None)


def test_bands_come_from_the_question_bank_not_the_code(assessment):
    bank = assessment.bank
    assert [band_for(bank, s)["key"] for s in (3.0, 2.99, 2.25, 2.2499, 1.0)] == [
        "strength",
        "needs_attention",
        "needs_attention",
        "concern",
        "concern",
    ]
    bank.bands = [
        {"key": "good", "label": "Good", "min": 2.0},
        {"key": "poor", "label": "Poor", "min": 1.0},
    ]
    assert band_for(bank, 2.1)["label"] == "Good" and band_for(bank, 1.9)["label"] == "Poor"


def test_both_bases_are_scored_side_by_side(cast, bank):
    assessment = make_assessment(cast, basis="both")
    respond(assessment, **{"1_1": "4", "1_1__external": "2"})
    results = build(assessment)
    assert results.elements[0].scores == {"internal": 4.0, "external": 2.0}
    assert (rating(results, "1.1").mean, rating(results, "1.1", "external").mean) == (4, 2)


# --- Cost ----------------------------------------------------------------------------------------


def test_results_take_the_same_queries_for_10_and_500_respondents(cast, bank):
    counts = []
    for size in (10, 500):
        assessment = make_assessment(cast, title=f"{size} respondents")
        for n in range(size):
            respond(assessment, **{"1_1": str(n % 4 + 1), "1_1_2": "no", "2_1": "3"})
        with CaptureQueriesContext(connection) as queries:
            results = build(assessment)
        assert results.turnout.people == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


# --- The page and files --------------------------------------------------------------------------


def test_executives_read_the_results_page_with_the_largest_gap_first(client, cast, assessment):
    for value in ["4", "4", "4", "3"] * 2:
        respond(assessment, role="coordinator", **{"1_1": value})
    for value in ["1", "2", "1", "3"] * 2:
        respond(assessment, role="board_member", **{"1_1": value})
    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    text = page.content.decode()
    assert (
        "100% of coordinators rate it performs well or better (3.8 on average); "
        "25% of board members (1.8)"
    ) in text
    assert reverse("results-7s", args=[cast.partnership.pk, assessment.pk]) in text
    assert "7S chart of element scores. SCS: 2.8, needs attention;" in text
    client.force_login(cast.participant)
    response = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    assert response.status_code == 403


def test_answers_export_names_nobody_and_hides_small_groups_when_anonymous(client, cast, bank):
    assessment = make_assessment(cast, anonymous=True)
    respond(assessment, role="coordinator", sector="private", **{"1_1": "2", "1_2_1": "=1+1"})
    for _ in range(3):
        respond(assessment, role="officer", sector="public", **{"1_1": "3"})
    client.force_login(cast.coordinator)
    url = reverse("results-export", args=[cast.partnership.pk, assessment.pk, "answers", "csv"])
    response = client.get(url)
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # Role and sector would each single out the coordinator: only what all four
    # share is given. And with four people, fewer than comments need, no text.
    header = ["Respondent", "Channel", "Governance layer", "Element", "Item", "Basis", "Answer"]
    assert rows[0] == header
    assert sorted(r[0] for r in rows[1:]) == ["R1", "R2", "R3", "R4"]
    assert {tuple(r[1:3]) for r in rows[1:]} == {("Questionnaire", "Strategic (board)")}
    assert sorted(r[-1] for r in rows[1:]) == ["2", "3", "3", "3"]
    text = response.content.decode()
    assert "=1+1" not in text and "Eastvale" not in text and "Coordinator" not in text


def test_the_aggregates_workbook_has_elements_items_and_gaps(client, cast, assessment):
    for value in ["4", "4", "3"]:
        respond(assessment, role="coordinator", **{"1_1": value})
    for value in ["1", "2", "1"]:
        respond(assessment, role="board_member", **{"1_1": value})
    client.force_login(cast.facilitator)
    url = reverse("results-export", args=[cast.partnership.pk, assessment.pk, "aggregates", "xlsx"])
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    assert workbook.sheetnames[:3] == ["Elements", "Items", "Where views differ"]
    assert workbook.sheetnames[3:] == ["Trends", "Other partnerships"]
    elements = list(workbook["Elements"].values)
    assert elements[1][:2] == (1, "The LSP's long-term goals")
    assert elements[1][5] == pytest.approx(2.5) and elements[1][6] == "Needs attention"
    items = {row[1]: row for row in workbook["Items"].values}
    assert items["1.1"][4:7] == (6, 2.5, 2.5)
    gaps = list(workbook["Where views differ"].values)
    assert gaps[1][2] == "Role" and gaps[1][9] == pytest.approx(2.33, 0.01)
    # Each question in its words, after the figures.
    assert gaps[0][-1] == "Question" and gaps[1][-1] == items["1.1"][2]
    bad = reverse("results-export", args=[cast.partnership.pk, assessment.pk, "aggregates", "csv"])
    assert client.get(bad).status_code == 404


def test_the_charts_are_svg_with_the_scores_as_text(client, cast, assessment):
    respond(assessment, **{"1_1": "3"})
    client.force_login(cast.executive)
    svg = client.get(reverse("results-7s", args=[cast.partnership.pk, assessment.pk]))
    assert svg["Content-Type"] == "image/svg+xml"
    text = svg.content.decode()
    assert "<svg" in text and "SCS" in text and "3.0" in text and "Strength" in text
    heat = client.get(reverse("results-heat-map", args=[cast.partnership.pk, assessment.pk]))
    assert "1.1" in heat.content.decode()


def test_the_page_and_workbook_show_trends_item_by_item(client, cast, bank):
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    respond(earlier, **{"1_1": "1"})
    current = make_assessment(cast, title="2026 review")
    respond(current, **{"1_1": "3"})
    client.force_login(cast.executive)
    ids = [cast.partnership.pk, current.pk]
    page = client.get(reverse("results", args=ids)).content.decode()
    assert "Mean rating of each question over time" in page
    # The question is named by its key and words, then the means.
    named = r">1\.1</span> [^<]+(?:</summary>.*?)?</(?:span|details)></th>"
    assert re.search(named + r"\s*<td[^>]*>1\.0</td>\s*<td[^>]*>3\.0</td>", page)
    url = reverse("results-export", args=[*ids, "trends", "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert rows[0][0:2] == ["Item", "Basis"] and rows[0][-1] == "This assessment"
    assert ["1.1", "Against our own plans", "1.0", "3.0"] in rows


# --- Questions named by their words --------------------------------------------------------------


def results_page(client, cast, assessment) -> str:
    client.force_login(cast.executive)
    url = reverse("results", args=[cast.partnership.pk, assessment.pk])
    return client.get(url).content.decode()


def test_where_views_differ_names_each_question_and_its_basis(client, cast, bank):
    both = make_assessment(cast, basis="both")
    for value in ["4", "4", "4", "3"] * 2:
        respond(both, role="coordinator", **{"1_2": value, "1_2__external": "1"})
    for value in ["1", "1", "2", "1"] * 2:
        respond(both, role="board_member", **{"1_2": value, "1_2__external": "4"})
    page = results_page(client, cast, both)
    differ = page.split('id="differ"')[1].split('id="consensus"')[0]
    words = both.items.get(key="1.2").text
    assert len(words) > 70  # long enough to be shortened, the whole a click away
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', differ, re.S)
    assert len(rows) == 2
    bases = {re.search(r"\((Against [^)]+)\)</summary>", row)[1] for row in rows}
    assert bases == {"Against our own plans", "Against other LSPs"}
    for row in rows:
        assert '<span class="lsp-item-name__key">1.2</span> ' in row
        assert f"{words[:40]}" in row and "…" in row
        assert f'<span class="lsp-item-name__words">{words}</span>' in row
    assert "lsps)" not in page and "(against" not in page


def test_to_investigate_names_a_question_once_with_each_basis(client, cast, bank):
    both = make_assessment(cast, basis="both")
    for value in ["dont_know", "dont_know", "3", "2"]:
        respond(both, **{"1_1": value, "1_1__external": value})
    (section, flagged, unsure), *_ = build(both).investigate
    assert [(item.key, [r.basis for r in ratings]) for item, ratings in unsure] == [
        ("1.1", ["internal", "external"])
    ]
    page = results_page(client, cast, both)
    investigate = page.split('id="investigate"')[1].split('id="items"')[0]
    assert investigate.count('lsp-item-name__key">1.1<') == 1
    assert "50% don't know</strong> (Against our own plans); " in investigate
    assert "50% don't know</strong> (Against other LSPs)" in investigate


def test_the_7s_chart_and_heat_map_say_their_basis(client, cast, bank):
    external = make_assessment(cast, basis="external")
    respond(external, **{"1_1__external": "3"})
    client.force_login(cast.executive)
    basis = "External basis: against the performance of other LSPs"
    for chart in ("results-7s", "results-heat-map"):
        svg = client.get(reverse(chart, args=[cast.partnership.pk, external.pk])).content.decode()
        assert basis in svg
    page = results_page(client, cast, external)
    assert page.count(f"{basis}.") >= 2  # the 7S chart's text alternative and both captions


# --- Shares as well as means ---------------------------------------------------------------------


def test_each_rating_says_the_share_that_performs_well_or_better(assessment):
    # 1.1: 1, 2, 3, 4, 4 and a don't know: 3 of 5 at 3 or 4. 1.2: 2, 2 and not applicable.
    for value in ["1", "2", "3", "4", "4", "dont_know"]:
        respond(assessment, **{"1_1": value})
    for value in ["2", "2", "na"]:
        respond(assessment, **{"1_2": value})
    results = build(assessment)
    assert rating(results, "1.1").share == pytest.approx(0.6)
    assert rating(results, "1.2").share == 0.0
    assert rating(results, "1.3").share is None
    # The element: 3 of the 7 ratings it holds.
    assert results.elements[0].shares["internal"] == pytest.approx(3 / 7)
    assert results.well_words == "performs well or better"


def test_the_page_gives_shares_beside_means_and_the_whole_distribution(client, cast, assessment):
    for value in ["1", "2", "3", "4", "4", "dont_know", "na"]:
        respond(assessment, **{"1_1": value})
    page = results_page(client, cast, assessment)
    elements = page.split('id="elements"')[1].split('id="differ"')[0]
    assert "Performs well or better" in elements
    assert re.search(r"<td[^>]*>2\.8</td>\s*<td[^>]*>60%</td>", elements)
    items = page.split('id="items"')[1].split('id="trends"')[0]
    row = re.search(r'lsp-item-name__key">1\.1<.*?</tr>', items, re.S)[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    # 1, 2, 3, 4, don't know, not applicable; then the share, the mean and the median.
    assert cells[:9] == ["1", "1", "1", "2", "1", "1", "60%", "2.8", "3.0"]
    # Each scale point is named in the scale's words, not by its number alone.
    assert "Performs poorly" in items and "Performs excellently" in items


def test_the_files_give_shares_for_questions_and_elements(client, cast, assessment):
    for value in ["1", "3", "4", "4"]:
        respond(assessment, **{"1_1": value})
    client.force_login(cast.executive)
    ids = [cast.partnership.pk, assessment.pk]
    items = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("results-export", args=[*ids, "items", "csv"])).content.decode()
            )
        )
    )
    share = items[0].index("Performs well or better %")
    assert next(row for row in items if row[1] == "1.1")[share] == "75.0"
    url = reverse("results-export", args=[*ids, "aggregates", "xlsx"])
    workbook = load_workbook(io.BytesIO(client.get(url).content))
    elements = list(workbook["Elements"].values)
    share = elements[0].index("Performs well or better %")
    assert elements[1][share] == pytest.approx(75.0)
