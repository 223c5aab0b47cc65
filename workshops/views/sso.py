"""Single sign-on pages: the public page that finds a person's organisation from
their email address and starts its sign-in, and support staff's list of providers."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from workshops import audit
from workshops.access import POST_ONLY, check_method
from workshops.accounts.sso import active_provider, provider_for_email
from workshops.forms.sso import OrganisationSignInForm, SignInProviderForm
from workshops.models import SignInProvider
from workshops.views.common import posted

NO_PROVIDER = (
    "Your organisation does not sign in through its own accounts here; sign in with your password"
)


def _safe_next(request: HttpRequest, value: str) -> str:
    """``value`` if it is a page of this site, else nothing."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _login_url(provider: SignInProvider, email: str, next_url: str) -> str:
    """allauth's own address that starts the provider's flow (it takes a POST)."""
    params = {"process": "login"}
    if next_url:
        params["next"] = next_url
    if email:
        # Passed on to the provider, which then need not ask for the address again.
        params["auth_params"] = urlencode({"login_hint": email})
    path = reverse("openid_connect_login", kwargs={"provider_id": provider.slug})
    return f"{path}?{urlencode(params)}"


def _continue(
    request: HttpRequest, provider: SignInProvider, email: str, next_url: str
) -> HttpResponse:
    """The page with the button that starts the provider's sign-in."""
    if not provider.secret_is_set:
        context = {"provider": provider}
        return render(request, "workshops/sso/not_ready.html", context, status=503)
    try:
        # Read now, so that a provider that is down says so here, and so that the
        # page may send its form on to the provider's sign-in page (below).
        config = OpenIDConnectOAuth2Adapter(request, provider.slug).openid_config
    except ImmediateHttpResponse as failed:
        return failed.response
    except OAuth2Error:
        context = {"auth_error": {"code": "unreachable"}}
        return render(request, "socialaccount/authentication_error.html", context, status=502)
    context = {
        "provider": provider,
        "email": email,
        "login_url": _login_url(provider, email, next_url),
    }
    response = render(request, "workshops/sso/continue.html", context)
    # The button posts here, and allauth answers with a redirect to the provider:
    # browsers hold that redirect to the page's form-action rule, which otherwise
    # allows this site only.
    authorize = urlsplit(str(config.get("authorization_endpoint", "")))
    if authorize.scheme in ("http", "https") and authorize.netloc:
        response._csp_update = {"form-action": [f"{authorize.scheme}://{authorize.netloc}"]}
    return response


@never_cache
def organisation_sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for an email address; for one in a domain a provider serves, offer that
    provider's sign-in. Works for the whole domain, so it says nothing of accounts."""
    data = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, str(data.get("next", "")))
    if request.method == "GET" and "provider" in data:
        # From allauth's own page for a provider (its address opened directly).
        provider = active_provider(str(data["provider"]))
        if provider is not None:
            return _continue(request, provider, "", next_url)
    bound = request.method == "POST" or "email" in data
    form = OrganisationSignInForm(
        {"email": data.get("email", ""), "next": next_url} if bound else None,
        initial={"next": next_url},
    )
    if bound and form.is_valid():
        email = form.cleaned_data["email"].lower()
        provider = provider_for_email(email)
        if provider is not None:
            return _continue(request, provider, email, next_url)
        form.add_error("email", NO_PROVIDER)
    context = {"form": form, "next": next_url}
    return render(request, "workshops/sso/sign_in.html", context)


# Support staff's pages.


def _support_staff_only(request: HttpRequest) -> None:
    # Which organisation's provider vouches for which addresses decides who can
    # sign in as whom: only support staff set it.
    if not request.user.is_staff:
        raise PermissionDenied("Only support staff set up sign-in providers.")


def _redirect_uri(request: HttpRequest, provider: SignInProvider) -> str:
    return request.build_absolute_uri(
        reverse("openid_connect_callback", kwargs={"provider_id": provider.slug})
    )


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    _support_staff_only(request)
    providers = [(p, _redirect_uri(request, p)) for p in SignInProvider.objects.all()]
    return render(request, "workshops/sso/list.html", {"providers": providers})


def _domains(provider: SignInProvider) -> str:
    return ", ".join(provider.email_domains)


def _save(request: HttpRequest, form: SignInProviderForm) -> SignInProvider | None:
    """Validate and save under a lock on every provider, so that two people adding
    the same domain at once cannot both succeed."""
    with transaction.atomic():
        list(SignInProvider.objects.select_for_update())
        if form.is_valid():
            return form.save()
    return None


@login_required
def provider_add(request: HttpRequest) -> HttpResponse:
    _support_staff_only(request)
    form = SignInProviderForm(posted(request))
    if request.method == "POST" and (provider := _save(request, form)):
        audit.record(
            "sso.provider_added",
            f"Added the sign-in provider {provider.name} ({provider.issuer}) for "
            f"{_domains(provider)}.",
            by=request.user,
            request=request,
        )
        messages.success(
            request,
            f"{provider.name} is added. Register {_redirect_uri(request, provider)} with the "
            f"provider as the redirect URI, and put the client secret in "
            f"{provider.secret_variable}.",
        )
        return redirect("sso-providers")
    context = {"form": form, "title": "Add a sign-in provider"}
    return render(request, "workshops/sso/form.html", context)


@login_required
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    _support_staff_only(request)
    provider = get_object_or_404(SignInProvider, pk=provider_id)
    form = SignInProviderForm(posted(request), instance=provider)
    if request.method == "POST" and (saved := _save(request, form)):
        state = "active" if saved.is_active else "not active"
        audit.record(
            "sso.provider_changed",
            f"Changed the sign-in provider {saved.name} ({saved.issuer}, {state}) for "
            f"{_domains(saved)}.",
            by=request.user,
            request=request,
        )
        messages.success(request, f"{saved.name} is saved.")
        return redirect("sso-providers")
    context = {"form": form, "title": f"Change {provider.name}", "provider": provider}
    return render(request, "workshops/sso/form.html", context)


@login_required
def provider_deactivate(request: HttpRequest, provider_id: int) -> HttpResponse:
    _support_staff_only(request)
    provider = get_object_or_404(SignInProvider, pk=provider_id)
    check_method(request, POST_ONLY)
    if not provider.is_active:
        messages.info(request, f"{provider.name} was already not active.")
        return redirect("sso-providers")
    SignInProvider.objects.filter(pk=provider.pk).update(is_active=False)
    audit.record(
        "sso.provider_deactivated",
        f"Stopped sign-in through {provider.name} for {_domains(provider)}.",
        by=request.user,
        request=request,
    )
    messages.success(
        request,
        f"Nobody signs in through {provider.name} now. People with addresses in "
        f"{_domains(provider)} sign in with a password (they can set one with "
        "“Forgotten your password?”).",
    )
    return redirect("sso-providers")
