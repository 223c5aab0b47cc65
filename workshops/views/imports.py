"""Coordinators upload CSV files: people to invite, and answers collected elsewhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from workshops.access import READ_ONLY, Need, get_assessment, get_import_job
from workshops.forms.imports import MAX_PROBLEMS_SHOWN, MAX_UPLOAD_MB, CsvUploadForm
from workshops.models import Assessment, ImportJob, Person, Sector
from workshops.services import csv_rows, import_jobs, mail


def _upload_page(
    request: HttpRequest,
    assessment: Assessment,
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
        data = form.cleaned_data["file"].read()
        try:
            result = import_jobs.start(assessment, kind, data, request.user, by=request.user)
        except csv_rows.ImportProblems as exc:
            form.add_problems(exc.problems)
        else:
            if isinstance(result, ImportJob):
                return redirect(result)
            messages.success(request, result.summary)
            if result.warning:
                messages.warning(request, result.warning)
            elif kind == ImportJob.Kind.INVITEES and (held := mail.held_back(assessment)):
                messages.warning(request, held)
            return redirect(assessment)
    context = {
        "form": form,
        "kind": kind,
        "title": title,
        "assessment": assessment,
        "partnership": assessment.partnership,
        "max_upload_mb": MAX_UPLOAD_MB,
        "max_rows": f"{csv_rows.MAX_ROWS:,}",
        "role_choices": Person.Role.choices,
        "layer_choices": Person.Layer.choices,
        "sector_choices": Sector.choices,
        "scale_values": [value for value, _ in assessment.bank.scale_choices()],
    }
    return render(request, "workshops/import.html", context)


@login_required
def invitees_import(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    return _upload_page(
        request,
        assessment,
        kind=ImportJob.Kind.INVITEES,
        title=f"Import people to invite to {assessment}",
        submit="Import and send invitations",
    )


@login_required
def responses_import(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    return _upload_page(
        request,
        assessment,
        kind=ImportJob.Kind.RESPONSES,
        title=f"Import answers to {assessment}",
        submit="Import answers",
    )


@never_cache  # progress changes from one second to the next
@login_required
def import_job(request: HttpRequest, partnership_id: int, assessment_id: int, job_id: int):
    """A big import's progress, then its outcome; and the JSON the page's script polls."""
    job, _ = get_import_job(request, partnership_id, assessment_id, job_id, methods=READ_ONLY)
    assessment = job.assessment
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"state": job.state, "progress": job.progress(), "slow": job.is_slow})
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "job": job,
        "problems_shown": job.problems[:MAX_PROBLEMS_SHOWN],
        "problems_not_shown": max(0, len(job.problems) - MAX_PROBLEMS_SHOWN),
        "upload": "invitees-import" if job.kind == ImportJob.Kind.INVITEES else "responses-import",
        "held_back": mail.held_back(assessment) if job.state == ImportJob.State.DONE else None,
    }
    return render(request, "workshops/import_job.html", context)
