"""Single sign-on through an organisation's own OpenID Connect provider.

The provider is real (``tests.oidc_provider``, in its own process): the service
fetches its discovery document, keys and tokens over HTTP. Here the test client
plays the browser on our side, and a ``requests`` session signs in at the
provider, so the rules are checked without a browser; tests/browser/test_sso.py
runs the same flow in Chromium.
"""

from __future__ import annotations

import html
import io
import json
import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core.management import call_command
from django.urls import reverse

from tests.builders import make_user
from tests.oidc import PROVIDER_PASSWORD, ProviderUser, oidc_provider
from workshops.accounts.sso import provider_for_email
from workshops.models import AuditEvent, MemberInvitation, Membership, SignInProvider, User
from workshops.services import backup, backup_export

DOMAIN = "eastshire.example.gov.uk"
SLUG = "eastshire"
CALLBACK = f"http://testserver/accounts/oidc/{SLUG}/login/callback/"
USERS = [
    ProviderUser("alice", f"alice@{DOMAIN}", "Alice Ashby"),
    ProviderUser("newbie", f"newbie@{DOMAIN}", "Nia Newman"),
    ProviderUser("stranger", f"stranger@{DOMAIN}", "Sam Stranger"),
    ProviderUser("unconfirmed", f"unconfirmed@{DOMAIN}", "Una Unconfirmed", verified=False),
    ProviderUser("carol", "carol@elsewhere.example.org", "Carol Outside"),
    # The provider vouching for an address in a domain it does not serve, where
    # an account exists: it must not be signed in to.
    ProviderUser("mallory", "participant@eastvale.example.org", "Mallory"),
]


@pytest.fixture(scope="module")
def oidc(tmp_path_factory):
    with oidc_provider(tmp_path_factory.mktemp("oidc"), [CALLBACK], USERS) as running:
        yield running


@pytest.fixture
def provider(db, oidc, monkeypatch) -> SignInProvider:
    monkeypatch.setenv("SSO_CLIENT_SECRET_EASTSHIRE", oidc.client_secret)
    return SignInProvider.objects.create(
        name="Eastshire County Council",
        slug=SLUG,
        issuer=oidc.issuer,
        client_id=oidc.client_id,
        email_domains=[DOMAIN],
        secret_variable="SSO_CLIENT_SECRET_EASTSHIRE",
    )


def start(client, email: str = "", next_url: str = "") -> str:
    """Our pages up to the provider: the organisation page, then its button.
    Returns the authorisation request's URL."""
    # Without an address, as from allauth's own page for the provider.
    asked = {"email": email} if email else {"provider": SLUG}
    page = client.get(reverse("sso-sign-in"), {**asked, "next": next_url})
    assert page.status_code == 200
    action = re.search(r'<form method="post" action="([^"]+)"', page.content.decode())
    response = client.post(action.group(1).replace("&amp;", "&"))
    assert response.status_code == 302
    return response["Location"]


def at_provider(authorize_url: str, username: str) -> str:
    """Sign in at the provider as ``username``; returns where it sends the browser back."""
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False)
    login_url = urljoin(authorize_url, response.headers["Location"])
    page = browser.get(login_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = browser.post(
        login_url,
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": PROVIDER_PASSWORD,
            "next": parse_qs(urlsplit(login_url).query)["next"][0],
        },
        allow_redirects=False,
    )
    response = browser.get(urljoin(login_url, response.headers["Location"]), allow_redirects=False)
    callback = response.headers["Location"]
    assert callback.startswith(CALLBACK), callback
    return callback


def back_here(client, callback: str):
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, username: str, email: str = "", next_url: str = ""):
    return back_here(client, at_provider(start(client, email, next_url), username))


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


# Which provider serves an address.


def test_an_address_is_served_by_the_provider_of_its_exact_domain(provider):
    assert provider_for_email(f"someone@{DOMAIN}") == provider
    assert provider_for_email(f"Someone@{DOMAIN.upper()}") == provider
    assert provider_for_email(f"someone@mail.{DOMAIN}") is None
    assert provider_for_email("someone@example.org") is None
    assert provider_for_email("not an address") is None
    provider.is_active = False
    provider.save()
    assert provider_for_email(f"someone@{DOMAIN}") is None


# The whole flow, against the real provider.


