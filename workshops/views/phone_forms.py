"""A phone's own forms in the workshop room, in place of the item: its dots or its order in
a ranking, and its ideas. Each is stored whole or refused whole, with the room's page shown
again with the form as sent and why."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from workshops.access import get_workshop_by_code
from workshops.models import Workshop, WorkshopError
from workshops.services import participants
from workshops.views import dots, ideas
from workshops.views.live import State, participant_id, room_context, room_etag


def _phone_form(request: HttpRequest, code: str, store, shown_again) -> str | HttpResponse:
    """A phone's form in place of the item (its dots, an idea): ``store(workshop,
    participant id, data)`` stores it and returns what to tell the phone. Refused, it
    stores nothing: the room's page comes back with the form as sent and why, from
    ``shown_again(workshop, participant id, data, error)``, or, when that is None
    because the room has moved on, the phone goes to where the room now is."""
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        return redirect("workshop-join", code=code)
    workshop = get_workshop_by_code(code)
    try:
        return store(workshop, respondent_id, request.POST)
    except participants.NotJoined as exc:
        messages.error(request, str(exc))
        return redirect("workshop-room", code=code)
    except WorkshopError as exc:
        workshop = get_workshop_by_code(code)  # it may have moved on: show where it is
        again = shown_again(workshop, respondent_id, request.POST, str(exc))
        if again is None:
            messages.error(request, str(exc))
            return redirect("workshop-room", code=code)
        context = {**room_context(workshop, respondent_id), **again}
        context["etag"] = room_etag(workshop.version)
        return render(request, "workshops/live/room.html", context, status=400)


def _dots_again(workshop: Workshop, respondent_id: int, data: QueryDict, error: str):
    if workshop.state != State.VOTING or str(workshop.dots_id) != data.get("vote"):
        return None
    return {**dots.room_context(workshop, respondent_id, data), "dot_errors": [error]}


def _idea_again(workshop: Workshop, respondent_id: int, data: QueryDict, error: str):
    if not ideas.still_collecting(workshop, data):
        return None
    return ideas.room_context(workshop, respondent_id, data, error)


@require_POST
def dots_vote(request: HttpRequest, code: str) -> HttpResponse:
    """A phone's dots, or its order in a ranking: stored whole, replacing what it sent
    before, or refused whole with the GOV.UK error summary above the ballot as sent."""
    said = _phone_form(request, code, dots.allocate_posted, _dots_again)
    if isinstance(said, HttpResponse):
        return said
    messages.success(request, said)
    moved = request.POST.get("move", "").partition(":")[2]
    # A ranking's move comes back to the priority moved, so the keyboard carries on there.
    where = f"#rank-{moved}" if moved.isdigit() else ""
    return redirect(reverse("workshop-room", args=[code]) + where)


@require_POST
def ideas_send(request: HttpRequest, code: str) -> HttpResponse:
    """A phone's idea sent, changed or deleted; or refused, storing nothing, with the
    GOV.UK error summary above the words as sent."""
    said = _phone_form(request, code, ideas.phone_post, _idea_again)
    if isinstance(said, HttpResponse):
        return said
    messages.success(request, said)
    return redirect(reverse("workshop-room", args=[code]) + "#my-ideas")
