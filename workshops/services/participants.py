"""Who is in a live workshop: phones joining, named or anonymous; phones waiting to be
let in, then admitted or turned away; participants listed and removed.

A person is one participant, on one phone. The database's one-participant-per-person
constraint decides between two phones claiming a name at once; a name moves to
another phone only when the facilitator admits it, and takes its votes along.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils.crypto import salted_hmac

from workshops import audit, throttle
from workshops.models import (
    Answer,
    DotAllocation,
    Idea,
    Person,
    Respondent,
    WaitingPhone,
    Workshop,
    WorkshopError,
)
from workshops.services import changes

State = Workshop.State

# Phones one network may have waiting at once: enough for a room, few enough
# that nobody can bury the console in requests.
MAX_WAITING_PER_NETWORK = 20
# How long a network's count of phones joining a workshop is kept: a workshop's day.
JOIN_COUNT_SECONDS = 24 * 3600


class NameTaken(WorkshopError):
    """Someone has already joined as this person, on another phone."""

    def __init__(self, person: Person):
        self.person = person
        super().__init__(f"Someone has already joined as {person.name} on another device.")


class NotJoined(WorkshopError):
    """The phone's participant has gone: removed, or moved to another phone."""

    def __init__(self) -> None:
        super().__init__("You are no longer in this workshop. Join it again.")


def _check_who(workshop: Workshop, person: Person | None) -> None:
    if workshop.state == State.FINISHED:
        raise WorkshopError("This workshop has finished.")
    if person is None:
        return
    if workshop.assessment.anonymous:
        raise WorkshopError("This assessment is anonymous: join without giving your name.")
    if person.partnership_id != workshop.assessment.partnership_id:
        raise WorkshopError("Choose someone from this partnership.")


def join(
    workshop: Workshop,
    *,
    person: Person | None = None,
    role: str = "",
    sector: str = "",
    layer: str = "",
    attempt: str = "",
) -> Respondent:
    """A participant for this workshop. A person is one participant, on one phone:
    joining as someone who has already joined raises NameTaken. An anonymous join
    sent twice (same ``attempt``) is one participant."""
    _check_who(workshop, person)
    assessment = workshop.assessment
    if person is None:
        fields = {
            "assessment": assessment,
            "workshop": workshop,
            "channel": Respondent.Channel.WORKSHOP,
            "role": role,
            "organisation": "",
            "sector": sector,
            "layer": layer,
        }
        if not attempt:
            return Respondent.objects.create(**fields)
        # The respondent reference is unique per assessment, which makes the
        # join attempt idempotent.
        reference = f"workshop-join-{attempt}"
        try:
            with transaction.atomic():
                return Respondent.objects.get_or_create(**fields, reference=reference)[0]
        except IntegrityError:  # the same form, sent twice at once
            return Respondent.objects.get(**fields, reference=reference)
    try:
        # The database's one_participant_per_person decides between two phones
        # claiming one name at once: one creates the participant, the other is told.
        with transaction.atomic():
            return Respondent.objects.create(
                assessment=assessment,
                workshop=workshop,
                person=person,
                channel=Respondent.Channel.WORKSHOP,
                **Respondent.attributes_of(person),
            )
    except IntegrityError:
        raise NameTaken(person) from None


def join_phone(
    workshop: Workshop,
    network: str,
    *,
    person: Person | None = None,
    role: str = "",
    sector: str = "",
    layer: str = "",
    attempt: str = "",
    ask_if_taken: bool = False,
) -> Respondent | WaitingPhone:
    """A phone joining from ``network``: a participant, or a place in the queue to be
    let in once the network has used its allowance of phones.

    Asking for a name someone has already joined as raises NameTaken, unless the
    phone asks to be let in as them (``ask_if_taken``): then it is queued too.
    """
    _check_who(workshop, person)
    if person is None and attempt:
        resent = workshop.participants.filter(reference=f"workshop-join-{attempt}").first()
        if resent is not None:  # the same form again: nothing new to count
            return resent
    who = {"person": person, "role": role, "sector": sector, "layer": layer}
    if person is not None and workshop.participants.filter(person=person).exists():
        if not ask_if_taken:
            raise NameTaken(person)
        return ask_to_join(workshop, network, **who)
    if (
        throttle.count_join(workshop.pk, network, JOIN_COUNT_SECONDS)
        > workshop.phones_per_network()
    ):
        return ask_to_join(workshop, network, **who)
    return join(workshop, attempt=attempt, **who)


def ask_to_join(
    workshop: Workshop,
    network: str,
    *,
    person: Person | None = None,
    role: str = "",
    sector: str = "",
    layer: str = "",
) -> WaitingPhone:
    """Queue a phone for the facilitator to let in (or turn away)."""
    _check_who(workshop, person)
    digest = salted_hmac("workshops.waiting-phone", network).hexdigest()
    queued = workshop.waiting_phones.filter(network=digest, decision=WaitingPhone.Decision.WAITING)
    if queued.count() >= MAX_WAITING_PER_NETWORK:
        raise WorkshopError(
            "Too many phones from this network are waiting to be let in. "
            "Ask the facilitator, then try again."
        )
    return WaitingPhone.objects.create(
        workshop=workshop, network=digest, person=person, role=role, sector=sector, layer=layer
    )