def test_the_authorisation_request_uses_pkce_with_s256_and_passes_the_address(client, provider):
    query = parse_qs(urlsplit(start(client, f"alice@{DOMAIN}")).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["login_hint"] == [f"alice@{DOMAIN}"]
    assert query["response_type"] == ["code"]
    assert query["state"][0]


def test_an_existing_account_is_signed_in_and_linked_once(client, provider):
    alice = make_user(f"alice@{DOMAIN}", "Alice Ashby")
    response = sign_in(client, "alice", f"alice@{DOMAIN}")
    assert response.status_code == 302
    assert signed_in_as(client) == alice.email
    assert SocialAccount.objects.filter(user=alice, provider=SLUG).count() == 1
    linked = AuditEvent.objects.get(action="account.sso_linked")
    assert linked.account == alice
    assert "Eastshire County Council" in linked.summary
    # Signing in again uses the link: no second link, no second record.
    client.logout()
    sign_in(client, "alice", f"alice@{DOMAIN}")
    assert signed_in_as(client) == alice.email
    assert SocialAccount.objects.filter(user=alice).count() == 1
    assert AuditEvent.objects.filter(action="account.sso_linked").count() == 1


def test_an_address_outside_the_providers_domains_is_refused_and_nothing_is_made(client, provider):
    users = User.objects.count()
    response = sign_in(client, "carol")
    assert response.status_code == 403
    assert "cannot sign you in with that address" in text(response)
    assert f"@{DOMAIN}" in text(response)
    assert signed_in_as(client) is None
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()


def test_a_provider_cannot_sign_in_an_account_of_a_domain_it_does_not_serve(client, provider):
    victim = make_user("participant@eastvale.example.org")
    response = sign_in(client, "mallory")
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.filter(user=victim).exists()
    assert not AuditEvent.objects.filter(action="account.sso_linked").exists()


def test_an_address_the_provider_has_not_confirmed_is_refused(client, provider):
    make_user(f"unconfirmed@{DOMAIN}")
    response = sign_in(client, "unconfirmed")
    assert response.status_code == 403
    assert "is not confirmed" in text(response)
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_without_an_invitation_no_account_is_created(client, provider):
    users = User.objects.count()
    response = sign_in(client, "stranger")
    assert response.status_code == 403
    assert f"There is no account for stranger@{DOMAIN}" in text(response)
    assert "invitation" in text(response)
    assert User.objects.count() == users
    assert signed_in_as(client) is None


def _invite(cast, email: str) -> str:
    invitation = MemberInvitation(
        partnership=cast.partnership,
        email=email,
        role=Membership.Role.PARTICIPANT,
        invited_by=cast.coordinator,
    )
    token = invitation.issue_link()
    invitation.save()
    return reverse("member-invitation", args=[token])


def test_an_invitation_accepted_through_the_provider_creates_and_links_the_account(
    client, provider, cast
):
    link = _invite(cast, f"newbie@{DOMAIN}")
    page = client.get(link)
    assert "Join with your Eastshire County Council account" in text(page)
    response = sign_in(client, "newbie", f"newbie@{DOMAIN}", link)
    assert response.status_code == 302
    assert response["Location"] == cast.partnership.get_absolute_url()
    newbie = User.objects.get(email=f"newbie@{DOMAIN}")
    assert newbie.full_name == "Nia Newman"
    assert not newbie.has_usable_password()
    assert signed_in_as(client) == newbie.email
    assert Membership.objects.get(user=newbie).role == Membership.Role.PARTICIPANT
    assert SocialAccount.objects.filter(user=newbie, provider=SLUG).exists()
    assert AuditEvent.objects.filter(action="account.sso_linked", account=newbie).exists()
    assert "You have joined Eastvale LSP as a participant" in text(client.get(response["Location"]))


def test_an_invitation_for_another_address_creates_nothing(client, provider, cast):
    link = _invite(cast, f"newbie@{DOMAIN}")
    response = sign_in(client, "stranger", f"newbie@{DOMAIN}", link)
    assert response.status_code == 403
    assert not User.objects.filter(email__endswith=DOMAIN).exists()
    assert not MemberInvitation.objects.filter(accepted_at__isnull=False).exists()


def test_a_tampered_state_is_refused_plainly(client, provider):
    make_user(f"alice@{DOMAIN}")
    callback = at_provider(start(client, f"alice@{DOMAIN}"), "alice")
    response = back_here(client, re.sub(r"state=[^&]+", "state=tampered", callback))
    assert response.status_code == 400
    assert "This sign-in could not be matched" in text(response)
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_an_expired_code_is_refused_plainly(client, provider, oidc):
    make_user(f"alice@{DOMAIN}")
    callback = at_provider(start(client, f"alice@{DOMAIN}"), "alice")
    time.sleep(oidc.code_seconds + 1)
    response = back_here(client, callback)
    assert response.status_code == 400
    assert "The sign-in took too long" in text(response)
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_a_provider_that_cannot_be_reached_gives_a_clear_page(client, provider):
    SignInProvider.objects.filter(pk=provider.pk).update(issuer="http://127.0.0.1:9/o")
    page = client.get(reverse("sso-sign-in"), {"email": f"alice@{DOMAIN}"})
    assert page.status_code == 502
    assert "cannot be reached" in text(page)
    # Its own address, posted to directly, says the same (never a server error).
    response = client.post(reverse("openid_connect_login", args=[SLUG]))
    assert response.status_code == 502
    assert "cannot be reached" in text(response)


def test_a_provider_whose_secret_is_not_set_says_so(client, provider, monkeypatch):
    monkeypatch.delenv("SSO_CLIENT_SECRET_EASTSHIRE")
    page = client.get(reverse("sso-sign-in"), {"email": f"alice@{DOMAIN}"})
    assert page.status_code == 503
    assert "not fully set up" in text(page)


# The sign-in pages.


def test_the_organisation_page_asks_for_an_address_and_says_when_there_is_no_provider(
    client, provider
):
    page = client.get(reverse("sso-sign-in"))
    assert "Your work email address" in text(page)
    response = client.post(reverse("sso-sign-in"), {"email": "someone@example.org"})
    assert "There is a problem" in text(response)
    assert (
        "Your organisation does not sign in through its own accounts here; "
        "sign in with your password" in text(response)
    )
    response = client.post(reverse("sso-sign-in"), {"email": "not an address"})
    assert "Enter an email address like name@example.gov.uk" in text(response)
    response = client.post(reverse("sso-sign-in"), {"email": f"anyone@{DOMAIN}"})
    assert "Continue to Eastshire County Council" in text(response)


def test_the_provider_page_may_send_its_form_to_the_provider_only(client, provider, oidc):
    page = client.get(reverse("sso-sign-in"), {"email": f"alice@{DOMAIN}"})
    policy = page["Content-Security-Policy"]
    assert re.search(r"form-action 'self' " + re.escape(oidc.origin), policy)
    assert oidc.origin not in client.get(reverse("login"))["Content-Security-Policy"]


def test_an_unsafe_next_is_dropped(client, provider):
    page = client.get(
        reverse("sso-sign-in"), {"email": f"alice@{DOMAIN}", "next": "https://evil.example/"}
    )
    assert "evil.example" not in page.content.decode()


def test_password_sign_in_is_refused_for_a_served_domain_whether_or_not_the_account_exists(
    client, provider
):
    make_user(f"alice@{DOMAIN}")
    answers = []
    for email in (f"alice@{DOMAIN}", f"nobody@{DOMAIN}"):
        response = client.post(
            reverse("login"), {"login": email, "password": "correct-horse-battery"}
        )
        assert response.status_code == 200
        assert signed_in_as(client) is None
        page = text(response).replace(email, "EMAIL").replace(email.split("@")[0], "NAME")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        assert "sign in through Eastshire County Council, not with a password" in page
        assert "Sign in with your Eastshire County Council account" in page
        answers.append(page)
    assert answers[0] == answers[1]
    # The page's button leads to the provider with the address filled in.
    assert f'href="/accounts/organisation/?email=nobody%40{DOMAIN}' in response.content.decode()


def test_password_sign_in_still_works_for_other_domains(client, provider):
    make_user("participant@eastvale.example.org")
    response = client.post(
        reverse("login"),
        {"login": "participant@eastvale.example.org", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert signed_in_as(client) == "participant@eastvale.example.org"


def test_allauths_own_provider_page_leads_to_ours(client, provider):
    page = client.get(reverse("openid_connect_login", args=[SLUG]))
    assert page.status_code == 200
    assert f"/accounts/organisation/?provider={SLUG}" in page.content.decode()
    assert "Sign in with your Eastshire County Council account" in text(page)


# The secret.


def test_the_secret_is_never_in_the_database_or_the_backup(provider, oidc, cast):
    assert provider.secret == oidc.client_secret
    dump = io.StringIO()
    call_command("dumpdata", "workshops", stdout=dump)
    assert oidc.client_secret not in dump.getvalue()
    assert "SSO_CLIENT_SECRET_EASTSHIRE" in dump.getvalue()  # only the variable's name
    out = io.StringIO()
    backup_export.write_backup(cast.partnership, out)
    assert oidc.client_secret not in out.getvalue()
    assert "workshops.SignInProvider" in backup.EXCLUDED


# Support staff's pages.


@pytest.fixture
def staff(db):
    user = make_user("support@lsp-assess.example.org", "Support")
    user.is_staff = True
    user.save()
    return user


def test_the_providers_pages_are_for_support_staff_only(client, provider, cast):
    urls = [
        reverse("sso-providers"),
        reverse("sso-provider-add"),
        reverse("sso-provider-edit", args=[provider.pk]),
    ]
    for url in urls:
        assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(cast.coordinator)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(reverse("sso-provider-deactivate", args=[provider.pk])).status_code == 403
    assert SignInProvider.objects.get().is_active


def test_support_staff_see_whether_the_secret_is_set(client, provider, staff, monkeypatch):
    client.force_login(staff)
    page = text(client.get(reverse("sso-providers")))
    assert "Eastshire County Council" in page
    assert DOMAIN in page
    assert "Set</strong> in <code>SSO_CLIENT_SECRET_EASTSHIRE</code>" in page
    assert provider.secret not in page
    assert f"Redirect URI: http://testserver/accounts/oidc/{SLUG}/login/callback/" in page
    monkeypatch.delenv("SSO_CLIENT_SECRET_EASTSHIRE")
    assert "Not set</strong>" in text(client.get(reverse("sso-providers")))


def test_support_staff_add_change_and_deactivate_a_provider(client, staff, db):
    client.force_login(staff)
    response = client.post(
        reverse("sso-provider-add"),
        {
            "name": "Westshire NHS Trust",
            "slug": "westshire-nhs",
            "issuer": "https://login.microsoftonline.com/tenant/v2.0",
            "client_id": "abc-123",
            "email_domains": "@westshire.nhs.example\nWESTSHIRE-ICB.example",
            "secret_variable": "",
        },
    )
    assert response.status_code == 302
    added = SignInProvider.objects.get(slug="westshire-nhs")
    assert added.email_domains == ["westshire.nhs.example", "westshire-icb.example"]
    assert added.secret_variable == "SSO_CLIENT_SECRET_WESTSHIRE_NHS"
    event = AuditEvent.objects.get(action="sso.provider_added")
    assert event.user == staff and "Westshire NHS Trust" in event.summary
    page = text(client.get(response["Location"]))
    assert "Register http://testserver/accounts/oidc/westshire-nhs/login/callback/" in page

    response = client.post(
        reverse("sso-provider-edit", args=[added.pk]),
        {
            "name": "Westshire NHS Foundation Trust",
            "issuer": added.issuer,
            "client_id": "abc-123",
            "email_domains": "westshire.nhs.example",
            "secret_variable": "WESTSHIRE_SECRET",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.name == "Westshire NHS Foundation Trust"
    assert added.slug == "westshire-nhs"  # never changed once set
    assert added.secret_variable == "WESTSHIRE_SECRET"
    assert AuditEvent.objects.filter(action="sso.provider_changed").count() == 1

    assert client.get(reverse("sso-provider-deactivate", args=[added.pk])).status_code == 405
    response = client.post(reverse("sso-provider-deactivate", args=[added.pk]))
    assert response.status_code == 302
    added.refresh_from_db()
    assert not added.is_active
    assert AuditEvent.objects.filter(action="sso.provider_deactivated").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email_domains", "", "Enter at least one email domain"),
        ("email_domains", "not a domain", "is not an email domain"),
        ("email_domains", f"{DOMAIN}\n{DOMAIN}", "Enter each domain once"),
        ("email_domains", f"other.example\n{DOMAIN}", f"{DOMAIN} is already served by Eastshire"),
        ("issuer", "http://login.example.org/", "Enter an issuer URL that starts with https://"),
        ("issuer", "not a url", "Enter the issuer URL"),
        ("slug", "Has Spaces", "Use lower-case letters, digits and single hyphens"),
        ("slug", SLUG, "Another provider has this short name"),
        ("secret_variable", "1-BAD name", "Use capital letters, digits and underscores"),
        ("name", "", "Enter the organisation's name"),
        ("client_id", "", "Enter the client ID"),
    ],
)
def test_bad_provider_details_are_refused_with_a_message(
    client, staff, provider, field, value, message
):
    client.force_login(staff)
    data = {
        "name": "Northshire Council",
        "slug": "northshire",
        "issuer": "https://id.northshire.example/",
        "client_id": "north",
        "email_domains": "northshire.example",
        "secret_variable": "",
        field: value,
    }
    before = list(SignInProvider.objects.values())
    response = client.post(reverse("sso-provider-add"), data)
    assert response.status_code == 200
    assert "There is a problem" in text(response)
    assert message in text(response)
    assert list(SignInProvider.objects.values()) == before
    assert not AuditEvent.objects.filter(action__startswith="sso.").exists()


def test_the_test_provider_gives_the_claims_the_service_reads(oidc):
    config = requests.get(oidc.issuer + "/.well-known/openid-configuration", timeout=5).json()
    assert "S256" in config["code_challenge_methods_supported"]
    assert json.dumps(config["issuer"]) == json.dumps(oidc.issuer)
