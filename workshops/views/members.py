"""Members of a partnership: the coordinators' page of members and invitations, and
the page an invitation's link opens."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from workshops import services, throttle
from workshops.access import (
    POST_ONLY,
    Need,
    get_member_invitation,
    get_member_invitation_by_token,
    get_membership,
    get_partnership,
)
from workshops.forms.members import InviteForm, NewAccountForm
from workshops.models import MemberInvitation, Membership, User
from workshops.models.partnership import a_role
from workshops.services import member_invitations, members
from workshops.views.common import posted


@login_required
def member_list(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    context = {
        "partnership": partnership,
        "invitations": partnership.member_invitations.filter(
            accepted_at=None, withdrawn_at=None
        ).order_by("email"),
        "accepted": partnership.member_invitations.exclude(accepted_at=None)
        .select_related("accepted_by")
        .order_by("-accepted_at", "-pk")[:ACCEPTED_SHOWN],
        "members": partnership.memberships.select_related("user").order_by("user__email"),
        "roles": Membership.Role.choices,
    }
    return render(request, "workshops/members/list.html", context)


# The most recent acceptances listed; older ones are in the audit log.
ACCEPTED_SHOWN = 50


@login_required
def member_invite(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    form = InviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        email, role = form.cleaned_data["email"], form.cleaned_data["role"]
        try:
            invitation, delivery = member_invitations.invite_member(
                partnership, request.user, email, role, by=request.user
            )
        except services.MembershipError as exc:
            form.add_error(None, str(exc))
        else:
            # The same words whether or not the address has an account, and no name.
            messages.success(
                request, f"{invitation.email} is invited to join {partnership} as {a_role(role)}."
            )
            if delivery is None:
                messages.warning(request, member_invitations.held_back(partnership) or "")
            elif failed := delivery.failure_note("invitation email"):
                messages.warning(request, failed)
            return redirect("members", partnership.pk)
    context = {
        "form": form,
        "title": f"Invite someone to {partnership}",
        "partnership": partnership,
    }
    return render(request, "workshops/form.html", context)


@login_required
def member_invitation_resend(request: HttpRequest, partnership_id: int, invitation_id: int):
    invitation, _ = get_member_invitation(request, partnership_id, invitation_id, methods=POST_ONLY)
    try:
        delivery = member_invitations.resend(invitation.partnership, invitation.pk, by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        if delivery.failed:
            messages.error(
                request,
                f"{delivery.failure_note('invitation email')} The link sent before still works.",
            )
            return redirect("members", partnership_id)
        messages.success(request, f"A new invitation link was sent to {invitation.email}.")
    return redirect("members", partnership_id)


@login_required
def member_invitation_withdraw(request: HttpRequest, partnership_id: int, invitation_id: int):
    invitation, _ = get_member_invitation(request, partnership_id, invitation_id, methods=POST_ONLY)
    try:
        member_invitations.withdraw(invitation.partnership, invitation.pk, by=request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect("members", partnership_id)


@login_required
def member_remove(request: HttpRequest, partnership_id: int, membership_id: int):
    membership, _ = get_membership(request, partnership_id, membership_id, methods=POST_ONLY)
    partnership = membership.partnership
    try:
        services.remove_member(partnership, membership.pk, by=request.user)
    except (services.MembershipError, ValidationError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user} is no longer a member.")
    return redirect("members", partnership.pk)


@login_required
def member_role(request: HttpRequest, partnership_id: int, membership_id: int):
    membership, _ = get_membership(request, partnership_id, membership_id, methods=POST_ONLY)
    partnership = membership.partnership
    role = request.POST.get("role", "")
    try:
        _, before = members.change_role(partnership, membership.pk, role, request.user)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        if before == role:
            messages.info(request, f"{membership.user} is already {a_role(role)}.")
        else:
            messages.success(
                request, f"{membership.user} is now {a_role(role)} (was {a_role(before)})."
            )
    return redirect("members", partnership.pk)


# The link in the email. It is the credential, tied to the address it was sent to.

LINK_GUESSES = "member-invitation-link"

GONE = {
    "used": (
        410,
        "This invitation has already been used",
        "Each invitation can be accepted once.",
    ),
    "withdrawn": (
        410,
        "This invitation has been withdrawn",
        "The partnership's coordinator withdrew it. If you think that is a mistake, "
        "ask them to invite you again.",
    ),
    "expired": (
        410,
        "This invitation has expired",
        "Invitation links work for a few days only. Ask the partnership's coordinator "
        "to send it again.",
    ),
    "invalid": (
        410,
        "This invitation is no longer valid",
        "Whoever sent it can no longer give that role. Ask a coordinator of the "
        "partnership to invite you again.",
    ),
    "another address": (
        403,
        "This invitation is for another email address",
        "An invitation can only be accepted by the email address it was sent to, and "
        "you are signed in with another. Nothing has changed. Sign out, then open the "
        "link in the email again.",
    ),
    "not found": (
        404,
        "This invitation link is not valid",
        "Check that you copied the whole link from the email. If it still does not "
        "work, ask the partnership's coordinator to send the invitation again.",
    ),
}


def _problem(
    request: HttpRequest, reason: str, invitation: MemberInvitation | None = None
) -> HttpResponse:
    status, title, message = GONE[reason]
    context = {"title": title, "message": message, "reason": reason}
    if reason == "used" and invitation and invitation.accepted_by_id == request.user.pk:
        context["joined"] = invitation.partnership  # their own, so no secret to them
    return render(request, "workshops/members/problem.html", context, status=status)


@never_cache
def member_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = get_member_invitation_by_token(token)
    except Http404:
        # Only unknown links count: whoever holds a real one is never held up.
        wait = throttle.count_miss(request, LINK_GUESSES)
        if not wait:
            return _problem(request, "not found")
        context = {
            "title": "Too many wrong links",
            "message": f"{throttle.wait_message(wait, 'link')}. Too many links that do not "
            "exist have been tried from this network. The link in your invitation email "
            "always works.",
        }
        response = render(request, "workshops/members/problem.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        member_invitations.check(invitation)
        if request.user.is_authenticated and not invitation.is_for(request.user):
            raise member_invitations.InvitationGone("another address")
    except member_invitations.InvitationGone as gone:
        return _problem(request, gone.reason, invitation)
    if request.user.is_authenticated:
        return _accept(request, invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        # Theirs to sign in to; the sign-in page brings them back here.
        return redirect_to_login(request.get_full_path())
    return _new_account(request, invitation)


def _joined(request: HttpRequest, invitation: MemberInvitation) -> HttpResponse:
    partnership = invitation.partnership
    messages.success(request, f"You have joined {partnership} as {a_role(invitation.role)}.")
    return redirect(partnership)


def _accept(request: HttpRequest, invitation: MemberInvitation) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            member_invitations.accept(invitation, request.user, request)
        except member_invitations.InvitationGone as gone:
            return _problem(request, gone.reason, invitation)
        except services.MembershipError as exc:
            error = str(exc)
        else:
            return _joined(request, invitation)
    context = {"invitation": invitation, "role": a_role(invitation.role), "error": error}
    return render(request, "workshops/members/accept.html", context)


def _new_account(request: HttpRequest, invitation: MemberInvitation) -> HttpResponse:
    form = NewAccountForm(posted(request), email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = member_invitations.join_with_new_account(
                invitation,
                form.cleaned_data["full_name"],
                form.cleaned_data["password1"],
                request,
            )
        except member_invitations.InvitationGone as gone:
            return _problem(request, gone.reason, invitation)
        except member_invitations.AccountExists:
            return redirect_to_login(request.get_full_path())
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        # They chose the password a moment ago: setting up a second factor (which asks
        # for a recent sign-in) should not ask for it again.
        record_authentication(request, user, "password", reauthenticated=True)
        return _joined(request, invitation)
    context = {"invitation": invitation, "role": a_role(invitation.role), "form": form}
    return render(request, "workshops/members/accept.html", context)
