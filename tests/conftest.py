"""The shared cast: one partnership with a member in every permission role,
and an outsider who coordinates a different partnership; and the fixtures most
tests use. The builders behind them are in ``tests/builders.py``."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from questions.bank_file import read_bank
from questions.loader import load_bank
from tests.builders import make_assessment, make_user
from workshops.models import (
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Person,
    User,
)
from workshops.reporting import pdf
from workshops.reporting.pdf import RefusedURL


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Guess counters live in the cache; one test's must not decide another's.
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _second_factor_optional():
    # Coordinators and support staff must set up a second factor before anything
    # else (MFA_REQUIRED_ROLES), but most tests sign them in with force_login to
    # test something else. The two-factor tests turn the rule back on with the
    # settings fixture. Session-wide, so module-wide worlds are built under it too.
    with override_settings(MFA_REQUIRED_ROLES=[]):
        yield


@pytest.fixture
def bank(db):
    """The real question bank, loaded from fixtures/question_bank.yaml."""
    return load_bank(read_bank(settings.QUESTION_BANK_PATH)).version


@dataclass
class Cast:
    partnership: Partnership
    other: Partnership
    coordinator: User
    facilitator: User
    executive: User
    participant: User
    outsider: User
    council: Organisation
    person: Person
    other_organisation: Organisation
    other_person: Person

    def user(self, role: str) -> User:
        return getattr(self, role)


def make_cast() -> Cast:
    """The cast, for fixtures wider than one test (which open the database themselves)."""
    # Both checked by support staff, as established partnerships are: a new one's emails wait.
    partnership = Partnership.objects.create(
        name="Eastvale LSP",
        area="Eastvale",
        authority_type=Partnership.AuthorityType.DISTRICT,
        verified_at=timezone.now(),
    )
    other = Partnership.objects.create(
        name="Westmoor LSP",
        area="Westmoor",
        authority_type=Partnership.AuthorityType.UNITARY,
        verified_at=timezone.now(),
    )
    users = {}
    for role in Membership.Role.values:
        users[role] = make_user(f"{role}@eastvale.example.org", role.title())
        Membership.objects.create(partnership=partnership, user=users[role], role=role)
    outsider = make_user("coordinator@westmoor.example.org", "Outsider")
    Membership.objects.create(partnership=other, user=outsider, role=Membership.Role.COORDINATOR)
    council = Organisation.objects.create(
        partnership=partnership, name="Eastvale District Council", sector="public"
    )
    person = Person.objects.create(
        partnership=partnership,
        organisation=council,
        name="Priya Shah",
        role=Person.Role.COORDINATOR,
        layer=Person.Layer.EXECUTIVE,
    )
    other_organisation = Organisation.objects.create(
        partnership=other, name="Westmoor Council", sector="public"
    )
    other_person = Person.objects.create(
        partnership=other,
        organisation=other_organisation,
        name="Olu Ade",
        role=Person.Role.CHAIR,
        layer=Person.Layer.STRATEGIC,
    )
    return Cast(
        partnership=partnership,
        other=other,
        outsider=outsider,
        council=council,
        person=person,
        other_organisation=other_organisation,
        other_person=other_person,
        **users,
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


# The objects most tests need, on top of the cast (made by tests/builders.py).


@pytest.fixture
def assessment(cast, bank):
    """An open, named (not anonymous) full questionnaire rated internally."""
    return make_assessment(cast, title="Spring 2026 self-assessment")


@pytest.fixture
def invitation(assessment, cast):
    """Priya Shah's invitation (created without sending an email)."""
    return Invitation.objects.create(assessment=assessment, person=cast.person)


# PDFs: what WeasyPrint tries to fetch, and proof that nothing reaches the network.


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection is recorded and fails."""
    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def fetches(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for, with whether it was served or refused."""
    calls: list[tuple[str, str]] = []
    real = pdf.safe_url_fetcher

    def recording(url, *args, **kwargs):
        try:
            response = real(url, *args, **kwargs)
        except RefusedURL:
            calls.append((url, "refused"))
            raise
        calls.append((url, "served"))
        return response

    monkeypatch.setattr(pdf, "safe_url_fetcher", recording)
    return calls
