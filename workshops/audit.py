"""Recording coordinators' and facilitators' changes in the audit log.

Every change a signed-in member makes on a partnership's pages already ends in
a success message saying what was done ("Version 2 of the plan agreed."). The
message storage below keeps a copy of each, and the middleware writes them to
the log once the request has succeeded, against the partnership in the URL
(which the view's access helper has already checked). A new page that
confirms its changes is therefore audited without further code; a change that
is not confirmed on screen (moving a workshop on, say) calls ``note``.
"""

from __future__ import annotations

from django.contrib.messages import SUCCESS
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpRequest

from workshops.models import AuditEvent

NOTES = "_audit_notes"


def actor_text(user) -> str:
    """Who someone is, in words kept after their account has gone."""
    return f"{user.get_full_name()} ({user.email})"[:254] if user else "Nobody signed in"


def record(
    action: str,
    summary: str,
    *,
    account=None,
    by=None,
    partnership=None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Log something that happened to an account (``account.*``) or in a partnership.

    ``by`` is who did it (the account itself unless given: support staff resetting
    someone's second factor is ``by`` staff); ``action`` a stable code, ``summary``
    the words the audit page shows.
    """
    by = by if by is not None else account
    return AuditEvent.objects.create(
        partnership=partnership,
        user=by if by is not None and by.pk else None,
        account=account if account is not None and account.pk else None,
        action=action,
        actor=actor_text(by),
        summary=summary[:500],
        path=(request.path if request is not None else "")[:500],
    )


def note(request: HttpRequest, summary: str) -> None:
    """Record a change that is not confirmed with a success message."""
    request.__dict__.setdefault(NOTES, []).append(summary)


class AuditedMessageStorage(FallbackStorage):
    def add(self, level, message, extra_tags=""):
        if level == SUCCESS:
            note(self.request, str(message))
        super().add(level, message, extra_tags)


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        notes = request.__dict__.get(NOTES)
        match = request.resolver_match
        if (
            notes
            and request.method == "POST"
            and response.status_code < 400
            and match is not None
            and "partnership_id" in match.kwargs
            # Last: the one condition that may read the session.
            and request.user.is_authenticated
        ):
            user = request.user
            AuditEvent.objects.bulk_create(
                AuditEvent(
                    partnership_id=match.kwargs["partnership_id"],
                    user=user,
                    actor=actor_text(user),
                    summary=summary[:500],
                    path=request.path[:500],
                )
                for summary in notes
            )
        return response
