"""The participant's phone: join with a code, say who you are, vote, wait for the next item.

No account is needed. Joining sets a signed cookie that holds the
participant's id and only travels to this workshop's addresses, so a phone
can only ever vote in the workshop it joined. The pages work with plain form
posts; with JavaScript they poll for changes and vote without reloading.

One person, one vote: a phone that has joined is sent back to its room rather
than joining again; a network gets a room's worth of phones before the
facilitator must let each new one in; and a name someone has already joined
as moves to another phone only when the facilitator says so.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core import signing
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotModified,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from workshops import throttle
from workshops.access import get_workshop_by_code
from workshops.forms.workshop import CodeForm, JoinForm
from workshops.models import Basis, Respondent, WaitingPhone, Workshop, WorkshopError
from workshops.models.workshop import normalise_code
from workshops.services import participants, tally, voting
from workshops.services import workshop as services
from workshops.views import dots, ideas
from workshops.views.common import for_the_room

State = Workshop.State
COOKIE = "lsp_participant"
WAITING_COOKIE = "lsp_waiting"
JOIN_GUESSES = "workshop-join"
COOKIE_AGE = 24 * 3600


def _signer(code: str, kind: str = "participant") -> signing.Signer:
    return signing.Signer(salt=f"workshops.{kind}.{code}")


def _signed_id(request: HttpRequest, code: str, cookie: str, kind: str) -> int | None:
    try:
        return int(_signer(code, kind).unsign(request.COOKIES.get(cookie, "")))
    except (signing.BadSignature, ValueError):
        return None


def participant_id(request: HttpRequest, code: str) -> int | None:
    """The participant this phone joined this workshop as, from its signed cookie."""
    return _signed_id(request, code, COOKIE, "participant")


def _set_cookie(
    response: HttpResponse, request: HttpRequest, code: str, cookie: str, pk: int
) -> None:
    kind = "participant" if cookie == COOKIE else "waiting"
    response.set_cookie(
        cookie,
        _signer(code, kind).sign(str(pk)),
        max_age=COOKIE_AGE,
        path=reverse("workshop-room", args=[code]),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def _forget_cookie(response: HttpResponse, code: str, cookie: str) -> None:
    response.delete_cookie(cookie, path=reverse("workshop-room", args=[code]), samesite="Lax")


def _no_such_code(request: HttpRequest, form: CodeForm, wait: int) -> HttpResponse:
    """A wrong code, already counted against the network: said so, and past the
    allowance the network is told how long to wait before its next one."""
    message = "No workshop has that code. Check it against the screen"
    if wait:
        message = f"No workshop has that code. {throttle.wait_message(wait, 'code')}"
    form.add_error("code", message)
    response = render(
        request, "workshops/live/join_start.html", {"form": form}, status=429 if wait else 200
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def join_start(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        # A right code is always looked up first: guesses from the same network
        # never keep the people who hold the code out.
        if Workshop.objects.filter(code=code).exists():
            return redirect("workshop-join", code=code)
        return _no_such_code(request, form, throttle.count_miss(request, JOIN_GUESSES))
    return render(request, "workshops/live/join_start.html", {"form": form})


def _joined(request: HttpRequest, workshop: Workshop) -> bool:
    """Whether this phone holds a cookie for a participant still in the workshop."""
    respondent_id = participant_id(request, workshop.code)
    return respondent_id is not None and workshop.participants.filter(pk=respondent_id).exists()


def _waiting_phone(request: HttpRequest, workshop: Workshop) -> WaitingPhone | None:
    waiting_id = _signed_id(request, workshop.code, WAITING_COOKIE, "waiting")
    if waiting_id is None:
        return None
    return workshop.waiting_phones.select_related("participant").filter(pk=waiting_id).first()


def join(request: HttpRequest, code: str) -> HttpResponse:
    if code != normalise_code(code) and normalise_code(code):
        return redirect("workshop-join", code=normalise_code(code))
    try:
        workshop = get_workshop_by_code(code)
    except Http404:
        wait = throttle.count_miss(request, JOIN_GUESSES)
        form = CodeForm({"code": code})
        if wait and form.is_valid():
            return _no_such_code(request, form, wait)
        raise
    if _joined(request, workshop):
        return redirect("workshop-room", code=code)
    if _waiting_phone(request, workshop) is not None:
        return redirect("workshop-wait", code=code)
    initial = {"who": JoinForm.ANONYMOUS} if request.GET.get("who") == JoinForm.ANONYMOUS else {}
    form = JoinForm(request.POST or None, workshop=workshop, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            joined = participants.join_phone(
                workshop,
                throttle.network_of(request),
                person=form.person,
                role=form.cleaned_data["role"],
                sector=form.cleaned_data["sector"],
                layer=form.cleaned_data["layer"],
                attempt=form.cleaned_data["attempt"],
                ask_if_taken=form.cleaned_data["ask"],
            )
        except participants.NameTaken as exc:
            context = {"workshop": workshop, "person": exc.person, "form": form}
            return render(request, "workshops/live/name_taken.html", context)
        except WorkshopError as exc:
            form.add_error(None, str(exc))
        else:
            return _welcome(request, code, joined)
    return render(request, "workshops/live/join.html", {"form": form, "workshop": workshop})


def _welcome(request: HttpRequest, code: str, joined: Respondent | WaitingPhone) -> HttpResponse:
    if isinstance(joined, WaitingPhone):
        response = redirect("workshop-wait", code=code)
        _set_cookie(response, request, code, WAITING_COOKIE, joined.pk)
    else:
        response = redirect("workshop-room", code=code)
        _set_cookie(response, request, code, COOKIE, joined.pk)
    return response


@never_cache
def wait(request: HttpRequest, code: str) -> HttpResponse:
    """A phone waiting to be let in: refreshed by its script until the facilitator decides."""
    # The cookie first: without one this page says nothing about any code.
    if _signed_id(request, code, WAITING_COOKIE, "waiting") is None:
        return redirect("workshop-join", code=code)
    workshop = get_workshop_by_code(code)
    waiting = _waiting_phone(request, workshop)
    if waiting is None:
        response = redirect("workshop-join", code=code)
    elif waiting.is_waiting:
        return render(request, "workshops/live/wait.html", {"workshop": workshop})
    else:
        participant = participants.collect(waiting)
        if participant is None:
            context = {"workshop": workshop, "turned_away": True}
            response = render(request, "workshops/live/wait.html", context)
        else:
            response = redirect("workshop-room", code=code)
            _set_cookie(response, request, code, COOKIE, participant.pk)
    _forget_cookie(response, code, WAITING_COOKIE)
    return response


def room_context(workshop: Workshop, respondent_id: int) -> dict:
    context = {"workshop": workshop, "code": workshop.code}
    if workshop.dots_id and workshop.state != State.FINISHED:
        return {**context, **dots.room_context(workshop, respondent_id)}
    if workshop.ideas_id and workshop.state != State.FINISHED:
        return {**context, **ideas.room_context(workshop, respondent_id)}
    agenda_item = workshop.current
    if agenda_item and workshop.state in (State.VOTING, State.CLOSED, State.REVEALED):
        item = agenda_item.item
        mine = voting.my_votes(respondent_id, item)
        slots = for_the_room(workshop, "slots", lambda: voting.vote_slots(workshop, item))
        options = for_the_room(workshop, "options", lambda: voting.vote_options(workshop, item))
        context["ballots"] = [
            {
                "name": basis or "answer",
                "label": Basis.ballot(basis),
                "options": options,
                "chosen": mine.get(basis, ""),
            }
            for basis in slots
        ]
        context["voted"] = bool(mine)
        context["vote_message"] = voting.StoredVote.of(slots, mine).message if mine else ""
    if workshop.shows_results:
        # What the projector shows, and no more: the same tally, withheld the same way.
        context["tally"] = for_the_room(workshop, "tally", lambda: tally.tally(workshop))
        context["joined"], context["voted_count"] = for_the_room(
            workshop, "progress", lambda: tally.progress(workshop)
        )
    return context


# One read of the workshop per version in each app server process, shared by every
# phone's poll that needs the page again (and with it the tally, see for_the_room):
# after "Next" the whole room asks within a second, and each adds only its own votes.
# Kept ROOM_SECONDS at most, so the room's counts shown beside a tally stay current.
ROOM_SECONDS = 1.0
_rooms: dict[str, tuple[float, Workshop]] = {}


def _room_workshop(code: str, version: int) -> Workshop:
    now = time.monotonic()
    kept = _rooms.get(code)
    if kept is not None and kept[1].version == version and now - kept[0] < ROOM_SECONDS:
        return kept[1]
    workshop = get_workshop_by_code(code)
    if len(_rooms) > 1000:  # workshops that have ended fall out in time
        for old in [c for c, (taken, _) in _rooms.items() if now - taken > 60]:
            del _rooms[old]
    _rooms[code] = (now, workshop)
    return workshop


def room(request: HttpRequest, code: str) -> HttpResponse:
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        return redirect("workshop-join", code=code)
    workshop = get_workshop_by_code(code)
    if not workshop.participants.filter(pk=respondent_id).exists():
        # Removed by the facilitator, or moved to another phone: this cookie is spent.
        response = redirect("workshop-join", code=code)
        _forget_cookie(response, code, COOKIE)
        return response
    if workshop.timer_expired() and services.close_if_timer_expired(workshop.pk):
        workshop = get_workshop_by_code(code)
    context = room_context(workshop, respondent_id)
    context["etag"] = room_etag(workshop.version)
    return render(request, "workshops/live/room.html", context)


def room_etag(version: int) -> str:
    return f'"{version}"'


def room_live(request: HttpRequest, code: str) -> HttpResponse:
    """What the phone polls every second. Unchanged: a 304 from this process's snapshot
    (usually answered by ``unchanged`` before the middleware, see lsp_assess.middleware).

    Nothing here checks that the participant is still in the workshop: a phone
    whose participant has gone is shown only what the room sees (its votes went
    with it, or moved to the other phone), and its votes are refused.
    """
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        return HttpResponseForbidden("Join the workshop first.")
    current = voting.snapshot(code)
    if current is None:
        return HttpResponse("This workshop no longer exists.", status=404)
    if current.timer_expired:
        services.close_if_timer_expired(current.pk)
        current = voting.snapshot(code, fresh=True)
    etag = room_etag(current.version)
    if request.headers.get("If-None-Match") == etag:
        return _not_modified(etag)
    workshop = _room_workshop(code, current.version)
    response = HttpResponse(_room_html(request, workshop, room_context(workshop, respondent_id)))
    response["ETag"] = room_etag(workshop.version)
    response["Cache-Control"] = "no-cache"
    return response


def _room_html(request: HttpRequest, workshop: Workshop, context: dict) -> str:
    """The polled fragment. Without a form on it (the form's CSRF token is the phone's
    own), every phone that shows the same choices shows the same page: rendered once
    for the room's copy of this version. After "Next" that is the whole room."""
    template = "workshops/live/_room.html"
    # A dot vote shows the phone's own dots, and ideas its own ideas, in every state:
    # only a rated question's page is the same for every phone with the same choices.
    if workshop.dots_id or workshop.ideas_id or workshop.state == State.VOTING:
        return render_to_string(template, context, request)
    chosen = tuple((ballot["name"], ballot["chosen"]) for ballot in context.get("ballots", ()))
    return for_the_room(
        workshop,
        ("page", context.get("voted", False), chosen),
        lambda: render_to_string(template, context, request),
    )


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def unchanged(request: HttpRequest, code: str) -> HttpResponse | None:
    """The poll's 304, when this phone joined and its page is the workshop's current one;
    None for everything else, which ``room_live`` answers (or refuses) as ever.

    It needs neither the session, the user nor a CSRF token, so it can answer before
    that middleware runs: most of what hundreds of phones ask each second."""
    sent = request.META.get("HTTP_IF_NONE_MATCH")
    if not sent or participant_id(request, code) is None:
        return None
    current = voting.snapshot(code)
    if current is None or current.timer_expired or sent != room_etag(current.version):
        return None
    return _not_modified(sent)


