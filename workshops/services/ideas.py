"""Ideas from phones: putting a prompt to the room, each phone's short ideas (sent,
edited, deleted), the facilitator's moderation, and what each screen shows of them.
What the approved ideas become is in services.idea_outcomes.

A collection put to the room takes the current item's place (``Workshop.ideas``) and
goes through the same steps: open (collecting), close, reveal. A phone's idea is stored
or changed only while collecting is open on this collection and the phone's participant
is still in the workshop, with the same key-share locks as a rating (services.voting):
closing or removing someone waits for the ideas under way and refuses those after.

Nothing a phone sends reaches the room unmoderated: the presenter shows only approved
ideas that are neither hidden nor merged, an edit takes the approval away, and an
approval is of the revision the facilitator read.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q

from questions.models import Item
from workshops import audit
from workshops.models import (
    AgendaItem,
    Idea,
    IdeaCollection,
    IdeaGroup,
    Workshop,
    WorkshopError,
)
from workshops.models.ideas import IDEA_LENGTH, MOST_IDEAS_PER_PHONE
from workshops.services.participants import describe_participant
from workshops.services.voting import locked_if_open
from workshops.services.workshop import lock_workshop, save_workshop

State = Workshop.State


class IdeasError(WorkshopError):
    """An idea or a step of moderation that cannot be taken; nothing was stored."""


def _record(workshop: Workshop, action: str, by, collection: IdeaCollection, **data) -> None:
    audit.record(
        f"ideas.{action}",
        by=by,
        partnership=workshop.assessment.partnership,
        target=f"Workshop “{workshop}”",
        data={"workshop": workshop.title, "collection": collection.pk, **data},
    )


# --- Putting a prompt to the room --------------------------------------------------


def put_to_room(
    workshop: Workshop,
    *,
    prompt: str = "",
    agenda_item: AgendaItem | None = None,
    expected_version: int | None = None,
    by=None,
) -> IdeaCollection:
    """Make a collection for this prompt (or this open question on the agenda, checked
    to be the workshop's by the caller's query) and put it to the room, ready to open."""
    if agenda_item is not None:
        if agenda_item.item.kind != Item.Kind.OPEN:
            raise IdeasError("Ideas are collected for open questions only.")
        prompt = prompt.strip() or agenda_item.item.text
    prompt = prompt.strip()
    if not prompt:
        raise IdeasError("Enter what the room is asked for ideas on.")
    with transaction.atomic():
        workshop = lock_workshop(workshop.pk, expected_version)
        workshop.check_allowed("next")
        collection = IdeaCollection.objects.create(
            workshop=workshop, prompt=prompt[:300], agenda_item=agenda_item
        )
        workshop.ideas, workshop.dots = collection, None
        workshop.state, workshop.voting_closes_at = State.READY, None
        save_workshop(workshop, "ideas", "dots", "state", "voting_closes_at")
        _record(
            workshop,
            "put_to_room",
            by,
            collection,
            prompt=collection.prompt,
            item=agenda_item.item.key if agenda_item else None,
        )
    return collection


# --- A phone's ideas ---------------------------------------------------------------


def _words(text: str) -> str:
    """Text as typed, on one line; a character no database stores (NUL) is refused."""
    if "\x00" in text:
        raise IdeasError("Remove the character that cannot be stored, and send it again.")
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """The idea as it will be stored, or IdeasError saying what is wrong."""
    text = _words(text)
    if not text:
        raise IdeasError("Enter your idea.")
    if len(text) > IDEA_LENGTH:
        raise IdeasError(f"Your idea must be {IDEA_LENGTH} characters or fewer.")
    return text


def _collecting(workshop: Workshop, collection: IdeaCollection, participant_id: int) -> bool:
    return locked_if_open(workshop.pk, participant_id, on="ideas_id", target_id=collection.pk)


def _collection(workshop: Workshop, collection_id: int | None) -> IdeaCollection:
    if collection_id is None or workshop.ideas_id != collection_id:
        raise IdeasError("Collecting ideas on that has closed. What the room is on now is shown.")
    return workshop.ideas


CLOSED = "Collecting ideas has closed, so that was not stored."


def send(
    workshop: Workshop, participant_id: int, collection_id: int | None, text: str, token: str
) -> tuple[Idea, bool]:
    """Store a phone's new idea; returns it and whether it is new. The same form sent
    again (its token), or the same words again from the same phone, is the idea stored
    the first time."""
    collection = _collection(workshop, collection_id)
    text = clean_text(text)
    token = "".join(ch for ch in token if ch.isascii() and (ch.isalnum() or ch in "-_"))[:40]
    with transaction.atomic():
        if not _collecting(workshop, collection, participant_id):
            raise IdeasError(CLOSED)
        mine = collection.ideas.filter(participant_id=participant_id)
        same_send = Q(text__iexact=text) | Q(token=token) if token else Q(text__iexact=text)
        same = mine.filter(same_send).first()
        if same is not None:
            return same, False
        if mine.count() >= MOST_IDEAS_PER_PHONE:
            raise IdeasError(
                f"You have sent {MOST_IDEAS_PER_PHONE} ideas, the most one phone can. "
                "Change or delete one to send another."
            )
        try:
            with transaction.atomic():
                idea = Idea.objects.create(
                    collection=collection,
                    participant_id=participant_id,
                    text=text,
                    token=token or secrets.token_hex(8),  # a form without one
                )
        except IntegrityError:  # the same send, twice at once: the other one stored it
            return mine.get(token=token), False
    return idea, True


def _own(collection: IdeaCollection, participant_id: int, idea_id: int | None) -> Idea:
    idea = collection.ideas.filter(pk=idea_id, participant_id=participant_id).first()
    if idea is None:
        raise IdeasError("That idea is not one of yours, or it has been deleted.")
    return idea


def edit(
    workshop: Workshop, participant_id: int, collection_id: int | None, idea_id, text: str
) -> Idea:
    """Change a phone's own idea while collecting is open. The changed words are not
    the ones approved, so the approval goes and the facilitator reads them again."""
    collection = _collection(workshop, collection_id)
    text = clean_text(text)
    with transaction.atomic():
        if not _collecting(workshop, collection, participant_id):
            raise IdeasError(CLOSED)
        idea = _own(collection, participant_id, idea_id)
        if idea.text != text:
            idea.text, idea.approved, idea.revision = text, False, idea.revision + 1
            idea.save(update_fields=["text", "approved", "revision", "updated_at"])
            IdeaCollection.objects.filter(pk=collection.pk).update(revision=F("revision") + 1)
    return idea


def delete(workshop: Workshop, participant_id: int, collection_id: int | None, idea_id) -> None:
    """Take back a phone's own idea while collecting is open (what was merged into it
    comes back on its own)."""
    collection = _collection(workshop, collection_id)
    with transaction.atomic():
        if not _collecting(workshop, collection, participant_id):
            raise IdeasError(CLOSED)
        _own(collection, participant_id, idea_id).delete()
        IdeaCollection.objects.filter(pk=collection.pk).update(revision=F("revision") + 1)


def mine(collection: IdeaCollection, participant_id: int) -> list[Idea]:
    return list(collection.ideas.filter(participant_id=participant_id))


# --- Moderation --------------------------------------------------------------------


def _moderated(collection: IdeaCollection) -> None:
    """The screens that show ideas fetch them again. The presenter and console poll the
    collection's revision; the phones, which show none of this, are left alone."""
    IdeaCollection.objects.filter(pk=collection.pk).update(revision=F("revision") + 1)


