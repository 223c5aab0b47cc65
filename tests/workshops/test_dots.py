"""Priorities voted from phones: the facilitator puts them to the room, each phone places
its dots (or orders them) once, and the room's totals order the plan's priorities."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.builders import make_workshop
from tests.conftest import Cast
from tests.workshops.backup_helpers import delete_partnership, export_to, import_from
from tests.workshops.live_helpers import console_url, go, joined, page, vote
from workshops.models import (
    AuditEvent,
    DotAllocation,
    DotVote,
    ImprovementPlan,
    Priority,
    Respondent,
    Workshop,
)
from workshops.services import dots
from workshops.services.plan import plan_for
from workshops.services.priorities import add_priority


@pytest.fixture
def coordinator(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.coordinator)
    return client


@pytest.fixture
def plan_priorities(workshop) -> list[Priority]:
    plan = plan_for(workshop.assessment)
    return [add_priority(plan, text) for text in ("Housing", "Transport", "Youth services")]


def put(facilitator: Client, workshop: Workshop, **data) -> DotVote:
    fields = {
        "title": "Which priorities matter most?",
        "priorities": [p.pk for p in plan_for(workshop.assessment).priorities.all()],
        "typed": "",
        "mode": "dots",
        "dots": "3",
        "most_per_candidate": "1",
        **data,
    }
    response = facilitator.post(console_url(workshop, "workshop-dots-new"), fields)
    assert response.status_code == 302, response.content.decode()
    workshop.refresh_from_db()
    return workshop.dots


def ids(vote: DotVote) -> dict[str, int]:
    return {c.text: c.pk for c in vote.candidates.all()}


def send(phone: Client, workshop: Workshop, vote: DotVote, dots_by_text: dict, *, follow=False):
    data = {"vote": vote.pk}
    by_text = ids(vote)
    for text, count in dots_by_text.items():
        data[f"dots-{by_text[text]}"] = str(count)
    return phone.post(reverse("workshop-dots-vote", args=[workshop.code]), data, follow=follow)


def room(phone: Client, workshop: Workshop) -> str:
    return page(phone, reverse("workshop-room", args=[workshop.code]))


def plan_page(client: Client, workshop: Workshop) -> str:
    a = workshop.assessment
    return page(client, reverse("plan", args=[a.partnership_id, a.pk]))


def order_on_plan(client: Client, workshop: Workshop, texts: list[str]) -> list[str]:
    """The priorities as the plan page lists them, top to bottom."""
    html = plan_page(client, workshop)
    found = sorted((html.index(text), text) for text in texts if text in html)
    return [text for _, text in found]


# --- Putting priorities to the room --------------------------------------------------------


def test_the_phone_shows_the_ballot_as_a_fieldset_named_for_the_step(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop, typed="Mental health\nHousing")
    assert [c.text for c in vote.candidates.all()] == [
        "Housing",
        "Transport",
        "Youth services",
        "Mental health",
    ]  # a typed one already on the list is not put twice
    assert "Voting on these priorities opens soon" in room(phone, workshop)
    go(workshop, "open")
    html = room(phone, workshop)
    assert "Which priorities matter most?: place your dots</legend>" in html
    for text, pk in ids(vote).items():
        assert f'<label class="govuk-label" for="dots-{pk}">{text}</label>' in html
    assert "You have 3 dots. Put up to 1 on one priority." in html


def test_fewer_than_two_candidates_is_refused_and_the_room_stays_where_it_was(
    facilitator, workshop
):
    url = console_url(workshop, "workshop-dots-new")
    data = {"title": "Priorities", "typed": "Only one", "mode": "dots", "dots": "3"}
    response = facilitator.post(url, {**data, "most_per_candidate": "1"})
    assert response.status_code == 400
    assert "Choose or type at least two priorities to vote on." in response.content.decode()
    workshop.refresh_from_db()
    assert workshop.dots is None and workshop.state == Workshop.State.LOBBY
    assert not DotVote.objects.exists()


def test_another_partnerships_workshop_is_a_404(cast, workshop, plan_priorities):
    vote = put(_logged_in(cast.facilitator), workshop)
    outsider = _logged_in(cast.outsider)
    assert outsider.get(console_url(workshop, "workshop-dots-new")).status_code == 404
    url = console_url(workshop, "workshop-dots-plan", vote.pk)
    assert outsider.post(url).status_code == 404


def test_a_vote_of_another_workshop_is_a_404(cast, facilitator, workshop, plan_priorities):
    other = make_workshop(cast, workshop.assessment, title="Second day")
    vote = put(facilitator, other)
    response = facilitator.post(console_url(workshop, "workshop-dots-plan", vote.pk))
    assert response.status_code == 404


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- One phone, one allocation -------------------------------------------------------------


def test_sending_twice_or_replaying_counts_once_and_the_second_replaces_the_first(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    go(workshop, "open")
    first = send(phone, workshop, vote, {"Housing": 1, "Transport": 1})
    assert first.status_code == 302
    assert send(phone, workshop, vote, {"Housing": 1, "Transport": 1}).status_code == 302
    assert send(phone, workshop, vote, {"Youth services": 1, "Transport": 1}).status_code == 302
    assert DotAllocation.objects.count() == 1
    totals = {t.candidate.text: t.points for t in dots.totals(vote)}
    assert totals == {"Housing": 0, "Transport": 1, "Youth services": 1}
    html = room(phone, workshop)
    assert "Your 2 dots are in. You can change them until voting closes." in html
    assert "Change my dots" in html


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"Housing": 1, "Transport": 1, "Youth services": 1, "Extra": 1}, "You placed 4 dots"),
        ({"Housing": -1, "Transport": 1}, "Dots cannot be fewer than none."),
        ({"Housing": 2}, "You can put at most 1 dot on one priority."),
        ({"Housing": "two"}, "Enter each priority&#x27;s dots as a whole number"),
        ({}, "Place at least one dot before sending."),
    ],
)
def test_a_bad_allocation_is_refused_with_a_message_and_stores_nothing(
    facilitator, workshop, plan_priorities, sent, message
):
    phone = joined(workshop)
    vote = put(facilitator, workshop, typed="Extra", dots="4")
    # Four candidates; three dots allowed to this phone for the over-the-limit case.
    DotVote.objects.filter(pk=vote.pk).update(dots=3)
    go(workshop, "open")
    response = send(phone, workshop, vote, sent)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert 'class="govuk-error-summary"' in html and 'href="#dots-ballot"' in html
    assert "<title>Error: Board away day" in html
    assert not DotAllocation.objects.exists()


def test_an_earlier_allocation_stays_when_a_change_is_refused(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    go(workshop, "open")
    send(phone, workshop, vote, {"Housing": 1})
    response = send(phone, workshop, vote, {"Housing": 1, "Transport": 1, "Youth services": 2})
    assert response.status_code == 400
    # The refused values are shown again to correct, and the stored one is untouched.
    assert 'value="2"' in response.content.decode()
    assert {t.candidate.text: t.points for t in dots.totals(vote)}["Housing"] == 1
    stored = DotAllocation.objects.get()
    assert dots.mine(vote, stored.participant_id) == {ids(vote)["Housing"]: 1}


def test_a_candidate_of_another_vote_or_workshop_is_refused(
    cast, facilitator, workshop, plan_priorities
):
    other = make_workshop(cast, workshop.assessment, title="Second day")
    other_vote = put(facilitator, other, typed="Elsewhere")
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    go(workshop, "open")
    stranger = other_vote.candidates.get(text="Elsewhere").pk
    data = {"vote": vote.pk, f"dots-{stranger}": "1"}
    response = phone.post(reverse("workshop-dots-vote", args=[workshop.code]), data)
    assert response.status_code == 400
    assert "That priority is not on this vote." in response.content.decode()
    # Nor can the phone send to the other workshop's vote through its own room.
    data = {"vote": other_vote.pk, f"dots-{stranger}": "1"}
    response = phone.post(reverse("workshop-dots-vote", args=[workshop.code]), data, follow=True)
    assert "Voting on that has closed." in response.content.decode()
    assert not DotAllocation.objects.exists()


def test_dots_sent_before_voting_opens_or_after_it_closes_are_not_counted(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    response = send(phone, workshop, vote, {"Housing": 1}, follow=True)
    assert "Voting on this has closed, so your dots were not counted." in response.content.decode()
    go(workshop, "open", "close")
    response = send(phone, workshop, vote, {"Housing": 1}, follow=True)
    assert "Voting on this has closed, so your dots were not counted." in response.content.decode()
    assert not DotAllocation.objects.exists()


def test_a_removed_participants_dots_leave_the_totals(facilitator, workshop, plan_priorities):
    stays, goes = joined(workshop), joined(workshop)
    vote = put(facilitator, workshop)
    go(workshop, "open")
    send(stays, workshop, vote, {"Housing": 1})
    send(goes, workshop, vote, {"Transport": 1})
    transport = ids(vote)["Transport"]
    leaving = Respondent.objects.filter(dot_allocations__marks__candidate_id=transport)
    url = console_url(workshop, "workshop-participant-remove", leaving.get().pk)
    assert facilitator.post(url).status_code == 302
    # The removed phone can place no more, even while voting is open.
    response = send(goes, workshop, vote, {"Transport": 1}, follow=True)
    assert "You are no longer in this workshop." in response.content.decode()
    go(workshop, "close", "reveal")
    totals = {t.candidate.text: t.points for t in dots.totals(vote)}
    assert totals == {"Housing": 1, "Transport": 0, "Youth services": 0}
    assert DotAllocation.objects.count() == 1


# --- Revealing, and the plan ---------------------------------------------------------------


def test_the_totals_show_only_once_revealed(facilitator, workshop, plan_priorities):
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    present = console_url(workshop, "workshop-present-live")
    go(workshop, "open")
    send(phone, workshop, vote, {"Transport": 1, "Housing": 1})
    go(workshop, "close")
    for html in (page(facilitator, present), room(phone, workshop)):
        assert "How the room voted" not in html
    assert "1 of 1</strong> voted" in page(facilitator, present)
    go(workshop, "reveal")
    for html in (page(facilitator, present), room(phone, workshop)):
        assert "How the room voted" in html
        totals = re.findall(r'<th scope="row" class="govuk-table__header">([^<]+)</th>', html)
        assert totals == ["Housing", "Transport", "Youth services"]


def test_the_totals_order_the_plans_priorities_and_typed_ones_join_them(
    facilitator, coordinator, workshop, plan_priorities
):
    phones = [joined(workshop) for _ in range(3)]
    vote = put(facilitator, workshop, typed="Mental health", most_per_candidate="2")
    go(workshop, "open")
    send(phones[0], workshop, vote, {"Youth services": 2, "Mental health": 1})
    send(phones[1], workshop, vote, {"Youth services": 1, "Mental health": 2})
    send(phones[2], workshop, vote, {"Mental health": 1, "Transport": 1})
    go(workshop, "close", "reveal")
    response = facilitator.post(console_url(workshop, "workshop-dots-plan", vote.pk), follow=True)
    assert "are on the plan and order its priorities" in response.content.decode()
    texts = ["Housing", "Transport", "Youth services", "Mental health"]
    assert order_on_plan(coordinator, workshop, texts) == [
        "Mental health",
        "Youth services",
        "Transport",
        "Housing",
    ]
    plan = plan_for(workshop.assessment)
    assert {p.text: p.votes for p in plan.priorities.all()} == {
        "Mental health": 4,
        "Youth services": 3,
        "Transport": 1,
        "Housing": 0,
    }
    # Putting them on again makes no second priority.
    facilitator.post(console_url(workshop, "workshop-dots-plan", vote.pk))
    assert plan.priorities.count() == 4
    assert AuditEvent.objects.filter(action="dots.put_on_plan").count() == 2
    added = AuditEvent.objects.filter(action="priority.added", data__priority="Mental health")
    assert added.exists()


def test_the_totals_cannot_go_on_the_plan_while_voting_is_open(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    go(workshop, "open")
    send(phone, workshop, vote, {"Transport": 1})
    response = facilitator.post(console_url(workshop, "workshop-dots-plan", vote.pk), follow=True)
    assert "Close voting before putting the totals on the plan." in response.content.decode()
    assert not plan_for(workshop.assessment).priorities.filter(votes__gt=0).exists()


def test_back_to_the_agenda_returns_to_the_item_the_room_was_on(
    facilitator, workshop, plan_priorities
):
    go(workshop, "next")
    on = workshop.current_id
    put(facilitator, workshop)
    go(workshop, "next")
    assert workshop.dots is None and workshop.current_id == on
    assert workshop.state == Workshop.State.READY


# --- Ranking ------------------------------------------------------------------------------


def test_a_ranking_is_ordered_with_move_buttons_and_counted_as_a_borda_count(
    facilitator, workshop, plan_priorities
):
    first, second = joined(workshop), joined(workshop)
    vote = put(facilitator, workshop, mode="ranking")
    go(workshop, "open")
    url = reverse("workshop-dots-vote", args=[workshop.code])
    by_text = ids(vote)
    order = [by_text["Housing"], by_text["Transport"], by_text["Youth services"]]
    html = room(first, workshop)
    assert "Which priorities matter most?: put them in order</legend>" in html
    assert f'value="down:{by_text["Housing"]}"' in html
    # Move Youth services up twice: it is first, Housing second, Transport last.
    first.post(url, {"vote": vote.pk, "order": order, "move": f"up:{by_text['Youth services']}"})
    html = room(first, workshop)
    shown = re.findall(r'name="order" value="(\d+)"', html)
    assert shown == [str(by_text[t]) for t in ("Housing", "Youth services", "Transport")]
    first.post(url, {"vote": vote.pk, "order": shown, "move": f"up:{by_text['Youth services']}"})
    second.post(url, {"vote": vote.pk, "order": order})  # sent as it came
    assert DotAllocation.objects.count() == 2
    go(workshop, "close", "reveal")
    totals = {t.candidate.text: t.points for t in dots.totals(vote)}
    # First: Youth 2, Housing 1, Transport 0. Second: Housing 2, Transport 1, Youth 0.
    assert totals == {"Housing": 3, "Youth services": 2, "Transport": 1}


def test_a_ranking_missing_a_candidate_or_naming_one_twice_is_refused(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop, mode="ranking")
    go(workshop, "open")
    by_text = ids(vote)
    url = reverse("workshop-dots-vote", args=[workshop.code])
    twice = [by_text["Housing"], by_text["Housing"], by_text["Transport"]]
    response = phone.post(url, {"vote": vote.pk, "order": twice})
    assert response.status_code == 400
    assert "Put every priority on this vote in order, each once." in response.content.decode()
    assert not DotAllocation.objects.exists()


def test_a_person_let_in_on_a_new_phone_takes_their_dots_along_and_the_old_phone_is_out(
    cast, facilitator, workshop, plan_priorities
):
    first = joined(workshop, who=str(cast.person.pk))
    vote = put(facilitator, workshop)
    go(workshop, "open")
    send(first, workshop, vote, {"Housing": 1})
    second = Client()
    join = reverse("workshop-join", args=[workshop.code])
    second.post(join, {"who": str(cast.person.pk), "ask": "1"})
    waiting = workshop.waiting_phones.get()
    facilitator.post(console_url(workshop, "workshop-waiting", waiting.pk), {"decision": "admit"})
    second.get(reverse("workshop-wait", args=[workshop.code]))
    html = room(second, workshop)
    assert f'id="dots-{ids(vote)["Housing"]}" name="dots-{ids(vote)["Housing"]}"' in html
    assert "You have placed 1." in html
    send(second, workshop, vote, {"Transport": 1})
    response = send(first, workshop, vote, {"Youth services": 1}, follow=True)
    assert "You are no longer in this workshop." in response.content.decode()
    totals = {t.candidate.text: t.points for t in dots.totals(vote)}
    assert totals == {"Housing": 0, "Transport": 1, "Youth services": 0}


def test_the_console_follows_the_vote_and_offers_the_totals_for_the_plan(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    assert "Put priorities to the room" in page(facilitator, console_url(workshop))
    vote = put(facilitator, workshop)
    go(workshop, "open")
    send(phone, workshop, vote, {"Youth services": 1})
    html = page(facilitator, console_url(workshop))
    assert "Priorities: Which priorities matter most?" in html
    assert "<strong>1 of 1</strong> voted on the priorities" in html
    assert "Put the totals on the plan" not in html and "How the room voted" not in html
    go(workshop, "close", "reveal")
    html = page(facilitator, console_url(workshop))
    assert "How the room voted" in html and 'id="dots-on-plan"' in html
    assert 'id="dots-back"' in html


def test_a_typed_priority_stays_text_on_every_screen_and_on_the_plan(
    facilitator, coordinator, workshop, plan_priorities
):
    typed = '<script>alert("x")</script>{{ workshop.code }}'
    phone = joined(workshop)
    vote = put(facilitator, workshop, typed=typed)
    go(workshop, "open")
    send(phone, workshop, vote, {typed: 1})
    go(workshop, "close", "reveal")
    facilitator.post(console_url(workshop, "workshop-dots-plan", vote.pk))
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;{{ workshop.code }}"
    for html in (
        room(phone, workshop),
        page(facilitator, console_url(workshop, "workshop-present")),
        page(facilitator, console_url(workshop)),
        plan_page(coordinator, workshop),
    ):
        assert "<script>alert" not in html
        assert escaped in html


def test_the_page_putting_priorities_to_the_room_makes_no_plan_by_being_read(facilitator, workshop):
    html = page(facilitator, console_url(workshop, "workshop-dots-new"))
    assert "The plan has no priorities yet" in html
    assert not ImprovementPlan.objects.exists()


def test_a_move_in_a_ranking_comes_back_to_the_priority_moved(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop, mode="ranking")
    go(workshop, "open")
    by_text = ids(vote)
    order = [by_text["Housing"], by_text["Transport"], by_text["Youth services"]]
    url = reverse("workshop-dots-vote", args=[workshop.code])
    moved = by_text["Transport"]
    response = phone.post(url, {"vote": vote.pk, "order": order, "move": f"up:{moved}"})
    assert response["Location"].endswith(f"#rank-{moved}")
    assert f'<li id="rank-{moved}" tabindex="-1">' in room(phone, workshop)


def test_a_dot_vote_survives_a_backup_exported_deleted_and_imported(
    facilitator, cast, workshop, plan_priorities, tmp_path
):
    phones = [joined(workshop), joined(workshop)]
    vote = put(facilitator, workshop, typed="Mental health", most_per_candidate="2")
    go(workshop, "open")
    send(phones[0], workshop, vote, {"Mental health": 2, "Housing": 1})
    send(phones[1], workshop, vote, {"Mental health": 1})
    go(workshop, "close", "reveal")
    before = [(t.candidate.text, t.points) for t in dots.totals(vote)]
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    delete_partnership(cast.partnership)
    import_from(path)
    restored = Workshop.objects.get()
    assert restored.dots.title == "Which priorities matter most?"
    assert restored.dots.candidates.filter(priority__isnull=False).count() == 3
    assert [(t.candidate.text, t.points) for t in dots.totals(restored.dots)] == before
    assert before[0] == ("Mental health", 3)


def test_the_audit_log_says_what_was_put_to_the_room_and_on_the_plan(
    facilitator, coordinator, workshop, plan_priorities
):
    phone = joined(workshop)
    vote = put(facilitator, workshop)
    go(workshop, "open")
    send(phone, workshop, vote, {"Transport": 1})
    go(workshop, "close", "reveal")
    facilitator.post(console_url(workshop, "workshop-dots-plan", vote.pk))
    html = page(coordinator, reverse("audit-log", args=[workshop.assessment.partnership_id]))
    assert (
        "Board away day: “Which priorities matter most?” put to the room, 3 priorities to vote "
        "on with 3 dots each." in html
    )
    assert "The room’s totals on “Which priorities matter most?” (1 phone) put on the plan" in (
        html.replace("&#x27;", "’").replace("'", "’")
    )


def test_a_rating_vote_is_refused_while_the_room_votes_on_priorities(
    facilitator, workshop, plan_priorities
):
    phone = joined(workshop)
    go(workshop, "next")  # the room is on a rated item
    put(facilitator, workshop)
    go(workshop, "open")
    response = vote(phone, workshop, "3")
    assert response.status_code == 409
    assert not workshop.assessment.respondents.filter(answers__isnull=False).exists()
