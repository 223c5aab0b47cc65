"""Answering through a personal link: saving, resuming, submitting, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_assessment, make_person
from tests.workshops.questionnaire_helpers import answers_of, paper_url, url
from workshops.models import Answer, EvidenceNote, Invitation, Respondent
from workshops.models.assessment import Scope
from workshops.services.assessment import revoke
from workshops.services.questionnaire import TimeToAnswer


def test_the_link_opens_the_questionnaire_without_signing_in(client, invitation):
    page = client.get(url(invitation)).content.decode()
    assert "Spring 2026 self-assessment" in page
    assert "There are 104 questions in 8 parts" in page
    assert "Start now" in page


def test_a_section_page_shows_its_element_and_progress(client, invitation):
    page = client.get(url(invitation, "section", 3)).content.decode()
    assert "Meetings and messages" in page
    # One count throughout, the parts of this questionnaire: no "Element 3 of 7" beside it.
    assert "7S element: Style · Soft (transformational)" in page
    assert "Element 3 of 7" not in page
    assert "Part 3 of 8" in page
    assert "You have given <strong>0 of 104</strong>" in page
    assert "How well do your LSP meetings reflect a culture of partnership" in page


@pytest.mark.parametrize(
    "basis, said",
    [
        ("internal", "against the LSP&#x27;s own plans and goals"),
        ("external", "against the performance of other LSPs"),
    ],
)
def test_a_one_basis_questionnaire_says_what_to_rate_against_in_plain_words(
    client, cast, bank, basis, said
):
    assessment = make_assessment(cast, basis=basis)
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    start = client.get(url(invitation)).content.decode()
    assert f"Rate each “how well” question {said}." in start
    page = client.get(url(invitation, "section", 1)).content.decode()
    assert f"Rate it {said}." in page


def test_the_start_page_says_how_long_answering_takes_and_how_that_was_worked_out(
    client, cast, bank
):
    # 39 ratings at 30 seconds, 25 yes-or-noes at 15 and 40 written answers at 60:
    # 65.75 minutes, said to the nearest five.
    full = make_assessment(cast, title="Internal")
    page = client.get(url(full.invitations.create(person=cast.person))).content.decode()
    assert (
        "It takes about 1 hour 5 minutes, allowing 30 seconds for each rating, 15 for each "
        "yes or no and 60 for each answer you write."
    ) in page
    # Rated on both bases, each rating is answered twice.
    both = make_assessment(cast, title="Both", basis="both")
    page = client.get(url(both.invitations.create(person=cast.person))).content.decode()
    assert "It takes about 1 hour 25 minutes" in page
    # Two parts: 7 ratings, 2 yes-or-noes and 9 written answers: 13 minutes.
    chosen = make_assessment(cast, title="Chosen", scope=Scope.ELEMENTS, sections=(1, 8))
    page = client.get(url(chosen.invitations.create(person=cast.person))).content.decode()
    assert "There are 18 questions in 2 parts" in page
    assert "It takes about 15 minutes," in page


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(5, "5 minutes"), (60, "1 hour"), (65, "1 hour 5 minutes"), (125, "2 hours 5 minutes")],
)
def test_the_time_to_answer_is_said_in_hours_and_minutes(minutes, words):
    assert TimeToAnswer(minutes, {}).words == words


def test_link_pages_offer_a_visitor_no_sign_in(client, cast, invitation):
    login = f'href="{reverse("login")}"'
    for page in ("", "review"):
        assert login not in client.get(url(invitation, page)).content.decode()
    assert login not in client.get(url(invitation, "section", 1)).content.decode()
    revoke(invitation)
    assert login not in client.get(url(invitation)).content.decode()  # "withdrawn"
    # Someone signed in sees the usual links, as everywhere else.
    client.force_login(cast.participant)
    page = client.get(url(invitation)).content.decode()
    assert "Your account" in page and "Sign out" in page


def test_save_and_continue_stores_the_page_and_moves_on(client, invitation):
    response = client.post(
        url(invitation, "section", 1),
        {
            "1.1:internal": "3",
            "1.1:note": "The 2025 refresh consulted widely.",
            "1.1.1:internal": "dont_know",
            "1.1.2": "no",
            "1.2.1": "  Skills and worklessness.  ",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(invitation, "section", 2)
    assert answers_of(invitation) == {
        ("1.1", "internal"): "3",
        ("1.1.1", "internal"): "dont_know",
        ("1.1.2", ""): "no",
        ("1.2.1", ""): "Skills and worklessness.",
    }
    respondent = Respondent.objects.get(invitation=invitation)
    assert respondent.channel == "online"
    assert (respondent.role, respondent.organisation, respondent.sector, respondent.layer) == (
        "coordinator",
        "Eastvale District Council",
        "public",
        "executive",
    )
    assert EvidenceNote.objects.get(respondent=respondent).text.startswith("The 2025 refresh")


def test_an_answer_saved_on_change_is_stored_once_however_often_it_is_sent(client, invitation):
    given = {"1.1:internal": "2", "was-1.1:internal": "", "version-1.1:internal": "0"}
    for _ in range(3):  # a double click and a retry after a dropped connection
        response = client.post(url(invitation, "save"), given)
        assert response.json()["answers"] == {"1.1:internal": {"value": "2", "version": 1}}
    changed = {"1.1:internal": "4", "was-1.1:internal": "2", "version-1.1:internal": "1"}
    client.post(url(invitation, "save"), changed)
    assert Answer.objects.filter(respondent__invitation=invitation).count() == 1
    assert answers_of(invitation) == {("1.1", "internal"): "4"}


def test_clearing_an_open_answer_removes_it(client, invitation):
    client.post(url(invitation, "save"), {"1.2.1": "Housing"})
    client.post(
        url(invitation, "save"), {"1.2.1": "   ", "was-1.2.1": "Housing", "version-1.2.1": "1"}
    )
    assert answers_of(invitation) == {}


def test_not_applicable_is_offered_only_where_the_item_allows_it(client, invitation):
    assert client.post(url(invitation, "save"), {"3.5:na": "on"}).status_code == 200
    assert answers_of(invitation) == {("3.5", ""): "na"}
    response = client.post(url(invitation, "save"), {"1.1:internal": "na"})
    assert response.status_code == 400
    assert "Choose a rating from the scale" in response.json()["error"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"1.1:internal": "5"}, "Choose a rating from the scale"),
        ({"1.1:internal": "<script>"}, "Choose a rating from the scale"),
        ({"1.1.2": "maybe"}, "Choose yes, no or don't know"),
        ({"1.2.1": "x" * 5001}, "5000 characters or fewer"),
        ({"9.9": "3"}, "not part of this questionnaire"),
        ({}, "not part of this questionnaire"),
    ],
)
def test_bad_answers_get_a_clear_message_and_store_nothing(client, invitation, data, message):
    response = client.post(url(invitation, "save"), data)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Respondent.objects.filter(invitation=invitation).exists()


def test_a_basis_the_assessment_does_not_ask_is_refused(client, invitation):
    # The fixture assessment asks internal ratings only.
    response = client.post(url(invitation, "save"), {"1.1:external": "3"})
    assert response.status_code == 400
    assert answers_of(invitation) == {}


def test_an_item_outside_the_assessment_is_refused(client, cast, bank):
    short = make_assessment(cast, title="Top only", scope=Scope.TOP_LEVEL, basis="both")
    invitation = short.invitations.create(person=cast.person)
    response = client.post(url(invitation, "save"), {"1.1.1:internal": "3"})
    assert response.status_code == 400
    ok = client.post(url(invitation, "save"), {"1.1:internal": "3", "1.1:external": "2"})
    assert ok.json()["saved"] == 2


def test_a_bad_page_shows_every_problem_and_saves_nothing_on_it(client, invitation):
    response = client.post(url(invitation, "section", 1), {"1.1:internal": "3", "1.1.2": "perhaps"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose yes, no or don&#x27;t know" in page
    assert "Not saved: your answers to 1.1 and 1.1.2." in page
    assert "other answers" not in page
    assert answers_of(invitation) == {}


def test_a_bad_page_says_which_answers_were_saved_as_they_were_given(client, invitation):
    # Saved as given, by the page's script; then the whole page, with a bad answer.
    client.post(url(invitation, "save"), {"1.1:internal": "3", "1.2.1": "Housing."})
    response = client.post(
        url(invitation, "section", 1),
        {"1.1:internal": "3", "1.2.1": "Housing.", "1.1.2": "perhaps", "1.3:internal": "2"},
    )
    page = response.content.decode()
    assert "Not saved: your answers to 1.1.2 and 1.3. Your other answers on this page" in page
    assert "Nothing on this page was saved" not in page
    assert answers_of(invitation) == {("1.1", "internal"): "3", ("1.2.1", ""): "Housing."}


def test_the_link_resumes_where_the_person_left_off(client, invitation):
    client.post(url(invitation, "section", 4), {"4.1.1": "Shared training."})
    response = client.get(url(invitation))
    assert response.status_code == 302
    assert response["Location"] == url(invitation, "section", 5)
    # On any device: nothing lives in the session, only behind the link.
    client.cookies.clear()
    page = client.get(url(invitation, "section", 4)).content.decode()
    assert "Shared training." in page
    assert "You have given <strong>1 of 104</strong>" in page


def test_a_tampered_link_is_not_found(client, invitation):
    response = client.get(reverse("questionnaire", args=[invitation.token[:-1] + "x"]))
    assert response.status_code == 404
    response = client.post(
        reverse("questionnaire-save", args=["not-a-real-token"]), {"1.1:internal": "3"}
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_a_withdrawn_link_stops_working_for_anyone(client, invitation):
    client.post(url(invitation, "save"), {"1.1:internal": "3"})
    revoke(invitation)
    response = client.post(url(invitation, "save"), {"1.1:internal": "1"})
    assert response.status_code == 410
    page = client.get(url(invitation, "section", 1))
    assert page.status_code == 410
    assert "This link has been withdrawn" in page.content.decode()
    assert answers_of(invitation) == {("1.1", "internal"): "3"}


@pytest.mark.parametrize(
    "opens, closes, message",
    [(1, 5, "This questionnaire opens on"), (-5, -1, "This questionnaire closed on")],
)
def test_no_answers_before_opening_or_after_closing(client, invitation, opens, closes, message):
    today = timezone.localdate()
    assessment = invitation.assessment
    assessment.opens_on = today + timedelta(days=opens)
    assessment.closes_on = today + timedelta(days=closes)
    assessment.save()
    response = client.post(url(invitation, "save"), {"1.1:internal": "3"})
    assert response.status_code == 409
    assert message in response.json()["error"]
    response = client.post(url(invitation, "section", 1), {"1.1:internal": "3"}, follow=True)
    assert message in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    assert not Answer.objects.exists()


def test_after_submitting_the_questionnaire_is_read_only(client, invitation):
    client.post(url(invitation, "save"), {"1.1:internal": "3"})
    response = client.post(url(invitation, "review"), follow=True)
    assert "You have submitted your answers" in response.content.decode()
    submitted_at = Respondent.objects.get(invitation=invitation).submitted_at
    assert submitted_at is not None
    # A second submit (double click) keeps the first submission time.
    client.post(url(invitation, "review"))
    assert Respondent.objects.get(invitation=invitation).submitted_at == submitted_at
    response = client.post(url(invitation, "save"), {"1.1:internal": "1"})
    assert response.status_code == 409
    assert "can no longer be changed" in response.json()["error"]
    # The link now shows only that they have submitted, not the answers.
    page = client.get(url(invitation, "section", 1)).content.decode()
    assert "You have submitted your answers" in page
    assert "Save and continue" not in page and 'name="1.1:internal"' not in page
    assert answers_of(invitation) == {("1.1", "internal"): "3"}


def test_after_submitting_the_confirmation_panel_leads_and_nothing_stacks_above_it(
    client, invitation, mailoutbox
):
    client.post(url(invitation, "save"), {"1.1:internal": "3"})
    page = client.post(url(invitation, "review"), follow=True).content.decode()
    main = page[page.index('id="main-content"') :]
    # The panel is the first thing on the page: no success banner, no warning above it.
    assert main.index("govuk-panel--confirmation") < main.index("</div>")
    assert "govuk-notification-banner" not in page and "govuk-warning-text" not in page
    # Pressing Submit again (a double click, or Back) changes nothing and says no more.
    page = client.post(url(invitation, "review"), follow=True).content.decode()
    assert "You have submitted your answers" in page
    assert "There is a problem" not in page and "govuk-notification-banner" not in page


def test_the_copy_emailed_is_said_below_the_confirmation_panel(
    client, cast, assessment, mailoutbox
):
    carol = make_person(cast, "Carol Jones", "carol@example.org")
    invitation = assessment.invitations.create(person=carol)
    client.post(url(invitation, "save"), {"1.1:internal": "3"})
    response = client.post(url(invitation, "review"), {"email_copy": "yes"}, follow=True)
    page = response.content.decode()
    assert len(mailoutbox) == 1
    said = page.index("A copy of your answers has been emailed to you.")
    assert page.index("You have submitted your answers") < said
    assert "govuk-notification-banner" not in page


def test_submitting_with_no_answers_is_explained(client, invitation):
    response = client.post(url(invitation, "review"), follow=True)
    assert "Answer at least one question before submitting" in response.content.decode()
    assert not Respondent.objects.exists()


def test_a_no_is_recorded_as_an_item_to_investigate(client, invitation):
    client.post(url(invitation, "save"), {"1.1.2": "no"})
    client.post(url(invitation, "save"), {"1.1.3": "yes"})  # 'Is an SCS update due?'
    client.post(url(invitation, "save"), {"2.1.1": "yes"})
    flagged = [
        a.item.key
        for a in Answer.objects.filter(respondent__invitation=invitation).select_related("item")
        if a.item.needs_investigation(a.choice)
    ]
    assert sorted(flagged) == ["1.1.2", "1.1.3"]


def _save_queries(client, invitation) -> int:
    client.post(url(invitation, "save"), {"1.1:internal": "1"})  # creates the respondent
    changed = {"1.1:internal": "2", "was-1.1:internal": "1", "version-1.1:internal": "1"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(invitation, "save"), changed)
    assert response.json()["saved"] == 1
    return len(queries)


def test_saving_one_answer_costs_a_few_queries_whatever_the_questionnaire_size(
    client, cast, bank, invitation
):
    small = make_assessment(cast, title="Goals only", scope=Scope.ELEMENTS, sections=(1,))
    small_invitation = small.invitations.create(person=cast.person)
    full = _save_queries(client, invitation)
    assert full == _save_queries(client, small_invitation)
    # The link, the item, the stored answer and its conditional update.
    assert full <= 5


def test_trying_links_slows_the_guesser_but_a_right_link_always_opens(client, invitation, settings):
    settings.GUESSES_ALLOWED = 3
    for guess in ["a" * 43, "b" * 43, "c" * 43]:
        assert client.get(reverse("questionnaire", args=[guess])).status_code == 404
    response = client.get(reverse("questionnaire", args=["d" * 43]))
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Too many wrong links" in response.content.decode()
    assert "Wait 1 second before trying another link" in response.content.decode()
    assert invitation.assessment.title not in response.content.decode()
    response = client.post(reverse("questionnaire-save", args=["e" * 43]), {})
    assert response.status_code == 429 and response.json() == {"error": "Too many wrong links."}
    assert not Respondent.objects.exists()
    response = client.get(reverse("questionnaire", args=[invitation.token]))
    assert response.status_code == 200
    assert invitation.assessment.title in response.content.decode()


def test_a_partner_opening_their_own_link_many_times_is_not_limited(client, invitation, settings):
    settings.GUESSES_ALLOWED = 0
    for _ in range(10):
        response = client.get(reverse("questionnaire", args=[invitation.token]))
        assert response.status_code == 200
    assert invitation.assessment.title in response.content.decode()


def test_a_link_holding_a_null_character_is_not_found(client, invitation):
    # PostgreSQL refuses a NUL in a query: this was a server error there.
    token = invitation.token[:10] + "\x00" + invitation.token[10:]
    assert client.get(reverse("questionnaire", args=[token])).status_code == 404
    response = client.post(reverse("questionnaire-save", args=[token]), {"1.1:internal": "3"})
    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_a_save_answers_how_many_answers_are_now_stored(client, invitation):
    first = client.post(url(invitation, "save"), {"1.1:internal": "3", "1.1:note": "Minutes."})
    part_one = invitation.assessment.items.get(key="1.1").section_id
    # A comment is not an answer: the progress counts answers.
    assert first.json()["progress"] == {"answered": 1, "sections": {str(part_one): 1}}
    version = first.json()["answers"]["1.1:internal"]["version"]
    clearing = {"1.1:internal": "", "was-1.1:internal": "3", "version-1.1:internal": version}
    cleared = client.post(url(invitation, "save"), clearing)
    assert cleared.json()["progress"] == {"answered": 0, "sections": {}}


def test_a_submitted_paper_return_is_titled_as_a_paper_return(client, cast, assessment):
    client.force_login(cast.coordinator)
    client.post(paper_url(assessment, cast.person, "section", 1), {"1.1:internal": "2"})
    client.post(paper_url(assessment, cast.person, "review"))
    page = client.get(paper_url(assessment, cast.person, "review")).content.decode()
    assert "<title>The paper return is submitted – Spring 2026" in page
    assert "You have submitted your answers" not in page


def test_a_closed_questionnaire_is_not_titled_check_and_submit(client, cast, bank):
    closed = make_assessment(cast, title="Closed", scope=Scope.ELEMENTS, sections=(1,), closes=-1)
    invitation = closed.invitations.create(person=cast.person)
    page = client.get(url(invitation, "review")).content.decode()
    assert "<title>Your answers – Closed – LSP Assess</title>" in page
    assert "Check and submit" not in page
    assert "This questionnaire closed on" in page
