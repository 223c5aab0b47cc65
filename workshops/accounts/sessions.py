"""How long a signed-in session lasts, and ending sessions.

A session ends SESSION_IDLE_MINUTES after the person's last request, and
SESSION_LIFETIME_HOURS after they signed in whatever they do. Both times are kept in
the session itself: the sign-in time is written once, at sign-in, and the time of
the last request at most once a minute (``STAMP_SECONDS``), so an ordinary request
saves nothing. The same once-a-minute write moves the account's "last seen" on
its list of devices (allauth's ``UserSession``).

What counts as using the site: every signed-in request except the polls pages make
by themselves in the background (a PDF or an import's progress, any request asking
for JSON only), which would otherwise keep a forgotten tab signed in for ever. The
facilitator's console and the presenter view of a workshop that is running count,
so a facilitator is never signed out in front of the room: from the first item
on, and in the lobby on the workshop's own day while the room gathers. A finished
workshop's console, or one left open days before, counts no more.

Phones in a workshop and people answering by personal link hold no session: a
request without a session cookie is passed straight on, without reading anything.
With a cookie, the limits are checked only when the request first asks who is
signed in, so a page that never asks (``/healthz``) costs nothing either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from allauth.account.signals import user_logged_in as allauth_logged_in
from allauth.core import context
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

# Keys in the session: epoch seconds (the session serialiser stores JSON).
SIGNED_IN_AT = "lsp_signed_in_at"
SEEN_AT = "lsp_seen_at"
# The last request's time is written at most this often; the idle limit allows for it,
# so nobody is signed out before a full SESSION_IDLE_MINUTES without a request.
STAMP_SECONDS = 60

# The console's and presenter's polls: activity only while their workshop runs.
LIVE_POLLS = {"workshop-console-live", "workshop-present-live"}

SIGNED_OUT = "You have been signed out. Sign in again to carry on."


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def _hours(n: int) -> str:
    return f"{n} hour" if n == 1 else f"{n} hours"


def _expiry(session, now: int) -> str | None:
    """Why this signed-in session has ended, or None while it has not."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        # Signed in before these limits were kept: such a session is on no list of
        # devices either, so it cannot be signed out from elsewhere. It ends now.
        return SIGNED_OUT
    lifetime = settings.SESSION_LIFETIME_HOURS
    if now - signed_in_at >= lifetime * 3600:
        return (
            f"You were signed out because you signed in more than {_hours(lifetime)} ago. "
            "Sign in again to carry on."
        )
    idle = settings.SESSION_IDLE_MINUTES
    seen_at = session.get(SEEN_AT, signed_in_at)
    if not isinstance(seen_at, int) or now - seen_at >= idle * 60 + STAMP_SECONDS:
        return (
            f"You were signed out because you had not used LSP Assess for {_minutes(idle)}. "
            "Sign in again to carry on."
        )
    return None


def _from_script(request: HttpRequest) -> bool:
    """Whether a page's script sent this request (a poll or an autosave), so it wants
    an answer it can read rather than the sign-in page."""
    accept = request.headers.get("Accept", "")
    return (
        request.headers.get("Sec-Fetch-Mode") in ("cors", "same-origin")
        or request.headers.get("X-Requested-With") is not None
        or ("application/json" in accept and "text/html" not in accept)
    )


