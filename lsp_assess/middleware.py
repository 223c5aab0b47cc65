"""The site's own middleware: a database outage is a 503 page that says to try again,
never a traceback; the Content-Security-Policy header is built once; a phone's
unchanged poll, and its vote, are answered before the rest of the stack."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, ResolverMatch, resolve

from lsp_assess.views import DATABASE_UNAVAILABLE, service_unavailable
from workshops.views import live


class DatabaseUnavailableMiddleware:
    """Turns a view's or template's lost database connection into the 503 page.

    Errors raised outside views (in another middleware) reach ``handler500``,
    which does the same. The app recovers by itself: Django's connection health
    checks replace the dropped connection on a later request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        # The page hides the cause; the log keeps it, in one line, for whoever is on call.
        return service_unavailable(request, exception)


class PhonePollMiddleware:
    """Answers a phone's unchanged poll (304), and stores a vote its page's script sent,
    before the session, user and message middleware, none of which they need: hundreds
    of phones ask every second, and a room votes within a few seconds of opening.

    Placed after the security and CSP middleware, so the answers carry their headers;
    it adds X-Frame-Options as XFrameOptionsMiddleware would. A vote is checked for its
    CSRF token by Django's own CSRF middleware, as further down, and a lost database is
    the 503 page, as further down. Anything else (no cookie, a change, a vote from the
    page without JavaScript, another address) goes down the whole stack as before.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.frame_options = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = None
        if request.method in ("GET", "HEAD") and "HTTP_IF_NONE_MATCH" in request.META:
            match = _resolved(request)
            if match is not None and match.func is live.room_live:
                response = live.unchanged(request, match.kwargs["code"])
        elif request.method == "POST" and "application/json" in request.META.get("HTTP_ACCEPT", ""):
            match = _resolved(request)
            if match is not None and match.func is live.vote:
                response = self._vote(request, match)
        if response is None:
            return self.get_response(request)
        response.setdefault("X-Frame-Options", self.frame_options)
        return response

    def _vote(self, request: HttpRequest, match: ResolverMatch) -> HttpResponse:
        refused = self.csrf.process_request(request) or self.csrf.process_view(
            request, match.func, match.args, match.kwargs
        )
        if refused is not None:
            return refused
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except DATABASE_UNAVAILABLE as exc:
            return service_unavailable(request, exc)
        return self.csrf.process_response(request, response)


def _resolved(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the site's policy built once, at start-up, rather than
    from the settings for every response. A response that changes its policy (a view's
    ``_csp_update``, say) or a page that used a nonce is built by django-csp as before."""

    OWN = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.policy = build_policy()
        self.report_only = build_policy(report_only=True)
        excluded = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
            "EXCLUDE_URL_PREFIXES"
        )
        self.plain = not self.report_only and not excluded

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            not self.plain
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.OWN)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        if self.policy:
            response.headers.setdefault(HEADER, self.policy)
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
