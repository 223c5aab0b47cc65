"""Single sign-on through organisations' own OpenID Connect providers.

Support staff list the providers (``workshops.models.SignInProvider``) and the
email domains each serves. django-allauth's own openid_connect views run the
authorisation-code flow with PKCE; this adapter gives allauth the providers and
holds the rules:

- the address the provider returns must be confirmed by it (``email_verified``)
  and in one of that provider's domains, or nothing is created or linked;
- an account with that address is signed in and linked to the identity, but only
  through the provider that serves its domain;
- an account is created only for an invitation that is still open, when the
  person started from its link ("Join with your … account"): the invitation is
  accepted at once, as the button said it would be.

Every link of an identity to an account is audited ("account.sso_linked").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount import signals
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthError
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.db import transaction
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from workshops import audit
from workshops.models import MemberInvitation, SignInProvider, User
from workshops.models.partnership import a_role
from workshops.models.sso import email_domain

if TYPE_CHECKING:
    from allauth.socialaccount.models import SocialLogin

PROVIDER = "openid_connect"
logger = logging.getLogger(__name__)


def provider_for_email(email: str) -> SignInProvider | None:
    """The active provider that serves ``email``'s domain, if any."""
    domain = email_domain(email)
    if not domain:
        return None
    # Few rows (one per organisation), and JSON containment is not portable between
    # SQLite and PostgreSQL: matched here.
    for provider in SignInProvider.objects.filter(is_active=True):
        if domain in provider.email_domains:
            return provider
    return None


def active_provider(slug: str) -> SignInProvider | None:
    return SignInProvider.objects.filter(slug=slug, is_active=True).first()


def social_app(provider: SignInProvider) -> SocialApp:
    """The provider as allauth's (unsaved) app, as allauth builds settings-based ones."""
    return SocialApp(
        provider=PROVIDER,
        provider_id=provider.slug,
        name=provider.name,
        client_id=provider.client_id,
        secret=provider.secret,
        settings={
            "server_url": provider.issuer,
            "oauth_pkce_enabled": True,
            # Named, so that building the token request does not need the provider's
            # discovery document (fetched where a failure is not caught). Entra ID
            # and every other provider accept the secret in the request body.
            "token_auth_method": "client_secret_post",
        },
    )


