"""Outages in a real browser: the outage page retries by itself and takes the person
back; the live workshop screens say when they have lost the server and catch up."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from lsp_assess.views import service_unavailable
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.browser.console import in_place
from tests.builders import make_workshop
from workshops.models import Answer, Workshop
from workshops.services import participants as participants_service
from workshops.services import workshop as workshop_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_outage_page_retries_by_itself_and_goes_back_when_the_service_returns(new_page, bank):
    page = new_page()
    # The first visit meets the outage (as the server renders it); the health check then
    # fails once more before the service is back.
    outage = service_unavailable(RequestFactory().get("/questions/"))
    answers = {"page": 0, "health": 0}

    def questions(route):
        answers["page"] += 1
        if answers["page"] == 1:
            route.fulfill(status=503, body=outage.content, content_type="text/html")
        else:
            route.continue_()

    def health(route):
        answers["health"] += 1
        if answers["health"] == 1:
            route.fulfill(status=503, body='{"status": "unavailable"}')
        else:
            route.continue_()

    page.route("**/questions/", questions)
    page.route("**/healthz", health)
    page.goto("/questions/")
    expect(page.get_by_role("heading", name="Sorry, the service is unavailable")).to_be_visible()
    expect(page.get_by_role("link", name="Go back to the page you were on")).to_have_attribute(
        "href", "/questions/"
    )
    expect(page.get_by_role("status")).to_have_text("Trying again every few seconds…")
    # No reload on a timer: the script asks the health check, then goes back.
    expect(page.get_by_role("heading", name="Sorry, the service is unavailable")).to_have_count(
        0, timeout=15_000
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("The self-assessment questions")
    assert answers["health"] >= 2 and answers["page"] == 2


# Live workshops through an outage: a poll that fails (the server answers 5xx, or
# nothing answers) puts up a banner; the first good poll takes it down. Phones,
# console and presenter retry at most 3 s apart, so they catch up soon after.

LOST = "Connection to the server lost — retrying"
CATCH_UP = 3_500  # the retry delay is capped at 3 s; allow half a second for the answer
POLL = 4_000
PRIYA = "Priya Shah, Eastvale District Council"

# Records what the page's status region says, so a test can count the announcements.
LISTEN = """() => {
  const region = document.querySelector("[data-live-announce]");
  window.said = [];
  new MutationObserver(() => window.said.push(region.textContent.trim())).observe(
    region, {childList: true, characterData: true, subtree: true}
  );
}"""


class Outage:
    """Answers a page's requests to one address as the server does while the database
    is down (the 503 page), or not at all (the server is unreachable), until it ends."""

    def __init__(self, page, pattern: str, request=None) -> None:
        self.mode = ""
        self.page_503 = service_unavailable(request or RequestFactory().get("/")).content
        page.route(pattern, self.answer)

    def answer(self, route) -> None:
        if self.mode == "503":
            route.fulfill(status=503, body=self.page_503, content_type="text/html")
        elif self.mode == "unreachable":
            route.abort("connectionrefused")
        else:
            route.continue_()


def join_as(phone, code: str, name: str) -> None:
    phone.goto(f"/w/{code}/join/")
    phone.get_by_label(name).check()
    phone.get_by_role("button", name="Join the workshop").click()


def joined_phone(new_page, workshop):
    phone = new_page(PHONE)
    join_as(phone, workshop.code, PRIYA)
    expect(phone.get_by_role("heading", name="You have joined")).to_be_visible()
    return phone


def voting_phone(new_page, workshop):
    """A phone in the room with voting open on the first item."""
    phone = joined_phone(new_page, workshop)
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "open")
    expect(phone.get_by_role("button", name="Vote")).to_be_visible(timeout=10_000)
    phone.get_by_label("3 – Performs well").check()
    return phone


def banner(page):
    return page.get_by_role("region", name="Important")


def test_a_phone_says_when_it_has_lost_the_server_and_catches_up_within_3_s_of_its_return(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    phone = joined_phone(new_page, workshop)
    phone.evaluate(LISTEN)
    polls = Outage(phone, f"**/w/{workshop.code}/live/")

    # The database goes down: the server answers every poll with its 503 page.
    polls.mode = "503"
    expect(banner(phone)).to_contain_text(LOST, timeout=POLL)
    expect(banner(phone)).to_contain_text("The problem is on our side, not with this device")
    # The facilitator moves on meanwhile; the phone cannot know, and says so.
    workshop_service.change(workshop.pk, "next")
    # Then the server cannot be reached at all, long enough for a growing delay to grow.
    polls.mode = "unreachable"
    expect(banner(phone)).to_contain_text("The server is not answering", timeout=POLL)
    phone.wait_for_timeout(8_000)
    expect(banner(phone)).to_be_visible()
    expect(phone.get_by_role("heading", name="You have joined")).to_be_visible()
    screenshot(phone, "phone-connection-lost")

    polls.mode = ""
    item = Workshop.objects.get(pk=workshop.pk).current.item
    expect(phone.get_by_role("heading", name=item.text)).to_be_visible(timeout=CATCH_UP)
    expect(banner(phone)).to_be_hidden()
    # Screen readers heard of the loss once, through the many failed polls, then of the return.
    said = phone.evaluate("window.said")
    assert said.count(LOST) == 1, said
    assert said[-1] == f"Connected again. Now on question {item.key}. Voting opens soon", said


def test_a_vote_the_server_fails_to_take_says_so_is_not_counted_and_can_be_sent_again(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    phone = voting_phone(new_page, workshop)
    votes = Outage(phone, f"**/w/{workshop.code}/vote/")
    votes.mode = "503"
    phone.get_by_role("button", name="Vote").click()
    message = phone.locator("[data-vote-message]")
    expect(message).to_have_text(
        "Your vote has not been counted yet. The problem is on our side, not with your phone: "
        "press Vote to try again."
    )
    expect(phone.get_by_role("button", name="Vote")).to_be_visible()  # not "Change my vote"
    assert not Answer.objects.exists()

    votes.mode = ""
    phone.get_by_role("button", name="Vote").click()
    expect(message).to_have_text("Your vote is in. You can change it until voting closes.")
    assert [a.value for a in Answer.objects.all()] == ["3"]


def test_a_phone_that_goes_offline_says_it_is_offline_and_votes_once_back(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    phone = voting_phone(new_page, workshop)
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Vote").click()
    expect(phone.locator("[data-vote-message]")).to_have_text(
        "Your vote has not been sent: this phone is offline. "
        "Press Vote again once it is back online."
    )
    expect(banner(phone)).to_contain_text(LOST, timeout=POLL)
    expect(banner(phone)).to_contain_text("This device is offline")
    assert not Answer.objects.exists()

    phone.context.set_offline(False)
    expect(banner(phone)).to_be_hidden(timeout=CATCH_UP)
    phone.get_by_role("button", name="Vote").click()
    expect(phone.get_by_text("Your vote is in")).to_be_visible()
    assert Answer.objects.count() == 1


def test_a_phone_waiting_to_be_let_in_stays_on_its_page_offline_and_moves_on_once_back(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    joined_phone(new_page, workshop)
    second = new_page(PHONE)
    join_as(second, workshop.code, PRIYA)
    second.get_by_role("button", name="Ask the facilitator to let you in as Priya Shah").click()
    expect(second.get_by_role("heading", name="Waiting to be let in")).to_be_visible()

    # The page reloads itself after each health check that answers. Going offline in the
    # middle of such a reload leaves a page whose script never loaded, so go offline just
    # after one: the next check, 3 s on, is the one that fails.
    with second.expect_navigation(timeout=2 * 3_000):
        pass
    second.context.set_offline(True)
    # It asks every 3 s (not the 1 s of a live screen): allow two asks on a busy machine.
    expect(banner(second)).to_contain_text(LOST, timeout=2 * 3_000)
    expect(second.get_by_role("heading", name="Waiting to be let in")).to_be_visible()
    participants_service.admit(workshop, workshop.waiting_phones.get().pk)
    second.context.set_offline(False)
    expect(second.get_by_role("heading", name="You have joined")).to_be_visible(
        timeout=CATCH_UP + 1_000  # the check, then the page it leads to
    )


def test_the_console_shows_the_banner_and_its_buttons_post_through_an_outage(
    new_page, cast, assessment
):
    workshop = make_workshop(cast, assessment)
    console = new_page(DESKTOP)
    sign_in(console, cast.facilitator.email)
    console.goto(workshop.get_absolute_url())
    polls = Outage(console, "**/live/")
    polls.mode = "503"
    expect(banner(console)).to_contain_text(LOST, timeout=POLL)

    # A button pressed while the database is down lands on the outage page, which
    # leads back to the console; the press did nothing.
    # (The outage page as the server renders it for that form: its way back is the console.)
    console_path = workshop.get_absolute_url()
    sent = RequestFactory().post("/control/", HTTP_REFERER="http://testserver" + console_path)
    controls = Outage(console, "**/control/", sent)
    controls.mode = "503"
    with console.expect_navigation():
        console.get_by_role("button", name="Start with the first item").click()
    expect(console.get_by_role("heading", name="Sorry, the service is unavailable")).to_be_visible()
    assert Workshop.objects.get(pk=workshop.pk).state == Workshop.State.LOBBY

    polls.mode = controls.mode = ""
    expect(console.get_by_role("heading", name=workshop.title)).to_be_visible(timeout=15_000)
    expect(banner(console)).to_be_hidden()
    control = console.get_by_role("button", name="Start with the first item")
    in_place(console, control.click)
    expect(console.get_by_text("There is a problem")).to_have_count(0)
    assert Workshop.objects.get(pk=workshop.pk).state == Workshop.State.READY
