"""Reading what a request sends: the posted form, a whole number, a ticked box;
and what every phone's page of one live workshop shares.

Whatever arrives, these answer None or False rather than raise, so a mistyped
or tampered value is the page's own "choose one" message, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from django.http import HttpRequest, QueryDict

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
