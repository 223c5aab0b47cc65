"""The coordinator's dashboard of an assessment: response rates, completion,
items to investigate, and what an anonymous assessment keeps hidden."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_assessment, make_person, make_workshop, respond
from tests.conftest import Cast
from workshops.models import Answer, Assessment, Invitation, Person, Respondent
from workshops.models.assessment import Scope
from workshops.services import dashboard
from workshops.services.assessment import revoke
from workshops.services.participants import join


class _Tables(HTMLParser):
    """Each table's caption, with its rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self._name, self._caption = " ".join("".join(self._caption).split()), None
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def dashboard_url(assessment: Assessment) -> str:
    return reverse("assessment", args=[assessment.partnership_id, assessment.pk])


def show(client, cast: Cast, assessment: Assessment) -> str:
    client.force_login(cast.coordinator)
    response = client.get(dashboard_url(assessment))
    assert response.status_code == 200
    return response.content.decode()


def invite(assessment: Assessment, person: Person) -> Invitation:
    return Invitation.objects.create(assessment=assessment, person=person)


def invite_the_board(cast: Cast, assessment: Assessment) -> dict[str, Invitation]:
    """Priya (coordinator, executive layer, public) has finished; of three board
    members (strategic layer), Amir (public) has finished, Beth (public) has
    started and Cara (third sector) has not; Dan's link (officer, private) was
    withdrawn, so he counts nowhere."""
    made = {"Priya Shah": invite(assessment, cast.person)}
    for name, sector in [("Amir Khan", "public"), ("Beth Jones", "public"), ("Cara Wu", "third")]:
        person = make_person(
            cast, name, role=Person.Role.BOARD_MEMBER, layer=Person.Layer.STRATEGIC, sector=sector
        )
        made[name] = invite(assessment, person)
    made["Dan Roe"] = invite(assessment, make_person(cast, "Dan Roe", sector="private"))
    respond(made["Priya Shah"], {"1.1:internal": "3"}, submitted=True)
    respond(made["Amir Khan"], {"1.1:internal": "2"}, submitted=True)
    respond(made["Beth Jones"], {"1.1:internal": "4"})
    revoke(made["Dan Roe"])
    return made


def enough_answers(assessment: Assessment, board: dict[str, Invitation] | None = None) -> None:
    """Make an anonymous board show its breakdowns: imported answers (counted nowhere in
    the rates) bring the responses up to the minimum group size. Dan's withdrawn link
    goes, because in an anonymous assessment it would still count."""
    if board:
        board.pop("Dan Roe").delete()
    missing = settings.MIN_GROUP_SIZE - assessment.respondents.exclude(submitted_at=None).count()
    for _ in range(missing):
        Respondent.objects.create(
            assessment=assessment,
            channel=Respondent.Channel.IMPORT,
            role=Person.Role.OFFICER,
            organisation="Imported",
            sector="public",
            layer=Person.Layer.OPERATIONAL,
            submitted_at=timezone.now(),
        )


HEADER = ["Invited", "Started", "Finished", "Rate"]


# Response rates.


def test_the_response_rate_is_counted_overall_and_by_role_sector_and_layer(
    client, cast, assessment
):
    invite_the_board(cast, assessment)
    page = show(client, cast, assessment)
    assert "2 of 4 invited people have finished (50%); 3 have started." in text(page)
    found = tables(page)
    assert found["By role"] == [
        ["Role", *HEADER],
        ["Board member", "3", "2", "1", "33%"],
        ["LSP coordinator", "1", "1", "1", "100%"],
    ]
    assert found["By sector"] == [
        ["Sector", *HEADER],
        ["Public sector", "3", "3", "2", "67%"],
        ["Third sector", "1", "0", "0", "0%"],
    ]
    assert found["By governance layer"] == [
        ["Governance layer", *HEADER],
        ["Executive", "1", "1", "1", "100%"],
        ["Strategic (board)", "3", "2", "1", "33%"],
    ]


def test_a_half_percent_rounds_up(cast, assessment):
    board = dashboard.Rate("Eight", invited=8, finished=5)
    assert board.percent == 63
    assert dashboard.Rate("Nobody").percent == 0


def test_responses_from_paper_returns_without_an_invitation_are_mentioned(client, cast, assessment):
    invite_the_board(cast, assessment)
    assessment.respondents.create(
        channel="import",
        reference="R-17",
        role="officer",
        organisation="X",
        sector="public",
        layer="operational",
    )
    page = text(show(client, cast, assessment))
    assert "2 of 4 invited people have finished" in page
    assert "1 more response came from paper returns or imported files." in page


def test_workshop_votes_are_not_counted_as_questionnaire_responses(client, cast, assessment):
    invite_the_board(cast, assessment)
    workshop = make_workshop(cast, assessment)
    voter = join(workshop, role="officer", sector="public", layer="strategic")
    Answer.objects.create(respondent=voter, item=assessment.items.get(key="1.1"), rating=2)
    page = text(show(client, cast, assessment))
    assert "2 of 4 invited people have finished" in page
    assert "more response" not in page


