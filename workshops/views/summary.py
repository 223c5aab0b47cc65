"""The published summary of an assessment's results, for everyone who took part:
members in the app, respondents through their personal link, and workshop
participants through the workshop's code; and the coordinator's publish button.

Until it is published (and once it is withdrawn) each of these says so, and shows
nothing of the results; coordinators see a preview with the button that publishes it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from workshops import throttle
from workshops.access import POST_ONLY, Need, get_assessment, get_invitation_by_token
from workshops.access import get_workshop_by_code as workshop_by_code
from workshops.models import Assessment
from workshops.reporting import summary_pdf
from workshops.services import summary as services

# Wrong codes counted with those typed to join: the same guessing, by another door.
CODE_GUESSES = "workshop-join"


def _page(request, assessment: Assessment, urls: dict, **extra) -> HttpResponse:
    if not assessment.summary_is_published and not extra.get("preview"):
        context = {"assessment": assessment, "partnership": assessment.partnership}
        return render(request, "workshops/summary/not_published.html", context | extra)
    context = summary_pdf.summary_context(assessment)
    context |= {"chart_url": urls["chart"], "pdf_url": urls["pdf"]} | extra
    return render(request, "workshops/summary/page.html", context)


def _pdf(assessment: Assessment, page_url: str) -> HttpResponse:
    if not assessment.summary_is_published:
        return redirect(page_url)
    response = HttpResponse(summary_pdf.summary_pdf(assessment), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="summary-of-results.pdf"'
    return response


def _chart(assessment: Assessment) -> HttpResponse:
    if not assessment.summary_is_published:
        raise Http404("The summary is not published.")
    return HttpResponse(summary_pdf.seven_s_svg(assessment), content_type="image/svg+xml")


def _member_urls(assessment: Assessment) -> dict:
    args = [assessment.partnership_id, assessment.pk]
    return {"chart": reverse("summary-7s", args=args), "pdf": reverse("summary-pdf", args=args)}


@never_cache
@login_required
def summary(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, membership = get_assessment(request, partnership_id, assessment_id)
    preview = membership.can_manage and not assessment.summary_is_published
    urls = _member_urls(assessment)
    if preview:
        # The results page's chart: the summary's own opens only once it is published.
        urls["chart"] = reverse("results-7s", args=[partnership_id, assessment_id])
    return _page(
        request,
        assessment,
        urls,
        membership=membership,
        preview=preview,
        can_publish=membership.can_manage,
    )


@never_cache
@login_required
def summary_member_pdf(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id)
    return _pdf(assessment, reverse("summary", args=[partnership_id, assessment_id]))


@never_cache
@login_required
def summary_member_chart(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id)
    return _chart(assessment)


@login_required
def summary_publish(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    change = request.POST.get("change")
    if change == "publish":
        delivery = services.publish(assessment, by=request.user)
        messages.success(
            request,
            "Summary published: everyone who took part can read it."
            + (f" {delivery.sent} emailed to say so." if delivery.sent else ""),
        )
        if note := delivery.failure_note():
            messages.warning(request, note)
    elif change == "withdraw":
        services.withdraw(assessment, by=request.user)
        messages.success(request, "Summary withdrawn: nobody can read it until it is published.")
    else:
        messages.error(request, "Choose to publish the summary or to withdraw it.")
    return redirect("summary", partnership_id, assessment_id)


# A personal link: the token is the credential; a withdrawn link opens nothing.


def _by_token(token: str) -> Assessment:
    invitation = get_invitation_by_token(token)
    if invitation.is_revoked:
        raise Http404("This link was withdrawn.")
    return invitation.assessment


def _link_urls(token: str) -> dict:
    return {
        "chart": reverse("summary-link-7s", args=[token]),
        "pdf": reverse("summary-link-pdf", args=[token]),
    }


@never_cache
def summary_link(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, _by_token(token), _link_urls(token), link=True)


@never_cache
def summary_link_pdf(request: HttpRequest, token: str) -> HttpResponse:
    return _pdf(_by_token(token), reverse("summary-link", args=[token]))


@never_cache
def summary_link_chart(request: HttpRequest, token: str) -> HttpResponse:
    return _chart(_by_token(token))


# A workshop's code: the summary of the assessment the workshop was part of.


def _by_code(request: HttpRequest, code: str) -> Assessment:
    try:
        return workshop_by_code(code).assessment
    except Http404:
        throttle.count_miss(request, CODE_GUESSES)
        raise


def _code_urls(code: str) -> dict:
    return {
        "chart": reverse("summary-code-7s", args=[code]),
        "pdf": reverse("summary-code-pdf", args=[code]),
    }


@never_cache
def summary_code(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, _by_code(request, code), _code_urls(code))


@never_cache
def summary_code_pdf(request: HttpRequest, code: str) -> HttpResponse:
    return _pdf(_by_code(request, code), reverse("summary-code", args=[code]))


@never_cache
def summary_code_chart(request: HttpRequest, code: str) -> HttpResponse:
    return _chart(_by_code(request, code))
