"""Coordinators add, change and remove the questions of their own on an assessment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from workshops.access import Need, get_assessment
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


@login_required
def add(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    form = LocalQuestionForm(posted(request), assessment=assessment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.add_local_question(
                assessment,
                text=data["text"],
                kind=data["kind"],
                section_number=data["section"],
                by=request.user,
            )
        except services.LocalQuestionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Local question {item.key} is added.")
            return redirect(assessment)
    return _page(request, form, assessment, "Add a local question")


@login_required
def edit(request: HttpRequest, partnership_id: int, assessment_id: int, item_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    item = get_object_or_404(assessment.items.filter(local=True), pk=item_id)
    initial = {"text": item.text, "kind": item.kind, "section": item.section.number}
    form = LocalQuestionForm(
        posted(request), assessment=assessment, initial=initial, submit="Save changes"
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_local_question(
                assessment,
                item,
                text=data["text"],
                kind=data["kind"],
                section_number=data["section"],
                by=request.user,
            )
        except services.LocalQuestionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Local question {item.key} is saved.")
            return redirect(assessment)
    answers = services.times_answered(item)
    return _page(request, form, assessment, f"Change local question {item.key}", answers)


@login_required
def remove(request: HttpRequest, partnership_id: int, assessment_id: int, item_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    item = get_object_or_404(assessment.items.filter(local=True), pk=item_id)
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