def _live(collection: IdeaCollection, pk) -> Idea:
    idea = collection.ideas.select_for_update().filter(pk=pk).first()
    if idea is None:
        raise IdeasError("That idea has been deleted by the phone that sent it.")
    return idea


def approve(collection: IdeaCollection, shown: dict[int, int], *, by=None) -> tuple[int, int]:
    """Approve the ideas the facilitator was shown ({idea id: revision shown}), all or
    none: when any has changed since, none is approved and the facilitator reads them
    again. Returns (approved, changed since)."""
    with transaction.atomic():
        ideas = collection.ideas.select_for_update().filter(
            pk__in=list(shown), hidden=False, merged_into=None
        )
        changed = sum(i.revision != shown[i.pk] for i in ideas)
        if changed:  # approved whole or not at all: the facilitator reads again first
            return 0, changed
        ready = [i for i in ideas if not i.approved]
        Idea.objects.filter(pk__in=[i.pk for i in ready]).update(approved=True)
        if ready:
            _moderated(collection)
            _record(collection.workshop, "approved", by, collection, ideas=len(ready))
    return len(ready), changed


def hide(collection: IdeaCollection, idea_id, hidden: bool = True, *, by=None) -> Idea:
    """Keep an idea off every screen but the console (or bring it back, unapproved)."""
    with transaction.atomic():
        idea = _live(collection, idea_id)
        idea.hidden, idea.approved = hidden, False
        idea.save(update_fields=["hidden", "approved"])
        _moderated(collection)
        _record(collection.workshop, "hidden" if hidden else "shown", by, collection, idea=idea.pk)
    return idea


