"""Single sign-on in Chromium, against a real OpenID Connect provider started for
this module (``tests.oidc_provider`` on a free 127.0.0.1 port): the whole
authorisation-code flow with PKCE, a tampered state, an expired code, an address
outside the provider's domains and an invitation accepted through the provider.

JavaScript is off throughout: every step is a link, a form and a redirect.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, screenshot
from tests.builders import make_user
from tests.oidc import PROVIDER_PASSWORD, ProviderUser, oidc_provider
from workshops.models import AuditEvent, MemberInvitation, Membership, SignInProvider, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN = "eastshire.example.gov.uk"
SLUG = "eastshire"
COUNCIL = "Eastshire County Council"
USERS = [
    ProviderUser("alice", f"alice@{DOMAIN}", "Alice Ashby"),
    ProviderUser("newbie", f"newbie@{DOMAIN}", "Nia Newman"),
    ProviderUser("carol", "carol@elsewhere.example.org", "Carol Outside"),
]


@pytest.fixture(scope="module")
def oidc(live_server, tmp_path_factory):
    callback = f"{live_server.url}/accounts/oidc/{SLUG}/login/callback/"
    with oidc_provider(tmp_path_factory.mktemp("oidc"), [callback], USERS) as running:
        yield running


@pytest.fixture
def provider(transactional_db, oidc, monkeypatch) -> SignInProvider:
    # The live server runs in this process: it reads the secret from here.
    monkeypatch.setenv("SSO_CLIENT_SECRET_EASTSHIRE", oidc.client_secret)
    return SignInProvider.objects.create(
        name=COUNCIL,
        slug=SLUG,
        issuer=oidc.issuer,
        client_id=oidc.client_id,
        email_domains=[DOMAIN],
    )


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport=DESKTOP, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def to_the_provider(page, email: str) -> None:
    """From our sign-in page to the provider's, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in with your organisation's account"
    )
    page.get_by_label("Your work email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Sign in with your {COUNCIL} account"
    )
    page.get_by_role("button", name=f"Continue to {COUNCIL}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test provider: sign in")


