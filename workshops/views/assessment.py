"""Coordinators set up an assessment round, invite people and follow progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.cache import never_cache

from questions.models import BankVersion
from workshops.access import POST_ONLY, Need, get_assessment, get_invitation, get_partnership
from workshops.forms.assessment import AssessmentForm, AssessmentInviteForm
from workshops.services import assessment as services
from workshops.services import dashboard, local_questions, mail
from workshops.views.common import integer, posted


@login_required
def assessment_create(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    form = AssessmentForm(posted(request), bank=BankVersion.current())
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.create_assessment(
                partnership, request.user, by=request.user, **form.cleaned_data
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{assessment} is set up. Now invite people to answer.")
            return redirect(assessment)
    context = {"form": form, "title": "Set up an assessment", "partnership": partnership}
    return render(request, "workshops/form.html", context)


@never_cache  # who has answered, and the counts: not for a browser's or a proxy's cache
@login_required
def assessment_detail(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "membership": membership,
        "board": dashboard.board_for(assessment, settings.MIN_GROUP_SIZE),
        "people": assessment.partnership.people.select_related("organisation"),
        "local_questions": local_questions.local_questions(assessment),
        "local_limit": local_questions.LIMIT,
        # For withdrawing a link in an anonymous assessment, where nobody is listed.
        "invitations": assessment.invitations.filter(revoked_at=None).select_related("person")
        if assessment.anonymous
        else [],
    }
    return render(request, "workshops/assessment.html", context)


@login_required
def invite(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    # "Select everyone" without JavaScript: the page again, with every box ticked.
    everyone = {"people": assessment.partnership.people.all()} if "all" in request.GET else {}
    form = AssessmentInviteForm(posted(request), assessment=assessment, initial=everyone)
    if request.method == "POST" and form.is_valid():
        try:
            invited, delivery = services.invite(
                assessment, form.cleaned_data["people"], by=request.user
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            sent = delivery.sent
            messages.success(request, f"{invited} invited; {sent} email{pluralize(sent)} sent.")
            if failed := delivery.failure_note("invitation"):
                messages.warning(request, failed)
            elif held := mail.held_back(assessment):
                messages.warning(request, held)
            return redirect(assessment)
    context = {
        "form": form,
        "title": f"Invite people to {assessment}",
        "assessment": assessment,
        "partnership": assessment.partnership,
    }
    return render(request, "workshops/assessment_invite.html", context)


@login_required
def remind(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, _ = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    if not assessment.is_open():
        messages.error(request, "Reminders can only be sent while the assessment is open.")
    else:
        delivery = services.send_reminders(assessment, by=request.user)
        count = delivery.sent
        held = delivery.failure_note("reminder") or mail.held_back(assessment)
        if count:
            messages.success(
                request,
                f"Reminder sent to {count} {pluralize(count, 'person,people')} "
                f"who {pluralize(count, 'has,have')} not finished.",
            )
        if held:
            messages.warning(request, held)
        elif not count:
            messages.info(
                request,
                "Nobody needed a reminder: everyone who has not finished was emailed in the "
                f"last {mail.REMINDER_QUIET_PERIOD.total_seconds() / 3600:.0f} hours.",
            )
    return redirect(assessment)


@login_required
def network_switch(request: HttpRequest, partnership_id: int, assessment_id: int):
    """Turn the network section on or off (a coordinator, on the assessment's page)."""
    assessment, _ = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    on = request.POST.get("network") == "on"
    if services.set_network(assessment, on, by=request.user):
        state = "now asks" if on else "no longer asks"
        messages.success(
            request, f"The questionnaire {state} how partner organisations work together."
        )
    return redirect(assessment)


@login_required
def revoke(request, partnership_id: int, assessment_id: int, invitation_id: int):
    invitation, _ = get_invitation(
        request, partnership_id, assessment_id, invitation_id, methods=POST_ONLY
    )
    services.revoke(invitation, by=request.user)
    messages.success(request, f"{invitation.person}'s link has been withdrawn.")
    return redirect(invitation.assessment)


@login_required
def revoke_choose(request: HttpRequest, partnership_id: int, assessment_id: int):
    """Withdraw a link chosen from a list (anonymous assessments list nobody's progress)."""
    assessment, _ = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    chosen = integer(request.POST, "invitation")
    invitation = assessment.invitations.filter(pk=chosen).first() if chosen else None
    if invitation is None:
        messages.error(request, "Choose whose link to withdraw.")
    else:
        services.revoke(invitation, by=request.user)
        messages.success(request, f"{invitation.person}'s link has been withdrawn.")
    return redirect(assessment)