def merge(collection: IdeaCollection, idea_id, into_id, *, by=None) -> Idea:
    """Merge a duplicate into another idea, which then counts it among its sources;
    whatever had been merged into the duplicate moves along with it."""
    if str(idea_id) == str(into_id):
        raise IdeasError("Choose a different idea to merge it into.")
    with transaction.atomic():
        idea, into = _live(collection, idea_id), _live(collection, into_id)
        if into.merged_into_id is not None or into.hidden:
            raise IdeasError("That idea is itself merged or hidden: merge into one shown.")
        collection.ideas.filter(merged_into=idea).update(merged_into=into)
        idea.merged_into, idea.approved = into, False
        idea.save(update_fields=["merged_into", "approved"])
        _moderated(collection)
        _record(collection.workshop, "merged", by, collection, idea=idea.pk, into=into.pk)
    return into


def add_group(collection: IdeaCollection, heading: str, *, by=None) -> IdeaGroup:
    heading = _words(heading)
    if not heading:
        raise IdeasError("Enter a heading.")
    if len(heading) > 100:
        raise IdeasError("A heading must be 100 characters or fewer.")
    last = max(collection.groups.values_list("position", flat=True), default=0)
    group, created = IdeaGroup.objects.get_or_create(
        collection=collection, heading=heading, defaults={"position": last + 1}
    )
    if created:
        _moderated(collection)
        _record(collection.workshop, "grouped", by, collection, heading=heading)
    return group


def put_in_group(collection: IdeaCollection, idea_id, group_id, *, by=None) -> Idea:
    """Put an idea under a heading (or under none, for an empty group id)."""
    group = None
    if group_id:
        group = collection.groups.filter(pk=group_id).first()
        if group is None:
            raise IdeasError("That heading has gone. Choose another.")
    with transaction.atomic():
        idea = _live(collection, idea_id)
        idea.group = group
        idea.save(update_fields=["group"])
        _moderated(collection)
    return idea


# --- What the screens show ---------------------------------------------------------


@dataclass
class Heading:
    heading: str
    ideas: list[Idea] = field(default_factory=list)


def for_console(collection: IdeaCollection) -> list[Idea]:
    """Every idea, each with ``sources`` (itself and what was merged into it) and
    ``author`` (the participant, whose name the console may show)."""
    ideas = list(
        collection.ideas.select_related("participant__person", "group", "merged_into")
        .annotate(merged_count=Count("merged"))
        .order_by("created_at", "pk")
    )
    for idea in ideas:
        idea.sources = 1 + idea.merged_count
    return ideas


def approved_by_heading(collection: IdeaCollection) -> list[Heading]:
    """What the room may see: approved ideas neither hidden nor merged, under their
    headings in order, then those under none. Who sent them is never among it."""
    ideas = (
        collection.ideas.filter(approved=True, hidden=False, merged_into=None)
        .annotate(merged_count=Count("merged"))
        .order_by("created_at", "pk")
    )
    groups = {g.pk: Heading(g.heading) for g in collection.groups.all()}
    ungrouped = Heading("")
    for idea in ideas:
        idea.sources = 1 + idea.merged_count
        groups.get(idea.group_id, ungrouped).ideas.append(idea)
    return [h for h in [*groups.values(), ungrouped] if h.ideas]


def mark(collection: IdeaCollection) -> str:
    """What changes when any idea does: for the console's ETag."""
    seen = collection.ideas.aggregate(count=Count("pk"), last=Max("updated_at"))
    last = seen["last"].timestamp() if seen["last"] else 0
    return f"{collection.revision}.{seen['count']}.{last:.6f}"


def sent(collection: IdeaCollection) -> tuple[int, int]:
    """How many ideas, and from how many phones."""
    seen = collection.ideas.aggregate(count=Count("pk"), phones=Count("participant", distinct=True))
    return seen["count"], seen["phones"]


def screen_context(workshop: Workshop, *, console: bool) -> dict:
    """A collection on the console (every idea, with its author where the assessment is
    not anonymous) or on the presenter (approved ideas only, by heading, and only once
    revealed). ``ideas_mark`` moves on with any change the screen must fetch."""
    collection = workshop.ideas
    count, phones = sent(collection)
    context = {"idea_collection": collection, "ideas_sent": count, "ideas_phones": phones}
    if console:
        context["ideas_mark"] = mark(collection)
        shown = for_console(collection)
        named = not workshop.assessment.anonymous
        for idea in shown:
            person = idea.participant.person_id and named
            idea.author = describe_participant(idea.participant) if person else ""
        context["console_ideas"] = shown
        context["idea_groups"] = list(collection.groups.all())
    else:
        context["ideas_mark"] = f"{collection.revision}.{count}"
        if workshop.state == State.REVEALED:
            context["approved_ideas"] = approved_by_heading(collection)
    return context
