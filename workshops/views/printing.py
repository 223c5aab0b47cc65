"""The printable questionnaire, as an HTML page and as a PDF, for people who answer on paper."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from workshops.access import Need, get_assessment
from workshops.reporting.questionnaire_pdf import questionnaire_context, render_questionnaire_pdf


@login_required
def questionnaire_print(
    request: HttpRequest, partnership_id: int, assessment_id: int
) -> HttpResponse:
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    context = questionnaire_context(assessment) | {"for_screen": True}
    return render(request, "workshops/print/questionnaire.html", context)


@login_required
def questionnaire_pdf(
    request: HttpRequest, partnership_id: int, assessment_id: int
) -> HttpResponse:
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    pdf = render_questionnaire_pdf(assessment)
    name = slugify(f"{assessment.partnership.name} {assessment.title} questionnaire") + ".pdf"
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )
