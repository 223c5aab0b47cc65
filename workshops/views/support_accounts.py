"""Support staff's pages about one account: its second factors, a reset when a
device is lost, and deactivating it. Staff only; everything done is audited."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from workshops import audit
from workshops.access import POST_ONLY, check_method
from workshops.accounts.mfa import ResetRefused, describe, reset_second_factors
from workshops.accounts.sessions import end_all_sessions
from workshops.forms.support_accounts import FindAccountForm
from workshops.models import User


def _support_staff_only(request: HttpRequest) -> None:
    # Resetting a second factor or deactivating an account is power over anyone's
    # account: support staff only, never a partnership's coordinator.
    if not request.user.is_staff:
        raise PermissionDenied("Only support staff look after accounts.")


def _not_their_own(request: HttpRequest, account: User, what: str) -> None:
    # A stolen staff password must not be enough to remove that account's own
    # second factor, or lock its owner out: another member of staff does it.
    if account.pk == request.user.pk:
        raise PermissionDenied(f"You cannot {what} your own account. Ask another member of staff.")


def _account(request: HttpRequest, account_id: int) -> User:
    _support_staff_only(request)
    return get_object_or_404(User, pk=account_id)


@login_required
def find_account(request: HttpRequest) -> HttpResponse:
    _support_staff_only(request)
    # A search: a GET form, so the address is in the URL and the back button works.
    form = FindAccountForm(request.GET if "email" in request.GET else None)
    not_found = False
    if form.is_bound and form.is_valid():
        account = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if account is not None:
            return redirect("support-account", account.pk)
        not_found = True
    return render(
        request, "workshops/support/find_account.html", {"form": form, "not_found": not_found}
    )


@login_required
def account_detail(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    factors = list(Authenticator.objects.filter(user_id=account.pk).order_by("created_at"))
    for factor in factors:
        factor.description = describe(factor)
        factor.unused = None
        if factor.type == Authenticator.Type.RECOVERY_CODES:
            factor.unused = len(factor.wrap().get_unused_codes())
    context = {
        "account": account,
        "factors": factors,
        "memberships": account.memberships.select_related("partnership").order_by(
            "partnership__name"
        ),
        "own": account.pk == request.user.pk,
    }
    return render(request, "workshops/support/account.html", context)


@login_required
def reset_two_factor(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    _not_their_own(request, account, "reset two-factor sign-in for")
    if request.method == "POST":
        try:
            reset_second_factors(account, by=request.user, request=request)
        except ResetRefused as refused:
            messages.info(request, str(refused))
        else:
            messages.success(
                request,
                f"Two-factor sign-in for {account.email} is reset and they are signed out "
                "everywhere. They set it up again when they next sign in.",
            )
        return redirect("support-account", account.pk)
    has_factors = Authenticator.objects.filter(user_id=account.pk).exists()
    return render(
        request,
        "workshops/support/reset_two_factor.html",
        {"account": account, "has_factors": has_factors},
    )


@login_required
def deactivate(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    _not_their_own(request, account, "deactivate")
    if request.method == "POST":
        if account.is_active:
            _set_active(request, account, active=False)
            messages.success(request, f"{account.email} is deactivated and signed out everywhere.")
        else:
            messages.info(request, f"{account.email} was deactivated already.")
        return redirect("support-account", account.pk)
    return render(request, "workshops/support/deactivate.html", {"account": account})


@login_required
def reactivate(request: HttpRequest, account_id: int) -> HttpResponse:
    account = _account(request, account_id)
    _not_their_own(request, account, "reactivate")
    check_method(request, POST_ONLY)
    if account.is_active:
        messages.info(request, f"{account.email} is active already.")
    else:
        _set_active(request, account, active=True)
        messages.success(request, f"{account.email} is active again and can sign in.")
    return redirect("support-account", account.pk)


@transaction.atomic
def _set_active(request: HttpRequest, account: User, *, active: bool) -> None:
    account.is_active = active
    account.save(update_fields=["is_active"])
    if active:
        action, summary = "account.reactivated", "Support staff reactivated the account."
    else:
        # Inactive accounts cannot sign in; their open sessions end now, not at expiry.
        ended = end_all_sessions(account)
        action = "account.deactivated"
        summary = f"Support staff deactivated the account ({ended} signed-in sessions ended)."
    audit.record(action, summary, account=account, by=request.user, request=request)
