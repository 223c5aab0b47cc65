"""The facilitator's console and the projector's presenter view.

Neither is ever kept by a browser or proxy cache (``never_cache``): they show
who has joined and, once revealed, how the room voted.

Every press on the console comes back to the console at the part it was about
(``#work``, ``#agreed``, ``#actions``, ``#joined``), with a message the console shows
there; with JavaScript the console sends the press itself and puts the page it is
sent back to in place (static/js/console.js), so nothing reloads.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache

from workshops.access import (
    POST_ONLY,
    READ_ONLY,
    Need,
    get_agenda_item,
    get_assessment,
    get_workshop,
)
from workshops.forms.workshop import ActionForm, ConsensusForm, WorkshopForm
from workshops.models import Membership, Workshop, WorkshopError
from workshops.models.workshop import COUNTDOWN_ADDED, COUNTDOWN_CHOICES
from workshops.reporting import charts
from workshops.services import dots, evidence, ideas, participants, tally
from workshops.services import workshop as services
from workshops.views.common import integer, posted

# Where on the console each press comes back to: the working area, the agreed form,
# the item's actions, the list of who has joined. Messages tagged with a place are
# shown there; untagged ones at the top of the working area.
WORK, AGREED, ACTIONS, JOINED = "work", "agreed", "actions", "joined"


def join_address(request: HttpRequest, workshop: Workshop | None = None) -> str:
    """The address phones join at, as the room sees it on the projector."""
    path = reverse("workshop-join", args=[workshop.code]) if workshop else reverse("join")
    return request.build_absolute_uri(path)


@login_required
def workshop_create(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.FACILITATE)
    form = WorkshopForm(
        posted(request),
        partnership=assessment.partnership,
        initial={"facilitator": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        workshop = services.create_workshop(
            assessment, request.user, by=request.user, **form.cleaned_data
        )
        messages.success(
            request,
            f"{workshop} is set up with {workshop.agenda.count()} items on its agenda.",
        )
        return redirect(workshop)
    context = {
        "form": form,
        "title": f"Set up a workshop for {assessment}",
        "partnership": assessment.partnership,
    }
    return render(request, "workshops/form.html", context)


def _live(workshop: Workshop, *, console: bool = False) -> dict:
    """What the console's status panel and the presenter show, by state. The console
    also shows how many were expected and the phones waiting to be let in."""
    joined, voted = tally.progress(workshop)
    context = {"workshop": workshop, "joined": joined, "voted": voted}
    if workshop.dots_id:  # the room is voting on priorities: count allocations instead
        context["dot_vote"], context["voted"] = workshop.dots, dots.voted(workshop.dots)
    if workshop.ideas_id:  # the room is sending ideas: what the screen may show of them
        context.update(ideas.screen_context(workshop, console=console))
    if console:
        context["expected"] = workshop.expected_people()
        context["waiting"] = participants.waiting_phones(workshop)
    return context


def _at_the_controls(context: dict, membership: Membership) -> dict:
    """What the console's controls need beyond the state: whether the room is on the
    agenda's last item (where moving on would finish the workshop, which is asked for
    apart), whether this member may reopen a finished workshop, and the countdowns."""
    workshop = context["workshop"]
    current = workshop.current
    context["on_last_item"] = current is not None and not (
        workshop.agenda.filter(position__gt=current.position).exists()
    )
    if workshop.dots_id or workshop.ideas_id:  # "Back to the agenda" takes next's place
        context["on_last_item"] = True
    context["may_reopen"] = workshop.may_reopen(membership)
    context["countdowns"] = COUNTDOWN_CHOICES
    context["time_added"] = COUNTDOWN_ADDED
    return context


def _with_results(context: dict) -> dict:
    if context["workshop"].shows_results and "dot_vote" in context:
        context["dot_totals"] = dots.totals(context["dot_vote"])
    elif context["workshop"].shows_results and "idea_collection" not in context:
        context["tally"] = tally.tally(context["workshop"])
    return context


def _etag(context: dict) -> str:
    tag = f"{context['workshop'].version}-{context['joined']}-{context['voted']}"
    if "ideas_mark" in context:  # ideas arrive and are moderated without a new version
        tag += f"-{context['ideas_mark']}"
    if "waiting" in context:  # the console: a phone asking to be let in shows at once
        tag += "-" + ".".join(str(phone.pk) for phone in context["waiting"])
    return f'"{tag}"'


def _live_response(
    request: HttpRequest, workshop: Workshop, template: str, membership: Membership | None = None
) -> HttpResponse:
    """The console's and presenter's poll. Their "8 of 12 voted" changes with each new
    voter, so their ETag counts voters as well as the version (and, on the console,
    the phones waiting); only one or two such screens poll, unlike the phones."""
    if workshop.timer_expired() and services.close_if_timer_expired(workshop.pk):
        workshop.refresh_from_db()
    context = _live(workshop, console=membership is not None)
    etag = _etag(context)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        if membership is not None:
            _at_the_controls(context, membership)
        response = render(request, template, _with_results(context))
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def console_page(
    request, workshop: Workshop, membership: Membership, selected_id=None, *, bound=None
) -> HttpResponse:
    """The console page; ``bound`` is a submitted form with errors to show again."""
    agenda = list(workshop.agenda.select_related("item__section"))
    selected = next((a for a in agenda if str(a.pk) == str(selected_id)), None)
    selected = selected or next((a for a in agenda if a.pk == workshop.current_id), None)
    live = _live(workshop, console=True)
    etag = _etag(live)
    context = {
        **_with_results(_at_the_controls(live, membership)),
        "etag": etag,
        "partnership": workshop.assessment.partnership,
        "assessment": workshop.assessment,
        "agenda": agenda,
        "selected": selected,
        "join_address": join_address(request),
        "participants": participants.participants(workshop),
        "agreed_count": sum(entry.is_agreed for entry in agenda),
    }
    if selected:
        selected.workshop = workshop
        context["evidence"] = evidence.notes_for(workshop.assessment, selected.item)
        context["consensus_form"] = ConsensusForm(
            instance=selected, workshop=workshop, item=selected.item
        )
        context["action_form"] = ActionForm(workshop=workshop)
        context["actions"] = workshop.assessment.actions.filter(item=selected.item).select_related(
            "owner"
        )
        if selected.pk != workshop.current_id:
            # An item the room has moved on from: its votes, to record what was agreed.
            context["selected_tally"] = tally.tally(workshop, selected)
    if bound is not None:
        context[bound.context_name] = bound
        context["form"] = bound  # for the error summary
    return render(request, "workshops/workshop/console.html", context, status=400 if bound else 200)


@never_cache
@login_required
def workshop_console(request: HttpRequest, partnership_id: int, assessment_id: int, workshop_id):
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    return console_page(request, workshop, membership, request.GET.get("item"))


@never_cache
@login_required
def workshop_console_live(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    return _live_response(request, workshop, "workshops/workshop/_status.html", membership)


@never_cache
@login_required
def workshop_present(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    context = {
        **_with_results(_live(workshop)),
        "join_address": join_address(request),
        "join_link": join_address(request, workshop),
    }
    return render(request, "workshops/workshop/present.html", context)


@never_cache
@login_required
def workshop_present_live(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    return _live_response(request, workshop, "workshops/workshop/_present.html")


@login_required
def workshop_qr(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    qr = segno.make(join_address(request, workshop), error="m")
    response = HttpResponse(content_type="image/svg+xml")
    qr.save(response, kind="svg", scale=10, border=2, xmldecl=False, title="Join the workshop")
    return response


@login_required
def workshop_chart(
    request: HttpRequest, partnership_id, assessment_id, workshop_id, group: str, basis: str
):
    """One distribution as a bar chart, for the presenter and console beside its table.

    The current item's chart exists only once results are revealed, like the table.
    """
    chosen = integer(request.GET, "item")
    if chosen is None:
        workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
        agenda_item = workshop.current
    else:
        agenda_item, _ = get_agenda_item(
            request, partnership_id, assessment_id, workshop_id, chosen
        )
        workshop = agenda_item.workshop
    if agenda_item is None or (
        agenda_item.pk == workshop.current_id and not workshop.shows_results
    ):
        raise Http404("Results are not shown yet.")
    votes = tally.tally(workshop, agenda_item)
    basis = "" if basis == "answer" else basis
    for candidate in votes.groups:
        for dist in candidate.distributions:
            if candidate.key == group and dist.basis == basis and not dist.withheld:
                labels = [row.label for row in dist.rows]
                svg = charts.distribution_chart(labels, [row.count for row in dist.rows])
                return HttpResponse(svg, content_type="image/svg+xml")
    raise Http404("No such chart.")


def back_to_console(
    workshop: Workshop, agenda_item_id: int | None = None, place: str = WORK
) -> HttpResponse:
    """The console, showing the agenda item asked for (else the current one), at ``place``."""
    url = workshop.get_absolute_url()
    if agenda_item_id is not None:
        url += f"?item={agenda_item_id}"
    return redirect(f"{url}#{place}")


def _what_happened(action: str, workshop: Workshop) -> str:
    """The console's confirmation of a facilitator's step, once taken."""
    if workshop.state == Workshop.State.FINISHED:
        return f"{workshop} has finished: phones say so and take no more votes."
    on = workshop.current.item.key if workshop.current_id else ""
    if workshop.dots_id:
        on = f"“{workshop.dots.title}”"
    elif workshop.ideas_id:
        on = f"ideas for “{workshop.ideas.prompt}”"
    remote = "shown beside" if workshop.show_remote else "no longer shown beside"
    closes = workshop.voting_closes_at
    at = f"voting closes at {localtime(closes):%H:%M:%S}." if closes else ""
    return {
        "open": f"Voting is open on {on}.",
        "close": f"Voting is closed on {on}.",
        "reveal": f"How the room voted on {on} is on the screen.",
        "hide": f"How the room voted on {on} is off the screen.",
        "next": f"The room is on {on}.",
        "previous": f"The room is back on {on}.",
        "skip": f"Skipped; the room is on {on}.",
        "timer": f"The countdown is on: {at}" if closes else "",
        "add_time": f"{COUNTDOWN_ADDED} seconds added: {at}" if closes else "",
        "show_remote": f"The questionnaire's answers are {remote} the room's.",
        "reopen": f"{workshop} is open again" + (f", on {on}." if on else ", waiting to start."),
    }.get(action, "")


@never_cache
@login_required
def workshop_control(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    """One of the facilitator's steps. A finished workshop is reopened only by its own
    facilitator or a coordinator. ``item``, when sent, is the agenda item the console
    was showing (with text typed and not yet recorded), which it goes back to."""
    workshop, membership = get_workshop(
        request, partnership_id, assessment_id, workshop_id, methods=POST_ONLY
    )
    action = request.POST.get("action", "")
    if action == "reopen" and not workshop.may_reopen(membership):
        raise PermissionDenied("Only the workshop's facilitator or a coordinator can reopen it.")
    version = integer(request.POST, "version")
    # A countdown's length that is not a number is the countdown's own refusal (the
    # service says what it takes); for any other step it is a request gone wrong.
    seconds = integer(request.POST, "seconds", default=0)
    if version is None or (seconds is None and action not in services.COUNTDOWN_STEPS):
        messages.error(request, "That request was incomplete. Nothing was changed.")
    else:
        try:
            workshop = services.change(
                workshop.pk, action, version, seconds=seconds, by=request.user
            )
        except WorkshopError as exc:
            messages.error(request, str(exc))
        else:
            if said := _what_happened(action, workshop):
                messages.success(request, said)
    return back_to_console(workshop, integer(request.POST, "item"))


@never_cache
@login_required
def workshop_finish(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    """Asks before finishing. Its button sends the step to the console's controls."""
    workshop, membership = get_workshop(
        request, partnership_id, assessment_id, workshop_id, methods=READ_ONLY
    )
    if workshop.state not in Workshop.ALLOWED["finish"]:
        messages.error(request, f"{workshop} cannot be finished now: it is {workshop.describe()}.")
        return back_to_console(workshop)
    context = {
        "workshop": workshop,
        "partnership": workshop.assessment.partnership,
        "not_agreed": workshop.agenda.filter(agreed_at=None, skipped=False).count(),
        "may_reopen": workshop.may_reopen(membership),
    }
    return render(request, "workshops/workshop/finish.html", context)


