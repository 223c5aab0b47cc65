"""The shared cast: one partnership with a member in every permission role,
and an outsider who coordinates a different partnership."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings

from questions.loader import load_bank, read_bank
from workshops.models import Membership, Organisation, Partnership, Person, User

PASSWORD = "correct-horse-battery"


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bank(db):
    """The real question bank, loaded from fixtures/question_bank.yaml."""
    return load_bank(read_bank(settings.QUESTION_BANK_PATH)).version


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


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


@pytest.fixture
def cast(db) -> Cast:
    partnership = Partnership.objects.create(
        name="Eastvale LSP", area="Eastvale", authority_type=Partnership.AuthorityType.DISTRICT
    )
    other = Partnership.objects.create(
        name="Westmoor LSP", area="Westmoor", authority_type=Partnership.AuthorityType.UNITARY
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
def assessment(cast, bank):
    """An open, named (not anonymous) full questionnaire rated internally."""
    from datetime import timedelta

    from django.utils import timezone

    from workshops.services.assessment import Scope, create_assessment

    today = timezone.localdate()
    return create_assessment(
        cast.partnership,
        cast.coordinator,
        title="Spring 2026 self-assessment",
        scope=Scope.FULL,
        basis="internal",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=14),
        anonymous=False,
    )


@pytest.fixture
def invitation(assessment, cast):
    """Priya Shah's invitation (created without sending an email)."""
    from workshops.models import Invitation

    return Invitation.objects.create(assessment=assessment, person=cast.person)
