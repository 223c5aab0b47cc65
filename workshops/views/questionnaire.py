"""Answering a questionnaire: its parts, saving as answers are given, the review and
submitting, for a partner through their personal link (``views.answering``).

A paper return keyed in by a coordinator (``views.paper``) goes through the same
pages; an ``Answering`` says whose response it is and where its pages live.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from workshops.forms.questionnaire import AnswerForm, item_key
from workshops.models import Respondent
from workshops.services import assessment as assessment_services
from workshops.services import network_answers
from workshops.services.answer_saving import (
    CHANGED_ELSEWHERE,
    NotStored,
    Saved,
    not_stored,
    save_values,
)
from workshops.services.network_answers import NetworkSaved
from workshops.services.questionnaire import (
    QuestionnaireError,
    answered_by_section,
    editable_problem,
    email_copy,
    outline,
    stored_answers,
    submit,
    time_to_answer,
)
from workshops.views.answering import Answering, through_link
from workshops.views.common import flag


def _answered(answering: Answering) -> tuple[network_answers.Offer, dict]:
    """The network section as offered, and how many answers are stored by part: by
    section id, and "network" for the network section when it is asked."""
    respondent = answering.respondent
    offer = network_answers.offer_for(answering.assessment, respondent, answering.person)
    done = answered_by_section(respondent)
    if offer.offered:
        done["network"] = network_answers.answered(respondent)
    return offer, done


def page_context(answering: Answering, sections, current=None) -> dict:
    respondent = answering.respondent
    offer, done = _answered(answering)
    total = sum(s.slots for s in sections) + len(offer.partners)
    answered = sum(done.values())
    return {
        "answering": answering,
        "assessment": answering.assessment,
        "partnership": answering.assessment.partnership,
        "respondent": respondent,
        "sections": [
            {"entry": s, "answered": done.get(s.section.pk, 0), "current": s is current}
            for s in sections
        ],
        # The network section, after the instrument's parts, when it is asked.
        "network": {
            "title": network_answers.TITLE,
            "answered": done["network"],
            "partners": len(offer.partners),
            "current": current == "network",
        }
        if offer.offered
        else None,
        "parts": len(sections) + offer.offered,
        "answered": answered,
        "total": total,
        "unanswered": total - answered,
        "questions": sum(len(s.items) for s in sections),
        "percent": round(100 * answered / total) if total else 0,
        "problem": editable_problem(answering.assessment, respondent),
        "paper": answering.channel == Respondent.Channel.PAPER,
        "can_copy": answering.channel == Respondent.Channel.ONLINE
        and bool(answering.invitation.sent_to or answering.person.email),
    }


def submitted_page(request: HttpRequest, answering: Answering) -> HttpResponse | None:
    """Once submitted, a response's pages say so and show nothing of it: whoever
    holds the link later (a shared computer, a forwarded email) reads nothing."""
    respondent = answering.respondent
    if respondent is None or not respondent.is_submitted:
        return None
    context = {
        "assessment": answering.assessment,
        "partnership": answering.assessment.partnership,
        "respondent": respondent,
        "paper": answering.channel == Respondent.Channel.PAPER,
        # The personal link, for the published summary of results (a paper return has none).
        "token": answering.invitation.token if answering.invitation else None,
    }
    return render(request, "workshops/questionnaire/submitted.html", context)


def start_page(request: HttpRequest, answering: Answering) -> HttpResponse:
    if done := submitted_page(request, answering):
        return done
    sections = outline(answering.assessment)
    respondent = answering.respondent
    resume_at = respondent.last_section if respondent else 0
    if any(s.section.number == resume_at for s in sections):
        return redirect(answering.url("section", resume_at))
    if resume_at == network_answers.NETWORK_PART and _answered(answering)[0].offered:
        return redirect(answering.url("network"))
    context = page_context(answering, sections)
    context["first"] = sections[0].section.number if sections else None
    context["time_to_answer"] = time_to_answer(answering.assessment, sections)
    return render(request, "workshops/questionnaire/start.html", context)


def section_page(request: HttpRequest, answering: Answering, number: int) -> HttpResponse:
    if done := submitted_page(request, answering):
        return done
    sections = outline(answering.assessment)
    index = next((i for i, s in enumerate(sections) if s.section.number == number), None)
    if index is None:
        raise Http404("This questionnaire has no such part.")
    current = sections[index]
    respondent = answering.respondent
    problem = editable_problem(answering.assessment, respondent)
    form_args = {"assessment": answering.assessment, "items": current.items}
    changed_elsewhere: list[str] = []
    error_note = ""
    if request.method == "POST" and not problem:
        form = AnswerForm(request.POST, **form_args)
        if form.is_valid():
            if "previous" in request.POST and index > 0:
                destination = sections[index - 1].section.number
            elif index + 1 < len(sections):
                destination = sections[index + 1].section.number
            elif _answered(answering)[0].offered:
                destination = network_answers.NETWORK_PART  # the network section is next
            else:
                destination = None
            # Resume at the page the person is going to, not the one just saved.
            saved = _store(answering, form, section=destination or number)
            if not saved.conflicts:
                if destination == network_answers.NETWORK_PART:
                    return redirect(answering.url("network"))
                if destination:
                    return redirect(answering.url("section", destination))
                return redirect(answering.url("review"))
            # Shown again as stored: the rest of the page is saved, and the answers
            # changed elsewhere show what the other window or device stored.
            changed_elsewhere = sorted({item_key(name) for name in saved.conflicts})
            initial = stored_answers(answering.respondent, current.items)
            form = AnswerForm(initial=initial, **form_args)
        else:
            error_note = _not_saved_note(not_stored(answering.respondent, form.given()))
    else:
        if request.method == "POST":
            messages.error(request, f"{problem} Nothing was changed.")
        # Reading a page stores nothing, not even where to resume: that is
        # recorded when answers are saved.
        form = AnswerForm(initial=stored_answers(respondent, current.items), **form_args)
    context = page_context(answering, sections, current)
    context.update(
        {
            "form": form,
            "current": current,
            "layout": form.layout(current.questions),
            "position": index + 1,
            "previous": sections[index - 1].section.number if index else None,
            "changed_elsewhere": changed_elsewhere,
            "changed_links": [(f"q-{key}", f"Question {key}") for key in changed_elsewhere],
            "changed_elsewhere_message": CHANGED_ELSEWHERE,
            "error_note": error_note,
        }
    )
    return render(request, "workshops/questionnaire/section.html", context)


def _not_saved_note(page: NotStored) -> str:
    """What an invalid page's error summary says of saving: the page itself stored
    nothing, but answers saved as they were given (or before) are stored."""
    if not page.keys:
        return "Your answers on this page are saved." if page.others_stored else ""
    *most, last = page.keys
    keys = f"{', '.join(most)} and {last}" if most else last
    note = f"Not saved: your answer{'s' if most else ''} to {keys}."
    if page.others_stored:
        note += " Your other answers on this page are saved."
    return note


def _store(answering: Answering, form: AnswerForm, section: int | None = None) -> Saved:
    """Save what the form changed. A first save that stores nothing (all of it
    refused as changed elsewhere) leaves no empty response behind."""
    values, bases = form.values(), form.bases()
    if answering.respondent is not None:
        return save_values(answering.respondent, values, bases=bases, section=section)
    with transaction.atomic():
        saved = save_values(answering.start_respondent(), values, bases=bases, section=section)
        if saved.conflicts and not saved.count:
            transaction.set_rollback(True)
            answering.forget_respondent()
    return saved


def save_answers(request: HttpRequest, answering: Answering) -> JsonResponse:
    """Save answers as they are given (JavaScript). Answers JSON for the page script:
    what is now stored in each slot sent, with its version, and which slots were
    refused because they had changed elsewhere."""
    keys = {item_key(name) for name in request.POST if name != "csrfmiddlewaretoken"}
    items = list(answering.assessment.items.filter(key__in=keys))
    if not keys or len(items) != len(keys):
        return JsonResponse(
            {"error": "That question is not part of this questionnaire."}, status=400
        )
    form = AnswerForm(request.POST, assessment=answering.assessment, items=items)
    if set(request.POST) - set(form.fields) - {"csrfmiddlewaretoken"}:
        # e.g. an external rating when the assessment asks internal ratings only
        return JsonResponse(
            {"error": "That question is not part of this questionnaire."}, status=400
        )
    return save_reply(answering, form, lambda: _store(answering, form))


def save_reply(answering: Answering, form, store: Callable[[], Saved | NetworkSaved]):
    """Save a form sent as answers are given, and answer the page's script: what is now
    stored in each slot (or organisation) sent, with its version, and which were refused
    because they had changed elsewhere."""
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    # Checked before a response is started, so a refused save leaves no empty one behind.
    problem = editable_problem(answering.assessment, answering.respondent)
    if problem:
        return JsonResponse({"error": problem}, status=409)
    try:
        saved = store()
    except QuestionnaireError as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    result = {
        "saved": saved.count,
        "progress": progress_of(answering),
        "answers": {
            str(name): {"value": value, "version": version}
            for name, (value, version) in saved.stored.items()
        },
    }
    if saved.conflicts:
        result.update(error=CHANGED_ELSEWHERE, conflicts=[str(c) for c in saved.conflicts])
    # Refused outright only when nothing was stored: a reply that says "no" changed nothing.
    return JsonResponse(result, status=409 if saved.conflicts and not saved.count else 200)


def progress_of(answering: Answering) -> dict:
    """How many answers are stored, in all and by part (section id), for the page to show."""
    done = _answered(answering)[1]
    return {"answered": sum(done.values()), "sections": done}


def review_page(request: HttpRequest, answering: Answering) -> HttpResponse:
    if request.method == "POST":
        respondent = answering.respondent
        if respondent is None:
            messages.error(request, "Answer at least one question before submitting.")
            return redirect(answering.url("review"))
        if respondent.is_submitted and answering.channel == Respondent.Channel.ONLINE:
            # A second press of Submit (a double click, or Back and again): the page
            # that says it is submitted is all there is to say.
            return redirect(answering.url("review"))
        try:
            submit(respondent, by=answering.entered_by)
        except QuestionnaireError as exc:
            messages.error(request, str(exc))
            return redirect(answering.url("review"))
        if answering.channel == Respondent.Channel.PAPER:
            messages.success(request, f"The paper return for {answering.person} is submitted.")
            return redirect(answering.assessment)
        # The page it returns to leads with a confirmation panel, so no success banner.
        wanted = flag(request.POST, "email_copy")
        if wanted and (address := assessment_services.address_for(answering.invitation)):
            email_copy(respondent, address)
            messages.info(request, "A copy of your answers has been emailed to you.")
        return redirect(answering.url("review"))
    if done := submitted_page(request, answering):
        return done
    context = page_context(answering, outline(answering.assessment))
    context["network_rows"] = network_answers.review_rows(answering.respondent)
    return render(request, "workshops/questionnaire/review.html", context)


# Partners, through their personal link. The link is the credential. Nothing of
# these pages may be kept by a browser or a proxy: they show someone's answers.


@never_cache
@through_link
def questionnaire(request: HttpRequest, answering: Answering) -> HttpResponse:
    return start_page(request, answering)


@never_cache
@through_link
def questionnaire_section(request: HttpRequest, answering: Answering, number: int):
    return section_page(request, answering, number)


@never_cache
@require_POST
@through_link(json=True)
def questionnaire_save(request: HttpRequest, answering: Answering) -> HttpResponse:
    return save_answers(request, answering)


@never_cache
@through_link
def questionnaire_review(request: HttpRequest, answering: Answering) -> HttpResponse:
    return review_page(request, answering)
