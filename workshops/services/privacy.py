"""Personal data: erasing a person on request, and deleting what is past its retention period.

What identifies someone is their name, email address, login account and personal
links. What they answered is kept: a Respondent holds only the role,
organisation, sector and layer copied when they answered, so results do not
move when the person behind them is erased or their invitation is deleted. Their
network answers stay with it too: they say how one organisation sees another, and
are only ever shown as their organisation's view. Deleting a response deletes them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workshops import audit
from workshops.models import (
    Action,
    ActionChange,
    AuditEvent,
    Invitation,
    MemberInvitation,
    Person,
    Respondent,
    User,
    WaitingPhone,
)


class PrivacyError(Exception):
    """A request the rules refuse; the message is for the person who asked."""


def erased_name(person: Person) -> str:
    """What an erased person is called from then on.

    Lists of people, invitations and plan owners stay readable and tell erased
    people apart, and the number matches the audit log's entry for the erasure.
    The id says nothing about the person: it only counts rows of the installation.
    """
    return f"Erased person #{person.pk}"


def erase_person(person: Person, user: User, *, by: User | None = None) -> bool:
    """Erase the person's name and contact details, keeping their anonymised answers.

    ``user`` is the coordinator asking; they are checked again here because an
    erasure cannot be undone. Returns False when the person had already been
    erased (any link given to them since is still withdrawn, so asking again is
    harmless).
    """
    membership = person.partnership.membership_for(user)
    if membership is None or not membership.can_manage:
        raise PrivacyError("Only a coordinator of the partnership can erase a person.")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        now = timezone.now()
        # Their personal links would still open their answers, and the links were
        # sent to them: withdrawn, so the links show that and nothing more.
        Invitation.objects.filter(person=person, revoked_at=None).update(revoked_at=now)
        if person.erased_at is not None:
            return False
        name, email = person.name, person.email
        person.name, person.email = erased_name(person), ""
        person.user, person.erased_at = None, now
        person.save(update_fields=["name", "email", "user", "erased_at"])
        _scrub_history(person, [name, email])
        # Named by number only, as the person is from now on.
        audit.record(
            "person.erased",
            by=by,
            partnership=person.partnership,
            target=f"Person #{person.pk}",
            data={"person": person.pk},
        )
    return True


def _scrub_history(person: Person, identifiers: list[str]) -> None:
    """Replace the person's old name and email where the application copied them as text.

    Those copies are the audit log's entries ("Priya Shah's link has been
    withdrawn.": its words, what it was done to and its data) and the change
    history of actions they owned. Free text a
    coordinator typed (action descriptions, workshop notes) is the
    coordinator's record, not the person's data, and is left as written.
    """
    identifiers = [text for text in identifiers if text]
    if not identifiers:
        return
    placeholder = erased_name(person)
    pattern = re.compile(
        "|".join(rf"(?<!\w){re.escape(text)}(?!\w)" for text in identifiers), re.IGNORECASE
    )
    # Every entry of the partnership is read: the data is JSON, which the database
    # cannot search for text as it was typed (it may hold "\u00e2" for "â").
    events = []
    for event in AuditEvent.objects.filter(partnership_id=person.partnership_id).iterator():
        scrubbed = (
            pattern.sub(placeholder, event.summary),
            pattern.sub(placeholder, event.target),
            _scrubbed(event.data, pattern, placeholder),
        )
        if scrubbed != (event.summary, event.target, event.data):
            event.summary, event.target, event.data = scrubbed
            events.append(event)
    AuditEvent.objects.bulk_update(events, ["summary", "target", "data"], batch_size=500)

    # An owner is recorded in the history as their name at the time ("Owner person":
    # [before, after]); the action keeps its link to the erased person.
    label = str(Action._meta.get_field("owner_person").verbose_name).capitalize()
    changes = list(
        ActionChange.objects.filter(
            action__assessment__partnership_id=person.partnership_id, changes__has_key=label
        )
    )
    for change in changes:
        change.changes[label] = [
            placeholder if value in identifiers else value for value in change.changes[label]
        ]
    ActionChange.objects.bulk_update(changes, ["changes"])


def _scrubbed(value, pattern: re.Pattern, placeholder: str):
    """``value`` (an entry's data) with every mention in its texts replaced."""
    if isinstance(value, str):
        return pattern.sub(placeholder, value)
    if isinstance(value, list):
        return [_scrubbed(item, pattern, placeholder) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, pattern, placeholder) for key, item in value.items()}
    return value


def withdrawn_by_erasure(invitation: Invitation) -> bool:
    """Whether the invitation's link was withdrawn only because its person was erased.

    Such a person was still asked and may have answered, so response rates go on
    counting them; a link withdrawn before the erasure stays out of the rates.
    """
    erased_at = invitation.person.erased_at
    return (
        erased_at is not None
        and invitation.revoked_at is not None
        and invitation.revoked_at >= erased_at
    )


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Personal data recorded before this moment is past its retention period."""
    return (now or timezone.now()) - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def purge_expired(now: datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Delete personal data older than PERSONAL_DATA_RETENTION_DAYS; returns counts of each kind.

    Invitations go (and with them the personal links); their responses stay,
    no longer linked to anyone. Workshop participants of workshops held before
    the cut-off lose the record of who joined and which join form they sent;
    their votes stay. Member invitations that are done with (accepted, withdrawn or
    expired) go, and so do phones that waited to join old workshops. Expired sign-in
    sessions are deleted too. With
    ``dry_run`` nothing changes and the counts say what would go.
    """
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    # An invitation of an assessment still running is kept whatever its age: its
    # link is in use, and deleting it would cut off someone who has not answered yet.
    invitations = Invitation.objects.filter(
        created_at__lt=cutoff, assessment__closes_on__lt=timezone.localdate(now)
    )
    join_records = Respondent.objects.filter(
        workshop__held_on__lt=timezone.localdate(cutoff), channel=Respondent.Channel.WORKSHOP
    ).filter(~Q(reference="") | Q(person__isnull=False))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    # Only sessions kept in the database can be counted; cookie-based ones expire by themselves.
    session_model = store.get_model_class() if hasattr(store, "get_model_class") else None
    sessions = (
        session_model.objects.filter(expire_date__lt=timezone.now()) if session_model else None
    )
    # Invitations to join as a member hold an email address: once accepted, withdrawn
    # or expired, and older than the period, they have done their work.
    member_invitations = MemberInvitation.objects.filter(created_at__lt=cutoff).filter(
        Q(accepted_at__isnull=False)
        | Q(withdrawn_at__isnull=False)
        | Q(expires_at__lt=now)
        | Q(expires_at__isnull=True)
    )
    # Phones that asked to be let in to a workshop held before the cut-off.
    waiting_phones = WaitingPhone.objects.filter(workshop__held_on__lt=timezone.localdate(cutoff))
    counts = {
        "invitations": invitations.count(),
        "workshop join records": join_records.count(),
        "member invitations": member_invitations.count(),
        "phones that waited to join": waiting_phones.count(),
        "expired sessions": sessions.count() if sessions is not None else 0,
    }
    if dry_run:
        return counts
    with transaction.atomic():
        # Respondent.invitation is SET_NULL: the responses stay, answers and all.
        _, deleted = invitations.delete()
        counts["invitations"] = deleted.get(Invitation._meta.label, 0)
        counts["workshop join records"] = join_records.update(reference="", person=None)
        counts["member invitations"] = member_invitations.delete()[0]
        counts["phones that waited to join"] = waiting_phones.delete()[0]
    store.clear_expired()
    return counts
