"""Coordinators add, change and remove the questions of their own on an assessment."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from workshops.access import Need, get_assessment, get_local_question
from workshops.forms.local_questions import LocalQuestionForm
from workshops.services import local_questions as services
from workshops.views.common import posted


def _page(request, form, assessment, title: str, answers: int = 0) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "assessment": assessment,
        "partnership": assessment.partnership,
        "answers": answers,
    }
    return render(request, "workshops/local_question_form.html", context)


def _stored(request, form, assessment, store, said: str) -> HttpResponse | None:
    """A valid posted form stored by ``store(text=…, kind=…, section_number=…, by=…)``,
    then back to the assessment saying ``said`` with the question's key; None when there
    is nothing to store or the service refused (the form then says why)."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        item = store(
            text=data["text"], kind=data["kind"], section_number=data["section"], by=request.user
        )
    except services.LocalQuestionError as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(request, f"Local question {item.key} is {said}.")
    return redirect(assessment)


@login_required
def add(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    form = LocalQuestionForm(posted(request), assessment=assessment)
    store = partial(services.add_local_question, assessment)
    if stored := _stored(request, form, assessment, store, "added"):
        return stored
    return _page(request, form, assessment, "Add a local question")


@login_required
def edit(request: HttpRequest, partnership_id: int, assessment_id: int, item_id: int):
    item, assessment, _ = get_local_question(request, partnership_id, assessment_id, item_id)
    initial = {"text": item.text, "kind": item.kind, "section": item.section.number}
    form = LocalQuestionForm(
        posted(request), assessment=assessment, initial=initial, submit="Save changes"
    )
    store = partial(services.change_local_question, assessment, item)
    if stored := _stored(request, form, assessment, store, "saved"):
        return stored
    answers = services.times_answered(item)
    return _page(request, form, assessment, f"Change local question {item.key}", answers)


@login_required
def remove(request: HttpRequest, partnership_id: int, assessment_id: int, item_id: int):
    item, assessment, _ = get_local_question(request, partnership_id, assessment_id, item_id)
    if request.method == "POST":
        try:
            services.remove_local_question(assessment, item, by=request.user)
        except services.LocalQuestionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Local question {item.key} is removed.")
        return redirect(assessment)
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "item": item,
        "answers": services.times_answered(item),
    }
    return render(request, "workshops/local_question_remove.html", context)
