"""Two minimal views that set the ceiling the product's live endpoints are measured against.

``constant`` is the cheapest possible Django response (no database), the
yardstick for a 304 poll. ``upsert`` is one raw upsert statement, the
yardstick for a vote.
"""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

UPSERT = (
    "INSERT INTO bench_reference (key, value) VALUES (%s, %s) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
)


def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@csrf_exempt
@require_POST
def upsert(request: HttpRequest) -> HttpResponse:
    try:
        key = int(request.POST["key"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("key must be an integer")
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [key, request.POST.get("value", "")])
    return HttpResponse("ok")
