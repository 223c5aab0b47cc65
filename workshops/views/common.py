"""Reading what a request sends: the posted form, a whole number, a ticked box;
what every phone's page of one live workshop shares; and the console's page for
putting something to the room in the current item's place.

Whatever arrives, these answer None or False rather than raise, so a mistyped
or tampered value is the page's own "choose one" message, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from workshops.models import Workshop

T = TypeVar("T")


def posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data, or None on a first visit (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def integer(data: QueryDict, name: str, *, default: int | None = None) -> int | None:
    """The whole number sent as ``name``: ``default`` when it is missing or blank,
    None when it is not one (letters, or digits int() cannot read, such as "²")."""
    value = data.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        return None


def flag(data: QueryDict, name: str) -> bool:
    """Whether a checkbox was ticked. A browser sends a ticked box's value, whatever
    it is ("yes", "on"), and nothing for one left clear: any value is ticked."""
    return bool(data.get(name))


def for_the_room(workshop: Workshop, name: Hashable, compute: Callable[[], T]) -> T:
    """What every phone's page shows alike (the ballot's options, the tally), worked
    out once for this copy of the workshop. views.live shares one copy per version
    among the phones' polls; a copy read for one request keeps it for that request."""
    shared = workshop.__dict__.setdefault("_for_the_room", {})
    if name not in shared:
        shared[name] = compute()
    return shared[name]


def put_to_room_page(
    request: HttpRequest, workshop: Workshop, form: Form, title: str, template: str
) -> HttpResponse:
    """The console's form for a dot vote or ideas put to the room: shown, or shown
    again with what was wrong (400)."""
    context = {
        "form": form,
        "title": title,
        "workshop": workshop,
        "partnership": workshop.assessment.partnership,
    }
    return render(request, template, context, status=400 if form.errors else 200)
