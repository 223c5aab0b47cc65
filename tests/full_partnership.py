"""A partnership with a history, on the cast: the whole of what a backup must carry
(tests/workshops/test_backup*.py). Beside the shared world of tests/worlds.py, which
is one of everything for walking URLs, this is everything that happens to one
partnership over time, with exact counts the backup tests check."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from questions.models import Section
from tests.builders import answer_network, make_assessment, make_person, make_workshop, respond
from tests.workshops import test_results
from workshops.models import Assessment, AuditEvent, Invitation, Partnership, Target, Workshop
from workshops.services import draft_actions, priorities, targets
from workshops.services import participants as participants_service
from workshops.services import plan as plan_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service


def go(workshop: Workshop, *actions: str) -> Workshop:
    for action in actions:
        workshop = workshop_service.change(workshop.pk, action)
    return Workshop.objects.select_related("current__item").get(pk=workshop.pk)


def vote(workshop: Workshop, respondent, **values: str) -> None:
    voting_service.vote(workshop.code, respondent.pk, workshop.current_id, values)


# Network answers, by respondent: {partner organisation: "how often|reliability|contribution"}.
NETWORK = {
    "Priya Shah": {
        "Eastvale Chamber of Commerce": "3|4|3",
        "Eastvale Council for Voluntary Service": "1|2|",
    },
    "Ann Board": {
        "Eastvale District Council": "3|3|4",
        "Eastvale Council for Voluntary Service": "dk||",
    },
}


def build_full_partnership(cast, bank) -> Assessment:
    """Eastvale with everything a partnership holds: people, two assessments (the earlier
    one for trends), answers with evidence, a workshop with votes and agreed ratings, and a
    plan with priorities, accepted actions, their history and progress. Returns the later
    assessment. Backups carry all of it (tests/workshops/test_backup.py)."""
    county = Partnership.objects.create(
        name="Greater Vale County LSP", area="Greater Vale", authority_type="county"
    )
    Partnership.objects.filter(pk=cast.partnership.pk).update(county_partnership=county)
    cast.person.user = cast.coordinator
    cast.person.save()
    people = [cast.person] + [
        make_person(cast, name, f"{name.split()[0].lower()}@eastvale.example.org", **who)
        for name, who in [
            ("Ann Board", {"role": "chair", "layer": "strategic", "sector": "private"}),
            ("Ben Exec", {"role": "executive", "layer": "executive", "sector": "third"}),
            ("Cal Lead", {"role": "theme_lead", "layer": "operational"}),
            ("Dee Member", {"role": "board_member", "layer": "strategic", "sector": "third"}),
        ]
    ]

    earlier = make_assessment(cast, title="Spring 2025", opens=-400, closes=-380)
    for value in ["2", "2", "3"]:
        test_results.respond(earlier, **{"1_1": value, "2_1": "1"})

    # The earlier plan's targets, which the later results say met, close or missed.
    earlier_plan = plan_service.plan_for(earlier)
    for values in [
        {"section": earlier.bank.sections.get(number=1), "kind": "mean", "value": "2.8"},
        {"item": earlier.items.get(key="1.1"), "kind": "share", "value": "60"},
    ]:
        targets.set_target(Target(plan=earlier_plan, basis="internal", **values))

    # With the network section: how the council and the chamber see their partners.
    assessment = make_assessment(cast, title="Autumn 2025 review", basis="both", network=True)
    answers = [
        {"1.1:internal": "4", "1.1:external": "3", "1.1:note": "Board minutes, March"},
        {"1.1:internal": "2", "1.1:external": "dont_know", "1.1.2": "no", "2.1:internal": "1"},
        {"1.1:internal": "3", "1.1.2": "yes", "1.2.1": "A shared data hub", "2.1:internal": "2"},
        {"1.1:internal": "1", "1.1.2": "no", "2.1:internal": "3", "2.1:note": "See the audit"},
        {"1.1:internal": "3", "1.1:external": "2"},
    ]
    for person, values in zip(people, answers, strict=True):
        invitation = Invitation.objects.create(
            assessment=assessment, person=person, sent_at=timezone.now()
        )
        respondent = respond(invitation, values, submitted=person.name != "Dee Member")
        if person.name in NETWORK:
            organisations = {o.name: o for o in cast.partnership.organisations.all()}
            answer_network(
                respondent, {organisations[n]: code for n, code in NETWORK[person.name].items()}
            )
    revoked = make_person(cast, "Eve Gone", "eve@eastvale.example.org")
    Invitation.objects.create(assessment=assessment, person=revoked, revoked_at=timezone.now())

    workshop = make_workshop(cast, assessment)
    voters = [
        participants_service.join(workshop, person=people[1]),
        participants_service.join(workshop, role="officer", sector="public", layer="operational"),
        participants_service.join(workshop, role="executive", sector="third", layer="executive"),
    ]
    workshop = go(workshop, "next", "open")  # 1.1, rated on both bases
    for voter, values in zip(voters, [("4", "3"), ("3", "2"), ("2", "1")], strict=True):
        vote(workshop, voter, internal=values[0], external=values[1])
    workshop = go(workshop, "close", "reveal")
    entry = workshop.current
    workshop_service.record_consensus(
        entry,
        {"agreed_internal": 3, "agreed_external": 2, "rationale": "Plans are current"},
    )
    workshop_service.add_action(
        entry,
        cast.facilitator,
        description="Publish the partnership's plan",
        owner=cast.council,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    workshop = go(workshop, "next", "open")  # 1.2
    for voter, value in zip(voters, ["1", "2", "dont_know"], strict=True):
        vote(workshop, voter, internal=value, external="2")
    workshop = go(workshop, "close")
    workshop_service.record_consensus(
        workshop.current, {"agreed_internal": 2, "investigate": True, "improvements": "Gaps"}
    )
    go(workshop, "next")  # left on an item, so Workshop.current is set

    plan = plan_service.plan_for(assessment)
    first = priorities.add_priority(plan, "Joint commissioning with health")
    second = priorities.add_priority(plan, "A single performance framework")
    priorities.add_priority(plan, "Dropped idea")
    priorities.set_votes(first, 4)
    priorities.set_votes(second, 7)
    priorities.drop_priority(plan.priorities.get(text="Dropped idea"))
    priorities.order_priorities_by_votes(plan)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    drafted = assessment.actions.get(source="workshop", source_key="")  # by the facilitator
    plan_service.decide(drafted, True, cast.facilitator)
    proposed = list(assessment.actions.filter(status="proposed").order_by("pk"))
    assert len(proposed) >= 2
    accepted = plan_service.decide(proposed[0], True, cast.coordinator)
    plan_service.decide(proposed[1], False, cast.coordinator)
    accepted = plan_service.update_action(
        accepted.pk,
        {
            "title": "Refresh the community strategy",
            "owner": cast.council,
            "owner_person": people[2],
            "due_on": timezone.localdate() + timedelta(days=60),
            "items": list(assessment.items.filter(key__in=["1.1", "2.1"])),
            "sections": list(Section.objects.filter(bank=bank, number__in=[1, 2])),
        },
        accepted.revision,
        cast.coordinator,
    )
    accepted = plan_service.update_action(
        accepted.pk, {"status": "in_progress"}, accepted.revision, cast.executive
    )
    plan_service.add_progress(accepted, "Draft shared with partners", cast.executive)
    plan_service.add_progress(accepted, "Consultation closed", cast.coordinator)
    plan_service.agree_plan(plan, cast.coordinator)
    yes_no = assessment.items.get(key="1.1.2")
    targets.set_target(Target(plan=plan, item=yes_no, kind="share", value=75), by=cast.coordinator)
    element = assessment.bank.sections.get(number=2)
    targets.set_target(Target(plan=plan, section=element, basis="external", kind="mean", value=3))

    for user, summary in [(cast.coordinator, "Version 1 of the plan agreed."), (None, "Import")]:
        AuditEvent.objects.create(
            partnership=cast.partnership,
            user=user,
            actor=f"{user.full_name} ({user.email})" if user else "A removed account",
            summary=summary,
            path=f"/partnerships/{cast.partnership.pk}/",
        )
    return assessment
