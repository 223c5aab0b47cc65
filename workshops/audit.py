"""The audit log: recording who changed what, and reading it back in words.

Each service that changes a partnership records the change with ``record``: a
stable action code ("plan.agreed"), what was acted on (``target``) and the values
that changed (``data``), as pretix's ``log_action`` does. A service records only
when it is told who made the change (``by``, which views pass as
``request.user``; a queued import, whoever uploaded it): the demo, commands and
tests setting things up are nobody's change and leave no entry. Account events (``account.*``)
name the account they are about, which is who made them unless ``by`` says
otherwise (support staff resetting someone's second factor).

The audit page says what an entry means through ``WORDS``, one entry per action
code, made from the entry's data, so rewording a page's success message leaves
the log as it was. An entry whose code has no words here shows the words stored
with it (``summary``, written for every entry as it is recorded): account events,
which word themselves from the request, and entries written before there were
codes, from the success message a coordinator saw (``FROM_MESSAGE``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from workshops.models import AuditEvent, Workshop
from workshops.models.partnership import a_role

# The code of entries written from a coordinator's success message, before the
# services recorded changes themselves (migration 0019 gave it to them).
FROM_MESSAGE = "message"


def actor_text(user) -> str:
    """Who someone is, in words kept after their account has gone."""
    return f"{user.get_full_name()} ({user.email})"[:254] if user else "Nobody signed in"


def record(
    action: str,
    summary: str | None = None,
    *,
    by=None,
    account=None,
    partnership=None,
    target: str = "",
    data: dict | None = None,
    request: HttpRequest | None = None,
    path: str = "",
) -> AuditEvent | None:
    """Log something that happened in a partnership, or to an account (``account.*``).

    ``by`` is who did it (for an account event, the account itself unless given).
    Nothing is recorded when nobody did it. ``summary`` is for actions without
    words in ``WORDS``; otherwise the words are made from ``data``, which must hold
    what they need. ``path`` is where it was done, when there is no ``request``.
    """
    by = by if by is not None else account
    if by is None:
        return None
    data = data or {}
    if summary is None:
        summary = said(action, data)
        if summary is None:
            raise ValueError(f"audit.WORDS cannot say {action!r} with {sorted(data)}.")
    return AuditEvent.objects.create(
        partnership=partnership,
        user=by if by.pk else None,
        account=account if account is not None and account.pk else None,
        action=action,
        actor=actor_text(by),
        target=target[:200],
        data=data,
        summary=summary[:500],
        path=(request.path if request is not None else path)[:500],
    )


def words(event: AuditEvent) -> str:
    """What the entry says on the audit page."""
    return said(event.action, event.data) or event.summary


def said(action: str, data: dict) -> str | None:
    """The registry's words for an action with this data; None if it has none for it
    (or the data lacks what they need: an entry recorded before they changed)."""
    template = WORDS.get(action)
    if template is None:
        return None
    try:
        return template(data) if callable(template) else template.format(**data)
    except (KeyError, IndexError, TypeError, ValueError):
        return None


# --- The words -------------------------------------------------------------------------------


def _count(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _workshop_step(step: str) -> Callable[[dict], str]:
    """The words for a facilitator's step: "Board away day: open (voting open on 1.1)."."""

    def words(data: dict) -> str:
        where = Workshop.State(data["state"]).label.lower()
        if data.get("item"):
            where = f"{where} on {data['item']}"
        elif data.get("dots"):
            where = f"{where} on “{data['dots']}”"
        elif data.get("ideas"):
            where = f"{where} on ideas for “{data['ideas']}”"
        return f"{data['workshop']}: {step.replace('_', ' ')} ({where})."

    return words


Words = str | Callable[[dict], str]

