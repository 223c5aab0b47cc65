"""Builders: plain functions that make the objects tests need, on top of the cast
(``tests/conftest.py``). Fixtures call them; so do module-wide worlds (``tests/worlds.py``),
which open the database themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from workshops.forms.questionnaire import Slot
from workshops.models import (
    Assessment,
    Invitation,
    NetworkAnswer,
    Organisation,
    Person,
    Respondent,
    User,
    Workshop,
)
from workshops.models.assessment import Scope
from workshops.models.network_slots import NetworkValue
from workshops.services.answer_saving import save_values
from workshops.services.assessment import create_assessment
from workshops.services.questionnaire import respondent_for_invitation, submit
from workshops.services.workshop import create_workshop

if TYPE_CHECKING:
    from tests.conftest import Cast

PASSWORD = "correct-horse-battery"


def make_user(email: str, name: str = "") -> User:
    return User.objects.create_user(email=email, password=PASSWORD, full_name=name)


def make_staff(name: str = "Support desk") -> User:
    """Support staff: an account that is staff and a member of no partnership."""
    staff = make_user("support@lsp-assess.example.org", name)
    staff.is_staff = True
    staff.save()
    return staff


ORGANISATIONS = {
    "public": "District Council",
    "private": "Chamber of Commerce",
    "third": "Council for Voluntary Service",
}


def make_assessment(
    cast: Cast,
    *,
    title: str = "Autumn review",
    scope: str = Scope.FULL,
    sections: tuple[int, ...] = (),
    basis: str = "internal",
    opens: int = -1,
    closes: int = 14,
    anonymous: bool = False,
    network: bool = False,
    partnership=None,
) -> Assessment:
    """An assessment opening and closing the given number of days from today."""
    today = timezone.localdate()
    return create_assessment(
        partnership or cast.partnership,
        cast.coordinator,
        title=title,
        scope=scope,
        sections=sections,
        basis=basis,
        opens_on=today + timedelta(days=opens),
        closes_on=today + timedelta(days=closes),
        anonymous=anonymous,
        network=network,
    )


def make_organisations(partnership, **sectors: list[str]) -> list[Organisation]:
    """Organisations of the partnership by sector: ``third=["Age Concern"]``."""
    return [
        Organisation.objects.create(partnership=partnership, name=name, sector=sector)
        for sector, names in sectors.items()
        for name in names
    ]


def answer_network(respondent: Respondent, answers: dict[Organisation, str]) -> None:
    """Network answers as a save stores them, submitted or not: ``{organisation: "2|3|4"}``
    (how often, reliability, contribution; "dk||" for don't know)."""
    own = respondent.assessment.partnership.organisations.get(name=respondent.organisation)
    NetworkAnswer.objects.bulk_create(
        NetworkAnswer(
            respondent=respondent,
            organisation=own,
            partner=partner,
            **NetworkValue.given(*code.split("|")).fields(),
        )
        for partner, code in answers.items()
    )


def make_person(
    cast: Cast,
    name: str,
    email: str = "",
    *,
    role: str = Person.Role.OFFICER,
    layer: str = Person.Layer.OPERATIONAL,
    sector: str = "public",
    partnership=None,
) -> Person:
    partnership = partnership or cast.partnership
    organisation, _ = Organisation.objects.get_or_create(
        partnership=partnership,
        name=f"{partnership.area} {ORGANISATIONS[sector]}",  # the cast's council for public
        defaults={"sector": sector},
    )
    return Person.objects.create(
        partnership=partnership,
        organisation=organisation,
        name=name,
        email=email,
        role=role,
        layer=layer,
    )


def respond(
    invitation: Invitation, answers: dict[str, str] | None = None, *, submitted: bool = False
) -> Respondent:
    """Answer as the invitee would online; ``answers`` are keyed by form field name."""
    respondent = respondent_for_invitation(invitation, Respondent.Channel.ONLINE)
    answers = answers or {}
    keys = {name.split(":")[0] for name in answers}
    items = {i.key: i for i in invitation.assessment.items.filter(key__in=keys)}
    values = {Slot(items[n.split(":")[0]], n.partition(":")[2]): v for n, v in answers.items()}
    if values:
        save_values(respondent, values)
    if submitted:
        submit(respondent)
    return respondent


def anonymous_with_two_remote_answers(cast: Cast, rating: str) -> Assessment:
    """An anonymous assessment whose questionnaire two people have answered, each rating
    1.1 ``rating``: fewer answers than may be shown anywhere, beside a room or not."""
    assessment = make_assessment(cast, anonymous=True)
    for person in (cast.person, make_person(cast, "Sam Okafor", sector="third")):
        respond(
            Invitation.objects.create(assessment=assessment, person=person),
            {"1.1:internal": rating},
            submitted=True,
        )
    return assessment


# One answer about a partner: how often (0 to 3), "?" for "don't know this organisation", or
# (how often, reliability, contribution).
Said = int | str | tuple[int, int | None, int | None]


def build_network(
    assessment: Assessment,
    sectors: dict[str, str],
    said: dict[tuple[str, str], Said | list[Said]],
    *,
    submitted: bool = True,
) -> dict[str, Organisation]:
    """The network section answered, and turned on. ``sectors`` names the partnership's
    organisations (name: sector; made where missing). ``said[a, b]`` is what the people of
    ``a`` answered about ``b``: one answer, or a list of one per person, where the i-th of
    each of ``a``'s lists is the same person. Returns the organisations by name."""
    partnership = assessment.partnership
    organisations = {
        name: Organisation.objects.get_or_create(
            partnership=partnership, name=name, defaults={"sector": sector}
        )[0]
        for name, sector in sectors.items()
    }
    assessment.network = True
    assessment.save(update_fields=["network"])
    by_person: dict[tuple[str, int], list[tuple[str, Said]]] = {}
    for (own, about), answers in said.items():
        for index, answer in enumerate(answers if isinstance(answers, list) else [answers]):
            by_person.setdefault((own, index), []).append((about, answer))
    rows = []
    for (own, _), answers in by_person.items():
        organisation = organisations[own]
        respondent = Respondent.objects.create(
            assessment=assessment,
            channel=Respondent.Channel.ONLINE,
            role=Person.Role.OFFICER,
            organisation=organisation.name,
            sector=organisation.sector,
            layer=Person.Layer.OPERATIONAL,
            submitted_at=timezone.now() if submitted else None,
        )
        for about, answer in answers:
            frequency, reliability, contribution = (
                answer if isinstance(answer, tuple) else (answer, None, None)
            )
            rows.append(
                NetworkAnswer(
                    respondent=respondent,
                    organisation=organisation,
                    partner=organisations[about],
                    frequency=None if frequency == "?" else frequency,
                    dont_know=frequency == "?",
                    reliability=reliability,
                    contribution=contribution,
                )
            )
    NetworkAnswer.objects.bulk_create(rows)
    return organisations


def make_workshop(cast: Cast, assessment: Assessment, **fields) -> Workshop:
    """A board workshop today, facilitated by the cast's facilitator, with the default agenda."""
    defaults = {
        "title": "Board away day",
        "kind": Workshop.Kind.BOARD,
        "held_on": timezone.localdate(),
        "facilitator": cast.facilitator,
    }
    return create_workshop(assessment, cast.facilitator, **{**defaults, **fields})
