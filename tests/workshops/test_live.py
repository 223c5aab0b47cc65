"""The workshop screens through HTTP: phones joining and voting, the console and the presenter."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import make_assessment, make_workshop
from tests.conftest import Cast
from workshops.models import Action, Answer, Respondent, Workshop
from workshops.services import workshop as services
from workshops.views.live import COOKIE

State = Workshop.State


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workshop(cast: Cast, assessment) -> Workshop:
    return make_workshop(cast, assessment)


def joined(workshop: Workshop, **who) -> Client:
    """A phone that has joined the workshop (anonymously unless told otherwise)."""
    phone = Client()
    data = who or {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"}
    response = phone.post(reverse("workshop-join", args=[workshop.code]), data)
    assert response.status_code == 302, response.content.decode()
    return phone


def go(workshop: Workshop, *actions: str) -> Workshop:
    for action in actions:
        services.change(workshop.pk, action)
    workshop.refresh_from_db()
    return workshop


def vote(phone: Client, workshop: Workshop, value: str, *, json: bool = True, item=None):
    workshop.refresh_from_db()
    headers = {"Accept": "application/json"} if json else {}
    data = {"item": workshop.current_id if item is None else item, "internal": value}
    return phone.post(reverse("workshop-vote", args=[workshop.code]), data, headers=headers)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def console_url(workshop: Workshop, name: str = "workshop", *extra) -> str:
    a = workshop.assessment
    return reverse(name, args=[a.partnership_id, a.pk, workshop.pk, *extra])


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


# --- Voting ---------------------------------------------------------------------------------


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


@pytest.mark.parametrize("item", ["", "abc", "999999"])
def test_a_vote_for_a_missing_or_strange_item_gets_a_message_not_an_error(workshop, item):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    response = vote(phone, workshop, "3", item=item)
    assert response.status_code == 409
    assert "closed" in response.json()["message"]
    assert not Answer.objects.exists()


# --- Polling ---------------------------------------------------------------------------------


def test_an_unchanged_workshop_answers_304_without_reading_votes(workshop):
    phone = joined(workshop)
    live = reverse("workshop-room-live", args=[workshop.code])
    first = phone.get(live)
    etag = first["ETag"]
    assert first.status_code == 200 and "You have joined" in first.content.decode()
    services.forget(workshop.code)
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
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    services.forget(workshop.code)
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    # Another process moves the workshop on: this process's snapshot does not know yet.
    Workshop.objects.filter(pk=workshop.pk).update(version=F("version") + 1)
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    clock[0] += services.SNAPSHOT_SECONDS
    assert phone.get(live, headers={"If-None-Match": etag}).status_code == 200


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
    assert chart in presenter
    svg = client.get(chart)
    assert svg["Content-Type"] == "image/svg+xml"
    assert "3 – Performs well" in svg.content.decode() and ">2<" in svg.content.decode()
    assert re.search(r"2 <span class=\"lsp-tally__percent\">\(50%\)", presenter)
    workshop = go(workshop, "hide")
    assert not results.search(everything_shown())


def test_the_presenter_can_show_the_remote_questionnaire_beside_the_room(
    client, cast, workshop, invitation
):
    from tests.builders import respond

    respond(invitation, {"1.1:internal": "1"}, submitted=True)
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(phone, workshop, "4")
    workshop = go(workshop, "close", "reveal")
    client.force_login(cast.facilitator)
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "In the remote questionnaire" not in presenter
    go(workshop, "show_remote")
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "In the room" in presenter and "In the remote questionnaire" in presenter


# --- The console and presenter -----------------------------------------------------------------


def test_a_facilitator_sets_up_a_workshop_with_the_default_agenda(client, cast, assessment):
    client.force_login(cast.facilitator)
    url = reverse("workshop-create", args=[cast.partnership.pk, assessment.pk])
    response = client.post(url, {"title": ""})
    assert "Enter a title for the workshop" in response.content.decode()
    response = client.post(
        url,
        {
            "title": "Board away day",
            "kind": "board",
            "held_on_0": "4",
            "held_on_1": "12",
            "held_on_2": "2026",
            "facilitator": cast.facilitator.pk,
        },
    )
    workshop = Workshop.objects.get()
    assert response["Location"] == workshop.get_absolute_url()
    assert workshop.agenda.count() == len(services.default_agenda(assessment))
    console = page(client, response["Location"])
    assert workshop.display_code in console and "Start with the first item" in console


def test_the_console_drives_the_workshop_and_refuses_a_stale_click(client, cast, workshop):
    client.force_login(cast.facilitator)
    control = console_url(workshop, "workshop-control")
    response = client.post(control, {"action": "next", "version": workshop.version})
    assert response.status_code == 302
    console = page(client, response["Location"])
    assert "Open voting" in console and "1.1" in console
    response = client.post(control, {"action": "next", "version": workshop.version}, follow=True)
    assert "changed in another window" in response.content.decode()
    response = client.post(control, {"action": "open"}, follow=True)
    assert "request was incomplete" in response.content.decode()
    workshop.refresh_from_db()
    assert (workshop.state, workshop.current.position) == (State.READY, 1)


def test_the_facilitator_records_consensus_and_actions_with_clear_errors(client, cast, workshop):
    workshop = go(workshop, "next")
    entry = workshop.current
    client.force_login(cast.facilitator)
    agreed = console_url(workshop, "workshop-consensus", entry.pk)
    prefix = f"c{entry.pk}-"
    response = client.post(agreed, {f"{prefix}agreed_internal": "9"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    entry.refresh_from_db()
    assert not entry.is_agreed
    response = client.post(
        agreed,
        {f"{prefix}agreed_internal": "3", f"{prefix}rationale": "Evidence from the plan"},
        follow=True,
    )
    assert "What the room agreed on 1.1 is recorded" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.agreed_internal, entry.rationale) == (3, "Evidence from the plan")

    add = console_url(workshop, "workshop-action-add", entry.pk)
    response = client.post(add, {"description": "", "due_on_0": "31", "due_on_1": "2"})
    assert response.status_code == 400
    assert "Describe the action" in response.content.decode()
    assert not Action.objects.exists()
    data = {"description": "Refresh the SCS", "owner": cast.council.pk}
    client.post(add, data)
    client.post(add, data)  # the same form sent twice
    assert Action.objects.count() == 1
    console = page(client, console_url(workshop) + f"?item={entry.pk}")
    assert "Refresh the SCS" in console and "Eastvale District Council" in console


def test_the_presenter_shows_the_join_address_code_and_qr(client, cast, workshop):
    client.force_login(cast.facilitator)
    presenter = page(client, console_url(workshop, "workshop-present"))
    assert "http://testserver/w/" in presenter
    assert workshop.display_code in presenter
    assert console_url(workshop, "workshop-qr") in presenter
    qr = client.get(console_url(workshop, "workshop-qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_the_agenda_page_moves_drops_and_adds(client, cast, workshop, assessment):
    client.force_login(cast.facilitator)
    first, second = workshop.agenda.all()[:2]
    client.post(console_url(workshop, "agenda-change", second.pk), {"change": "up"})
    assert workshop.agenda.first() == second
    client.post(console_url(workshop, "agenda-change", first.pk), {"change": "remove"})
    assert not workshop.agenda.filter(pk=first.pk).exists()
    response = client.post(console_url(workshop, "workshop-agenda"), {"items": []})
    assert "Choose at least one question to add" in response.content.decode()
    client.post(console_url(workshop, "workshop-agenda"), {"items": [first.item.pk]})
    assert workshop.agenda.last().item == first.item


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


def test_the_console_shows_an_earlier_items_votes_for_recording_what_was_agreed(
    client, cast, workshop
):
    phone = joined(workshop)
    workshop = go(workshop, "next", "open")
    vote(phone, workshop, "2")
    first = workshop.current
    workshop = go(workshop, "close", "next")
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop) + f"?item={first.pk}")
    assert "How the room voted on 1.1" in console
    assert re.search(r"2 – Performs adequately</th>\s*<td[^>]*>1 ", console)
    assert "How the room voted" not in page(client, console_url(workshop))  # the current item


def test_a_date_of_only_spaces_is_no_date_and_sets_up_no_workshop(client, cast, assessment):
    client.force_login(cast.facilitator)
    url = reverse("workshop-create", args=[cast.partnership.pk, assessment.pk])
    data = {
        "title": "Board away day",
        "kind": "board",
        "held_on_0": "   ",
        "held_on_1": "12",
        "held_on_2": "2026",
        "facilitator": cast.facilitator.pk,
    }
    response = client.post(url, data)
    page_shown = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page_shown
    assert "Enter the day, month and year" in page_shown
    assert not Workshop.objects.exists()


@pytest.mark.parametrize("change", ["sideways", ""])
def test_an_agenda_change_the_page_does_not_offer_is_refused(client, cast, workshop, change):
    client.force_login(cast.facilitator)
    order = list(workshop.agenda.values_list("pk", flat=True))
    response = client.post(
        console_url(workshop, "agenda-change", order[1]), {"change": change}, follow=True
    )
    assert response.status_code == 200
    assert "Choose to move the item up or down, or to drop it." in response.content.decode()
    assert list(workshop.agenda.values_list("pk", flat=True)) == order


def test_a_chart_asked_for_an_item_by_digits_int_cannot_read_is_not_found(client, cast, workshop):
    # "²" passes str.isdigit() but not int(): the item asked for is none, like any other text.
    client.force_login(cast.facilitator)
    chart = console_url(workshop, "workshop-chart", "room", "internal")
    for item in ["²", "9" * 5000]:
        response = client.get(chart, {"item": item})
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