@never_cache
@login_required
def waiting_phone(
    request: HttpRequest, partnership_id: int, assessment_id: int, workshop_id: int, waiting_id: int
) -> HttpResponse:
    """Let a waiting phone in, or turn it away."""
    workshop, _ = get_workshop(
        request, partnership_id, assessment_id, workshop_id, methods=POST_ONLY
    )
    decision = request.POST.get("decision")
    try:
        if decision == "admit":
            waiting, took_over = participants.admit(workshop, waiting_id, by=request.user)
            person = waiting.person
            if took_over:
                messages.success(
                    request,
                    f"{person.name} is now on the phone you let in, with their votes. "
                    "Their other device can no longer vote.",
                )
            else:
                messages.success(request, f"Phone let in: {waiting.describe()}.")
        elif decision == "turn_away":
            waiting = participants.turn_away(workshop, waiting_id, by=request.user)
            messages.success(request, f"Phone turned away: {waiting.describe()}.")
        else:
            messages.error(request, "Choose to let the phone in or to turn it away.")
    except WorkshopError as exc:
        messages.error(request, str(exc))
    return back_to_console(workshop, integer(request.POST, "item"))


@never_cache
@login_required
def participant_remove(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    participant_id: int,
) -> HttpResponse:
    """Take someone out of the workshop, with their votes."""
    workshop, _ = get_workshop(
        request, partnership_id, assessment_id, workshop_id, methods=POST_ONLY
    )
    try:
        who, votes = participants.remove_participant(workshop, participant_id, by=request.user)
    except WorkshopError as exc:
        messages.error(request, str(exc), extra_tags=JOINED)
    else:
        messages.success(
            request,
            f"{who} is no longer in {workshop}; {votes} vote{'s' if votes != 1 else ''} removed.",
            extra_tags=JOINED,
        )
    return back_to_console(workshop, integer(request.POST, "item"), JOINED)
