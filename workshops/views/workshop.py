"""The facilitator's console and the projector's presenter view.

Neither is ever kept by a browser or proxy cache (``never_cache``): they show
who has joined and, once revealed, how the room voted.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from workshops.access import (
    POST_ONLY,
    Need,
    get_agenda_item,
    get_assessment,
    get_workshop,
    get_workshop_action,
)
from workshops.forms.workshop import ActionForm, AgendaAddForm, ConsensusForm, WorkshopForm
from workshops.models import Workshop, WorkshopError
from workshops.reporting import charts
from workshops.services import participants, tally
from workshops.services import workshop as services
from workshops.services.plan import PlanError, remove_draft
from workshops.views.common import integer, posted


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
    if console:
        context["expected"] = workshop.expected_people()
        context["waiting"] = participants.waiting_phones(workshop)
    return context


def _with_results(context: dict) -> dict:
    if context["workshop"].shows_results:
        context["tally"] = tally.tally(context["workshop"])
    return context


def _etag(context: dict) -> str:
    tag = f"{context['workshop'].version}-{context['joined']}-{context['voted']}"
    if "waiting" in context:  # the console: a phone asking to be let in shows at once
        tag += "-" + ".".join(str(phone.pk) for phone in context["waiting"])
    return f'"{tag}"'


def _live_response(
    request: HttpRequest, workshop: Workshop, template: str, *, console: bool = False
) -> HttpResponse:
    """The console's and presenter's poll. Their "8 of 12 voted" changes with each new
    voter, so their ETag counts voters as well as the version (and, on the console,
    the phones waiting); only one or two such screens poll, unlike the phones."""
    if workshop.timer_expired() and services.close_if_timer_expired(workshop.pk):
        workshop.refresh_from_db()
    context = _live(workshop, console=console)
    etag = _etag(context)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = render(request, template, _with_results(context))
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


def _console(request, workshop: Workshop, selected_id=None, *, bound=None) -> HttpResponse:
    """The console page; ``bound`` is a submitted form with errors to show again."""
    agenda = list(workshop.agenda.select_related("item__section"))
    selected = next((a for a in agenda if str(a.pk) == str(selected_id)), None)
    selected = selected or next((a for a in agenda if a.pk == workshop.current_id), None)
    live = _with_results(_live(workshop, console=True))
    context = {
        **live,
        "etag": _etag(live),
        "partnership": workshop.assessment.partnership,
        "assessment": workshop.assessment,
        "agenda": agenda,
        "selected": selected,
        "join_address": join_address(request, workshop),
        "participants": participants.participants(workshop),
    }
    if selected:
        selected.workshop = workshop
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
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    return _console(request, workshop, request.GET.get("item"))


@never_cache
@login_required
def workshop_console_live(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    return _live_response(request, workshop, "workshops/workshop/_status.html", console=True)


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


def _back_to_console(workshop: Workshop, agenda_item=None) -> HttpResponse:
    url = workshop.get_absolute_url()
    return redirect(f"{url}?item={agenda_item.pk}" if agenda_item else url)


@never_cache
@login_required
def workshop_control(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, _ = get_workshop(
        request, partnership_id, assessment_id, workshop_id, methods=POST_ONLY
    )
    version = integer(request.POST, "version")
    seconds = integer(request.POST, "seconds", default=0)
    if version is None or seconds is None:
        messages.error(request, "That request was incomplete. Nothing was changed.")
    else:
        action = request.POST.get("action", "")
        try:
            services.change(workshop.pk, action, version, seconds=seconds, by=request.user)
        except WorkshopError as exc:
            messages.error(request, str(exc))
    return _back_to_console(workshop)


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
    return _back_to_console(workshop)


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
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{who} is no longer in {workshop}; {votes} vote{'s' if votes != 1 else ''} removed.",
        )
    return _back_to_console(workshop)


@login_required
def workshop_agenda(request: HttpRequest, partnership_id, assessment_id, workshop_id):
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    form = AgendaAddForm(posted(request), workshop=workshop)
    if request.method == "POST" and form.is_valid():
        added = services.add_to_agenda(workshop, list(form.cleaned_data["items"]), by=request.user)
        messages.success(request, f"{added} item{'s' if added != 1 else ''} added to the agenda.")
        return redirect("workshop-agenda", partnership_id, assessment_id, workshop_id)
    context = {
        "workshop": workshop,
        "partnership": workshop.assessment.partnership,
        "agenda": workshop.agenda.select_related("item__section"),
        "form": form,
    }
    return render(request, "workshops/workshop/agenda.html", context)


@login_required
def agenda_change(request: HttpRequest, partnership_id, assessment_id, workshop_id, agenda_id):
    agenda_item, _ = get_agenda_item(
        request, partnership_id, assessment_id, workshop_id, agenda_id, methods=POST_ONLY
    )
    change = request.POST.get("change")
    try:
        if change == "remove":
            services.remove_from_agenda(agenda_item, by=request.user)
            messages.success(request, f"{agenda_item.item.key} is off the agenda.")
        elif change in ("up", "down"):
            services.move_on_agenda(agenda_item, -1 if change == "up" else 1, by=request.user)
        else:
            messages.error(request, "Choose to move the item up or down, or to drop it.")
    except WorkshopError as exc:
        messages.error(request, str(exc))
    return redirect("workshop-agenda", partnership_id, assessment_id, workshop_id)


@login_required
def consensus(request: HttpRequest, partnership_id, assessment_id, workshop_id, agenda_id):
    agenda_item, _ = get_agenda_item(
        request, partnership_id, assessment_id, workshop_id, agenda_id, methods=POST_ONLY
    )
    workshop = agenda_item.workshop
    form = ConsensusForm(
        request.POST, instance=agenda_item, workshop=workshop, item=agenda_item.item
    )
    if not form.is_valid():
        form.context_name = "consensus_form"
        return _console(request, workshop, agenda_item.pk, bound=form)
    services.record_consensus(agenda_item, form.cleaned_data, by=request.user)
    messages.success(request, f"What the room agreed on {agenda_item.item.key} is recorded.")
    return _back_to_console(workshop, agenda_item)


@login_required
def action_add(request: HttpRequest, partnership_id, assessment_id, workshop_id, agenda_id):
    agenda_item, _ = get_agenda_item(
        request, partnership_id, assessment_id, workshop_id, agenda_id, methods=POST_ONLY
    )
    workshop = agenda_item.workshop
    form = ActionForm(request.POST, workshop=workshop)
    if not form.is_valid():
        form.context_name = "action_form"
        return _console(request, workshop, agenda_item.pk, bound=form)
    services.add_action(agenda_item, request.user, by=request.user, **form.cleaned_data)
    messages.success(request, f"Action added to {agenda_item.item.key}.")
    return _back_to_console(workshop, agenda_item)


@login_required
def action_delete(request: HttpRequest, partnership_id, assessment_id, workshop_id, action_id):
    action, _ = get_workshop_action(
        request, partnership_id, assessment_id, workshop_id, action_id, methods=POST_ONLY
    )
    workshop = action.workshop
    try:
        remove_draft(action, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Action “{action}” removed.")
    return _back_to_console(workshop)