WORDS: dict[str, Words] = {
    # The partnership, its organisations and people.
    "partnership.set_up": "Partnership set up and verified by support staff.",
    "partnership.verified": "Partnership verified by support staff.",
    "partnership.changed": "Partnership details of {name} saved.",
    "organisation.added": "Organisation {name} added.",
    "organisation.changed": "Organisation {name} saved.",
    "person.added": "{name} added.",
    "person.changed": "{name} saved.",
    "person.erased": "Personal details of person #{person} erased.",
    # Members and their invitations.
    "member.invited": lambda d: (
        f"{d['email']} is invited to join {d['partnership']} as {a_role(d['role'])}."
    ),
    "member.invitation_resent": "A new invitation link was sent to {email}.",
    "member.invitation_withdrawn": "The invitation to {email} is withdrawn.",
    "member.invitation_accepted": lambda d: (
        f"{d['email']} accepted the invitation and joined as {a_role(d['role'])}."
    ),
    "member.removed": "{member} is no longer a member.",
    "member.role_changed": lambda d: (
        f"{d['member']} is now {a_role(d['role'])} (was {a_role(d['was'])})."
    ),
    # Assessments: invitations, reminders, paper returns and imports.
    "assessment.created": "{title} is set up.",
    "assessment.network_changed": lambda d: (
        f"The network section is turned {'on' if d['network'] else 'off'}."
    ),
    "assessment.invited": lambda d: (
        f"{d['invited']} invited; {_count(d['emailed'], 'email')} sent."
    ),
    "assessment.reminded": lambda d: (
        f"Reminder sent to {_count(d['sent'], 'person', 'people')} "
        f"who {'has' if d['sent'] == 1 else 'have'} not finished."
    ),
    "invitation.revoked": "{person}'s link has been withdrawn.",
    "local_question.added": "Local question {key} added: “{text}”.",
    "local_question.changed": "Local question {key} changed to “{text}”.",
    "local_question.removed": "Local question {key} removed: “{text}”.",
    "paper_return.submitted": "The paper return for {person} is submitted.",
    "import.invitees": lambda d: (
        f"{_count(d['created'], 'person', 'people')} added and "
        f"{_count(d['updated'], 'person', 'people')} updated; "
        f"{d['invited']:,} newly invited and {_count(d['emailed'], 'email')} sent."
    ),
    "import.responses": lambda d: (
        f"{_count(d['answers'], 'answer')} from "
        f"{_count(d['created'] + d['existing'], 'respondent')} imported "
        f"({d['created']:,} new, {d['existing']:,} already imported before)."
    ),
    "import.network": lambda d: (
        f"{_count(d['answers'], 'network answer')} from "
        f"{_count(d['existing'], 'respondent')} imported."
    ),
    # Workshops: setting up, the facilitator's steps, phones and participants, the agenda.
    "workshop.created": "{workshop} is set up with {items} items on its agenda.",
    **{f"workshop.{step}": _workshop_step(step) for step in Workshop.ALLOWED},
    "workshop.add_time": "{workshop}: {seconds} seconds added to the countdown on {item}.",
    "phone.admitted": "Phone let in: {who}.",
    "phone.took_over": (
        "{person} is now on the phone let in, with their votes. "
        "Their other device can no longer vote."
    ),
    "phone.turned_away": "Phone turned away: {who}.",
    "participant.removed": lambda d: (
        f"{d['who']} is no longer in {d['workshop']}; {_count(d['votes'], 'vote')} removed."
    ),
    "agenda.added": lambda d: f"{_count(d['added'], 'item')} added to the agenda.",
    "agenda.removed": "{item} is off the agenda.",
    "agenda.moved": "{item} moved {direction} the agenda.",
    "agenda.agreed": "What the room agreed on {item} is recorded.",
    "workshop.action_added": "Action added to {item}.",
    "dots.put_to_room": lambda d: (
        f"{d['workshop']}: “{d['title']}” put to the room, "
        f"{_count(d['candidates'], 'priority', 'priorities')} to "
        + ("rank." if d["mode"] == "ranking" else f"vote on with {_count(d['dots'], 'dot')} each.")
    ),
    "dots.put_on_plan": lambda d: (
        f"The room's totals on “{d['title']}” ({_count(d['voted'], 'phone')}) put on the plan; "
        f"{_count(d['changed'], 'priority', 'priorities')} given new dots."
    ),
    "ideas.put_to_room": "{workshop}: ideas asked for on “{prompt}”.",
    "ideas.approved": lambda d: f"{d['workshop']}: {_count(d['ideas'], 'idea')} approved.",
    "ideas.hidden": "{workshop}: an idea hidden from the room.",
    "ideas.shown": "{workshop}: a hidden idea brought back for moderation.",
    "ideas.merged": "{workshop}: an idea merged into another.",
    "ideas.grouped": "{workshop}: heading “{heading}” added to the ideas.",
    # The improvement plan: drafts, priorities, actions and agreeing it.
    "plan.drafts_proposed": lambda d: (
        f"{_count(d['added'], 'new draft action')} proposed from the results."
    ),
    "plan.priorities_gathered": lambda d: (
        f"{d['added']} new candidate priorit{'y' if d['added'] == 1 else 'ies'}."
    ),
    "plan.priorities_ranked": "Priorities ranked by the board's dot vote.",
    "plan.agreed": "Version {version} of the plan agreed.",
    "priority.added": "Priority “{priority}” added.",
    "priority.moved": "Priority “{priority}” moved {direction}.",
    "priority.dropped": "Priority “{priority}” dropped.",
    "priority.votes_set": lambda d: (
        f"Priority “{d['priority']}” given {_count(d['votes'], 'dot vote')}."
    ),
    "target.set": "Target set for {subject}: {target}.",
    "target.changed": "Target for {subject} changed from {was} to {target}.",
    "target.removed": "Target for {subject} removed.",
    "action.added": "“{action}” added to the plan.",
    "action.changed": "“{action}” saved.",
    "action.accepted": "Draft action “{action}” accepted.",
    "action.rejected": "Draft action “{action}” rejected.",
    "action.withdrawn": "“{action}” withdrawn from the plan.",
    "action.removed": "Action “{action}” removed.",
    "action.progress_added": "Progress update added to “{action}”.",
    "summary.published": lambda d: (
        f"Summary of “{d['assessment']}” published to those who took part; "
        f"{_count(d['emails'], 'email')} to send."
    ),
    "summary.withdrawn": "Summary of “{assessment}” withdrawn.",
}
