"""How long a signed-in session lasts, and ending sessions."""

from __future__ import annotations


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


def end_all_sessions(user, *, keep: str | None = None) -> int:
    """Sign ``user`` out everywhere (but the session ``keep``); returns how many ended."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep or ""):
        session.end()
        ended += 1
    return ended
