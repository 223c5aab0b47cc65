"""The participant's phone through HTTP (workshops/views/live.py): joining with a code,
voting, and the polls that keep its page current."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import (
    anonymous_with_two_remote_answers,
    make_assessment,
    make_workshop,
)
from tests.workshops.live_helpers import console_url, go, joined, page, vote
from workshops.models import Answer, Respondent, Workshop
from workshops.services import participants, voting
from workshops.views.live import COOKIE


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


# --- Joining -------------------------------------------------------------------------------


def test_a_phone_enters_the_code_as_typed_and_is_asked_who_it_is(client, workshop):
    typed = f"{workshop.code[:4].lower()}-{workshop.code[4:].lower()}"
    response = client.post(reverse("join"), {"code": typed})
    assert response["Location"] == reverse("workshop-join", args=[workshop.code])
    form = page(client, response["Location"])
    assert "Priya Shah, Eastvale District Council" in form
    assert "Stay anonymous" in form


def test_a_wrong_code_is_explained_and_stores_nothing(client, workshop):
    response = client.post(reverse("join"), {"code": "ZZZZ-ZZZZ"})
    assert "No workshop has that code" in response.content.decode()
    response = client.post(reverse("join"), {"code": "ABC"})
    assert "Enter the 8 letters and numbers" in response.content.decode()
    assert client.get(reverse("workshop-join", args=["ZZZZZZZZ"])).status_code == 404
    assert not Respondent.objects.exists()


def test_guessing_codes_slows_the_guesser_but_a_right_code_always_gets_in(
    client, workshop, settings
):
    settings.GUESSES_ALLOWED = 3
    for guess in ["AAAAAAAA", "BBBBBBBB", "CCCCCCCC"]:
        assert client.post(reverse("join"), {"code": guess}).status_code == 200
    response = client.post(reverse("join"), {"code": "DDDDDDDD"})
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Wait 1 second before trying another code" in response.content.decode()
    response = client.get(reverse("workshop-join", args=["EEEEEEEE"]))
    assert response.status_code == 429
    response = client.post(reverse("join"), {"code": workshop.code})
    assert response["Location"] == reverse("workshop-join", args=[workshop.code])
    assert client.get(reverse("workshop-join", args=[workshop.code])).status_code == 200


def test_a_whole_room_joining_from_one_network_is_not_limited(workshop, settings):
    settings.GUESSES_ALLOWED = 0
    phones = [joined(workshop) for _ in range(10)]
    assert len(phones) == Respondent.objects.filter(workshop=workshop).count() == 10


def test_joining_as_yourself_sets_a_cookie_for_this_workshop_only(workshop, cast):
    phone = joined(workshop, who=str(cast.person.pk))
    cookie = phone.cookies[COOKIE]
    assert cookie["path"] == f"/w/{workshop.code}/"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    respondent = Respondent.objects.get(workshop=workshop)
    assert respondent.person == cast.person and respondent.channel == "workshop"
    assert "You have joined" in page(phone, reverse("workshop-room", args=[workshop.code]))


def test_staying_anonymous_needs_role_sector_and_layer(client, workshop):
    response = client.post(reverse("workshop-join", args=[workshop.code]), {"who": "anonymous"})
    text = response.content.decode()
    for message in ["Choose your role", "Choose your sector", "Choose your part of"]:
        assert message in text
    assert not Respondent.objects.exists()


def test_an_anonymous_assessment_lists_nobody_to_pick(client, cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, anonymous=True))
    form = page(client, reverse("workshop-join", args=[workshop.code]))
    assert "Priya Shah" not in form
    response = client.post(
        reverse("workshop-join", args=[workshop.code]), {"who": str(cast.person.pk)}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Respondent.objects.exists()


def test_a_phone_can_only_vote_in_the_workshop_it_joined(cast, assessment, workshop):
    other = go(make_workshop(cast, assessment, title="Executive session"), "next", "open")
    phone = joined(workshop)
    # Replay this workshop's cookie against the other workshop's address.
    phone.cookies[COOKIE]["path"] = "/"
    response = vote(phone, other, "4")
    assert response.status_code == 403
    assert not Answer.objects.exists()
    response = phone.get(reverse("workshop-room", args=[other.code]))
    assert response["Location"] == reverse("workshop-join", args=[other.code])


def test_a_join_form_sent_twice_makes_one_participant(client, workshop):
    url = reverse("workshop-join", args=[workshop.code])
    form = page(client, url)
    attempt = re.search(r'name="attempt" value="([\w-]+)"', form).group(1)
    data = {
        "attempt": attempt,
        "who": "anonymous",
        "role": "officer",
        "sector": "public",
        "layer": "strategic",
    }
    first, second = Client().post(url, data), Client().post(url, data)
    assert first.status_code == second.status_code == 302
    assert Respondent.objects.filter(workshop=workshop).count() == 1
    assert first.cookies[COOKIE].value == second.cookies[COOKIE].value
    assert page(Client(), url) != form  # every form shown carries a new attempt


def test_a_mangled_code_in_the_address_is_a_404_not_an_error(client, workshop):
    assert client.get("/w/---/join/").status_code == 404
    response = client.get("/w/--/")  # not joined: sent to join, which then says 404
    assert response["Location"] == "/w/--/join/"
    assert client.get(response["Location"]).status_code == 404


# --- Voting --------------------------------------------------------------------------------


def test_a_phone_votes_changes_its_vote_and_is_refused_after_closing(workshop):
    phone = joined(workshop)
    room = reverse("workshop-room", args=[workshop.code])
    assert "Voting on this question opens soon" not in page(phone, room)
    workshop = go(workshop, "next")
    assert "Voting on this question opens soon" in page(phone, room)
    workshop = go(workshop, "open")
    form = page(phone, room)
    assert 'name="internal"' in form and "3 – Performs well" in form
    assert vote(phone, workshop, "2").json()["ok"]
    response = vote(phone, workshop, "3")
    assert response.json() == {
        "ok": True,
        "message": "Your vote is in. You can change it until voting closes.",
    }
    assert 'value="3" checked' in page(phone, room)
    workshop = go(workshop, "close")
    response = vote(phone, workshop, "1")
    assert response.status_code == 409
    assert "closed, so your vote was not counted" in response.json()["message"]
    assert [a.rating for a in Answer.objects.all()] == [3]
    assert "3 – Performs well" in page(phone, room)  # their vote, shown back to them


def test_without_javascript_a_vote_is_a_form_post_and_a_redirect_with_a_message(workshop):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    response = vote(phone, workshop, "4", json=False)
    assert response.status_code == 302
    follow = page(phone, response["Location"])
    assert "Your vote is in" in follow
    response = vote(phone, workshop, "9", json=False)
    assert "Choose one of the options shown" in page(phone, response["Location"])
    assert [a.rating for a in Answer.objects.all()] == [4]


PARTIAL = (
    "You rated ‘Against our own plans’ only; ‘Against other LSPs’ is not rated yet. "
    "Your vote for ‘Against our own plans’ is in, and you can add the other until voting closes."
)


def test_a_vote_on_one_basis_of_two_is_kept_and_the_phone_is_told_which_is_missing(cast, bank):
    workshop = make_workshop(cast, make_assessment(cast, basis="both"))
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    url = reverse("workshop-vote", args=[workshop.code])
    data = {"item": workshop.current_id, "internal": "3"}
    response = phone.post(url, data, headers={"Accept": "application/json"})
    assert response.json() == {"ok": True, "message": PARTIAL}
    assert {a.basis: a.rating for a in Answer.objects.all()} == {"internal": 3}
    room = reverse("workshop-room", args=[workshop.code])
    assert PARTIAL in page(phone, room)  # and in the page the poll sends, by the button
    assert PARTIAL in page(phone, reverse("workshop-room-live", args=[workshop.code]))

    # Without JavaScript: the same words, as a warning rather than a success.
    response = phone.post(url, {"item": workshop.current_id, "external": "dont_know"})
    follow = page(phone, response["Location"])
    assert "Your vote is in. You can change it until voting closes." in follow
    assert PARTIAL not in follow  # the earlier rating against our own plans still counts
    assert {a.basis: a.value for a in Answer.objects.all()} == {
        "internal": "3",
        "external": "dont_know",
    }
    other = joined(workshop)
    response = other.post(url, {"item": workshop.current_id, "external": "2"})
    follow = page(other, response["Location"])
    assert follow.count("You rated ‘Against other LSPs’ only; ‘Against our own plans’ is") == 2
    assert "govuk-notification-banner--success" not in follow
    assert 'id="message-title-1">Important</h2>' in follow


def test_a_yes_no_question_not_yet_voted_on_shows_its_ballot_without_a_message(cast, workshop):
    phone = joined(workshop)
    workshop = go(workshop, "next")
    while workshop.current.item.kind != "yes_no":
        workshop = go(workshop, "next")
    workshop = go(workshop, "open")
    form = page(phone, reverse("workshop-room-live", args=[workshop.code]))
    assert 'name="answer"' in form and "Your vote is in" not in form and "You rated" not in form
    response = phone.post(
        reverse("workshop-vote", args=[workshop.code]),
        {"item": workshop.current_id, "answer": "yes"},
        headers={"Accept": "application/json"},
    )
    assert response.json()["message"] == "Your vote is in. You can change it until voting closes."


@pytest.mark.parametrize("item", ["999999"])
def test_a_vote_for_a_missing_or_strange_item_gets_a_message_not_an_error(workshop, item):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    response = vote(phone, workshop, "3", item=item)
    assert response.status_code == 409
    assert "closed" in response.json()["message"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("item", ["", "abc", "²", "9" * 5000])
def test_a_vote_that_does_not_say_which_item_it_is_for_is_told_so(workshop, item):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    response = vote(phone, workshop, "3", item=item)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "message": "That vote did not say which question it was for. "
        "Reload the page and vote again.",
    }
    response = vote(phone, workshop, "3", json=False, item=item)
    assert response.status_code == 302
    assert "did not say which question it was for" in page(phone, response["Location"])
    assert not Answer.objects.exists()


# --- Polling -------------------------------------------------------------------------------


def test_an_unchanged_workshop_answers_304_without_reading_votes(workshop):
    phone = joined(workshop)
    live = reverse("workshop-room-live", args=[workshop.code])
    first = phone.get(live)
    etag = first["ETag"]
    assert first.status_code == 200 and "You have joined" in first.content.decode()
    voting.forget(workshop.code)
    with CaptureQueriesContext(connection) as queries:
        again = phone.get(live, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert len(queries) == 1  # the workshop's version, by its code
    assert "answer" not in queries[0]["sql"].lower()
    with CaptureQueriesContext(connection) as queries:
        assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    assert len(queries) == 0  # within the snapshot's half second: no database at all
    go(workshop, "next")
    changed = phone.get(live, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Voting on this question opens soon" in changed.content.decode()


def test_a_change_made_by_another_server_process_shows_within_a_poll(workshop, monkeypatch):
    phone = joined(workshop)
    live = reverse("workshop-room-live", args=[workshop.code])
    etag = phone.get(live)["ETag"]
    clock = [1000.0]
    monkeypatch.setattr(voting.time, "monotonic", lambda: clock[0])
    voting.forget(workshop.code)
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    # Another process moves the workshop on: this process's snapshot does not know yet.
    Workshop.objects.filter(pk=workshop.pk).update(version=F("version") + 1)
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    clock[0] += voting.SNAPSHOT_SECONDS
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 200


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The snapshots' clock, moved on only by the test."""
    now = [1000.0]
    monkeypatch.setattr(voting.time, "monotonic", lambda: now[0])
    return now


