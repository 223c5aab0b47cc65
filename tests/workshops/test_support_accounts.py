"""Support staff's pages about one account (workshops/views/support_accounts.py): finding
it, its second factors, resetting them when a device is lost, and deactivating it."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.workshops.accounts.second_factor import (
    give_totp,
    mfa_required,  # noqa: F401 - the "required" fixture
    password_step,
    sign_in,
    support_staff,  # noqa: F401 - the "staff" fixture
    text,
    totp_now,
)
from workshops.models import AuditEvent


def test_support_staff_find_an_account_by_email(client, cast, staff):
    client.force_login(staff)
    page = text(client.get(reverse("support-accounts")))
    assert "Find an account" in page and 'method="get"' in page
    response = client.get(
        reverse("support-accounts"), {"email": "COORDINATOR@eastvale.example.org"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("support-account", args=[cast.coordinator.pk])
    response = client.get(reverse("support-accounts"), {"email": "nobody@example.org"})
    assert "No account has the address nobody@example.org." in text(response)
    response = client.get(reverse("support-accounts"), {"email": "not an address"})
    page = text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter an email address like name@example.org" in page
    assert 'href="#id_email"' in page


def test_the_account_page_lists_its_second_factors(client, cast, staff):
    give_totp(cast.coordinator)
    Authenticator.objects.filter(user=cast.coordinator, type="totp").update(last_used_at=None)
    client.force_login(staff)
    page = text(client.get(reverse("support-account", args=[cast.coordinator.pk])))
    assert "coordinator@eastvale.example.org" in page
    assert "Coordinator of Eastvale LSP" in page
    assert "An authenticator app" in page
    assert "Recovery codes (10 unused)" in page
    assert "Not used" in page
    assert "Reset two-factor sign-in" in page and "Deactivate account" in page


def test_support_staff_reset_a_lost_second_factor(client, cast, staff, required):
    give_totp(staff)
    secret = give_totp(cast.coordinator)
    coordinator = Client()  # the browser on the phone that is lost
    password_step(coordinator, cast.coordinator.email)
    coordinator.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert coordinator.get(cast.partnership.get_absolute_url()).status_code == 200

    client.force_login(staff)
    url = reverse("support-account-mfa-reset", args=[cast.coordinator.pk])
    page = text(client.get(url))
    assert "Reset two-factor sign-in for coordinator@eastvale.example.org" in page
    assert Authenticator.objects.filter(user=cast.coordinator).count() == 2  # GET changed nothing
    response = client.post(url, follow=True)
    assert "Two-factor sign-in for coordinator@eastvale.example.org is reset" in text(response)
    assert "No second factor is set up." in text(response)
    assert not Authenticator.objects.filter(user=cast.coordinator).exists()
    event = AuditEvent.objects.get(action="account.mfa_reset")
    assert event.account == cast.coordinator and event.user == staff
    assert event.partnership is None
    assert event.summary == (
        "Support staff reset two-factor sign-in (removed an authenticator app, recovery codes)."
    )
    # The lost device's session is over; signing in again leads to setting up anew.
    response = coordinator.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    sign_in(coordinator, cast.coordinator.email)
    response = coordinator.get(cast.partnership.get_absolute_url())
    assert response["Location"] == reverse("mfa_index")


def test_only_other_support_staff_may_reset_or_deactivate(client, cast, staff):
    give_totp(staff)
    give_totp(cast.coordinator)
    urls = [
        reverse(name, args=[cast.coordinator.pk])
        for name in (
            "support-account",
            "support-account-mfa-reset",
            "support-account-deactivate",
            "support-account-reactivate",
        )
    ] + [reverse("support-accounts")]
    client.force_login(cast.coordinator)
    for url in urls:
        assert client.get(url).status_code in (403, 405), url
        assert client.post(url).status_code == 403, url
    # Staff cannot reset or deactivate their own account this way.
    client.force_login(staff)
    page = text(client.get(reverse("support-account", args=[staff.pk])))
    assert "This is your own account." in page and "Reset two-factor sign-in</a>" not in page
    for name in ("support-account-mfa-reset", "support-account-deactivate"):
        assert client.post(reverse(name, args=[staff.pk])).status_code == 403
    assert Authenticator.objects.filter(user=staff).count() == 2
    assert User_is_active(staff)
    assert Authenticator.objects.filter(user=cast.coordinator).count() == 2
    assert not AuditEvent.objects.filter(action__startswith="account.mfa_reset").exists()


def User_is_active(user) -> bool:  # noqa: N802 - reads as the assertion it is
    user.refresh_from_db()
    return user.is_active


def test_deactivating_an_account_signs_it_out_everywhere(client, cast, staff):
    coordinator = Client()
    assert sign_in(coordinator, cast.coordinator.email).status_code == 302
    assert coordinator.get(cast.partnership.get_absolute_url()).status_code == 200

    client.force_login(staff)
    url = reverse("support-account-deactivate", args=[cast.coordinator.pk])
    assert "They will be signed out everywhere" in text(client.get(url))
    response = client.post(url, follow=True)
    assert "coordinator@eastvale.example.org is deactivated and signed out everywhere." in text(
        response
    )
    assert not User_is_active(cast.coordinator)
    response = coordinator.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.account == cast.coordinator and event.user == staff
    # They cannot sign in again until reactivated.
    again = Client()
    sign_in(again, cast.coordinator.email)
    assert "_auth_user_id" not in again.session

    response = client.post(
        reverse("support-account-reactivate", args=[cast.coordinator.pk]), follow=True
    )
    assert "is active again and can sign in" in text(response)
    assert User_is_active(cast.coordinator)
    assert AuditEvent.objects.filter(action="account.reactivated", user=staff).exists()
    assert sign_in(Client(), cast.coordinator.email).status_code == 302