# Completion by element.


def test_completion_counts_answers_given_against_answers_expected(client, cast, bank):
    # Element 1 asks 7 rating items twice (internal and external) and 7 others
    # once: 21 answers a respondent; "Looking forward" asks 4 open questions.
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(1, 8), basis="both")
    first = invite(assessment, cast.person)
    second = invite(assessment, make_person(cast, "Amir Khan"))
    invite(assessment, make_person(cast, "Beth Jones"))  # has not started: expects nothing
    respond(
        first,
        {
            "1.1:internal": "3",
            "1.1:external": "2",
            "1.1:note": "Notes are not answers.",
            "1.1.2": "no",
            "1.1.3": "yes",
            "8.1": "Joint commissioning.",
        },
        submitted=True,
    )
    respond(second, {"1.1:internal": "dont_know", "1.2.1": "Housing."})
    found = tables(show(client, cast, assessment))
    assert found["Answers given out of answers expected from everyone who has responded"] == [
        ["Element", "Answers given", "Of"],
        ["The LSP's long-term goals", "6", "42"],
        ["Looking forward", "1", "8"],
    ]


# Items to investigate.


def investigate_section(page: str) -> str:
    return text(page).split("Items to investigate", 1)[1].split("Who has answered", 1)[0]


def test_answers_that_call_for_investigation_are_listed_with_their_count(client, cast, assessment):
    people = [make_person(cast, f"Person {n}") for n in range(3)]
    first, second, third = (invite(assessment, p) for p in people)
    respond(first, {"1.1.2": "no", "1.1.3": "yes", "2.1.1": "yes"})
    respond(second, {"1.1.2": "no", "1.1.3": "no", "2.1.1": "yes"}, submitted=True)
    respond(third, {"1.1.2": "dont_know", "1.1.3": "dont_know", "2.1.1": "yes"})
    listed = investigate_section(show(client, cast, assessment))
    assert (
        "1.1.2 Is the evidence base comprehensive and current? — 2 said no "
        "1.1.3 Is an SCS update due? — 1 said yes"
    ) in listed
    # A yes to a question whose worrying answer is no is nothing to investigate.
    assert "2.1.1" not in listed
    assert "Are they open and honest" not in listed


def test_with_no_worrying_answers_nothing_is_listed(client, cast, assessment, invitation):
    respond(invitation, {"1.1.2": "yes", "1.1.3": "no"})
    assert investigate_section(show(client, cast, assessment)).strip() == "None yet."


# Anonymity.

SUPPRESSED = "Fewer than 3 people: not shown, to keep the assessment anonymous"