def _cast_vote(code: str, respondent_id: int, data: QueryDict) -> tuple[int, str, int]:
    """Store the vote a phone sent; returns the response's status, what to tell the phone,
    and how the page without JavaScript shows it (a vote missing a basis is a warning)."""
    try:
        agenda_item_id = int(data.get("item", ""))
    except ValueError:  # none sent, or text int() cannot read ("abc", "²", 5000 digits)
        message = "That vote did not say which question it was for. Reload the page and vote again."
        return 400, message, messages.ERROR
    values = {
        "internal": data.get("internal", ""),
        "external": data.get("external", ""),
        "": data.get("answer", ""),
    }
    try:
        stored = voting.vote(code, respondent_id, agenda_item_id, values)
    except participants.NotJoined as exc:
        return 403, str(exc), messages.ERROR
    except WorkshopError as exc:
        return 409, str(exc), messages.ERROR
    return 200, stored.message, messages.WARNING if stored.unrated else messages.SUCCESS


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        if wants_json:
            return JsonResponse({"ok": False, "message": "Join the workshop first."}, status=403)
        return redirect("workshop-join", code=code)
    status, message, level = _cast_vote(code, respondent_id, request.POST)
    if wants_json:
        return JsonResponse({"ok": status == 200, "message": message}, status=status)
    messages.add_message(request, level, message)
    return redirect("workshop-room", code=code)
