"""The yardstick's two views: the cheapest response, and one upsert.

``constant`` answers "ok" without the database, the measure for a 304 poll.
``upsert`` runs one ``INSERT ... ON CONFLICT DO UPDATE``, the measure for a vote.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path

UPSERT = (
    "INSERT INTO bench_reference (key, value) VALUES (%s, %s) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
)


def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def upsert(request: HttpRequest) -> HttpResponse:
    # No CSRF middleware here to exempt from: the project has no middleware at all.
    if request.method != "POST":
        return HttpResponse(status=405)
    try:
        key = int(request.POST["key"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("key must be an integer")
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [key, request.POST.get("value", "")])
    return HttpResponse("ok")


urlpatterns = [
    path("constant/", constant),
    path("upsert/", upsert),
]