class _ProviderSession(requests.Session):
    """Requests to a provider (discovery, token, keys, userinfo), where a provider
    that cannot be reached or fails is our sign-in error page, wherever in the flow
    it happens: allauth catches some failures itself but not all (one while the flow
    starts would be a server error)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.RequestException as exc:
            raise _unreachable(f"The provider could not be reached: {exc}") from exc
        if response.status_code >= 500 or (response.status_code >= 400 and method.upper() == "GET"):
            # A token request's 400 is read by allauth (it says why: an expired code);
            # a failed discovery, keys or userinfo request is the provider failing.
            raise _unreachable(f"The provider answered {response.status_code} for {url}")
        return response


def _unreachable(detail: str) -> Exception:
    request = allauth_context.request
    if request is None:
        return OAuth2Error(detail)
    context = {"auth_error": {"code": "unreachable", "exception": detail}}
    response = render(request, "socialaccount/authentication_error.html", context, status=502)
    return ImmediateHttpResponse(response)


REFUSALS = {
    "no email": (
        "Your organisation's sign-in did not give an email address",
        "{provider} did not tell us your email address, so we cannot tell which "
        "account is yours. Nothing has changed. Ask your organisation's IT service "
        "desk to release your email address to this service.",
    ),
    "unverified": (
        "Your email address is not confirmed by {provider}",
        "{provider} says your email address {email} is not confirmed, so it cannot be "
        "used to sign in here. Nothing has changed. Ask your organisation's IT service "
        "desk to confirm the address on your account.",
    ),
    "other domain": (
        "{provider} cannot sign you in with that address",
        "You signed in to {provider} as {email}, but {provider} signs in only addresses "
        "ending in {domains} here. Nothing has changed: no account was created or "
        "linked. Sign out of {provider} and sign in with your work address, or sign in "
        "here with your password if your organisation does not use {provider}.",
    ),
    "another account": (
        "That is not the address of this account",
        "You signed in to {provider} as {email}, which is not the address of the "
        "account you are signed in to here. Nothing has changed.",
    ),
    "no account": (
        "There is no account for {email}",
        "You signed in to {provider} as {email}, but nobody has invited that address "
        "to a partnership here, so there is no account for it. Nothing has changed. "
        "If you have an invitation, open the link in the invitation email and choose "
        "“Join with your {provider} account”.",
    ),
    "inactive": (
        "Your account is switched off",
        "The account for {email} has been switched off by support staff, so it cannot "
        "be signed in to. Nothing has changed. Ask them to switch it back on.",
    ),
    "withdrawn": (
        "Sign-in through {provider} has stopped",
        "Support staff have stopped sign-in through {provider} here while you were "
        "signing in. Nothing has changed. Sign in with your password, or ask them "
        "when it will work again.",
    ),
}


def refusal(request: HttpRequest, reason: str, **words: str) -> HttpResponse:
    """The page saying why a sign-in through a provider was refused (nothing changed)."""
    title, message = REFUSALS[reason]
    context = {
        "title": title.format(**words),
        "message": message.format(**words),
        "reason": reason,
        "provider_name": words.get("provider", ""),
    }
    return render(request, "socialaccount/refused.html", context, status=403)


def _returned_email(sociallogin: SocialLogin) -> tuple[str, bool]:
    """The address the provider gave, and whether it said the address is confirmed."""
    for address in sociallogin.email_addresses:
        if address.email:
            return address.email.strip().lower(), bool(address.verified)
    return "", False


def invitation_in_flow(sociallogin: SocialLogin) -> MemberInvitation | None:
    """The invitation whose link the flow started from (its ``next``), if any."""
    from workshops.access import get_member_invitation_by_token

    next_url = sociallogin.state.get("next") or ""
    try:
        match = resolve(urlsplit(next_url).path)
    except Resolver404:
        return None
    if match.url_name != "member-invitation":
        return None
    try:
        return get_member_invitation_by_token(match.kwargs["token"])
    except Http404:
        return None


def _usable_invitation(sociallogin: SocialLogin, email: str) -> MemberInvitation | None:
    from workshops.services import member_invitations

    invitation = invitation_in_flow(sociallogin)
    if invitation is None or invitation.email != email:
        return None
    try:
        member_invitations.check(invitation)
    except member_invitations.InvitationGone:
        return None
    return invitation


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        # The providers support staff set up are the only ones: no SocialApp rows,
        # no settings-based apps.
        apps = []
        for row in SignInProvider.objects.filter(is_active=True):
            app = social_app(row)
            if provider and provider not in (app.provider_id, app.provider):
                continue
            if client_id and app.client_id != client_id:
                continue
            apps.append(app)
        return apps

    def get_requests_session(self):
        from allauth.socialaccount import app_settings

        return _ProviderSession(app_settings.REQUESTS_TIMEOUT)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """Say plainly what went wrong: allauth's page has one message for all of it."""
        extra_context = extra_context or {}
        if error == AuthError.CANCELLED:
            return  # allauth's "you did not sign in" page
        if exception is not None:
            # The token request refused the code: past its lifetime, used already,
            # or not issued for this sign-in.
            refused = isinstance(exception, OAuth2Error) and str(exception).startswith(
                "Error retrieving access token"
            )
            reason = "code" if refused else "provider"
        elif "state_id" in extra_context and not extra_context.get("state"):
            reason = "state"  # no sign-in of this browser has that state
        else:
            reason = "provider"
        logger.warning(
            "Sign-in through %s failed (%s): %s %s",
            getattr(provider, "sub_id", provider),
            reason,
            error,
            exception or request.GET.get("error_description", "") or request.GET.get("error", ""),
        )
        context = {
            "reason": reason,
            "provider_name": getattr(provider, "name", ""),
            "provider_error": str(request.GET.get("error_description") or "")[:200],
        }
        status = 502 if reason == "provider" and exception is not None else 400
        template = "socialaccount/authentication_error.html"
        raise ImmediateHttpResponse(render(request, template, context, status=status))

    def can_authenticate_by_email(self, login: SocialLogin, email: str) -> bool:
        # Only the provider that serves an address may sign in its account: another
        # organisation's provider vouching for it must not.
        serving = provider_for_email(email)
        return serving is not None and serving.slug == login.account.provider

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = active_provider(sociallogin.account.provider)
        email, verified = _returned_email(sociallogin)
        words = {
            "provider": provider.name if provider else "Your organisation's sign-in",
            "email": email,
        }
        if provider is None:
            raise ImmediateHttpResponse(refusal(request, "withdrawn", **words))
        words["domains"] = " or ".join(f"@{d}" for d in provider.email_domains)
        if not email:
            raise ImmediateHttpResponse(refusal(request, "no email", **words))
        if not verified:
            raise ImmediateHttpResponse(refusal(request, "unverified", **words))
        if not provider.serves(email):
            raise ImmediateHttpResponse(refusal(request, "other domain", **words))
        user = sociallogin.user if sociallogin.is_existing else None
        # An identity is linked only to the account with its own address (the address
        # is how invitations, and this product, know a person).
        if user is not None and user.email.lower() != email:
            raise ImmediateHttpResponse(refusal(request, "another account", **words))
        connecting = sociallogin.state.get("process") == "connect"
        if connecting and request.user.is_authenticated and request.user.email.lower() != email:
            raise ImmediateHttpResponse(refusal(request, "another account", **words))
        if user is not None and not user.is_active:
            raise ImmediateHttpResponse(refusal(request, "inactive", **words))
        if user is None and User.objects.filter(email__iexact=email).exists():
            # An account that email authentication passed over (switched off).
            raise ImmediateHttpResponse(refusal(request, "inactive", **words))

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        email, _ = _returned_email(sociallogin)
        if _usable_invitation(sociallogin, email) is not None:
            return True
        provider = active_provider(sociallogin.account.provider)
        name = provider.name if provider else "your organisation"
        raise ImmediateHttpResponse(refusal(request, "no account", provider=name, email=email))

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data) -> User:
        user = sociallogin.user
        email, _ = _returned_email(sociallogin)
        user.email = email
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.full_name = (name or "").strip()[:150]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None) -> User:
        from workshops.services import member_invitations

        email, _ = _returned_email(sociallogin)
        invitation = _usable_invitation(sociallogin, email)
        if invitation is None:  # withdrawn or used since the flow started
            raise ImmediateHttpResponse(refusal(request, "no account", **_words(sociallogin)))
        try:
            with transaction.atomic():
                user = super().save_user(request, sociallogin, form)
                member_invitations.accept(invitation, user, request)
        except member_invitations.InvitationGone:
            # Accepted or withdrawn in the moment between: nothing was kept.
            raise ImmediateHttpResponse(
                refusal(request, "no account", **_words(sociallogin))
            ) from None
        record_link(request, sociallogin)
        partnership = invitation.partnership
        messages.success(request, f"You have joined {partnership} as {a_role(invitation.role)}.")
        sociallogin.state["next"] = partnership.get_absolute_url()
        return user


def _words(sociallogin: SocialLogin) -> dict[str, str]:
    provider = active_provider(sociallogin.account.provider)
    return {
        "provider": provider.name if provider else "your organisation",
        "email": _returned_email(sociallogin)[0],
    }


def record_link(request: HttpRequest | None, sociallogin: SocialLogin) -> None:
    account = sociallogin.user
    words = _words(sociallogin)
    audit.record(
        "account.sso_linked",
        f"{account.email} was linked to their {words['provider']} sign-in ({words['email']}).",
        account=account,
        request=request,
    )


@receiver(signals.social_account_added)
def _linked(sender, request: HttpRequest, sociallogin: SocialLogin, **kwargs) -> None:
    # An existing account linked on its first sign-in through its provider
    # (email authentication) or from its connections page.
    record_link(request, sociallogin)


@receiver(signals.social_account_removed)
def _unlinked(sender, request: HttpRequest, socialaccount, **kwargs) -> None:
    provider = active_provider(socialaccount.provider)
    name = provider.name if provider else socialaccount.provider
    audit.record(
        "account.sso_unlinked",
        f"{socialaccount.user.email} removed the link to their {name} sign-in.",
        account=socialaccount.user,
        request=request,
    )