def test_an_anonymous_dashboard_names_nobody(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    made = invite_the_board(cast, anonymous)
    page = show(client, cast, anonymous)
    # Everyone in the partnership is offered for entering a paper return; that
    # list says nothing about who was invited or has answered.
    # Links can be withdrawn from a plain list of names, which says nothing of progress.
    for chooser_id in ["paper-person", "revoke-invitation"]:
        chooser = re.search(rf'<select[^>]*id="{chooser_id}".*?</select>', page, re.DOTALL)
        page = page.replace(chooser.group(), "")
    for name in made:
        assert name not in page
    assert "Invited people and their progress" not in page
    for invitation in made.values():
        assert invitation.token not in page
    assert "This assessment is anonymous" in page


def test_an_anonymous_dashboard_hides_groups_smaller_than_three(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    enough_answers(anonymous, invite_the_board(cast, anonymous))
    found = tables(show(client, cast, anonymous))
    # With two groups, showing the larger would give away the smaller one by
    # subtraction from the total, so both are hidden.
    assert found["By role"][1:] == [["Board member", SUPPRESSED], ["LSP coordinator", SUPPRESSED]]
    assert found["By sector"][1:] == [["Public sector", SUPPRESSED], ["Third sector", SUPPRESSED]]
    assert found["By governance layer"][1:] == [
        ["Executive", SUPPRESSED],
        ["Strategic (board)", SUPPRESSED],
    ]


def test_one_small_group_hides_the_next_smallest_too_but_not_the_rest(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    invite(anonymous, cast.person)  # the one coordinator
    for n in range(3):
        invite(anonymous, make_person(cast, f"Officer {n}", role=Person.Role.OFFICER))
    for n in range(4):
        board = make_person(cast, f"Member {n}", role=Person.Role.BOARD_MEMBER)
        invite(anonymous, board)
    enough_answers(anonymous)
    found = tables(show(client, cast, anonymous))
    assert found["By role"][1:] == [
        ["Board member", "4", "0", "0", "0%"],
        ["LSP coordinator", SUPPRESSED],
        ["Officer", SUPPRESSED],
    ]


@pytest.mark.parametrize(
    "size, shown",
    [
        (1, {"Board member", "LSP coordinator", "Public sector", "Third sector"}),
        (3, set()),  # each table has one small group, and hiding it hides its pair
        (4, set()),
    ],
)
def test_the_smallest_group_shown_follows_the_setting(client, cast, bank, settings, size, shown):
    settings.MIN_GROUP_SIZE = size
    anonymous = make_assessment(cast, anonymous=True)
    enough_answers(anonymous, invite_the_board(cast, anonymous))
    page = show(client, cast, anonymous)
    found = tables(page)
    rows = found["By role"][1:] + found["By sector"][1:]
    assert {row[0] for row in rows if len(row) == 5} == shown
    hidden = [row[1] for row in rows if len(row) == 2]
    assert hidden == [f"Fewer than {size} people: not shown, to keep the assessment anonymous"] * (
        4 - len(shown)
    )


def test_a_named_dashboard_shows_everyone_and_their_progress(client, cast, assessment):
    invite_the_board(cast, assessment)
    rows = tables(show(client, cast, assessment))["Invited people and their progress"]
    progress = [(row[0], row[1]) for row in rows[1:]]
    assert progress == [
        ("Amir Khan Board member, Eastvale District Council", "Finished"),
        ("Beth Jones Board member, Eastvale District Council", "Started"),
        ("Cara Wu Board member, Eastvale Council for Voluntary Service", "Invited"),
        ("Priya Shah LSP coordinator, Eastvale District Council", "Finished"),
        ("Dan Roe Officer, Eastvale Chamber of Commerce", "Link withdrawn"),
    ]
    withdraw = {row[0].split(" ")[0]: "Withdraw link" in row[3] for row in rows[1:]}
    assert withdraw == {"Amir": True, "Beth": True, "Cara": True, "Priya": True, "Dan": False}


def test_a_named_assessment_groups_are_shown_however_small(client, cast, assessment):
    invite(assessment, cast.person)
    rows = tables(show(client, cast, assessment))["By role"]
    assert rows[1:] == [["LSP coordinator", "1", "0", "0", "0%"]]


# Who may see it, and what it costs.


@pytest.mark.parametrize("role", ["facilitator", "executive", "participant"])
def test_only_the_coordinator_sees_the_dashboard(client, cast, assessment, role):
    client.force_login(cast.user(role))
    assert client.get(dashboard_url(assessment)).status_code == 403


def test_an_outsider_gets_404_for_the_dashboard(client, cast, assessment):
    client.force_login(cast.outsider)
    response = client.get(dashboard_url(assessment))
    assert response.status_code == 404
    assert "Spring 2026" not in response.content.decode()


def add_respondents(cast: Cast, assessment: Assessment, count: int, start: int = 0) -> None:
    sectors = ["public", "private", "third"]
    for n in range(start, start + count):
        person = make_person(cast, f"Respondent {n}", f"r{n}@example.org", sector=sectors[n % 3])
        invitation = invite(assessment, person)
        respond(invitation, {"1.1:internal": "3", "1.1.2": "no"}, submitted=n % 2 == 0)
    invite(assessment, make_person(cast, f"Not started {start}"))


def queries_for_dashboard(client, assessment: Assessment) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(dashboard_url(assessment))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_dashboard_costs_the_same_queries_however_many_respond(client, cast, bank, anonymous):
    assessment = make_assessment(cast, anonymous=anonymous)
    client.force_login(cast.coordinator)
    add_respondents(cast, assessment, 3)
    few = queries_for_dashboard(client, assessment)
    add_respondents(cast, assessment, 27, start=3)
    assert assessment.respondents.count() == 30
    assert queries_for_dashboard(client, assessment) == few
    assert few < 20  # a handful for the whole page, not one per person


def test_an_anonymous_dashboard_withholds_answers_until_enough_people_respond(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    first = invite(anonymous, cast.person)
    respond(first, {"1.1.2": "no"}, submitted=True)
    page = text(show(client, cast, anonymous))
    assert "Results are shown once at least 3 people have answered" in page
    assert "2 more are needed" in page
    assert "1.1.2" not in page and "By role" not in page and "Completion by element" not in page
    for n in range(2):
        member = invite(anonymous, make_person(cast, f"Member {n}"))
        respond(member, {"1.1.2": "no"}, submitted=True)
    page = investigate_section(show(client, cast, anonymous))
    assert "1.1.2" in page
    assert "— 3 said no" in page


def test_a_link_can_be_withdrawn_from_the_anonymous_dashboard(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    invitation = invite(anonymous, cast.person)
    client.force_login(cast.coordinator)
    url = reverse("invitation-revoke-choose", args=[cast.partnership.pk, anonymous.pk])
    response = client.post(url, {"invitation": invitation.pk}, follow=True)
    assert "Priya Shah&#x27;s link has been withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_revoked
    response = client.post(url, {"invitation": "nope"}, follow=True)
    assert "Choose whose link to withdraw" in response.content.decode()
    assert client.get(url).status_code == 405
