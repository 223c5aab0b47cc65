"""The questionnaire's network section: how the respondent's organisation works with
each other partner organisation, after the questions and before the review.

Reached through the personal link, or by a coordinator entering a paper return
(``views.paper``); an ``Answering`` says whose response it is.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from workshops.forms.network import NetworkForm, initial_from
from workshops.services import network_answers
from workshops.services.answer_saving import CHANGED_ELSEWHERE
from workshops.services.network_answers import NETWORK_PART, NetworkSaved, Offer
from workshops.services.questionnaire import editable_problem, outline
from workshops.views.answering import Answering, through_link
from workshops.views.questionnaire import page_context, save_reply, submitted_page

NO_ORGANISATION = "Say which organisation the answer is about."


def _offer(answering: Answering) -> Offer:
    offer = network_answers.offer_for(answering.assessment, answering.respondent, answering.person)
    if not offer.offered:
        raise Http404("This questionnaire does not ask how your organisation works with others.")
    return offer


def _form(answering: Answering, offer: Offer, data=None, initial=None) -> NetworkForm:
    scale = answering.assessment.bank.scale_choices()
    return NetworkForm(data, initial=initial, partners=offer.partners, scale=scale)


def _store(answering: Answering, offer: Offer, form: NetworkForm, section=None) -> NetworkSaved:
    """Save what the form changed; a first save that stores nothing leaves no empty
    response behind (as the questionnaire's own saves)."""
    values, bases = form.values(), form.bases()
    if answering.respondent is not None:
        return network_answers.save_network(
            answering.respondent, offer.own, values, bases=bases, section=section
        )
    with transaction.atomic():
        saved = network_answers.save_network(
            answering.start_respondent(), offer.own, values, bases=bases, section=section
        )
        if saved.conflicts and not saved.count:
            transaction.set_rollback(True)
            answering.forget_respondent()
    return saved


def network_page(request: HttpRequest, answering: Answering) -> HttpResponse:
    if done := submitted_page(request, answering):
        return done
    offer = _offer(answering)
    sections = outline(answering.assessment)
    problem = editable_problem(answering.assessment, answering.respondent)
    changed_elsewhere: list[int] = []
    if request.method == "POST" and not problem:
        form = _form(answering, offer, data=request.POST)
        if form.is_valid():
            back = "previous" in request.POST and sections
            # Resume at the page the person is going to, not the one just saved.
            going_to = sections[-1].section.number if back else NETWORK_PART
            saved = _store(answering, offer, form, section=going_to)
            if not saved.conflicts:
                if back:
                    return redirect(answering.url("section", going_to))
                return redirect(answering.url("review"))
            changed_elsewhere = saved.conflicts
            initial = initial_from(network_answers.stored(answering.respondent))
            form = _form(answering, offer, initial=initial)
    else:
        if request.method == "POST":
            messages.error(request, f"{problem} Nothing was changed.")
        initial = initial_from(network_answers.stored(answering.respondent))
        form = _form(answering, offer, initial=initial)
    context = page_context(answering, sections, current="network")
    context.update(
        {
            "form": form,
            "groups": form.rows(offer.by_sector()),
            "own": offer.own,
            "position": len(sections) + 1,
            "previous": sections[-1].section.number if sections else None,
            "changed_elsewhere": changed_elsewhere,
            "changed_links": [
                (f"org-{o.pk}", o.name) for o in offer.partners if o.pk in changed_elsewhere
            ],
            "changed_elsewhere_message": CHANGED_ELSEWHERE,
        }
    )
    return render(request, "workshops/questionnaire/network.html", context)


def save_network_answers(request: HttpRequest, answering: Answering) -> JsonResponse:
    """Save the answers about one or more organisations as they are given (JavaScript):
    answers what is now stored about each, with its version, and which were refused."""
    offer = _offer(answering)
    form = _form(answering, offer, data=request.POST)
    if not form.sent():
        return JsonResponse({"error": NO_ORGANISATION}, status=400)
    # Answering here means being here: the link resumes at the section even if the
    # page is closed before "Save and continue".
    return save_reply(answering, form, lambda: _store(answering, offer, form, NETWORK_PART))


# Partners, through their personal link (see views.questionnaire).


@never_cache
@through_link
def questionnaire_network(request: HttpRequest, answering: Answering) -> HttpResponse:
    return network_page(request, answering)


@never_cache
@require_POST
@through_link(json=True)
def questionnaire_network_save(request: HttpRequest, answering: Answering) -> HttpResponse:
    return save_network_answers(request, answering)