def _url_name(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.view_name


def _is_background_poll(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    accept = request.headers.get("Accept", "")
    return _url_name(request) in LIVE_POLLS or (
        "application/json" in accept and "text/html" not in accept
    )


def _workshop_running(request: HttpRequest) -> bool:
    """Whether the workshop whose console or presenter polled is running: past its
    lobby (or in it on its day, while the room gathers) and not finished."""
    from workshops.models import Workshop

    workshop_id = request.resolver_match.kwargs.get("workshop_id")
    found = Workshop.objects.filter(pk=workshop_id).values_list("state", "held_on").first()
    if found is None:
        return False
    state, held_on = found
    if state == Workshop.State.FINISHED:
        return False
    return state != Workshop.State.LOBBY or held_on == timezone.localdate()


def _counts_as_activity(request: HttpRequest, response: HttpResponse) -> bool:
    if not _is_background_poll(request):
        return True
    # The view answered (200, or 304 unchanged) so the person may see the workshop.
    return (
        _url_name(request) in LIVE_POLLS
        and response.status_code in (200, 304)
        and _workshop_running(request)
    )


def _sign_in_url(next_path: str | None) -> str:
    url = resolve_url(settings.LOGIN_URL)
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def _page_to_return_to(request: HttpRequest) -> str | None:
    """Where signing in again should lead: the page asked for, or, for a form or a
    script's request, the page it came from (a form's address may take no GET)."""
    if request.method in ("GET", "HEAD") and not _from_script(request):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def _signed_out_response(request: HttpRequest, message: str) -> HttpResponse:
    """The sign-in page with ``message``; a script gets a 401 saying the same, with
    ``error`` and ``message`` for the scripts that show one or the other."""
    sign_in = _sign_in_url(_page_to_return_to(request))
    if _from_script(request):
        body = {"signed_out": True, "message": message, "error": message, "sign_in": sign_in}
        response: HttpResponse = JsonResponse(body, status=401)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseRedirect(sign_in)


class _Check:
    """Who is signed in, found out once, with the session's limits applied."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.found = request.user  # AuthenticationMiddleware's lazy user, not yet read
        self.now = int(time.time())
        self.signed_in = False
        self.ended: str | None = None

    def user(self):
        request, user = self.request, self.found
        if not user.is_authenticated:
            return user
        reason = _expiry(request.session, self.now)
        if reason is None:
            self.signed_in = True
            return user
        # logout() reads request.user: the account itself, not this lazy object.
        request.user = user
        logout(request)
        # After logout, so it outlives the session (the message goes in a cookie).
        messages.info(request, reason)
        self.ended = reason
        return request.user


class SessionLimitsMiddleware:
    """Checks the limits when the request first asks who is signed in, not before.

    A page that never asks (``/healthz``, a phone's poll that happens to carry a
    session cookie, the outage page) costs nothing more. A page that asks, as every
    page showing the header does, gets the answer after the check: an ended session
    is signed out there and then, so the view runs for nobody and changes nothing of
    theirs, and its answer is replaced by the sign-in page (or, for a script, a 401).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Phones and personal links have no session cookie: nothing to read or check.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        check = _Check(request)
        request.user = SimpleLazyObject(check.user)
        response = self.get_response(request)
        # Unless the view signed someone in afresh (the sign-in page itself).
        if check.ended is not None and not request.user.is_authenticated:
            return _signed_out_response(request, check.ended)
        if check.signed_in:
            if (
                request.user.is_authenticated  # not signed out by the view itself
                and check.now - request.session.get(SEEN_AT, 0) >= STAMP_SECONDS
                and _counts_as_activity(request, response)
            ):
                self._stamp(request, check.now)
            return response
        return self._ended_elsewhere(request, response)

    @staticmethod
    def _stamp(request: HttpRequest, now: int) -> None:
        from allauth.usersessions.models import UserSession

        request.session[SEEN_AT] = now
        if request.session.session_key:
            seen = datetime.fromtimestamp(now, tz=UTC)
            UserSession.objects.filter(session_key=request.session.session_key).update(
                last_seen_at=seen
            )

    @staticmethod
    def _ended_elsewhere(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """A script's request from a session that has ended (signed out on another
        device, the password changed, the account closed) is told so in a form it can
        read, rather than following the redirect to the sign-in page's HTML."""
        if (
            response.status_code == 302
            and _from_script(request)
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL) + "?")
        ):
            return _signed_out_response(request, SIGNED_OUT)
        return response


def stamp_sign_in(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    """Start the clocks of a new sign-in (every way of signing in sends this)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def end_sessions_of_closed_account(sender, instance, **kwargs) -> None:
    """An account made inactive, whichever way (admin site, support page, shell), is
    signed out everywhere at once. (Its sessions would already find no user, as the
    sign-in backend refuses inactive accounts; this removes them and their list.)"""
    if not instance.is_active and instance.pk:
        end_all_sessions(instance)


def remember_browser(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """Keep "Firefox on Windows" with the session allauth has just listed, for the
    list of devices (allauth's own receiver, connected first, made the row)."""
    from allauth.usersessions.models import UserSession

    # The same words as the sign-ins list's (written by the audit log's receivers).
    from workshops.accounts.signals import browser_summary

    key = request.session.session_key if request is not None else None
    row = UserSession.objects.filter(session_key=key).first() if key else None
    if row is not None:
        row.data = {**row.data, "browser": browser_summary(row.user_agent)}
        row.save(update_fields=["data"])


user_logged_in.connect(stamp_sign_in, dispatch_uid="lsp_sessions_stamp_sign_in")
allauth_logged_in.connect(remember_browser, dispatch_uid="lsp_sessions_remember_browser")
post_save.connect(
    end_sessions_of_closed_account,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="lsp_sessions_end_closed_account",
)


def end_all_sessions(user, *, keep: str | None = None) -> int:
    """Sign ``user`` out everywhere (but the session ``keep``); returns how many ended."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=keep or ""):
        session.end()
        ended += 1
    return ended


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """allauth's "sign out of all other devices", recorded in the audit log."""

    def end_sessions(self, sessions) -> None:
        from workshops import audit

        sessions = list(sessions)
        super().end_sessions(sessions)
        request = context.request
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A success, like every other change confirmed on screen (allauth's own
            # message, an "info", is left empty in templates/usersessions/messages).
            messages.success(request, "You have signed out of all your other devices.")
            ended = len(sessions)
            audit.record(
                "account.signed_out_everywhere",
                "Signed out of every other device "
                f"({ended} {'session' if ended == 1 else 'sessions'} ended)",
                account=user,
                request=request,
            )
