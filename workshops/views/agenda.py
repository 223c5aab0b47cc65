"""A workshop's agenda page: the questions it takes, in order, and adding to them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import redirect, render

from workshops.access import POST_ONLY, get_agenda_item, get_workshop
from workshops.forms.workshop import AgendaAddForm
from workshops.models import WorkshopError
from workshops.services import workshop as services
from workshops.views.common import posted


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
