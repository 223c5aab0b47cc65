"""The coordinator's view of an assessment round: who has answered, how far,
and what the answers say needs investigating.

In an anonymous assessment nobody is listed by name, and a group smaller than
the minimum group size is never shown on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from questions.models import Item
from workshops.models import Answer, Assessment, Comparison, Person, Respondent, Sector
from workshops.services.privacy import withdrawn_by_erasure
from workshops.services.questionnaire import outline
from workshops.services.results import withheld_because


@dataclass
class Rate:
    label: str
    invited: int = 0
    started: int = 0
    finished: int = 0
    suppressed: bool = False

    @property
    def percent(self) -> int:
        # Halves round up (5 of 8 is 63%), as people expect; round() would give 62.
        if not self.invited:
            return 0
        return (200 * self.finished + self.invited) // (2 * self.invited)


@dataclass
class PersonRow:
    invitation_id: int
    person_id: int
    name: str
    organisation: str
    role: str
    status: str
    has_email: bool
    sent_at: object
    reminded_at: object
    revoked: bool
    channel: str

    @classmethod
    def of(cls, invitation, status: str, respondent: Respondent | None) -> PersonRow:
        person = invitation.person
        return cls(
            invitation_id=invitation.pk,
            person_id=person.pk,
            name=person.name,
            organisation=person.organisation.name,
            role=person.get_role_display(),
            status=status,
            has_email=bool(person.email),
            sent_at=invitation.sent_at,
            reminded_at=invitation.reminded_at,
            revoked=invitation.is_revoked,
            channel=respondent.channel if respondent else "",
        )


@dataclass
class Board:
    anonymous: bool
    min_group: int
    total: Rate
    groups: dict[Comparison, list[Rate]]
    people: list[PersonRow]
    other_responses: int
    completion: list[tuple[str, int, int]]  # (section heading, answers, expected)
    investigate: list[tuple[Item, int]] = field(default_factory=list)
    # Anonymous, with fewer responses than the minimum group size: breakdowns,
    # completion and what to investigate could point at individuals, so the
    # board shows only the totals (and this says why).
    withheld: str = ""


def _suppress_small_groups(rates: list[Rate], min_group: int) -> None:
    """Hide groups below the minimum size, and enough others that none can be
    worked out by subtracting the rest from the total."""
    for rate in rates:
        rate.suppressed = rate.invited < min_group
    hidden = [r for r in rates if r.suppressed]
    shown = sorted((r for r in rates if not r.suppressed), key=lambda r: r.invited)
    if len(hidden) == 1 and shown:
        shown[0].suppressed = True


def _status(respondent: Respondent | None) -> str:
    if respondent is None:
        return "invited"
    return "finished" if respondent.submitted_at else "started"


def board_for(assessment: Assessment, min_group: int) -> Board:
    """The response-rate board: who has answered and how far, overall and by role, sector
    and layer, with completion by element and what the answers say to investigate."""
    invitations = list(
        assessment.invitations.select_related("person__organisation", "respondent").order_by(
            "person__name"
        )
    )
    total = Rate("All invited")
    labels = {
        Comparison.ROLE: dict(Person.Role.choices),
        Comparison.SECTOR: dict(Sector.choices),
        Comparison.LAYER: dict(Person.Layer.choices),
    }
    groups: dict[Comparison, dict[str, Rate]] = {name: {} for name in labels}
    active, withdrawn = [], []
    for invitation in invitations:
        respondent = getattr(invitation, "respondent", None)
        # In an anonymous assessment a withdrawn link still counts: otherwise
        # withdrawing someone's link would show, in the totals, whether they had answered.
        withdrawn_only = not assessment.anonymous and not withdrawn_by_erasure(invitation)
        if invitation.is_revoked and withdrawn_only:
            withdrawn.append(PersonRow.of(invitation, "withdrawn", respondent))
            continue
        status = _status(respondent)
        person = invitation.person
        keys = {
            Comparison.ROLE: person.role,
            Comparison.SECTOR: person.organisation.sector,
            Comparison.LAYER: person.layer,
        }
        for name, key in keys.items():
            rate = groups[name].setdefault(key, Rate(labels[name].get(key, key)))
            for target in (rate, total) if name == Comparison.ROLE else (rate,):
                target.invited += 1
                target.started += status != "invited"
                target.finished += status == "finished"
        active.append(PersonRow.of(invitation, status, respondent))
    if assessment.anonymous:
        for rates in groups.values():
            _suppress_small_groups(list(rates.values()), min_group)
        people = []
    else:
        people = active + withdrawn

    # The dashboard follows the questionnaire; workshop votes are results of their own.
    workshop = Respondent.Channel.WORKSHOP
    counts = assessment.respondents.exclude(channel=workshop).aggregate(
        respondents=Count("id"), other=Count("id", filter=Q(invitation=None))
    )
    respondents, other = counts["respondents"], counts["other"]
    sections = outline(assessment)
    answered = dict(
        Answer.objects.filter(respondent__assessment=assessment)
        .exclude(respondent__channel=workshop)
        .values("item__section_id")
        .annotate(n=Count("id"))
        .values_list("item__section_id", "n")
    )
    completion = [
        (s.section.heading, answered.get(s.section.pk, 0), respondents * s.slots) for s in sections
    ]
    triggers = Counter(
        Answer.objects.filter(
            respondent__assessment=assessment,
            item__kind=Item.Kind.YES_NO,
            choice=F("item__investigate_when"),
        )
        .exclude(respondent__channel=workshop)
        .values_list("item_id", flat=True)
    )
    by_id = {item.pk: item for s in sections for item in s.items}
    investigate = sorted(
        ((by_id[item_id], n) for item_id, n in triggers.items() if item_id in by_id),
        key=lambda pair: pair[0].position,
    )
    withheld = withheld_because(assessment, "all", min_group)
    return Board(
        anonymous=assessment.anonymous,
        min_group=min_group,
        total=total,
        groups={}
        if withheld
        else {name: sorted(r.values(), key=lambda r: r.label) for name, r in groups.items()},
        people=people,
        other_responses=other,
        completion=[] if withheld else completion,
        investigate=[] if withheld else investigate,
        withheld=withheld,
    )
