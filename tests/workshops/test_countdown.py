"""The console's countdown (services.workshop and the console's controls): at least 30
seconds, time added while it runs, and the length last used offered again."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.timezone import localtime

from tests.workshops.live_helpers import console_url, go, page
from workshops.models import AuditEvent, Workshop, WorkshopError
from workshops.services import workshop as services

State = Workshop.State
LIMITS = "Choose a countdown of 30 seconds to 60 minutes."


def control(client, workshop: Workshop, action: str, **data):
    """Press one of the console's controls without JavaScript: the post, then the console."""
    workshop.refresh_from_db()
    step = {"action": action, "version": workshop.version, **data}
    return client.post(console_url(workshop, "workshop-control"), step, follow=True)


def chosen_length(console: str) -> str:
    """The countdown the console's select offers first (the option marked selected)."""
    select = re.search(r'<select[^>]*id="timer-seconds".*?</select>', console, re.S)
    assert select, "no countdown on the console"
    return re.findall(r'<option value="(\d+)"[^>]*\bselected\b', select.group())


@pytest.mark.parametrize("seconds", ["20", "29", "0", "-30", "abc", "²", "", "3601"])
def test_a_countdown_under_30_seconds_or_unreadable_is_refused_with_a_message_and_not_stored(
    client, cast, workshop, seconds
):
    workshop = go(workshop, "next", "open")
    client.force_login(cast.facilitator)
    response = control(client, workshop, "timer", seconds=seconds)
    assert response.status_code == 200
    said = response.content.decode().split('id="console-said"')[1]
    assert LIMITS in said.split('data-console-part="status"')[0]
    before = workshop.version
    workshop.refresh_from_db()
    assert (workshop.voting_closes_at, workshop.version) == (None, before)
    assert not AuditEvent.objects.filter(action="workshop.timer").exists()


def test_the_service_refuses_a_countdown_under_30_seconds(workshop):
    workshop = go(workshop, "next", "open")
    for seconds in (29, None):
        with pytest.raises(WorkshopError, match=re.escape(LIMITS)):
            services.change(workshop.pk, "timer", seconds=seconds)
    workshop = services.change(workshop.pk, "timer", seconds=30)
    assert workshop.voting_closes_at > timezone.now() + timedelta(seconds=25)


def test_the_facilitator_adds_time_to_a_running_countdown_and_the_log_says_so(
    client, cast, workshop
):
    workshop = go(workshop, "next", "open")
    client.force_login(cast.facilitator)
    control(client, workshop, "timer", seconds="60")
    workshop.refresh_from_db()
    first = workshop.voting_closes_at

    response = control(client, workshop, "add_time")
    workshop.refresh_from_db()
    assert workshop.voting_closes_at == first + timedelta(seconds=30)
    assert workshop.state == State.VOTING
    said = response.content.decode()
    closes = f"{localtime(workshop.voting_closes_at):%H:%M:%S}"
    assert f"30 seconds added: voting closes at {closes}." in said
    assert f'data-deadline="{localtime(workshop.voting_closes_at).isoformat()}"' in said

    entry = AuditEvent.objects.get(action="workshop.add_time")
    assert (entry.user, entry.data["seconds"], entry.data["item"]) == (
        cast.facilitator,
        30,
        workshop.current.item.key,
    )
    item = entry.data["item"]
    assert entry.summary == f"Board away day: 30 seconds added to the countdown on {item}."


def test_time_is_added_only_to_a_countdown_that_is_running(client, cast, workshop):
    workshop = go(workshop, "next", "open")
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop))
    assert "Add 30 seconds" not in console  # offered only while a countdown runs
    response = control(client, workshop, "add_time")
    assert "There is no countdown running to add time to." in response.content.decode()
    before = workshop.version
    workshop.refresh_from_db()
    assert (workshop.voting_closes_at, workshop.version) == (None, before)

    workshop = go(workshop, "close")
    with pytest.raises(WorkshopError, match="cannot add time now"):
        services.change(workshop.pk, "add_time")


def test_time_added_never_takes_the_countdown_past_60_minutes(workshop):
    workshop = go(workshop, "next", "open")
    closes = services.change(workshop.pk, "timer", seconds=3590).voting_closes_at
    with pytest.raises(WorkshopError, match="60 minutes"):
        services.change(workshop.pk, "add_time")
    workshop.refresh_from_db()
    assert workshop.voting_closes_at == closes


def test_a_countdown_that_has_run_out_takes_no_more_time(workshop):
    workshop = go(workshop, "next", "open")
    services.change(workshop.pk, "timer", seconds=60)
    gone = timezone.now() - timedelta(seconds=1)
    Workshop.objects.filter(pk=workshop.pk).update(voting_closes_at=gone)
    with pytest.raises(WorkshopError, match="already run out"):
        services.change(workshop.pk, "add_time")
    workshop.refresh_from_db()
    assert workshop.voting_closes_at == gone


def test_the_console_offers_the_countdown_length_last_started(client, cast, workshop):
    workshop = go(workshop, "next", "open")
    client.force_login(cast.facilitator)
    assert chosen_length(page(client, console_url(workshop))) == ["60"]
    response = control(client, workshop, "timer", seconds="300")
    assert chosen_length(response.content.decode()) == ["300"]
    # On the next item too, and on every redraw of the live panel in between.
    workshop = go(workshop, "close", "next", "open")
    assert chosen_length(page(client, console_url(workshop))) == ["300"]
    assert chosen_length(page(client, console_url(workshop, "workshop-console-live"))) == ["300"]
