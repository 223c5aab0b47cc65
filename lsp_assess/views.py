"""Views that belong to the site rather than to an app: the health check, the
pages shown when the database is out of reach, and the accessibility statement."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
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
    """For load balancers: does the database answer? Public, so it never says why not.

    It touches neither the session nor the user, so a probe costs one query and
    sets no cookie.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        logger.warning("Health check: database unavailable: %s", exc)
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the public sector accessibility regulations ask
    for, public so anyone can read it before signing in."""
    return render(request, "accessibility.html")


def service_unavailable() -> HttpResponse:
    """The 503 page for a database outage.

    Rendered with no request, so no context processor runs: asking for
    ``request.user`` would need the database that has just failed.
    """
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    # A cache in front of the site must not go on serving the outage page.
    add_never_cache_headers(response)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage outside a view (in a middleware, say) is a
    503 too; anything else is Django's own 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable()
    return defaults.server_error(request)
