"""Sessions: the idle timeout and the absolute lifetime, the console that keeps itself
alive while its workshop runs, signing out of every other device, closed accounts and
removed members, and the account's own list of recent sign-ins.

Time passes by moving the stamps kept in the stored session back, as the middleware
would find them after a real wait.
"""

from __future__ import annotations

import time

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.builders import PASSWORD, make_workshop
from tests.conftest import Cast
from workshops import audit
from workshops.accounts.sessions import SEEN_AT, SIGNED_IN_AT
from workshops.models import AuditEvent, ImportJob, Membership, Workshop
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
IDLE_MESSAGE = "You were signed out because you had not used LSP Assess for 30 minutes."


def signed_in(email: str, agent: str = FIREFOX, address: str = "203.0.113.7") -> Client:
    """A browser signed in through the sign-in page, as a person would."""
    browser = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = browser.post(reverse("login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    assert "_auth_user_id" in browser.session
    return browser


def move_back(browser: Client, seconds: int, *keys: str) -> None:
    """Move the session's stamps back, as if ``seconds`` had passed since they were written."""
    session = browser.session
    for key in keys or (SEEN_AT,):
        session[key] -= seconds
    session.save()


def is_signed_in(browser: Client) -> bool:
    return browser.get(reverse("account")).status_code == 200


def sign_in_page(response) -> str:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    return response["Location"]


# --- The idle timeout and the lifetime ------------------------------------------------------


def test_after_the_idle_time_the_next_page_is_the_sign_in_page_saying_why(cast: Cast):
    browser = signed_in(cast.coordinator.email)
    partnership_page = reverse("partnership", args=[cast.partnership.pk])
    assert browser.get(partnership_page).status_code == 200
    # The last request's time is kept to the minute, so 30 minutes is never cut short.
    move_back(browser, 30 * 60)
    assert browser.get(partnership_page).status_code == 200
    move_back(browser, 32 * 60)
    response = browser.get(partnership_page)
    assert sign_in_page(response) == reverse("login") + "?next=" + partnership_page.replace(
        "/", "%2F"
    )
    page = browser.get(response["Location"]).content.decode()
    assert IDLE_MESSAGE in page
    assert "_auth_user_id" not in browser.session
    # Signing in again returns to the page.
    again = browser.post(
        response["Location"], {"login": cast.coordinator.email, "password": PASSWORD}
    )
    assert again.status_code == 302 and again["Location"] == partnership_page
    assert browser.get(partnership_page).status_code == 200


def test_the_idle_time_is_a_setting(cast: Cast, settings):
    settings.SESSION_IDLE_MINUTES = 5
    browser = signed_in(cast.executive.email)
    move_back(browser, 7 * 60)
    response = browser.get(reverse("account"))
    sign_in_page(response)
    page = browser.get(response["Location"]).content.decode()
    assert "had not used LSP Assess for 5 minutes" in page


def test_a_form_sent_after_the_idle_time_changes_nothing_and_returns_to_its_page(cast: Cast):
    browser = signed_in(cast.coordinator.email)
    members = reverse("members", args=[cast.partnership.pk])
    invite = reverse("member-invite", args=[cast.partnership.pk])
    move_back(browser, 40 * 60)
    response = browser.post(
        invite,
        {"email": "new@eastvale.example.org", "role": "participant"},
        headers={"Referer": "http://testserver" + members},
    )
    assert sign_in_page(response) == reverse("login") + "?next=" + members.replace("/", "%2F")
    assert not cast.partnership.member_invitations.exists()


def test_twelve_hours_after_signing_in_the_session_ends_however_busy(cast: Cast):
    browser = signed_in(cast.facilitator.email)
    move_back(browser, 11 * 3600 + 50 * 60, SIGNED_IN_AT)
    assert is_signed_in(browser)  # busy: the last request was just now
    move_back(browser, 11 * 60, SIGNED_IN_AT)
    response = browser.get(reverse("account"))
    sign_in_page(response)
    page = browser.get(response["Location"]).content.decode()
    assert "You were signed out because you signed in more than 12 hours ago." in page


def test_a_session_from_before_the_limits_were_kept_is_signed_out(cast: Cast):
    browser = signed_in(cast.participant.email)
    session = browser.session
    del session[SIGNED_IN_AT]
    session.save()
    sign_in_page(browser.get(reverse("account")))
    assert "_auth_user_id" not in browser.session


def test_the_last_request_is_written_at_most_once_a_minute(cast: Cast):
    browser = signed_in(cast.coordinator.email)
    stamp = browser.session[SEEN_AT]
    browser.get(reverse("account"))
    assert browser.session[SEEN_AT] == stamp  # within the minute: nothing written
    move_back(browser, 61)
    browser.get(reverse("account"))
    assert browser.session[SEEN_AT] >= int(time.time()) - 1
    row = UserSession.objects.get(session_key=browser.session.session_key)
    assert abs(row.last_seen_at.timestamp() - browser.session[SEEN_AT]) < 1


# --- The console keeps itself alive while its workshop runs ---------------------------------


@pytest.fixture
def workshop(cast: Cast, assessment) -> Workshop:
    return make_workshop(cast, assessment)


def _live(workshop: Workshop, name: str = "workshop-console-live") -> str:
    a = workshop.assessment
    return reverse(name, args=[a.partnership_id, a.pk, workshop.pk])


def _poll(browser: Client, url: str):
    # As the console's script asks: a fetch from the page.
    return browser.get(url, headers={"Sec-Fetch-Mode": "cors", "Referer": "http://testserver/"})


@pytest.mark.parametrize("name", ["workshop-console-live", "workshop-present-live"])
def test_the_console_and_presenter_of_a_running_workshop_keep_the_session_alive(
    cast: Cast, workshop: Workshop, name: str
):
    workshop_service.change(workshop.pk, "next")  # the first item is on the screen
    browser = signed_in(cast.facilitator.email)
    # Two hours of polling with nobody touching the page.
    for _ in range(8):
        move_back(browser, 20 * 60)
        assert _poll(browser, _live(workshop, name)).status_code == 200
        assert browser.session[SEEN_AT] >= int(time.time()) - 1  # each poll counted
    assert browser.get(workshop.get_absolute_url()).status_code == 200


def test_the_console_of_a_finished_workshop_does_not_keep_the_session_alive(
    cast: Cast, workshop: Workshop
):
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "finish")
    browser = signed_in(cast.facilitator.email)
    move_back(browser, 20 * 60)
    assert _poll(browser, _live(workshop)).status_code == 200
    move_back(browser, 12 * 60)  # the poll did not count: 32 minutes since the last page
    response = _poll(browser, _live(workshop))
    # The console's script is told, in words it shows, rather than given the sign-in page.
    assert response.status_code == 401
    assert response.json()["signed_out"] is True
    assert response.json()["message"].startswith(IDLE_MESSAGE)
    assert "_auth_user_id" not in browser.session
    # Without a script's headers (a page load), the sign-in page.
    sign_in_page(browser.get(workshop.get_absolute_url()))


def test_a_console_left_open_before_the_workshops_day_does_not_keep_the_session_alive(
    cast: Cast, workshop: Workshop
):
    Workshop.objects.filter(pk=workshop.pk).update(held_on="2099-01-01")
    browser = signed_in(cast.facilitator.email)
    move_back(browser, 20 * 60)
    assert _poll(browser, _live(workshop)).status_code == 200
    move_back(browser, 12 * 60)
    assert _poll(browser, _live(workshop)).status_code == 401


def test_on_the_day_the_lobby_counts_while_the_room_gathers(cast: Cast, workshop: Workshop):
    browser = signed_in(cast.facilitator.email)
    move_back(browser, 20 * 60)
    assert _poll(browser, _live(workshop)).status_code == 200
    move_back(browser, 12 * 60)
    assert _poll(browser, _live(workshop)).status_code == 200


def test_a_progress_page_polling_by_itself_does_not_keep_the_session_alive(cast: Cast, assessment):
    job = ImportJob.objects.create(
        assessment=assessment,
        kind=ImportJob.Kind.INVITEES,
        digest="0" * 64,
        state=ImportJob.State.RUNNING,
        rows=5000,
        created_by=cast.coordinator,
    )
    status = reverse("import-job", args=[cast.partnership.pk, assessment.pk, job.pk])
    browser = signed_in(cast.coordinator.email)
    move_back(browser, 20 * 60)
    poll = {"Accept": "application/json"}
    assert browser.get(status, headers=poll).status_code == 200
    move_back(browser, 12 * 60)
    response = browser.get(status, headers={**poll, "Referer": "http://testserver" + status})
    assert response.status_code == 401
    assert response.json()["sign_in"] == reverse("login") + "?next=" + status.replace("/", "%2F")


def test_a_script_whose_session_ended_elsewhere_is_told_it_was_signed_out(
    cast: Cast, workshop: Workshop
):
    browser = signed_in(cast.facilitator.email)
    cast.facilitator.set_password("a-new-password-for-this")
    cast.facilitator.save()
    response = _poll(browser, _live(workshop))
    assert response.status_code == 401
    assert response.json()["message"] == "You have been signed out. Sign in again to carry on."
    # A page load is sent to sign in as before.
    sign_in_page(browser.get(workshop.get_absolute_url()))


# --- Signing out of every other device ------------------------------------------------------


def test_signing_out_of_all_other_devices_ends_exactly_the_others(cast: Cast):
    laptop = signed_in(cast.coordinator.email, FIREFOX, "203.0.113.7")
    phone = signed_in(cast.coordinator.email, SAFARI_PHONE, "198.51.100.20")
    office = signed_in(cast.coordinator.email, CHROME_MAC, "192.0.2.44")
    colleague = signed_in(cast.facilitator.email, CHROME_MAC, "192.0.2.44")

    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Signed in on 3 devices" in page
    for shown in ["Firefox on Windows", "Safari on an iPhone", "Chrome on a Mac", "198.51.100.20"]:
        assert shown in page
    assert page.count("This device") == 1
    assert page.index("This device") > page.index("Firefox on Windows")
    assert page.index("This device") < page.index("Safari on an iPhone")

    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    page = laptop.get(response["Location"]).content.decode()
    assert page.count("You have signed out of all your other devices.") == 1
    assert "Signed in on 1 device" in page and "You are not signed in anywhere else." in page

    assert is_signed_in(laptop) and is_signed_in(colleague)
    assert not is_signed_in(phone) and not is_signed_in(office)
    event = AuditEvent.objects.get(action="account.signed_out_everywhere")
    assert event.account == cast.coordinator
    assert "2 sessions ended" in event.summary


def test_changing_the_password_signs_out_the_other_devices_only(cast: Cast):
    laptop = signed_in(cast.executive.email)
    phone = signed_in(cast.executive.email, SAFARI_PHONE)
    response = laptop.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-long-new-password-9",
            "password2": "a-long-new-password-9",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


# --- Closed accounts and removed members ----------------------------------------------------


def test_deactivating_an_account_ends_its_sessions_at_once(cast: Cast):
    laptop = signed_in(cast.participant.email)
    phone = signed_in(cast.participant.email, SAFARI_PHONE)
    other = signed_in(cast.executive.email)
    assert UserSession.objects.filter(user=cast.participant).count() == 2

    cast.participant.is_active = False
    cast.participant.save()

    assert not UserSession.objects.filter(user=cast.participant).exists()
    for browser in (laptop, phone):
        sign_in_page(browser.get(reverse("partnership", args=[cast.partnership.pk])))
    assert is_signed_in(other)


def test_a_removed_member_loses_the_partnerships_pages_on_the_next_request(cast: Cast):
    browser = signed_in(cast.participant.email)
    page = reverse("partnership", args=[cast.partnership.pk])
    assert browser.get(page).status_code == 200
    Membership.objects.filter(user=cast.participant, partnership=cast.partnership).delete()
    assert browser.get(page).status_code == 404
    assert is_signed_in(browser)  # still signed in, just no longer a member


# --- Recent sign-ins ------------------------------------------------------------------------


def test_the_recent_sign_ins_list_shows_only_the_accounts_own(cast: Cast):
    audit.record(
        "account.signed_in",
        "Signed in with a password from 203.0.113.7 (Firefox on Windows)",
        account=cast.coordinator,
    )
    audit.record(
        "account.sign_in_failed",
        "Wrong password from 198.51.100.99 (Chrome on Android)",
        account=cast.coordinator,
    )
    audit.record(
        "account.signed_in",
        "Signed in with a passkey from 192.0.2.200 (Safari on iPhone)",
        account=cast.outsider,
    )
    # Something else that happened to the account is not a sign-in.
    audit.record("account.password_changed", "Changed the password", account=cast.coordinator)
    browser = Client()
    browser.force_login(cast.coordinator)
    page = browser.get(reverse("account-sign-ins")).content.decode()
    assert "Signed in with a password from 203.0.113.7 (Firefox on Windows)" in page
    assert "Wrong password from 198.51.100.99 (Chrome on Android)" in page
    assert page.count("Failed") == 1
    assert "192.0.2.200" not in page
    assert "Changed the password" not in page
    # The newest first.
    assert page.index("198.51.100.99") < page.index("203.0.113.7")


def test_the_recent_sign_ins_list_keeps_to_the_last_twenty(cast: Cast):
    for n in range(25):
        audit.record("account.signed_in", f"Sign-in number {n:02}", account=cast.executive)
    browser = Client()
    browser.force_login(cast.executive)
    page = browser.get(reverse("account-sign-ins")).content.decode()
    assert "Sign-in number 24" in page and "Sign-in number 05" in page
    assert "Sign-in number 04" not in page


def test_the_account_page_leads_to_each_account_page(cast: Cast):
    browser = Client()
    browser.force_login(cast.participant)
    page = browser.get(reverse("account")).content.decode()
    for name in ["account_change_password", "mfa_index", "usersessions_list", "account-sign-ins"]:
        assert f'href="{reverse(name)}"' in page
    assert "You are signed out after 30 minutes without using LSP Assess" in page


# --- What the middleware costs --------------------------------------------------------------


def _without_session_limits(settings) -> None:
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "workshops.accounts.sessions.SessionLimitsMiddleware"
    ]


