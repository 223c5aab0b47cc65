"""The participant's phone: join with a code, say who you are, vote, wait for the next item.

No account is needed. Joining sets a signed cookie that holds the
participant's id and only travels to this workshop's addresses, so a phone
can only ever vote in the workshop it joined. The pages work with plain form
posts; with JavaScript they poll for changes and vote without reloading.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from workshops import throttle
from workshops.access import get_workshop_by_code
from workshops.forms.workshop import CodeForm, JoinForm
from workshops.models import Workshop, WorkshopError
from workshops.models.workshop import normalise_code
from workshops.services import workshop as services

State = Workshop.State
COOKIE = "lsp_participant"
JOIN_GUESSES = "workshop-join"
COOKIE_AGE = 24 * 3600


def _signer(code: str) -> signing.Signer:
    return signing.Signer(salt=f"workshops.participant.{code}")


def participant_id(request: HttpRequest, code: str) -> int | None:
    """The participant this phone joined this workshop as, from its signed cookie."""
    try:
        return int(_signer(code).unsign(request.COOKIES.get(COOKIE, "")))
    except (signing.BadSignature, ValueError):
        return None


def _too_many(request: HttpRequest, *, increment: bool) -> bool:
    """Whether this address has used up its wrong codes (counting one more if told to)."""
    if increment:
        throttle.count_miss(request, JOIN_GUESSES, settings.WORKSHOP_JOIN_RATE)
    return throttle.used_up(request, JOIN_GUESSES, settings.WORKSHOP_JOIN_RATE)


TOO_MANY = "Too many wrong codes from this network. Wait a minute, then try again."


def join_start(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if _too_many(request, increment=False):
            form.add_error("code", TOO_MANY)
            status = 429
        elif Workshop.objects.filter(code=code).exists():
            return redirect("workshop-join", code=code)
        else:
            _too_many(request, increment=True)
            form.add_error("code", "No workshop has that code. Check it against the screen")
    return render(request, "workshops/live/join_start.html", {"form": form}, status=status)


def join(request: HttpRequest, code: str) -> HttpResponse:
    if code != normalise_code(code) and normalise_code(code):
        return redirect("workshop-join", code=normalise_code(code))
    if _too_many(request, increment=False):
        form = CodeForm({"code": code})
        form.is_valid()
        form.add_error("code", TOO_MANY)
        return render(request, "workshops/live/join_start.html", {"form": form}, status=429)
    try:
        workshop = get_workshop_by_code(code)
    except Http404:
        _too_many(request, increment=True)
        raise
    if participant_id(request, code) is not None and request.method == "GET":
        return redirect("workshop-room", code=code)
    form = JoinForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        try:
            respondent = services.join(
                workshop,
                person=form.person,
                role=form.cleaned_data["role"],
                sector=form.cleaned_data["sector"],
                layer=form.cleaned_data["layer"],
                attempt=form.cleaned_data["attempt"],
            )
        except WorkshopError as exc:
            form.add_error(None, str(exc))
        else:
            response = redirect("workshop-room", code=code)
            response.set_cookie(
                COOKIE,
                _signer(code).sign(str(respondent.pk)),
                max_age=COOKIE_AGE,
                path=reverse("workshop-room", args=[code]),
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(request, "workshops/live/join.html", {"form": form, "workshop": workshop})


def _room_context(workshop: Workshop, respondent_id: int) -> dict:
    context = {"workshop": workshop, "code": workshop.code}
    agenda_item = workshop.current
    if agenda_item and workshop.state in (State.VOTING, State.CLOSED, State.REVEALED):
        item = agenda_item.item
        mine = services.my_votes(respondent_id, item)
        context["ballots"] = [
            {
                "name": basis or "answer",
                "label": services.BASIS_LABELS[basis],
                "options": services.vote_options(workshop, item),
                "chosen": mine.get(basis, ""),
            }
            for basis in services.vote_slots(workshop, item)
        ]
        context["voted"] = bool(mine)
    return context


def room(request: HttpRequest, code: str) -> HttpResponse:
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        return redirect("workshop-join", code=code)
    workshop = get_workshop_by_code(code)
    if workshop.timer_expired() and services.close_if_timer_expired(workshop.pk):
        workshop = get_workshop_by_code(code)
    context = _room_context(workshop, respondent_id)
    context["etag"] = _etag(workshop.version)
    return render(request, "workshops/live/room.html", context)


def _etag(version: int) -> str:
    return f'"{version}"'


def room_live(request: HttpRequest, code: str) -> HttpResponse:
    """What the phone polls every second. Unchanged: a 304 from this process's snapshot."""
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        return HttpResponseForbidden("Join the workshop first.")
    current = services.snapshot(code)
    if current is None:
        return HttpResponse("This workshop no longer exists.", status=404)
    if current.timer_expired:
        services.close_if_timer_expired(current.pk)
        current = services.snapshot(code, fresh=True)
    etag = _etag(current.version)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        workshop = get_workshop_by_code(code)
        etag = _etag(workshop.version)
        response = render(
            request, "workshops/live/_room.html", _room_context(workshop, respondent_id)
        )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    respondent_id = participant_id(request, code)
    if respondent_id is None:
        if wants_json:
            return JsonResponse({"ok": False, "message": "Join the workshop first."}, status=403)
        return redirect("workshop-join", code=code)
    ok, status = False, 409
    values = {
        "internal": request.POST.get("internal", ""),
        "external": request.POST.get("external", ""),
        "": request.POST.get("answer", ""),
    }
    try:
        services.vote(code, respondent_id, int(request.POST.get("item", "")), values)
        ok, status, message = True, 200, "Your vote is in. You can change it until voting closes."
    except ValueError:
        message = "Voting on that item has closed. The current item is shown now."
    except WorkshopError as exc:
        message = str(exc)
    except IntegrityError:
        # The participant no longer exists (the workshop was removed or reset).
        message = "You are no longer in this workshop. Join it again."
    if wants_json:
        return JsonResponse({"ok": ok, "message": message}, status=status)
    (messages.success if ok else messages.error)(request, message)
    return redirect("workshop-room", code=code)
