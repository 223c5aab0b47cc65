"""Views that belong to the site rather than to an app: the health check, the
pages shown when the database is out of reach, the accessibility statement and
the icon at /favicon.ico."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Errors that mean the database cannot be reached (server down, connection
# dropped or refused) rather than a bug in a query: worth a retry later.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)

# Seconds a client or crawler should wait before asking again.
RETRY_AFTER = 120


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: do the database and the shared cache answer?
    Public, so it never says why not.

    The database is essential: without it the answer is 503, so a load balancer takes
    the server out. Without the cache the site still works (the guess counters let
    everyone through) but is "degraded", still 200, so only a monitor raises the alarm.
    It touches neither the session nor the user: one query, one cache read, no cookie.
    """
    state = {"database": _database_state(), "cache": _cache_state()}
    if state["database"] != "ok":
        return JsonResponse({"status": "unavailable", **state}, status=503)
    return JsonResponse({"status": "ok" if state["cache"] == "ok" else "degraded", **state})


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Health check: database unavailable: %s", exc)
        return "unavailable"
    return "ok"


def _cache_state() -> str:
    try:
        cache.get("healthz")
    except Exception as exc:  # noqa: BLE001 - each backend raises its own errors
        logger.warning("Health check: cache unavailable: %s", exc)
        return "unavailable"
    return "ok"


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the public sector accessibility regulations ask
    for, public so anyone can read it before signing in."""
    return render(request, "accessibility.html")


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def favicon(request: HttpRequest) -> FileResponse:
    """The site's icon where browsers look for it unasked (pages name the SVG, but a PDF
    or a JSON answer names none), so they get an icon instead of a 404 on every page.
    Drawn by scripts/make_favicon.py."""
    # Found among the static sources (not the collected files), so it is served the
    # same with and without collectstatic.
    icon = finders.find("img/favicon.ico")
    return FileResponse(open(icon, "rb"), content_type="image/x-icon")


def service_unavailable(request: HttpRequest | None = None, cause: Exception | None = None):
    """The 503 page for a database outage, logged as one line with its cause.

    Rendered with no context processors: asking for ``request.user`` would need the
    database that has just failed. The page links back to where the person was and a
    static script retries by itself once the health check answers again.
    """
    if request is not None:
        first_line = str(cause).strip().splitlines()[0] if cause is not None else "unknown"
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, first_line)
    context = {"back": _way_back(request), "health_url": reverse("healthz")}
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    # A cache in front of the site must not go on serving the outage page.
    add_never_cache_headers(response)
    # Logged above, once; Django would add a line of its own for every 5xx.
    response._has_been_logged = True
    return response


def _way_back(request: HttpRequest | None) -> str:
    """The page to go back to: the one asked for, or for a form the page it was on;
    only ever an address on this site."""
    if request is None:
        return "/"
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage outside a view (in a middleware, say) is a
    503 too; anything else is Django's own 500 page."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return service_unavailable(request, exception)
    return defaults.server_error(request)
