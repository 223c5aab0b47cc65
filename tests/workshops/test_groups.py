"""Any group's view of the results: one group's page, charts and files; two groups side by
side; groups too small to show; and, in an anonymous assessment, views that set against
each other would point at fewer than the minimum, tried as an attack."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import make_assessment
from tests.workshops.forms.test_results import shows
from tests.workshops.test_results import respond
from workshops.services import results as results_service
from workshops.services.groups import Group

MIN = 3  # the test settings' minimum group size


def page(client, cast, assessment, **query) -> str:
    client.force_login(cast.executive)
    url = reverse("results", args=[cast.partnership.pk, assessment.pk])
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def section(text: str, start: str, end: str) -> str:
    return text.split(f'id="{start}"')[1].split(f'id="{end}"')[0]


def cells(text: str, key: str) -> list[str]:
    row = re.search(rf'lsp-item-name__key">{re.escape(key)}<.*?</tr>', text, re.S)[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


@pytest.fixture
def roles(assessment):
    """Three coordinators who rate 1.1 highly and three board members who do not."""
    for value in ["4", "4", "3"]:
        respond(assessment, role="coordinator", **{"1_1": value, "1_1_2": "yes"})
    for value in ["1", "2", "1"]:
        respond(assessment, role="board_member", sector="third", **{"1_1": value})
    return assessment


def test_a_groups_view_counts_only_that_groups_answers(client, cast, roles):
    text = page(client, cast, roles, group="role:coordinators")
    assert "These are the answers of coordinators only" in text
    assert "3 people answered the questionnaire." in text
    elements = section(text, "elements", "investigate")
    assert re.search(r"<td[^>]*>3\.7</td>\s*<td[^>]*>100%</td>", elements)
    items = section(text, "items", "downloads")
    # 1, 2, 3, 4, don't know, not applicable, then the share and the mean.
    assert cells(items, "1.1")[:8] == ["0", "0", "1", "2", "0", "0", "100%", "3.7"]
    # Everyone's sections are left to everyone's page, and the choice is kept in the form.
    assert 'id="differ"' not in text and "choose “Everyone” to see them" in text
    assert re.search(r'<option value="role:coordinators"\s+selected', text)
    # Charts and files follow the filter through their links.
    assert "?channel=all&amp;group=role%3Acoordinators" in text
    everyone = page(client, cast, roles)
    assert cells(section(everyone, "items", "trends"), "1.1")[6:8] == ["50%", "2.5"]


def test_the_charts_and_files_of_a_group_count_only_that_group(client, cast, roles):
    client.force_login(cast.executive)
    ids = [cast.partnership.pk, roles.pk]
    svg = client.get(reverse("results-7s", args=ids), {"group": "role:board"}).content.decode()
    assert shows(svg, "1.3") and not shows(svg, "2.5")
    query = {"group": "role:board"}
    url = reverse("results-export", args=[*ids, "items", "csv"])
    items = list(csv.reader(io.StringIO(client.get(url, query).content.decode())))
    share = items[0].index("Performs well or better %")
    row = next(row for row in items if row[1] == "1.1")
    assert (row[4], row[5], row[share]) == ("3", "1.33", "0.0")
    url = reverse("results-export", args=[*ids, "answers", "csv"])
    answers = list(csv.reader(io.StringIO(client.get(url, query).content.decode())))
    assert sorted(r[0] for r in answers[1:]) == ["R1", "R2", "R3"]
    assert {r[2] for r in answers[1:]} == {"Board members"}


def test_two_groups_side_by_side(client, cast, roles):
    text = page(client, cast, roles, group="role:coordinators", versus="role:board")
    assert "Coordinators and Board members, side by side" in text
    elements = section(text, "elements", "investigate")
    assert "Coordinators: performs well or better" in elements
    # SCS: coordinators 3.7 and 100%; board members 1.3 and 0%.
    assert re.search(
        r"<td[^>]*>3\.7</td>\s*<td[^>]*>100%</td>\s*<td[^>]*>1\.3</td>\s*<td[^>]*>0%</td>",
        elements,
    )
    items = section(text, "items", "downloads")
    assert cells(items, "1.1") == ["3", "100%", "3.7", "3", "0%", "1.3"]
    assert cells(items, "1.1.2") == ["3", "100%", "0", "–"]
    investigate = section(text, "investigate", "items")
    assert investigate.count("<h3") == 2
    # Each side's chart and files, each for its own group.
    assert text.count("group=role%3Acoordinators") >= 3 and text.count("group=role%3Aboard") >= 3


def test_a_group_below_the_minimum_shows_why_not_figures(client, cast, assessment):
    for value in ["4", "4", "4"]:
        respond(assessment, **{"1_1": value})
    for value in ["1", "1"]:
        respond(assessment, sector="private", **{"1_1": value})
    text = page(client, cast, assessment, group="sector:private")
    assert "Private sector: fewer than 3 people answered" in text
    assert 'id="elements"' not in text and "1.0" not in text
    side = page(client, cast, assessment, group="sector:public", versus="sector:private")
    assert "Private sector: fewer than 3 people answered" in side
    assert cells(section(side, "items", "downloads"), "1.1") == ["3", "100%", "4.0", "–", "–", "–"]
    client.force_login(cast.executive)
    url = reverse("results-export", args=[cast.partnership.pk, assessment.pk, "items", "csv"])
    response = client.get(url, {"group": "sector:private"})
    assert response["Content-Type"].startswith("text/html")  # the reason, not a file
    svg = client.get(
        reverse("results-7s", args=[cast.partnership.pk, assessment.pk]),
        {"group": "sector:private"},
    ).content.decode()
    assert not shows(svg, "1.0")


def test_anonymous_everyone_less_a_group_cannot_reveal_the_few_left(client, cast, bank):
    """The attack: five in the public sector and one in the private. Each view holds the
    minimum, but everyone's figures less the public sector's would be the one private
    partner's answers."""
    anonymous = make_assessment(cast, anonymous=True)
    for value in ["3", "3", "3", "4", "4"]:
        respond(anonymous, **{"1_1": value})
    respond(anonymous, sector="private", **{"1_1": "1"})
    text = page(client, cast, anonymous, group="sector:public")
    assert "in this anonymous assessment, this group's figures set against everyone's" in unescape(
        text
    )
    assert 'id="elements"' not in text
    assert "fewer than" in page(client, cast, anonymous, group="sector:private")
    client.force_login(cast.executive)
    ids = [cast.partnership.pk, anonymous.pk]
    svg = client.get(reverse("results-7s", args=ids), {"group": "sector:public"}).content.decode()
    assert not shows(svg, "3.4")
    url = reverse("results-export", args=[*ids, "items", "csv"])
    assert client.get(url, {"group": "sector:public"})["Content-Type"].startswith("text/html")