def _another_process_holds(code: str, held: voting.Snapshot, clock: list[float]) -> None:
    """Put back the snapshot another app server process took before a change (it never
    ran the change's forget()), as it stands when next it looks at the change stamp:
    well inside the snapshot's half second."""
    voting._snapshots[code] = held
    clock[0] += 2 * voting.STAMP_SECONDS
    assert clock[0] - held.taken < voting.SNAPSHOT_SECONDS


def test_the_next_question_shows_at_the_next_poll_in_every_process(
    workshop, django_capture_on_commit_callbacks, clock
):
    phone = joined(workshop)
    live = reverse("workshop-room-live", args=[workshop.code])
    etag = phone.get(live)["ETag"]
    held = voting.snapshot(workshop.code)
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        go(workshop, "next")
    _another_process_holds(workshop.code, held, clock)
    changed = phone.get(live, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Voting on this question opens soon" in changed.content.decode()


def test_a_removed_phone_is_never_told_its_page_is_current(
    workshop, django_capture_on_commit_callbacks, clock
):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(phone, workshop, "3")
    live = reverse("workshop-room-live", args=[workshop.code])
    first = phone.get(live)
    assert "Change my vote" in first.content.decode()
    held = voting.snapshot(workshop.code)
    with django_capture_on_commit_callbacks(execute=True):
        participants.remove_participant(workshop, Respondent.objects.get().pk)
    _another_process_holds(workshop.code, held, clock)
    after = phone.get(live, headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert "Change my vote" not in after.content.decode()  # its vote went with it


def test_the_poll_answered_early_still_refuses_and_keeps_the_security_headers(workshop):
    phone = joined(workshop)
    live = reverse("workshop-room-live", args=[workshop.code])
    full = phone.get(live)
    early = phone.get(live, headers={"If-None-Match": full["ETag"]})
    assert early.status_code == 304 and early.content == b""
    # Answered before the session middleware: no session on the request, no cookie set.
    assert not hasattr(early.wsgi_request, "session") and not early.cookies
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ):
        assert early[header] == full[header], header
    assert early["ETag"] == full["ETag"] and early["Cache-Control"] == "no-cache"
    # Without the phone's cookie, or with another workshop's code, the ETag buys nothing.
    stranger = Client().get(live, headers={"If-None-Match": full["ETag"]})
    assert stranger.status_code == 403
    other = reverse("workshop-room-live", args=["ZZZZZZZZ"])
    assert phone.get(other, headers={"If-None-Match": full["ETag"]}).status_code in (403, 404)


def test_a_vote_answered_early_still_needs_its_csrf_token_and_keeps_the_headers(workshop):
    # The script's vote is stored before the session middleware: CSRF is still checked.
    phone = Client(enforce_csrf_checks=True)
    phone.get(reverse("workshop-join", args=[workshop.code]))
    token = phone.cookies["csrftoken"].value
    data = {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"}
    phone.post(
        reverse("workshop-join", args=[workshop.code]), {**data, "csrfmiddlewaretoken": token}
    )
    workshop = go(workshop, "next", "open")
    url = reverse("workshop-vote", args=[workshop.code])
    ballot = {"item": workshop.current_id, "internal": "3"}
    json = {"Accept": "application/json"}
    forged = phone.post(url, ballot, headers=json)
    assert forged.status_code == 403 and not Answer.objects.exists()
    sent = phone.post(url, ballot, headers={**json, "X-CSRFToken": token})
    assert sent.status_code == 200 and sent.json()["ok"] is True
    assert not hasattr(sent.wsgi_request, "session")  # answered early
    assert Answer.objects.get().rating == 3
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert sent[header], header


def test_each_phone_sees_its_own_vote_on_the_page_the_room_shares(workshop):
    first, second = joined(workshop), joined(workshop)
    workshop = go(workshop, "next", "open")
    live = reverse("workshop-room-live", args=[workshop.code])
    assert "Change my vote" not in first.get(live).content.decode()  # the room's copy, kept
    vote(second, workshop, "3")
    mine = second.get(live).content.decode()
    assert "Change my vote" in mine and 'value="3" checked' in mine
    theirs = first.get(live).content.decode()
    assert "Change my vote" not in theirs and " checked" not in theirs


def test_once_voting_closes_each_phone_sees_its_own_vote_not_anothers(workshop):
    three, two, silent = joined(workshop), joined(workshop), joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(three, workshop, "3")
    vote(two, workshop, "2")
    workshop = go(workshop, "close")
    live = reverse("workshop-room-live", args=[workshop.code])
    pages = [phone.get(live).content.decode() for phone in (three, two, silent, three)]
    for page_, shown in zip(pages, ["3 –", "2 –", "You did not vote", "3 –"], strict=True):
        assert "Voting on this question has closed" in page_
        assert shown in page_.split("govuk-summary-list__value", 1)[1].split("</dd>", 1)[0]


def test_votes_do_not_change_the_phones_etag_but_do_change_the_presenters(client, cast, workshop):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    live = reverse("workshop-room-live", args=[workshop.code])
    phone_etag = phone.get(live)["ETag"]
    client.force_login(cast.facilitator)
    present = console_url(workshop, "workshop-present-live")
    first = client.get(present)
    assert "<strong>0 of 1</strong> have voted" in first.content.decode()
    vote(phone, workshop, "3")
    assert phone.get(live, headers={"If-None-Match": phone_etag}).status_code == 304
    after = client.get(present, headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200
    assert "<strong>1 of 1</strong> have voted" in after.content.decode()
    assert client.get(present, headers={"If-None-Match": after["ETag"]}).status_code == 304


def test_results_are_in_no_response_to_a_phone_or_the_presenter_until_revealed(
    client, cast, workshop
):
    phones = [joined(workshop) for _ in range(4)]
    workshop = go(workshop, "next", "open")
    for phone, value in zip(phones, ["3", "3", "2", "dont_know"], strict=True):
        assert vote(phone, workshop, value).status_code == 200
    client.force_login(cast.facilitator)
    results = re.compile(r"lsp-tally|\(50%\)|\(25%\)|most chose")

    def everything_shown() -> str:
        shown = [
            page(client, console_url(workshop, "workshop-present")),
            page(client, console_url(workshop, "workshop-present-live")),
        ]
        for phone in phones:
            shown.append(page(phone, reverse("workshop-room", args=[workshop.code])))
            shown.append(page(phone, reverse("workshop-room-live", args=[workshop.code])))
        return "\n".join(shown)

    for state in ["voting", "close"]:
        if state == "close":
            workshop = go(workshop, "close")
        assert not results.search(everything_shown()), state
    chart = console_url(workshop, "workshop-chart", "room", "internal")
    assert client.get(chart).status_code == 404  # no chart of the votes before reveal either
    workshop = go(workshop, "reveal")
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "most chose 3 – Performs well" in presenter
    # The projector draws its bars in the page, in type a room can read; the
    # console shows the count as a table; the chart's address still serves the SVG.
    assert re.search(r'<rect width="50" height="10"/>', presenter)
    svg = client.get(chart)
    assert svg["Content-Type"] == "image/svg+xml"
    assert "3 – Performs well" in svg.content.decode() and ">2<" in svg.content.decode()
    assert re.search(r"2 <span class=\"lsp-tally__percent\">\(50%\)", presenter)
    workshop = go(workshop, "hide")
    assert not results.search(everything_shown())


def test_once_revealed_a_phone_shows_the_projectors_figures_and_withholds_what_it_withholds(
    client, cast, bank
):
    # Anonymous, with two answers to the remote questionnaire: too few to show anywhere.
    assessment = anonymous_with_two_remote_answers(cast, "4")
    workshop = make_workshop(cast, assessment)
    phones = [joined(workshop) for _ in range(2)]
    workshop = go(workshop, "next", "open", "show_remote")
    for phone, value in zip(phones, ["3", "2"], strict=True):
        assert vote(phone, workshop, value).status_code == 200
    room = reverse("workshop-room", args=[workshop.code])
    workshop = go(workshop, "close")
    assert "How the room voted" not in page(phones[0], room)

    workshop = go(workshop, "reveal")
    client.force_login(cast.facilitator)
    projected = page(client, console_url(workshop, "workshop-present"))
    # The page without JavaScript ("Check for the next question"), and the poll's answer.
    for shown in (page(phones[0], room), page(phones[1], room + "live/")):
        assert "How the room voted" in shown
        assert (
            "Against our own plans (internal). In the room: 2 answers; "
            "most chose 2 – Performs adequately and 3 – Performs well.</p>"
        ) in shown
        assert "fewer than 3 answers, not shown to keep the assessment anonymous" in shown
        figures = re.compile(r"<thead>.*</tbody>", re.S)
        assert figures.search(shown).group(0) == figures.search(projected).group(0)
        assert "Remote" not in shown and "(100%)" not in shown  # the remote 4s stay hidden


def test_a_phone_is_offered_no_sign_in_the_code_is_its_way_in(client, cast, workshop):
    for address in [reverse("join"), reverse("workshop-join", args=[workshop.code])]:
        assert ">Sign in<" not in page(client, address)
    phone = joined(workshop)
    assert ">Sign in<" not in page(phone, reverse("workshop-room", args=[workshop.code]))
    # Someone signed in keeps the usual links on the same pages.
    client.force_login(cast.facilitator)
    assert "Sign out" in page(client, reverse("join"))


def test_a_participant_removed_after_the_reveal_leaves_the_phones_figures_too(cast, bank):
    # Phones fetch the room's figures again only when the workshop changes: taking
    # someone out (with their votes) after the reveal is such a change, or every
    # phone would go on showing a vote that no longer counts.
    workshop = make_workshop(cast, make_assessment(cast))
    phones = [joined(workshop) for _ in range(3)]
    workshop = go(workshop, "next", "open")
    for phone, value in zip(phones, ["3", "3", "1"], strict=True):
        assert vote(phone, workshop, value).status_code == 200
    workshop = go(workshop, "close", "reveal")
    live = reverse("workshop-room", args=[workshop.code]) + "live/"
    first = phones[0].get(live)
    assert "3 answers" in first.content.decode()

    leaving = Answer.objects.filter(rating=1).get().respondent_id
    participants.remove_participant(workshop, leaving)

    voting.snapshot(workshop.code, fresh=True)  # as the poll sees it half a second on
    again = phones[0].get(live, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert "2 answers" in again.content.decode()