def _move_to_new_phone(participant: Respondent) -> Respondent:
    """The same person, votes and all, under a new id, so the old phone's cookie,
    which names the old id, no longer works anywhere."""
    person = participant.person
    # Free the one-participant-per-person constraint for the new row.
    Respondent.objects.filter(pk=participant.pk).update(person=None)
    moved = Respondent.objects.create(
        assessment_id=participant.assessment_id,
        workshop_id=participant.workshop_id,
        person=person,
        channel=participant.channel,
        role=participant.role,
        organisation=participant.organisation,
        sector=participant.sector,
        layer=participant.layer,
        started_at=participant.started_at,
    )
    Answer.objects.filter(respondent=participant).update(respondent=moved)
    DotAllocation.objects.filter(participant=participant).update(participant=moved)
    Idea.objects.filter(participant=participant).update(participant=moved)
    participant.delete()
    return moved


def _waiting(workshop: Workshop, waiting_id: int) -> WaitingPhone:
    waiting = (
        workshop.waiting_phones.select_for_update()
        .filter(pk=waiting_id, decision=WaitingPhone.Decision.WAITING)
        .first()
    )
    if waiting is None:
        raise WorkshopError("That phone is no longer waiting to be let in.")
    return waiting


def admit(workshop: Workshop, waiting_id: int, *, by=None) -> tuple[WaitingPhone, bool]:
    """Let a waiting phone in; returns it and whether it took over someone's place.

    A phone asking to be someone who has joined elsewhere takes their place
    and their votes; their other phone is out from then on.
    """
    with transaction.atomic():
        waiting = _waiting(workshop, waiting_id)
        current = None
        if waiting.person_id:
            current = (
                workshop.participants.select_for_update().filter(person=waiting.person).first()
            )
        if current is not None:
            participant = _move_to_new_phone(current)
        else:
            participant = join(
                workshop,
                person=waiting.person,
                role=waiting.role,
                sector=waiting.sector,
                layer=waiting.layer,
            )
        waiting.decision, waiting.participant = WaitingPhone.Decision.ADMITTED, participant
        waiting.save(update_fields=["decision", "participant"])
        audit.record(
            "phone.took_over" if current is not None else "phone.admitted",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Phone waiting for “{workshop}”",
            data={
                "workshop": workshop.pk,
                "phone": waiting.pk,
                "participant": participant.pk,
                "who": waiting.describe(),
                "person": waiting.person.name if waiting.person_id else None,
            },
        )
    return waiting, current is not None


def turn_away(workshop: Workshop, waiting_id: int, *, by=None) -> WaitingPhone:
    with transaction.atomic():
        waiting = _waiting(workshop, waiting_id)
        waiting.decision = WaitingPhone.Decision.TURNED_AWAY
        waiting.save(update_fields=["decision"])
        audit.record(
            "phone.turned_away",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Phone waiting for “{workshop}”",
            data={"workshop": workshop.pk, "phone": waiting.pk, "who": waiting.describe()},
        )
    return waiting


def collect(waiting: WaitingPhone) -> Respondent | None:
    """What the facilitator decided, for the waiting phone: its participant once let
    in, None if turned away. Collected once: the row goes."""
    deleted, _ = (
        WaitingPhone.objects.filter(pk=waiting.pk)
        .exclude(decision=WaitingPhone.Decision.WAITING)
        .delete()
    )
    if not deleted or waiting.decision != WaitingPhone.Decision.ADMITTED:
        return None
    return waiting.participant


def remove_participant(workshop: Workshop, participant_id: int, *, by=None) -> tuple[str, int]:
    """Take someone out of the workshop with their votes; returns who and how many votes.

    The row lock waits for votes under way (which hold a key-share lock on it),
    and votes after it find no participant and store nothing.
    """
    with transaction.atomic():
        participant = (
            workshop.participants.select_for_update(of=("self",))
            .select_related("person")
            .filter(pk=participant_id)
            .first()
        )
        if participant is None:
            raise WorkshopError("That participant is no longer in the workshop.")
        votes = participant.answers.count()
        label = describe_participant(participant)
        participant.delete()
        # Their votes leave the room's figures: phones showing them fetch them
        # again only when the workshop's version moves on.
        Workshop.objects.filter(pk=workshop.pk).update(version=F("version") + 1)
        changes.announce(workshop.code)
        audit.record(
            "participant.removed",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Participant of “{workshop}”",
            data={
                "workshop": workshop.title,
                "participant": participant_id,
                "who": label,
                "votes": votes,
            },
        )
    return label, votes


def participants(workshop: Workshop) -> list[Respondent]:
    """Who has joined, for the console: each with ``label`` and ``votes`` counted."""
    joined = list(
        workshop.participants.select_related("person")
        .annotate(votes=Count("answers"))
        .order_by("started_at", "pk")
    )
    for participant in joined:
        participant.label = describe_participant(participant)
    return joined


def waiting_phones(workshop: Workshop) -> list[WaitingPhone]:
    """Phones waiting to be let in, oldest first; ``takes_over`` marks those asking to
    be someone who has already joined on another phone."""
    waiting = list(
        workshop.waiting_phones.filter(decision=WaitingPhone.Decision.WAITING).select_related(
            "person__organisation"
        )
    )
    taken = set(
        workshop.participants.filter(
            person__in=[phone.person_id for phone in waiting if phone.person_id]
        ).values_list("person_id", flat=True)
    )
    for phone in waiting:
        phone.takes_over = phone.person_id in taken
    return waiting


def describe_participant(participant: Respondent) -> str:
    if participant.person_id:
        return f"{participant.person.name}, {participant.organisation}"
    return (
        f"Anonymous: {participant.get_role_display()}, {participant.get_sector_display()}, "
        f"{participant.get_layer_display()}"
    )