def test_anonymous_one_group_less_another_cannot_reveal_the_few_left(client, cast, bank):
    """The attack across dimensions: the public sector (four) less one council (three) is
    the one partner from another council; each view alone holds the minimum, and so does
    everyone less either. Organisations are not offered; sectors still are."""
    anonymous = make_assessment(cast, anonymous=True)
    for value in ["3", "3", "3"]:
        respond(anonymous, organisation="Eastvale Council", **{"1_1": value})
    respond(anonymous, organisation="Northvale Police", **{"1_1": "1"})
    for value in ["2", "2", "2"]:
        respond(anonymous, sector="third", organisation="Vale CVS", **{"1_1": value})
    refused = page(client, cast, anonymous, group="organisation:Eastvale Council")
    assert "this group's figures set against everyone's" in unescape(refused)
    shown = page(client, cast, anonymous, group="sector:public")
    assert cells(section(shown, "items", "downloads"), "1.1")[:8] == [
        "1", "0", "3", "0", "0", "0", "75%", "2.5",
    ]  # fmt: skip
    side = page(client, cast, anonymous, group="sector:public", versus="sector:third")
    assert "set against everyone" not in unescape(side)


def test_a_named_assessment_shows_any_group_of_the_minimum(client, cast, assessment):
    for value in ["3", "3", "3"]:
        respond(assessment, organisation="Eastvale Council", **{"1_1": value})
    respond(assessment, organisation="Northvale Police", **{"1_1": "1"})
    text = page(client, cast, assessment, group="organisation:Eastvale Council")
    assert "These are the answers of Eastvale Council only" in text


