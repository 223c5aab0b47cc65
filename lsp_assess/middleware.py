"""A database outage is a 503 page that says to try again, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lsp_assess.views import DATABASE_UNAVAILABLE, service_unavailable


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
