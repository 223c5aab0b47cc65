"""Who must have a second factor (MFA_REQUIRED_ROLES, workshops/accounts/mfa.py): coordinators
and support staff go nowhere else until they set one up; others may opt in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lsp_assess import settings as project_settings
from tests.workshops.accounts.second_factor import (
    give_totp,
    mfa_required,  # noqa: F401 - the "required" fixture
    support_staff,  # noqa: F401 - the "staff" fixture
    text,
)
from workshops.models import Partnership

ROOT = Path(__file__).resolve().parents[3]


# The shipped setting.


def test_the_shipped_default_is_coordinators_and_support_staff():
    assert project_settings.MFA_REQUIRED_ROLES == ["coordinator", "staff"]


def test_none_makes_two_factor_sign_in_optional_for_everyone():
    env = {**os.environ, "MFA_REQUIRED_ROLES": "none"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lsp_assess import settings; print(settings.MFA_REQUIRED_ROLES)",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"


# Who must set up a second factor first.


def test_a_coordinator_without_a_second_factor_is_sent_to_set_one_up(client, cast, required):
    client.force_login(cast.coordinator)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    page = text(client.get(reverse("mfa_index")))
    assert "Set up two-factor sign-in before you go on" in page
    assert "Set up an authenticator app" in page
    # Nothing can be changed meanwhile, anywhere.
    response = client.post(
        reverse("partnership-edit", args=[cast.partnership.pk]), {"name": "Renamed"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    assert Partnership.objects.get(pk=cast.partnership.pk).name == "Eastvale LSP"
    for name in ("home", "members", "account", "usersessions_list"):
        args = [cast.partnership.pk] if name == "members" else []
        assert client.get(reverse(name, args=args)).status_code == 302, name
    # The scripts' polls get a refusal they can read, not a page.
    response = client.get(reverse("home"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response.json()["url"] == reverse("mfa_index")
    # What setting one up needs, and pages with nothing to protect, still work.
    assert client.get(reverse("accessibility")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code == 302  # to confirm the password
    assert client.get(reverse("account_reauthenticate")).status_code == 200
    assert client.get(reverse("mfa_list_webauthn")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_with_an_authenticator_app_the_coordinator_goes_on(client, cast, required):
    give_totp(cast.coordinator)
    client.force_login(cast.coordinator)
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    assert "before you go on" not in text(client.get(reverse("mfa_index")))


def test_recovery_codes_alone_are_not_a_second_factor(client, cast, required):
    client.force_login(cast.coordinator)
    RecoveryCodes.activate(cast.coordinator)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")


def test_an_executive_is_not_made_to_but_may_opt_in(client, cast, required):
    client.force_login(cast.executive)
    assert client.get(cast.partnership.get_absolute_url()).status_code == 200
    page = text(client.get(reverse("mfa_index")))
    assert "before you go on" not in page and "Set up an authenticator app" in page


def test_support_staff_must_set_one_up(client, staff, required):
    client.force_login(staff)
    response = client.get(reverse("support-partnerships"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    give_totp(staff)
    assert client.get(reverse("support-partnerships")).status_code == 200


def test_the_roles_come_from_the_setting(client, cast, settings):
    settings.MFA_REQUIRED_ROLES = ["executive"]
    client.force_login(cast.executive)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
    client.force_login(cast.coordinator)
    assert "Eastvale LSP" in text(client.get(cast.partnership.get_absolute_url()))


def test_visitors_and_phones_are_not_touched(client, cast, required, django_assert_num_queries):
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # No session cookie: the rule reads neither the session nor the database.
    with CaptureQueriesContext(connection) as with_rule:
        assert client.get(reverse("join")).status_code == 200
    assert not any("mfa_authenticator" in q["sql"] for q in with_rule.captured_queries)
    assert len(with_rule.captured_queries) == 0


def test_the_rule_costs_one_query_a_request(client, cast, settings):
    give_totp(cast.coordinator)
    client.force_login(cast.coordinator)
    url = cast.partnership.get_absolute_url()
    client.get(url)  # warm up
    settings.MFA_REQUIRED_ROLES = []
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    settings.MFA_REQUIRED_ROLES = ["coordinator", "staff"]
    with CaptureQueriesContext(connection) as with_rule:
        assert client.get(url).status_code == 200
    assert len(with_rule.captured_queries) == len(without.captured_queries) + 1
    [extra] = [q["sql"] for q in with_rule.captured_queries if "mfa_authenticator" in q["sql"]]
    assert "workshops_membership" in extra  # role and factor in the one query


# The demo.


def test_the_demo_says_two_factor_sign_in_is_optional_and_runs_so(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Two-factor sign-in is optional in the demo" in out.getvalue()
    run = re.search(r"^run:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S)[0]
    assert "MFA_REQUIRED_ROLES=none" in run