@pytest.mark.parametrize(
    "query",
    [
        {"group": "nonsense"},
        {"group": "role:kings"},
        {"group": "sector:"},
        {"group": "organisation:Nobody here"},
        {"versus": "layer:\x00"},
        {"group": "organisation:" + "x" * 5000},
        {"group": ["role:coordinators", "role:board"]},
    ],
)
def test_a_group_the_assessment_does_not_have_is_left_out_with_a_message(
    client, cast, roles, query
):
    text = page(client, cast, roles, **query)
    if query.get("group") == ["role:coordinators", "role:board"]:
        assert "These are the answers of board members only" in text  # the last, as Django reads
        return
    assert "The link named a group this assessment does not have" in text
    assert "6 people answered the questionnaire." in text


def test_the_same_group_twice_is_one_view_and_a_second_alone_is_shown_alone(client, cast, roles):
    same = page(client, cast, roles, group="role:board", versus="role:board")
    assert "side by side" not in same and "answers of board members only" in same
    alone = page(client, cast, roles, versus="role:board")
    assert "answers of board members only" in alone


def test_a_groups_view_reads_the_answers_once(cast, bank):
    counts = []
    for size in (10, 200):
        assessment = make_assessment(cast, title=f"{size} respondents")
        for n in range(size):
            role = "coordinator" if n % 2 else "board_member"
            respond(assessment, role=role, **{"1_1": str(n % 4 + 1), "1_1_2": "no"})
        with CaptureQueriesContext(connection) as queries:
            pair = results_service.side_by_side(
                assessment, MIN, "all", [Group("role", "coordinators"), Group("role", "board")]
            )
        assert [view.turnout.people for view in pair] == [size // 2, size // 2]
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


def test_a_group_no_list_names_is_shown_by_the_words_it_was_given(client, cast, assessment):
    for value in ["4", "4", "4"]:
        respond(assessment, sector="faith", layer="", **{"1_1": value})
    text = page(client, cast, assessment, group="sector:faith")
    assert "These are the answers of faith only" in text


def test_people_who_joined_a_workshop_and_never_voted_do_not_make_a_group_large(
    client, cast, assessment
):
    for value in ["4", "4", "4"]:
        respond(assessment, **{"1_1": value})
    respond(assessment, channel="workshop", submitted=False, sector="private", **{"1_1": "1"})
    for _ in range(2):
        respond(assessment, channel="workshop", submitted=False, sector="private")
    text = page(client, cast, assessment, group="sector:private")
    assert "Private sector: fewer than 3 people answered" in text
    client.force_login(cast.executive)
    url = reverse("results-7s", args=[cast.partnership.pk, assessment.pk])
    svg = client.get(url, {"group": "sector:private"}).content.decode()
    assert not shows(svg, "1.0")
    svg = client.get(url, {"group": "sector:private", "channel": "workshop"}).content.decode()
    assert not shows(svg, "1.0")


def test_an_anonymous_assessment_does_not_list_an_organisation_of_one(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    for value in ["3", "3", "3"]:
        respond(anonymous, organisation="Eastvale Council", **{"1_1": value})
    respond(anonymous, organisation="Northvale Police", **{"1_1": "1"})
    text = page(client, cast, anonymous)
    assert "Eastvale Council" in text and "Northvale Police" not in text
    linked = page(client, cast, anonymous, group="organisation:Northvale Police")
    assert "The link named a group this assessment does not have" in linked
    assert "Northvale Police" not in linked


def test_anonymous_a_group_set_against_a_channel_cannot_reveal_the_few_left(client, cast, bank):
    """Each channel holds the minimum, so the page shows the questionnaire's answers on their
    own; all coordinators' answers less the questionnaire's (all four coordinators') would be
    the one coordinator who voted in a workshop. So coordinators are not shown, on any
    channel, while sectors, which every channel shares, are."""
    anonymous = make_assessment(cast, anonymous=True)
    for value in ["3", "3", "3", "4"]:
        respond(anonymous, role="coordinator", **{"1_1": value})
    for value in ["1", "1", "1"]:
        respond(anonymous, channel="workshop", submitted=False, **{"1_1": value})
    respond(anonymous, role="coordinator", channel="workshop", submitted=False, **{"1_1": "2"})
    for channel in ("all", "questionnaire"):
        refused = page(client, cast, anonymous, group="role:coordinators", channel=channel)
        assert "set against everyone" in unescape(refused)
        assert 'id="elements"' not in refused
    shown = page(client, cast, anonymous, group="layer:strategic")
    assert "These are the answers of board-level members only" in shown


# --- Each point of the scale, side by side -------------------------------------------------------


def spread(text: str, key: str) -> list[str]:
    """A question's row in the side-by-side tables of how many chose each point of the scale:
    each group's 1, 2, 3, 4, don't know and not applicable."""
    tables = re.findall(r'<table class="govuk-table lsp-spread">.*?</table>', text, re.S)
    return cells("".join(tables), key)


def test_side_by_side_shows_how_many_in_each_group_chose_each_point(client, cast, roles):
    text = page(client, cast, roles, group="role:coordinators", versus="role:board")
    items = section(text, "items", "downloads")
    assert "Ratings: how many in each group chose each point of the scale" in items
    assert re.search(r'<th scope="colgroup" colspan="6"[^>]*>Coordinators</th>', items)
    assert re.search(r'<th scope="colgroup" colspan="6"[^>]*>Board members</th>', items)
    # Each heading says its group too, for a screen reader reading one cell.
    assert '<span class="govuk-visually-hidden">, Board members</span>' in items
    assert spread(items, "1.1") == [
        "0", "0", "1", "2", "0", "0",  # coordinators
        "2", "1", "0", "0", "0", "0",  # board members
    ]  # fmt: skip
    # Each side's figures are that group's own view's, no more: what its page shows alone.
    for group, side in (("role:coordinators", slice(0, 6)), ("role:board", slice(6, 12))):
        alone = section(page(client, cast, roles, group=group), "items", "downloads")
        assert cells(alone, "1.1")[:6] == spread(items, "1.1")[side]


def test_side_by_side_files_give_each_groups_count_of_each_point(client, cast, roles):
    text = page(client, cast, roles, group="role:coordinators", versus="role:board")
    links = re.findall(r'href="([^"]*/items\.csv[^"]*)"', text)
    assert len(links) == 2
    found = []
    for link in links:
        rows = list(csv.reader(io.StringIO(client.get(unescape(link)).content.decode())))
        header, row = rows[0], next(row for row in rows if row[1] == "1.1")
        columns = ["Rated 1", "Rated 2", "Rated 3", "Rated 4", "Don't know", "Not applicable"]
        found.append([row[header.index(c)] for c in columns])
    assert found == [["0", "0", "1", "2", "0", "0"], ["2", "1", "0", "0", "0", "0"]]


def test_a_group_too_small_to_show_shows_no_count_of_any_point(client, cast, assessment):
    for value in ["4", "4", "4"]:
        respond(assessment, **{"1_1": value})
    for value in ["1", "2"]:
        respond(assessment, sector="private", **{"1_1": value})
    side = page(client, cast, assessment, group="sector:public", versus="sector:private")
    assert spread(side, "1.1") == ["0", "0", "0", "3", "0", "0"] + ["–"] * 6


def test_anonymous_side_by_side_counts_of_each_point_reveal_nobody(client, cast, bank):
    """The attack of the first anonymous test, on the counts of each point: five in the
    public sector and one private partner. Neither side may give a count, or the public
    sector's 1s against everyone's would be the private partner's rating."""
    anonymous = make_assessment(cast, anonymous=True)
    for value in ["3", "3", "3", "4", "4"]:
        respond(anonymous, **{"1_1": value})
    respond(anonymous, sector="private", **{"1_1": "1"})
    side = page(client, cast, anonymous, group="sector:public", versus="sector:private")
    assert "set against everyone" in unescape(side) and "Private sector: fewer than" in side
    assert "lsp-spread" not in side and ">1.1<" not in side