def at_the_provider(page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()


def held_callback(page, username: str) -> str:
    """Sign in at the provider, but hold the way back: returns the callback URL the
    provider sends the browser to, which has not reached the service yet.

    Playwright cannot hold a redirect the browser follows, so the provider's login
    form is sent by the browser context's own request client (its cookies are the
    browser's), following nothing; the test then opens the callback itself.
    """
    login = page.url
    form = {
        "csrfmiddlewaretoken": page.locator("[name=csrfmiddlewaretoken]").input_value(),
        "username": username,
        "password": PROVIDER_PASSWORD,
        "next": page.locator("[name=next]").input_value(),
    }
    client = page.context.request
    response = client.post(login, form=form, max_redirects=0, headers={"Referer": login})
    assert response.status == 302, response.text()
    authorize = urljoin(login, response.headers["location"])
    response = client.get(authorize, max_redirects=0)
    assert response.status == 302, response.text()
    callback = response.headers["location"]
    assert "/login/callback/?" in callback and "code=" in callback, callback
    return callback


def test_an_existing_account_signs_in_through_its_organisation_with_pkce(page, provider):
    alice = make_user(f"alice@{DOMAIN}", "Alice Ashby")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    to_the_provider(page, alice.email)
    at_the_provider(page, "alice")

    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Your partnerships")).to_be_visible()
    screenshot(page, "sso-signed-in")
    authorize = next(u for u in requests if urlsplit(u).path == "/o/authorize/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["login_hint"] == [alice.email]
    assert SocialAccount.objects.filter(user=alice, provider=SLUG).exists()
    assert AuditEvent.objects.filter(action="account.sso_linked", account=alice).exists()


def test_a_tampered_state_gets_a_clear_page_and_no_sign_in(page, provider):
    alice = make_user(f"alice@{DOMAIN}", "Alice Ashby")
    to_the_provider(page, alice.email)
    callback = held_callback(page, "alice")
    page.goto(re.sub(r"state=[^&]+", "state=not-the-state", callback))

    expect(page.get_by_role("heading", level=1)).to_have_text("This sign-in could not be matched")
    expect(page.get_by_text("You are not signed in, and nothing has changed")).to_be_visible()
    screenshot(page, "sso-wrong-state")
    page.goto("/")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    assert not SocialAccount.objects.exists()


def test_an_expired_code_gets_a_clear_page_and_no_sign_in(page, provider, oidc):
    alice = make_user(f"alice@{DOMAIN}", "Alice Ashby")
    to_the_provider(page, alice.email)
    callback = held_callback(page, "alice")
    time.sleep(oidc.code_seconds + 1)  # past the code's lifetime at the provider
    page.goto(callback)

    expect(page.get_by_role("heading", level=1)).to_have_text("The sign-in took too long")
    expect(page.get_by_text("Start again from the sign-in page")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.filter(action="account.sso_linked").exists()


def test_an_address_outside_the_providers_domains_is_refused(page, provider):
    users = User.objects.count()
    to_the_provider(page, f"anyone@{DOMAIN}")
    at_the_provider(page, "carol")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{COUNCIL} cannot sign you in with that address"
    )
    expect(page.get_by_text(f"addresses ending in @{DOMAIN}")).to_be_visible()
    screenshot(page, "sso-other-domain")
    assert User.objects.count() == users
    assert not SocialAccount.objects.exists()


def test_an_invitation_accepted_through_the_organisation_makes_the_account(page, provider, cast):
    invitation = MemberInvitation(
        partnership=cast.partnership,
        email=f"newbie@{DOMAIN}",
        role=Membership.Role.EXECUTIVE,
        invited_by=cast.coordinator,
    )
    token = invitation.issue_link()
    invitation.save()

    page.goto(f"/invitations/{token}/")
    page.get_by_role("button", name=f"Join with your {COUNCIL} account").click()
    page.get_by_role("button", name=f"Continue to {COUNCIL}").click()
    at_the_provider(page, "newbie")

    expect(page.get_by_role("heading", name="Eastvale LSP", level=1)).to_be_visible()
    expect(page.get_by_text("You have joined Eastvale LSP as an executive")).to_be_visible()
    screenshot(page, "sso-invitation-joined")
    newbie = User.objects.get(email=f"newbie@{DOMAIN}")
    assert Membership.objects.get(user=newbie, partnership=cast.partnership).role == "executive"
    assert SocialAccount.objects.filter(user=newbie, provider=SLUG).exists()
    assert AuditEvent.objects.filter(action="account.sso_linked", account=newbie).exists()


def test_the_single_sign_on_pages_pass_axe(browser, live_server, provider, oidc):
    from tests.browser.test_accessibility import Visitors, check

    staff = make_user("support@lsp-assess.example.org", "Support")
    staff.is_staff = True
    staff.save()
    visitors = Visitors(browser, live_server.url, {"staff": staff})
    try:
        page = visitors["anonymous"]
        page.goto("/accounts/organisation/")
        check(page, "organisation sign-in")
        page.get_by_role("button", name="Continue").click()
        check(page, "organisation sign-in with errors")
        page.get_by_label("Your work email address").fill(f"alice@{DOMAIN}")
        page.get_by_role("button", name="Continue").click()
        check(page, "continue to the provider")
        page.goto(f"/accounts/oidc/{SLUG}/login/")
        check(page, "allauth's page for the provider")
        page.goto(f"/accounts/oidc/{SLUG}/login/callback/?state=x&code=y")
        check(page, "a sign-in that could not be matched")
        page.goto("/accounts/3rdparty/login/cancelled/")
        check(page, "sign-in cancelled")

        page = visitors["staff"]
        page.goto("/support/sign-in-providers/")
        check(page, "sign-in providers")
        page.goto(f"/support/sign-in-providers/{provider.pk}/")
        check(page, "change a provider")
        page.goto("/support/sign-in-providers/new/")
        page.get_by_role("button", name="Save provider").click()
        check(page, "add a provider with errors")
    finally:
        visitors.close()
