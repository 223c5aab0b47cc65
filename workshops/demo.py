"""A realistic two-tier example partnership for demonstrations and screenshots.

Everything is created with get_or_create on natural keys, so running it again
changes nothing and never duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from workshops.demo_network import seed_network
from workshops.models import (
    Assessment,
    Invitation,
    Membership,
    Organisation,
    Partnership,
    Person,
    User,
)

DEMO_PASSWORD = "working-better-together"  # noqa: S105 - demo accounts only, printed on purpose

Role = Person.Role
Layer = Person.Layer

COUNTY = {
    "name": "Northshire Partnership",
    "area": "Northshire",
    "authority_type": Partnership.AuthorityType.COUNTY,
}
DISTRICT = {
    "name": "Eastvale Local Strategic Partnership",
    "area": "Eastvale",
    "authority_type": Partnership.AuthorityType.DISTRICT,
    # So that the county's coordinator has a district to see side by side.
    "share_with_county": True,
}

ORGANISATIONS = [
    ("Eastvale District Council", "public"),
    ("Northshire County Council", "public"),
    ("NHS Northshire Primary Care Trust", "public"),
    ("Northshire Police", "public"),
    ("Northshire Fire and Rescue Service", "public"),
    ("Eastvale Chamber of Commerce", "private"),
    ("Vale Logistics Ltd", "private"),
    ("Eastvale Council for Voluntary Service", "third"),
    ("Eastvale Community Housing Trust", "third"),
]

# (name, organisation, role, layer, email or "")
PEOPLE = [
    (
        "Priya Shah",
        "Eastvale District Council",
        Role.COORDINATOR,
        Layer.EXECUTIVE,
        "coordinator@eastvale.example.org",
    ),
    ("Cllr Margaret Hughes", "Eastvale District Council", Role.CHAIR, Layer.STRATEGIC, ""),
    (
        "David Okafor",
        "Eastvale District Council",
        Role.EXECUTIVE,
        Layer.EXECUTIVE,
        "executive@eastvale.example.org",
    ),
    (
        "Helen Marsh",
        "NHS Northshire Primary Care Trust",
        Role.BOARD_MEMBER,
        Layer.STRATEGIC,
        "participant@eastvale.example.org",
    ),
    ("Ch Supt Alan Reid", "Northshire Police", Role.BOARD_MEMBER, Layer.STRATEGIC, ""),
    (
        "Group Manager Sue Patel",
        "Northshire Fire and Rescue Service",
        Role.THEME_LEAD,
        Layer.OPERATIONAL,
        "",
    ),
    ("Tom Brennan", "Eastvale Chamber of Commerce", Role.BOARD_MEMBER, Layer.STRATEGIC, ""),
    ("Lucy Grant", "Vale Logistics Ltd", Role.THEME_LEAD, Layer.OPERATIONAL, ""),
    (
        "Amina Yusuf",
        "Eastvale Council for Voluntary Service",
        Role.BOARD_MEMBER,
        Layer.STRATEGIC,
        "facilitator@eastvale.example.org",
    ),
    ("Gareth Lloyd", "Eastvale Community Housing Trust", Role.THEME_LEAD, Layer.OPERATIONAL, ""),
    ("Cllr John Barker", "Northshire County Council", Role.ELECTED_MEMBER, Layer.STRATEGIC, ""),
    ("Cllr Rita Evans", "Eastvale District Council", Role.SCRUTINY_MEMBER, Layer.EXECUTIVE, ""),
    ("Mark Collins", "Northshire County Council", Role.OFFICER, Layer.OPERATIONAL, ""),
]

COUNTY_ORGANISATIONS = [
    ("Northshire County Council", "public"),
    ("NHS Northshire Primary Care Trust", "public"),
    ("Northshire Business Forum", "private"),
    ("Northshire Voluntary Action", "third"),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    partnership: str


# (email, full name, permission role in the district, also coordinator of the county?)
ACCOUNTS = [
    ("coordinator@eastvale.example.org", "Priya Shah", Membership.Role.COORDINATOR),
    ("facilitator@eastvale.example.org", "Amina Yusuf", Membership.Role.FACILITATOR),
    ("executive@eastvale.example.org", "David Okafor", Membership.Role.EXECUTIVE),
    ("participant@eastvale.example.org", "Helen Marsh", Membership.Role.PARTICIPANT),
]
COUNTY_COORDINATOR = ("coordinator@northshire.example.org", "Ben Thornton")
SUPPORT = ("support@lsp-assess.example.org", "Support desk")


def _account(email: str, full_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    county, _ = Partnership.objects.get_or_create(name=COUNTY["name"], defaults=COUNTY)
    district, _ = Partnership.objects.get_or_create(
        name=DISTRICT["name"], defaults={**DISTRICT, "county_partnership": county}
    )
    for name, sector in COUNTY_ORGANISATIONS:
        Organisation.objects.get_or_create(
            partnership=county, name=name, defaults={"sector": sector}
        )
    organisations = {
        name: Organisation.objects.get_or_create(
            partnership=district, name=name, defaults={"sector": sector}
        )[0]
        for name, sector in ORGANISATIONS
    }

    logins = []
    users_by_email = {}
    for email, full_name, role in ACCOUNTS:
        user = _account(email, full_name)
        users_by_email[email] = user
        Membership.objects.get_or_create(partnership=district, user=user, defaults={"role": role})
        logins.append(DemoLogin(email, Membership.Role(role).label, district.name))
    # The district coordinator also coordinates the county partnership, so
    # the home page shows a two-tier area; the county has its own coordinator.
    Membership.objects.get_or_create(
        partnership=county,
        user=users_by_email[ACCOUNTS[0][0]],
        defaults={"role": Membership.Role.COORDINATOR},
    )
    county_user = _account(*COUNTY_COORDINATOR)
    Membership.objects.get_or_create(
        partnership=county, user=county_user, defaults={"role": Membership.Role.COORDINATOR}
    )
    logins.append(DemoLogin(county_user.email, "Coordinator", county.name))

    for name, organisation, role, layer, email in PEOPLE:
        Person.objects.get_or_create(
            partnership=district,
            name=name,
            defaults={
                "organisation": organisations[organisation],
                "role": role,
                "layer": layer,
                "email": email,
                "user": users_by_email.get(email),
            },
        )

    assessment = _demo_assessment(district, users_by_email[ACCOUNTS[0][0]])
    if assessment is not None and not assessment.workshops.exists():
        from workshops.services.workshop import create_workshop

        facilitator = users_by_email[ACCOUNTS[1][0]]
        create_workshop(
            assessment,
            facilitator,
            title="Board improvement workshop",
            kind="board",
            held_on=assessment.closes_on,
            facilitator=facilitator,
        )

    # Nothing until someone has submitted the questionnaire (the screenshots' answers do).
    seed_network(district)

    support = _account(*SUPPORT, is_staff=True, is_superuser=True)
    logins.append(DemoLogin(support.email, "Support staff (admin site)", "all"))
    # Checked by the demo's own support desk, so the demo's emails go and it can be compared.
    Partnership.objects.filter(pk__in=[county.pk, district.pk], verified_at=None).update(
        verified_at=timezone.now(), verified_by=support
    )
    return logins


def _demo_assessment(district: Partnership, coordinator: User) -> Assessment | None:
    """An open assessment with everyone invited (links made, no emails sent)."""
    from datetime import timedelta

    from django.utils import timezone

    from questions.models import BankVersion
    from workshops.models.assessment import Scope
    from workshops.services.assessment import create_assessment

    title = "Autumn self-assessment"
    if BankVersion.current() is None:
        return None
    existing = district.assessments.filter(title=title).first()
    if existing:
        return existing
    today = timezone.localdate()
    assessment = create_assessment(
        district,
        coordinator,
        title=title,
        scope=Scope.FULL,
        basis=Assessment.BasisChoice.BOTH,
        opens_on=today - timedelta(days=7),
        closes_on=today + timedelta(days=21),
        anonymous=False,
    )
    Invitation.objects.bulk_create(
        [Invitation(assessment=assessment, person=person) for person in district.people.all()]
    )
    return assessment