def test_a_phones_poll_costs_no_query_more(cast: Cast, workshop: Workshop, settings):
    phone = Client()
    joined = phone.post(
        reverse("workshop-join", args=[workshop.code]),
        {"who": "anonymous", "role": "officer", "sector": "public", "layer": "strategic"},
    )
    assert joined.status_code == 302
    live = reverse("workshop-room-live", args=[workshop.code])
    etag = phone.get(live)["ETag"]
    voting_service.forget(workshop.code)
    with CaptureQueriesContext(connection) as with_limits:
        assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    _without_session_limits(settings)
    voting_service.forget(workshop.code)
    with CaptureQueriesContext(connection) as without:
        assert phone.get(live, headers={"If-None-Match": etag}).status_code == 304
    assert len(with_limits) == len(without)
    assert not any("session" in q["sql"].lower() for q in with_limits)


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_a_signed_in_page_costs_no_query_more_but_once_a_minute(cast: Cast, settings):
    browser = signed_in(cast.coordinator.email)
    page = reverse("partnership", args=[cast.partnership.pk])
    browser.get(page)
    with CaptureQueriesContext(connection) as with_limits:
        assert browser.get(page).status_code == 200
    assert _writes(with_limits) == []
    move_back(browser, 61)
    with CaptureQueriesContext(connection) as stamping:
        assert browser.get(page).status_code == 200
    # Once a minute: the session's stamp and the device list's "last seen".
    assert len(_writes(stamping)) == 2
    assert len(stamping) - len(with_limits) <= 2 + 2  # and their savepoint, if any
    _without_session_limits(settings)
    with CaptureQueriesContext(connection) as without:
        assert browser.get(page).status_code == 200
    assert len(with_limits) == len(without)


def test_settings_say_a_session_cookie_lasts_no_longer_than_a_session():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_LIFETIME_HOURS * 3600


def test_signing_in_again_from_an_ended_session_just_signs_in(cast: Cast):
    browser = signed_in(cast.coordinator.email)
    move_back(browser, 40 * 60)
    # The sign-in form, still open from before, sent with the old session's cookie.
    response = browser.post(
        reverse("login") + "?next=/account/",
        {"login": cast.coordinator.email, "password": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert is_signed_in(browser)


def test_a_page_that_does_not_ask_who_is_signed_in_reads_no_session(cast: Cast):
    browser = signed_in(cast.coordinator.email)
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/healthz").status_code == 200
    assert [q["sql"] for q in queries] == ["SELECT 1"]
