"""What the room agreed on an agenda item, and the actions it drafted for the plan,
recorded from the facilitator's console."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest

from workshops.access import POST_ONLY, get_agenda_item, get_workshop_action
from workshops.forms.workshop import ActionForm, ConsensusForm
from workshops.services import workshop as services
from workshops.services.plan import PlanError, remove_draft
from workshops.views.workshop import ACTIONS, AGREED, back_to_console, console_page


@login_required
def consensus(request: HttpRequest, partnership_id, assessment_id, workshop_id, agenda_id):
    agenda_item, membership = get_agenda_item(
        request, partnership_id, assessment_id, workshop_id, agenda_id, methods=POST_ONLY
    )
    workshop = agenda_item.workshop
    form = ConsensusForm(
        request.POST, instance=agenda_item, workshop=workshop, item=agenda_item.item
    )
    if not form.is_valid():
        form.context_name = "consensus_form"
        return console_page(request, workshop, membership, agenda_item.pk, bound=form)
    services.record_consensus(agenda_item, form.cleaned_data, by=request.user)
    messages.success(
        request, f"What the room agreed on {agenda_item.item.key} is recorded.", extra_tags=AGREED
    )
    return back_to_console(workshop, agenda_item.pk, AGREED)


@login_required
def action_add(request: HttpRequest, partnership_id, assessment_id, workshop_id, agenda_id):
    agenda_item, membership = get_agenda_item(
        request, partnership_id, assessment_id, workshop_id, agenda_id, methods=POST_ONLY
    )
    workshop = agenda_item.workshop
    form = ActionForm(request.POST, workshop=workshop)
    if not form.is_valid():
        form.context_name = "action_form"
        return console_page(request, workshop, membership, agenda_item.pk, bound=form)
    services.add_action(agenda_item, request.user, by=request.user, **form.cleaned_data)
    messages.success(request, f"Action added to {agenda_item.item.key}.", extra_tags=ACTIONS)
    return back_to_console(workshop, agenda_item.pk, ACTIONS)


@login_required
def action_delete(request: HttpRequest, partnership_id, assessment_id, workshop_id, action_id):
    action, _ = get_workshop_action(
        request, partnership_id, assessment_id, workshop_id, action_id, methods=POST_ONLY
    )
    workshop = action.workshop
    try:
        remove_draft(action, by=request.user)
    except PlanError as exc:
        messages.error(request, str(exc), extra_tags=ACTIONS)
    else:
        messages.success(request, f"Action “{action}” removed.", extra_tags=ACTIONS)
    entry = workshop.agenda.filter(item_id=action.item_id).values_list("pk", flat=True).first()
    return back_to_console(workshop, entry, ACTIONS)
