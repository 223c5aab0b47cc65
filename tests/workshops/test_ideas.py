"""Ideas from phones: the facilitator asks the room, phones send short ideas (and change
or delete their own until collecting closes), the console moderates, and the presenter
shows only what was approved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from questions.models import Item
from tests.builders import make_workshop
from tests.conftest import Cast
from tests.workshops.backup_helpers import delete_partnership, export_to, import_from
from tests.workshops.live_helpers import console_url, go, joined, page, vote
from workshops.models import Action, Answer, Idea, IdeaCollection, Priority, Workshop
from workshops.services import ideas
from workshops.services import workshop as services
from workshops.services.plan import plan_for

PROMPT = "What one thing would most improve our board meetings?"


@pytest.fixture
def coordinator(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.coordinator)
    return client


def ask(facilitator: Client, workshop: Workshop, **data) -> IdeaCollection:
    fields = {"prompt": PROMPT, "agenda_item": "", **data}
    response = facilitator.post(console_url(workshop, "workshop-ideas-new"), fields)
    assert response.status_code == 302, response.content.decode()
    workshop.refresh_from_db()
    return workshop.ideas


def send(phone: Client, workshop: Workshop, text: str, *, token: str = "", follow=False, **more):
    data = {"collection": workshop.ideas_id, "text": text, "token": token, **more}
    return phone.post(reverse("workshop-ideas-send", args=[workshop.code]), data, follow=follow)


def room(phone: Client, workshop: Workshop) -> str:
    return page(phone, reverse("workshop-room", args=[workshop.code]))


def console(facilitator: Client, workshop: Workshop) -> str:
    return page(facilitator, console_url(workshop))


def presenter(facilitator: Client, workshop: Workshop) -> str:
    """The presenter page and its live fragment, as the projector would fetch them."""
    whole = page(facilitator, console_url(workshop, "workshop-present"))
    return whole + page(facilitator, console_url(workshop, "workshop-present-live"))


def step(facilitator: Client, idea: Idea, step: str, **data):
    idea.refresh_from_db()
    url = console_url(idea.collection.workshop, "workshop-idea", idea.collection_id, idea.pk)
    data = {"step": step, "revision": idea.revision, **data}
    return facilitator.post(url, data, follow=True)


def on_collection(facilitator: Client, collection: IdeaCollection, step: str, **data):
    url = console_url(collection.workshop, "workshop-ideas", collection.pk)
    return facilitator.post(url, {"step": step, **data}, follow=True)


def open_room(facilitator, workshop, *phones_count: int) -> tuple[IdeaCollection, list[Client]]:
    phones = [joined(workshop) for _ in range(phones_count[0] if phones_count else 2)]
    collection = ask(facilitator, workshop)
    go(workshop, "open")
    return collection, phones


# --- Asking the room, and sending ----------------------------------------------------------


def test_a_phone_sends_ideas_without_javascript_and_sees_its_own(facilitator, workshop):
    phone = joined(workshop)
    ask(facilitator, workshop)
    assert "Sending ideas opens soon" in room(phone, workshop)
    go(workshop, "open")
    html = room(phone, workshop)
    assert f">{PROMPT}</h1>" in html
    assert '<label class="govuk-label govuk-label--s" for="idea-text">Your idea</label>' in html
    assert "You can enter up to 280 characters" in html
    response = send(phone, workshop, "Shorter papers", follow=True)
    html = response.content.decode()
    assert "Your idea is in." in html
    assert "Your ideas (1)" in html and "Shorter papers</textarea>" in html
    send(phone, workshop, "Start on time")
    assert Idea.objects.count() == 2


def test_the_same_send_twice_or_the_same_words_again_store_one_idea(facilitator, workshop):
    _, (phone, other) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers", token="t1")
    again = send(phone, workshop, "Shorter papers", token="t1", follow=True)
    assert "You had already sent that idea" in again.content.decode()
    send(phone, workshop, "shorter   PAPERS", token="t2")
    assert Idea.objects.count() == 1
    send(other, workshop, "Shorter papers", token="t1")  # another phone's is its own
    assert Idea.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your idea."),
        ("   ", "Enter your idea."),
        ("x" * 281, "Your idea must be 280 characters or fewer."),
    ],
)
def test_a_bad_idea_is_refused_with_a_linked_error_and_nothing_stored(
    facilitator, workshop, text, message
):
    _, (phone, _) = open_room(facilitator, workshop)
    response = send(phone, workshop, text)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error:" in html
    assert f'<a href="#idea-text">{message}' in html
    assert 'id="idea-text-error"' in html and "govuk-textarea--error" in html
    assert not Idea.objects.exists()


def test_ideas_sent_before_collecting_opens_or_after_it_closes_are_not_stored(
    facilitator, workshop
):
    phone = joined(workshop)
    ask(facilitator, workshop)
    response = send(phone, workshop, "Too early", follow=True)
    assert "Collecting ideas has closed, so that was not stored." in response.content.decode()
    go(workshop, "open")
    send(phone, workshop, "On time")
    go(workshop, "close")
    response = send(phone, workshop, "Too late", follow=True)
    assert response.status_code == 200
    assert "Collecting ideas has closed" in response.content.decode()
    assert list(Idea.objects.values_list("text", flat=True)) == ["On time"]


def test_an_idea_for_a_collection_the_room_has_left_is_refused(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    old = workshop.ideas_id
    go(workshop, "close", "next")
    response = phone.post(
        reverse("workshop-ideas-send", args=[workshop.code]),
        {"collection": old, "text": "Late", "token": "x"},
        follow=True,
    )
    assert "Collecting ideas on that has closed" in response.content.decode()
    assert not Idea.objects.exists()


def test_once_collecting_closes_each_phone_still_sees_only_its_own_ideas(facilitator, workshop):
    # The room's polls share work between phones; a phone's own ideas are never shared.
    _, (phone, other) = open_room(facilitator, workshop)
    send(phone, workshop, "Mine alone")
    send(other, workshop, "Theirs alone")
    for state in ("close", "reveal"):
        go(workshop, state)
        live = reverse("workshop-room-live", args=[workshop.code])
        first, second = page(phone, live), page(other, live)
        assert "Mine alone" in first and "Theirs alone" not in first
        assert "Theirs alone" in second and "Mine alone" not in second


def test_a_phone_changes_and_deletes_its_own_ideas_only(facilitator, workshop):
    _, (phone, other) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    idea = Idea.objects.get()
    response = send(other, workshop, "Hijacked", save=idea.pk, follow=True)
    assert "That idea is not one of yours" in response.content.decode()
    send(phone, workshop, "Papers a week ahead", save=idea.pk)
    idea.refresh_from_db()
    assert idea.text == "Papers a week ahead"
    send(other, workshop, "", delete=idea.pk)
    assert Idea.objects.exists()
    response = send(phone, workshop, "", delete=idea.pk, follow=True)
    assert "Your idea is deleted." in response.content.decode()
    assert not Idea.objects.exists()


def test_a_change_too_long_is_shown_on_that_idea_and_the_idea_is_kept(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    idea = Idea.objects.get()
    response = send(phone, workshop, "y" * 300, save=idea.pk)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<a href="#idea-{idea.pk}">Your idea must be 280 characters or fewer.' in html
    assert f'id="idea-{idea.pk}-error"' in html
    idea.refresh_from_db()
    assert idea.text == "Shorter papers"


def test_a_removed_participants_ideas_go_with_them(facilitator, workshop):
    _, (stays, goes) = open_room(facilitator, workshop)
    send(stays, workshop, "Stays")
    send(goes, workshop, "Goes")
    leaving = Idea.objects.get(text="Goes").participant
    url = console_url(workshop, "workshop-participant-remove", leaving.pk)
    assert facilitator.post(url).status_code == 302
    assert list(Idea.objects.values_list("text", flat=True)) == ["Stays"]
    response = send(goes, workshop, "Back again", follow=True)
    assert "You are no longer in this workshop." in response.content.decode()
    assert "Goes" not in console(facilitator, workshop)


def test_a_person_let_in_on_a_new_phone_takes_their_ideas_along(cast, facilitator, workshop):
    first = joined(workshop, who=str(cast.person.pk))
    ask(facilitator, workshop)
    go(workshop, "open")
    send(first, workshop, "Mine")
    second = Client()
    second.post(reverse("workshop-join", args=[workshop.code]), {"who": cast.person.pk, "ask": 1})
    waiting = workshop.waiting_phones.get()
    facilitator.post(console_url(workshop, "workshop-waiting", waiting.pk), {"decision": "admit"})
    second.get(reverse("workshop-wait", args=[workshop.code]))
    assert "Mine</textarea>" in room(second, workshop)
    assert Idea.objects.get().participant.person == cast.person


# --- Moderation, and what the screens show -------------------------------------------------


def test_the_console_shows_ideas_as_they_arrive(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    url = console_url(workshop, "workshop-console-live")
    first = facilitator.get(url)
    unchanged = facilitator.get(url, headers={"If-None-Match": first["ETag"]})
    assert unchanged.status_code == 304
    send(phone, workshop, "Shorter papers")
    arrived = facilitator.get(url, headers={"If-None-Match": first["ETag"]})
    assert arrived.status_code == 200
    html = arrived.content.decode()
    assert "Shorter papers" in html and "Not approved" in html
    assert "<strong>1 idea</strong> from 1 phone" in html


def test_the_presenter_never_shows_an_idea_before_it_is_approved_nor_a_hidden_one(
    facilitator, workshop
):
    _, (phone, other) = open_room(facilitator, workshop)
    send(phone, workshop, "Raw unmoderated words")
    send(other, workshop, "Hidden words")
    send(other, workshop, "Approved words")
    for state in ("voting", "closed", "revealed"):
        if state != "voting":
            go(workshop, {"closed": "close", "revealed": "reveal"}[state])
        html = presenter(facilitator, workshop)
        assert "Raw unmoderated words" not in html
        assert "Hidden words" not in html
        assert "Raw unmoderated words" not in room(other, workshop)  # a phone shows its own
    step(facilitator, Idea.objects.get(text="Hidden words"), "hide")
    step(facilitator, Idea.objects.get(text="Approved words"), "approve")
    html = presenter(facilitator, workshop)
    assert "Approved words" in html
    assert "Raw unmoderated words" not in html and "Hidden words" not in html
    # Approving all that were shown leaves the hidden one hidden.
    shown = [f"{i.pk}:{i.revision}" for i in Idea.objects.all()]
    on_collection(facilitator, workshop.ideas, "approve", shown=shown)
    html = presenter(facilitator, workshop)
    assert "Raw unmoderated words" in html and "Hidden words" not in html


def test_an_idea_changed_after_the_console_showed_it_is_not_approved_unread(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Kind words")
    idea = Idea.objects.get()
    seen = idea.revision
    send(phone, workshop, "Rude words", save=idea.pk)
    url = console_url(workshop, "workshop-idea", idea.collection_id, idea.pk)
    response = facilitator.post(url, {"step": "approve", "revision": seen}, follow=True)
    assert "Nothing approved: 1 idea changed since your page showed them." in (
        response.content.decode()
    )
    idea.refresh_from_db()
    assert not idea.approved
    go(workshop, "close", "reveal")
    assert "Rude words" not in presenter(facilitator, workshop)


def test_an_edit_takes_the_approval_away(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Kind words")
    idea = Idea.objects.get()
    step(facilitator, idea, "approve")
    send(phone, workshop, "Changed words", save=idea.pk)
    go(workshop, "close", "reveal")
    html = presenter(facilitator, workshop)
    assert "Changed words" not in html and "Kind words" not in html


def test_approve_all_approves_only_the_ideas_the_console_showed(facilitator, workshop):
    collection, (phone, other) = open_room(facilitator, workshop)
    send(phone, workshop, "Seen")
    shown = [f"{i.pk}:{i.revision}" for i in Idea.objects.all()]
    send(other, workshop, "Arrived after the page was drawn")
    response = on_collection(facilitator, collection, "approve", shown=shown)
    assert "1 idea approved for the screen." in response.content.decode()
    assert list(Idea.objects.filter(approved=True).values_list("text", flat=True)) == ["Seen"]


def test_merged_ideas_count_their_sources_and_headings_group_them_on_the_presenter(
    facilitator, workshop
):
    collection, phones = open_room(facilitator, workshop, 3)
    for phone, text in zip(
        phones, ["Shorter papers", "Papers too long", "Start on time"], strict=True
    ):
        send(phone, workshop, text)
    shorter, too_long, on_time = Idea.objects.order_by("pk")
    response = step(facilitator, too_long, "merge", into=shorter.pk)
    assert "is merged into “Shorter papers”" in response.content.decode()
    on_collection(facilitator, collection, "heading", heading="Papers")
    on_collection(facilitator, collection, "heading", heading="Time")
    papers, time = collection.groups.all()
    step(facilitator, shorter, "group", group=papers.pk)
    step(facilitator, on_time, "group", group=time.pk)
    shown = [f"{i.pk}:{i.revision}" for i in Idea.objects.all()]
    on_collection(facilitator, collection, "approve", shown=shown)
    html = console(facilitator, workshop)
    assert "2 people" in html and "Merged into “Shorter papers”" in html
    go(workshop, "close", "reveal")
    html = presenter(facilitator, workshop)
    assert "Papers too long" not in html  # merged: counted, not shown twice
    assert html.index(">Papers</h2>") < html.index("Shorter papers") < html.index(">Time</h2>")
    assert html.index(">Time</h2>") < html.index("Start on time")
    assert '<span class="govuk-tag govuk-tag--grey">2 people</span>' in html


def test_merging_into_itself_or_a_hidden_idea_is_refused(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "One")
    send(phone, workshop, "Two")
    one, two = Idea.objects.order_by("pk")
    response = step(facilitator, one, "merge", into=one.pk)
    assert "Choose a different idea to merge it into." in response.content.decode()
    step(facilitator, two, "hide")
    response = step(facilitator, one, "merge", into=two.pk)
    assert "merge into one shown" in response.content.decode()
    assert not Idea.objects.exclude(merged_into=None).exists()


def test_the_console_names_the_author_only_where_the_assessment_is_not_anonymous(
    cast, facilitator, workshop
):
    named = joined(workshop, who=str(cast.person.pk))
    open_room(facilitator, workshop, 0)
    send(named, workshop, "Named idea")
    assert cast.person.name in console(facilitator, workshop)
    assert cast.person.name not in presenter(facilitator, workshop)
    workshop.assessment.anonymous = True
    workshop.assessment.save()
    assert cast.person.name not in console(facilitator, workshop).split("Ideas sent")[1]


# --- What the approved ideas become --------------------------------------------------------


def test_approved_ideas_become_the_open_questions_outcome(facilitator, workshop, assessment):
    open_item = assessment.items.filter(kind=Item.Kind.OPEN).first()
    services.add_to_agenda(workshop, [open_item])
    agenda_item = workshop.agenda.get(item=open_item)
    phone = joined(workshop)
    collection = ask(facilitator, workshop, prompt="", agenda_item=agenda_item.pk)
    assert collection.prompt == open_item.text
    go(workshop, "open")
    send(phone, workshop, "Shorter papers")
    send(phone, workshop, "Rude words")
    on_collection(facilitator, collection, "heading", heading="Papers")
    shorter, rude = Idea.objects.order_by("pk")
    step(facilitator, shorter, "group", group=collection.groups.get().pk)
    step(facilitator, shorter, "approve")
    go(workshop, "close")
    response = on_collection(facilitator, collection, "outcome")
    assert f"recorded as the outcome of {open_item.key}" in response.content.decode()
    agenda_item.refresh_from_db()
    assert agenda_item.improvements == "Papers:\n- Shorter papers"
    assert agenda_item.is_agreed


def test_recording_the_ideas_keeps_what_the_facilitator_typed_and_adds_each_idea_once(
    facilitator, workshop, assessment
):
    open_item = assessment.items.filter(kind=Item.Kind.OPEN).first()
    services.add_to_agenda(workshop, [open_item])
    agenda_item = workshop.agenda.get(item=open_item)
    services.record_consensus(agenda_item, {"improvements": "Agree a forward plan for papers."})
    phone = joined(workshop)
    collection = ask(facilitator, workshop, prompt="", agenda_item=agenda_item.pk)
    go(workshop, "open")
    send(phone, workshop, "Shorter papers")
    send(phone, workshop, "Papers a week ahead")
    first, second = Idea.objects.order_by("pk")
    step(facilitator, first, "approve")
    on_collection(facilitator, collection, "outcome")
    agenda_item.refresh_from_db()
    assert agenda_item.improvements == "Agree a forward plan for papers.\n\n- Shorter papers"
    # Recorded again once another idea is approved: the typed words and the first idea
    # stay as they are, the new idea is added, nothing twice.
    step(facilitator, second, "approve")
    on_collection(facilitator, collection, "outcome")
    agenda_item.refresh_from_db()
    assert agenda_item.improvements == (
        "Agree a forward plan for papers.\n\n- Shorter papers\n\n- Papers a week ahead"
    )


def test_the_outcome_is_refused_for_a_typed_prompt_or_with_nothing_approved(facilitator, workshop):
    collection, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Unapproved")
    response = on_collection(facilitator, collection, "outcome")
    assert "These ideas are not for a question on the agenda." in response.content.decode()


def test_an_approved_idea_or_heading_becomes_a_priority_once_and_a_draft_action(
    facilitator, coordinator, workshop
):
    collection, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    send(phone, workshop, "Unapproved words")
    idea, unapproved = Idea.objects.order_by("pk")
    response = step(facilitator, unapproved, "priority")
    assert "Only an approved idea can go on the plan." in response.content.decode()
    step(facilitator, idea, "approve")
    response = step(facilitator, idea, "priority")
    assert "“Shorter papers” is a priority on the plan." in response.content.decode()
    step(facilitator, idea, "priority")
    plan = plan_for(workshop.assessment)
    assert list(plan.priorities.values_list("text", flat=True)) == ["Shorter papers"]
    assert plan.priorities.get().source == Priority.Source.WORKSHOP
    step(facilitator, idea, "draft")
    action = Action.objects.get()
    assert action.description == "Shorter papers" and action.status == Action.Status.PROPOSED
    a = workshop.assessment
    assert "Shorter papers" in page(coordinator, reverse("plan", args=[a.partnership_id, a.pk]))
    on_collection(facilitator, collection, "heading", heading="Meetings")
    group = collection.groups.get()
    step(facilitator, idea, "group", group=group.pk)
    on_collection(facilitator, collection, "priority", group=group.pk)
    assert plan.priorities.filter(text="Meetings: Shorter papers").exists()


def test_approved_ideas_are_offered_when_putting_priorities_to_the_room(facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    send(phone, workshop, "Not approved")
    step(facilitator, Idea.objects.get(text="Shorter papers"), "approve")
    go(workshop, "close")
    html = page(facilitator, console_url(workshop, "workshop-dots-new") + "?from=ideas")
    assert "Shorter papers</textarea>" in html and "Not approved" not in html


# --- Access, backups and the audit log -------------------------------------------------------


def test_another_partnerships_collection_or_idea_is_a_404(cast, facilitator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    idea = Idea.objects.get()
    outsider = Client()
    outsider.force_login(cast.outsider)
    assert outsider.get(console_url(workshop, "workshop-ideas-new")).status_code == 404
    url = console_url(workshop, "workshop-ideas", idea.collection_id)
    assert outsider.post(url, {"step": "approve"}).status_code == 404
    url = console_url(workshop, "workshop-idea", idea.collection_id, idea.pk)
    assert outsider.post(url, {"step": "approve"}).status_code == 404
    idea.refresh_from_db()
    assert not idea.approved


def test_a_collection_of_another_workshop_is_a_404(cast, facilitator, workshop):
    other = make_workshop(cast, workshop.assessment, title="Second day")
    collection = ask(facilitator, other)
    url = console_url(workshop, "workshop-ideas", collection.pk)
    assert facilitator.post(url, {"step": "heading", "heading": "X"}).status_code == 404
    assert not collection.groups.exists()


def test_ideas_survive_a_backup_exported_deleted_and_imported(
    facilitator, cast, workshop, tmp_path
):
    collection, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    send(phone, workshop, "Papers too long")
    shorter, too_long = Idea.objects.order_by("pk")
    step(facilitator, too_long, "merge", into=shorter.pk)
    step(facilitator, shorter, "approve")
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    delete_partnership(cast.partnership)
    import_from(path)
    restored = Workshop.objects.get()
    assert restored.ideas.prompt == PROMPT
    [heading] = ideas.approved_by_heading(restored.ideas)
    assert [(i.text, i.sources) for i in heading.ideas] == [("Shorter papers", 2)]


def test_the_audit_log_says_what_was_asked_and_moderated(facilitator, coordinator, workshop):
    _, (phone, _) = open_room(facilitator, workshop)
    send(phone, workshop, "Shorter papers")
    step(facilitator, Idea.objects.get(), "approve")
    html = page(coordinator, reverse("audit-log", args=[workshop.assessment.partnership_id]))
    html = html.replace("&#x27;", "’").replace("&quot;", '"')
    assert f"Board away day: ideas asked for on “{PROMPT}”." in html.replace("’", "'")
    assert "Board away day: 1 idea approved." in html


def test_a_rating_vote_is_refused_while_the_room_sends_ideas(facilitator, workshop):
    phone = joined(workshop)
    go(workshop, "next")  # the room is on a rated item
    ask(facilitator, workshop)
    go(workshop, "open")
    response = vote(phone, workshop, "3")
    assert response.status_code == 409
    assert not Answer.objects.exists()


def test_revealed_ideas_show_no_rating_count_on_the_console(facilitator, workshop):
    phone = joined(workshop)
    go(workshop, "next")
    ask(facilitator, workshop)
    go(workshop, "open")
    send(phone, workshop, "Shorter papers")
    go(workshop, "close", "reveal")
    html = console(facilitator, workshop)
    assert "lsp-tally" not in html
    assert "Shorter papers" in html
