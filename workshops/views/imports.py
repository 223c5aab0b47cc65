"""Coordinators upload CSV files: people to invite, and answers collected elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from workshops.access import get_assessment
from workshops.forms.imports import MAX_UPLOAD_MB, CsvUploadForm
from workshops.models import Assessment, Person, Sector
from workshops.services import imports as services


def _upload_page(
    request: HttpRequest,
    assessment: Assessment,
    run: Callable[[bytes], services.InviteeResult | services.ResponseResult],
    *,
    kind: str,
    title: str,
    submit: str,
) -> HttpResponse:
    # Not `request.POST or None`: a post holding only a file has an empty POST.
    if request.method == "POST":
        form = CsvUploadForm(request.POST, request.FILES, submit=submit)
    else:
        form = CsvUploadForm(submit=submit)
    if request.method == "POST" and form.is_valid():
        try:
            result = run(form.cleaned_data["file"].read())
        except services.ImportProblems as exc:
            form.add_problems(exc.problems)
        else:
            messages.success(request, result.summary)
            return redirect(assessment)
    context = {
        "form": form,
        "kind": kind,
        "title": title,
        "assessment": assessment,
        "partnership": assessment.partnership,
        "max_upload_mb": MAX_UPLOAD_MB,
        "max_rows": f"{services.MAX_ROWS:,}",
        "role_choices": Person.Role.choices,
        "layer_choices": Person.Layer.choices,
        "sector_choices": Sector.choices,
        "scale_values": [value for value, _ in assessment.bank.scale_choices()],
    }
    return render(request, "workshops/import.html", context)


@login_required
def invitees_import(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, "manage")
    return _upload_page(
        request,
        assessment,
        lambda data: services.import_invitees(assessment, data),
        kind="invitees",
        title=f"Import people to invite to {assessment}",
        submit="Import and send invitations",
    )


@login_required
def responses_import(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, "manage")
    return _upload_page(
        request,
        assessment,
        lambda data: services.import_responses(assessment, data, entered_by=request.user),
        kind="responses",
        title=f"Import answers to {assessment}",
        submit="Import answers",
    )
