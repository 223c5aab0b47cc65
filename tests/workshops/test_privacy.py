"""Personal data: erasing a person keeps their anonymised answers, and the retention
period deletes old invitations, workshop join records and expired sessions."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.builders import (
    answer_network,
    make_assessment,
    make_organisations,
    make_person,
    make_user,
    make_workshop,
    respond,
)
from tests.conftest import Cast
from tests.workshops.test_dashboard import tables, text
from workshops.models import (
    Action,
    ActionChange,
    Answer,
    Assessment,
    AuditEvent,
    Invitation,
    MemberInvitation,
    NetworkAnswer,
    Person,
    Respondent,
    WaitingPhone,
    Workshop,
)
from workshops.services import participants as participants_service
from workshops.services import privacy
from workshops.services import results as results_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service
from workshops.services.plan import update_action

NAME, EMAIL = "Hannah Okafor", "hannah.okafor@eastvale.example.org"
MIN = 3


def results_of(assessment: Assessment) -> dict:
    """What the results say, leaving out the order the database happened to return answers in."""
    results = results_service.results_for(assessment, MIN)
    t = results.turnout
    return {
        # Who took part; which of the voters could be told apart is not compared, as the
        # retention period deletes the record of who joined a workshop.
        "people": (t.people, t.questionnaire, t.workshop, t.both),
        "elements": [(e.section.number, e.scores, e.bands) for e in results.elements],
        "ratings": [
            (r.item.key, r.basis, r.counts, sorted(r.ratings), r.dont_know, r.not_applicable)
            for r in results.ratings
        ],
        "yes_no": [
            (y.item.key, y.yes, y.no, y.dont_know, y.not_applicable) for y in results.yes_no
        ],
        "open": [
            (item.key, sorted((a.text, a.who) for a in answers))
            for e in results.elements
            for item, answers in e.open_answers
        ],
        "gaps": [
            (g.item.key, g.basis, g.dimension, g.high, g.low)
            for g in results.rating_gaps + results.yes_no_gaps
        ],
    }


def vote(workshop: Workshop, respondent: Respondent, value: str) -> None:
    workshop.refresh_from_db()
    voting_service.vote(
        workshop.code, respondent.pk, workshop.current_id, {"": value, "internal": value}
    )


@dataclass
class World:
    hannah: Person
    named: Assessment
    anonymous: Assessment
    link: Invitation
    workshop: Workshop
    participant: Respondent
    action: Action


@pytest.fixture
def world(client, cast: Cast, bank) -> World:
    """Hannah, a board member with a sign-in account, answered a named and an anonymous
    assessment beside others, voted in a workshop under her name and owns an action;
    the coordinator corrected her email address, which the audit log recorded."""
    hannah = make_person(
        cast, NAME, "h.okafor@example.org", role=Person.Role.BOARD_MEMBER, layer="strategic"
    )
    hannah.user = make_user(EMAIL, NAME)
    hannah.save()
    others = [make_person(cast, f"Board member {n}", role="board_member") for n in range(3)]

    named = make_assessment(cast, title="Spring review")
    link = Invitation.objects.create(assessment=named, person=hannah)
    respond(link, {"1.1:internal": "2", "1.1.2": "yes", "1.3:internal": "4"}, submitted=True)
    for n, person in enumerate([cast.person, *others]):
        invitation = Invitation.objects.create(assessment=named, person=person)
        respond(invitation, {"1.1:internal": str(n + 1)}, submitted=n % 2 == 0)

    anonymous = make_assessment(cast, title="Autumn review", anonymous=True)
    for person in [hannah, *others]:
        invitation = Invitation.objects.create(assessment=anonymous, person=person)
        respond(invitation, {"1.1:internal": "3", "1.1.2": "no"}, submitted=True)

    workshop = make_workshop(cast, named)
    participant = participants_service.join(workshop, person=hannah)
    workshop = workshop_service.change(workshop.pk, "next")
    workshop = workshop_service.change(workshop.pk, "open")
    vote(workshop, participant, "1")

    action = Action.objects.create(assessment=named, description="Refresh the board's terms")
    update_action(action.pk, {"owner_person": hannah}, action.revision, cast.coordinator)

    client.force_login(cast.coordinator)
    edit = reverse("person-edit", args=[cast.partnership.pk, hannah.pk])
    form = {
        "name": NAME,
        "email": EMAIL,
        "organisation": hannah.organisation_id,
        "role": hannah.role,
        "layer": hannah.layer,
    }
    assert client.post(edit, form).status_code == 302
    assert AuditEvent.objects.filter(summary=f"{NAME} saved.").exists()
    client.logout()
    return World(hannah, named, anonymous, link, workshop, participant, action)


def erase_url(cast: Cast, person: Person) -> str:
    return reverse("person-erase", args=[cast.partnership.pk, person.pk])


def pages_about(client, cast: Cast, world: World) -> dict[str, str]:
    """Everything a coordinator can read that could name Hannah, as text."""
    p = cast.partnership.pk
    urls = {
        "partnership": reverse("partnership", args=[p]),
        "audit": reverse("audit-log", args=[p]),
    }
    for assessment in (world.named, world.anonymous):
        a = assessment.pk
        urls[f"dashboard {assessment}"] = reverse("assessment", args=[p, a])
        urls[f"results {assessment}"] = reverse("results", args=[p, a])
        urls[f"answers.csv {assessment}"] = reverse("results-export", args=[p, a, "answers", "csv"])
    urls["plan"] = reverse("plan", args=[p, world.named.pk])
    urls["action"] = reverse("plan-action", args=[p, world.named.pk, world.action.pk])
    client.force_login(cast.coordinator)
    found = {}
    for what, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, what
        found[what] = response.content.decode()
    for assessment in (world.named, world.anonymous):
        url = reverse("results-export", args=[p, assessment.pk, "answers", "xlsx"])
        workbook = load_workbook(io.BytesIO(client.get(url).content))
        found[f"answers.xlsx {assessment}"] = "\n".join(
            str(value) for sheet in workbook for row in sheet.values for value in row
        )
    return found


def unnumbered(export: str) -> list[str]:
    """An answers export's lines, sorted, without the respondents' random numbers."""
    return sorted(re.sub(r"\bR\d+\b", "R", line) for line in export.splitlines())


def dump_of_the_partnership_data() -> str:
    """Every row of the application's own tables except sign-in accounts, which erasing
    a person does not delete."""
    out = io.StringIO()
    call_command("dumpdata", "workshops", exclude=["workshops.User"], stdout=out)
    return out.getvalue()


# --- Erasing a person -------------------------------------------------------------------


def test_the_coordinator_is_shown_what_goes_and_what_stays_before_erasing(client, cast, world):
    client.force_login(cast.coordinator)
    partnership_page = client.get(reverse("partnership", args=[cast.partnership.pk]))
    assert erase_url(cast, world.hannah) in partnership_page.content.decode()

    response = client.get(erase_url(cast, world.hannah))
    assert response.status_code == 200
    page = text(response.content.decode())
    assert f"Erase the personal details of {NAME}" in page
    assert "This cannot be undone." in page
    assert f"they will be shown as “Erased person #{world.hannah.pk}”" in page
    assert "2 links will be withdrawn" in page
    assert "so results and response counts do not change" in page
    assert 'class="govuk-warning-text"' in response.content.decode()
    world.hannah.refresh_from_db()
    assert (world.hannah.name, world.hannah.erased_at) == (NAME, None)


def test_erasing_leaves_the_name_and_email_nowhere_and_the_results_as_they_were(
    client, cast, world
):
    before = pages_about(client, cast, world)
    assert NAME in before["partnership"] and NAME in before[f"dashboard {world.named}"]
    assert NAME in before["audit"] and NAME in before["action"]
    assert NAME in dump_of_the_partnership_data()
    results_before = {a.pk: results_of(a) for a in (world.named, world.anonymous)}
    answers_before = list(Answer.objects.order_by("pk").values_list("pk", "rating", "choice"))

    response = client.post(erase_url(cast, world.hannah), follow=True)

    assert response.redirect_chain == [(reverse("partnership", args=[cast.partnership.pk]), 302)]
    message = f"Personal details of person #{world.hannah.pk} erased."
    assert message in response.content.decode()
    assert AuditEvent.objects.filter(summary=message, user=cast.coordinator).count() == 1
    after = pages_about(client, cast, world)
    for what, page in after.items():
        assert NAME not in page, what
        assert EMAIL not in page, what
    assert f"Erased person #{world.hannah.pk}" in after["partnership"]
    assert f"Erased person #{world.hannah.pk} saved." in after["audit"]
    assert f"Owner person: – → Erased person #{world.hannah.pk}" in text(after["action"])
    dump = dump_of_the_partnership_data()
    assert NAME not in dump and EMAIL not in dump
    world.hannah.refresh_from_db()
    assert world.hannah.name == f"Erased person #{world.hannah.pk}"
    assert (world.hannah.email, world.hannah.user) == ("", None)
    assert world.hannah.erased_at is not None

    # What she answered, as who she was, is untouched.
    for assessment in (world.named, world.anonymous):
        assert results_of(assessment) == results_before[assessment.pk]
    # Hannah answered the questionnaire and voted: three people, one of whom did both.
    assert results_before[world.named.pk]["people"] == (3, 3, 1, 1)
    assert results_before[world.anonymous.pk]["people"] == (4, 4, 0, 0)
    assert list(Answer.objects.order_by("pk").values_list("pk", "rating", "choice")) == (
        answers_before
    )
    for assessment in (world.named, world.anonymous):
        for export in ("answers.csv", "answers.xlsx"):
            # The same rows; respondents are numbered afresh, at random, in each download.
            was, now = before[f"{export} {assessment}"], after[f"{export} {assessment}"]
            assert unnumbered(was) == unnumbered(now)
    world.participant.refresh_from_db()
    assert world.participant.person == world.hannah
    assert (world.participant.role, world.participant.layer) == ("board_member", "strategic")
    world.action.refresh_from_db()
    assert world.action.owner_person == world.hannah


def test_the_dashboards_counts_do_not_change(client, cast, world):
    pages = pages_about(client, cast, world)
    before = {a: pages[f"dashboard {a}"] for a in (world.named, world.anonymous)}

    client.post(erase_url(cast, world.hannah))

    pages = pages_about(client, cast, world)
    for assessment in (world.named, world.anonymous):
        old, new = tables(before[assessment]), tables(pages[f"dashboard {assessment}"])
        for table in ("By role", "By sector", "By governance layer"):
            assert new[table] == old[table], (assessment, table)
    summary = "3 of 5 invited people have finished (60%); 5 have started."
    assert summary in text(before[world.named])
    assert summary in text(pages[f"dashboard {world.named}"])
    rows = tables(pages[f"dashboard {world.named}"])["Invited people and their progress"]
    hers = [row for row in rows if row[0].startswith(f"Erased person #{world.hannah.pk} ")]
    assert [row[1] for row in hers] == ["Finished"]
    assert "Withdraw link" not in hers[0][3]


def test_her_personal_link_now_says_it_was_withdrawn(client, cast, world):
    url = reverse("questionnaire", args=[world.link.token])
    assert client.get(url).status_code == 200
    client.force_login(cast.coordinator)
    client.post(erase_url(cast, world.hannah))
    client.logout()

    response = client.get(url)
    assert response.status_code == 410
    assert "This link has been withdrawn" in response.content.decode()
    assert NAME not in response.content.decode()
    assert not Invitation.objects.filter(person=world.hannah, revoked_at=None).exists()


def test_erasing_twice_changes_nothing_more(client, cast, world):
    client.force_login(cast.coordinator)
    client.post(erase_url(cast, world.hannah))
    world.hannah.refresh_from_db()
    first = world.hannah.erased_at

    response = client.post(erase_url(cast, world.hannah), follow=True)

    assert response.status_code == 200
    assert f"person #{world.hannah.pk} were erased before" in response.content.decode()
    erasures = AuditEvent.objects.filter(
        summary=f"Personal details of person #{world.hannah.pk} erased."
    )
    assert erasures.count() == 1
    world.hannah.refresh_from_db()
    assert world.hannah.erased_at == first
    page = client.get(erase_url(cast, world.hannah)).content.decode()
    assert f"The personal details of person #{world.hannah.pk} were erased on" in page
    assert "Erase personal details</button>" not in page


def test_an_erased_person_cannot_be_edited_back_into_a_name(client, cast, world):
    client.force_login(cast.coordinator)
    client.post(erase_url(cast, world.hannah))
    edit = reverse("person-edit", args=[cast.partnership.pk, world.hannah.pk])
    partnership_page = client.get(reverse("partnership", args=[cast.partnership.pk]))
    assert edit not in partnership_page.content.decode()

    form = {"name": NAME, "email": EMAIL, "organisation": world.hannah.organisation_id}
    response = client.post(edit, {**form, "role": "chair", "layer": "strategic"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("partnership", args=[cast.partnership.pk])
    assert "were erased and cannot be filled in again" in response.content.decode()
    world.hannah.refresh_from_db()
    assert world.hannah.name == f"Erased person #{world.hannah.pk}"
    assert (world.hannah.email, world.hannah.role) == ("", "board_member")


@pytest.mark.parametrize("role", ["facilitator", "executive", "participant"])
def test_only_a_coordinator_may_erase(client, cast, world, role):
    client.force_login(cast.user(role))
    assert client.get(erase_url(cast, world.hannah)).status_code == 403
    assert client.post(erase_url(cast, world.hannah)).status_code == 403
    world.hannah.refresh_from_db()
    assert (world.hannah.name, world.hannah.email, world.hannah.erased_at) == (NAME, EMAIL, None)
    assert Invitation.objects.filter(person=world.hannah, revoked_at=None).count() == 2


def test_an_outsider_gets_404_and_erases_nobody(client, cast, world):
    client.force_login(cast.outsider)
    response = client.get(erase_url(cast, world.hannah))
    assert response.status_code == 404
    assert NAME not in response.content.decode()
    assert client.post(erase_url(cast, world.hannah)).status_code == 404
    # Nor through their own partnership's address.
    mine = reverse("person-erase", args=[cast.other.pk, world.hannah.pk])
    assert client.post(mine).status_code == 404
    world.hannah.refresh_from_db()
    assert (world.hannah.name, world.hannah.erased_at) == (NAME, None)


def test_the_service_refuses_anyone_but_a_coordinator(cast, world):
    with pytest.raises(privacy.PrivacyError):
        privacy.erase_person(world.hannah, cast.outsider)
    world.hannah.refresh_from_db()
    assert world.hannah.name == NAME


def test_a_link_withdrawn_before_the_erasure_stays_out_of_the_response_rate(cast, world):
    Invitation.objects.filter(pk=world.link.pk).update(
        revoked_at=timezone.now() - timedelta(days=1)
    )
    privacy.erase_person(world.hannah, cast.coordinator)
    world.link.refresh_from_db()
    assert not privacy.withdrawn_by_erasure(world.link)
    other = Invitation.objects.get(assessment=world.anonymous, person=world.hannah)
    assert privacy.withdrawn_by_erasure(other)


def test_free_text_a_coordinator_wrote_is_left_as_written(cast, world):
    Action.objects.filter(pk=world.action.pk).update(description=f"Ask {NAME} to lead")
    privacy.erase_person(world.hannah, cast.coordinator)
    world.action.refresh_from_db()
    assert world.action.description == f"Ask {NAME} to lead"
    change = ActionChange.objects.get(action=world.action)
    assert change.changes["Owner person"] == ["–", f"Erased person #{world.hannah.pk}"]


def test_the_audit_logs_data_forgets_the_name_too_accents_and_all(client, cast, assessment):
    name = "Siân Ó Briain"
    sian = make_person(cast, name, "sian@example.org")
    link = Invitation.objects.create(assessment=assessment, person=sian)
    client.force_login(cast.coordinator)
    revoke = reverse("invitation-revoke", args=[cast.partnership.pk, assessment.pk, link.pk])
    client.post(revoke, follow=True)
    entry = AuditEvent.objects.get(action="invitation.revoked")
    assert name in entry.target and entry.data["person"] == name

    client.post(erase_url(cast, sian), follow=True)

    entry.refresh_from_db()
    erased = f"Erased person #{sian.pk}"
    assert (entry.summary, entry.data["person"]) == (f"{erased}'s link has been withdrawn.", erased)
    assert name not in entry.target
    page = client.get(reverse("audit-log", args=[cast.partnership.pk])).content.decode()
    assert f"{erased}&#x27;s link has been withdrawn." in page and "Siân" not in page


# --- The retention period ----------------------------------------------------------------


@dataclass
class Old:
    expired: Invitation
    recent: Invitation
    still_open: Invitation
    old_workshop: Workshop
    recent_workshop: Workshop
    assessment: Assessment


def made_days_ago(invitation: Invitation, days: int) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


@pytest.fixture
def old(cast: Cast, bank, settings) -> Old:
    """With a 30-day period: a closed round with an invitation from 40 days ago and one
    from 10 days ago, a round still open with a 40-day-old invitation, a workshop held
    40 days ago and one 10 days ago, each with a named and an anonymous participant."""
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    closed = make_assessment(cast, title="Last year", opens=-60, closes=5)
    expired = Invitation.objects.create(assessment=closed, person=cast.person)
    respond(expired, {"1.1:internal": "3", "1.1.2": "yes"}, submitted=True)
    made_days_ago(expired, 40)
    recent = Invitation.objects.create(assessment=closed, person=make_person(cast, "Amir Khan"))
    respond(recent, {"1.1:internal": "1"}, submitted=True)
    made_days_ago(recent, 10)
    running = make_assessment(cast, title="Long round", opens=-50, closes=5)
    still_open = Invitation.objects.create(assessment=running, person=cast.person)
    made_days_ago(still_open, 40)

    today = timezone.localdate()
    workshops = []
    for days in (40, 10):
        workshop = make_workshop(cast, closed, title=f"{days} days ago")
        named = participants_service.join(workshop, person=make_person(cast, f"Voter {days}"))
        unnamed = participants_service.join(
            workshop, role="officer", sector="public", layer="strategic", attempt=f"join{days}"
        )
        workshop = workshop_service.change(workshop.pk, "next")
        workshop = workshop_service.change(workshop.pk, "open")
        vote(workshop, named, "2")
        vote(workshop, unnamed, "4")
        Workshop.objects.filter(pk=workshop.pk).update(held_on=today - timedelta(days=days))
        workshops.append(workshop)
        WaitingPhone.objects.create(workshop=workshop, role="officer", network=f"n{days}")
    # Answered while open; closed since.
    Assessment.objects.filter(pk=closed.pk).update(closes_on=today - timedelta(days=5))
    now = timezone.now()
    # Member invitations: accepted, withdrawn and expired ones from 40 days ago go; one
    # still open stays, whatever its age.
    ago = now - timedelta(days=40)
    for email, done in [
        ("accepted@example.org", {"accepted_at": ago}),
        ("withdrawn@example.org", {"withdrawn_at": ago}),
        ("still-open@example.org", {"expires_at": now + timedelta(days=1)}),
    ]:
        invite = MemberInvitation.objects.create(
            partnership=cast.partnership, email=email, role="executive", **done
        )
        MemberInvitation.objects.filter(pk=invite.pk).update(created_at=ago)
    Session.objects.create(session_key="e" * 32, session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="l" * 32, session_data="", expire_date=now + timedelta(1))
    return Old(expired, recent, still_open, *workshops, assessment=closed)


def test_what_is_past_the_retention_period_goes_and_answers_stay(client, old):
    results_before = results_of(old.assessment)
    answers_before = Answer.objects.count()
    respondent = old.expired.respondent

    counts = privacy.purge_expired()

    assert counts == {
        "invitations": 1,
        "workshop join records": 2,
        "member invitations": 2,
        "phones that waited to join": 1,
        "expired sessions": 1,
    }
    assert list(MemberInvitation.objects.values_list("email", flat=True)) == [
        "still-open@example.org"
    ]
    assert list(WaitingPhone.objects.values_list("workshop", flat=True)) == [old.recent_workshop.pk]
    assert not Invitation.objects.filter(pk=old.expired.pk).exists()
    assert set(Invitation.objects.values_list("pk", flat=True)) == {
        old.recent.pk,
        old.still_open.pk,
    }
    respondent.refresh_from_db()
    assert respondent.invitation is None and respondent.is_submitted
    assert respondent.answers.count() == 2
    assert Answer.objects.count() == answers_before
    assert results_of(old.assessment) == results_before
    assert results_before["people"][0] == 6
    joined = Respondent.objects.filter(workshop=old.old_workshop)
    assert sorted(joined.values_list("reference", "person")) == [("", None), ("", None)]
    assert Answer.objects.filter(respondent__workshop=old.old_workshop).count() == 2
    kept = Respondent.objects.filter(workshop=old.recent_workshop)
    assert sorted(r.reference or r.person.name for r in kept) == [
        "Voter 10",
        "workshop-join-join10",
    ]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["l" * 32]
    response = client.get(reverse("questionnaire", args=[old.expired.token]))
    assert response.status_code == 404


def test_purging_again_finds_nothing_more(old):
    privacy.purge_expired()
    assert privacy.purge_expired() == {
        "invitations": 0,
        "workshop join records": 0,
        "member invitations": 0,
        "phones that waited to join": 0,
        "expired sessions": 0,
    }
    assert Invitation.objects.count() == 2


def test_the_command_prints_what_it_deleted_and_a_dry_run_deletes_nothing(old):
    out = io.StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert "Retention period: 30 days" in printed
    assert "Invitations: 1 would be deleted." in printed
    assert "Workshop join records: 2 would be deleted." in printed
    assert "Dry run: nothing was changed." in printed
    assert Invitation.objects.count() == 3 and Session.objects.count() == 2

    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    printed = out.getvalue()
    assert "Invitations: 1 deleted." in printed
    assert "Workshop join records: 2 deleted." in printed
    assert "Expired sessions: 1 deleted." in printed
    assert Invitation.objects.count() == 2 and Session.objects.count() == 1


# The network section's answers: about organisations, not the person.


def test_erasing_keeps_the_network_answers_as_the_organisations_view(client, cast, bank):
    police, chamber = make_organisations(
        cast.partnership, public=["Eastvale Police"], private=["Eastvale Chamber"]
    )
    hannah = make_person(cast, NAME, "h.okafor@example.org")
    asked = make_assessment(cast, title="Network round", network=True)
    invitation = Invitation.objects.create(assessment=asked, person=hannah)
    respondent = respond(invitation, {"1.1:internal": "2"}, submitted=True)
    answer_network(respondent, {police: "3|4|2", chamber: "dk||"})

    privacy.erase_person(hannah, cast.coordinator)

    # Like her other answers, they stay with the anonymised response: they name only
    # organisations, so nothing of hers is left in them.
    kept = {
        (a.organisation.name, a.partner.name, a.frequency, a.dont_know)
        for a in NetworkAnswer.objects.filter(respondent=respondent)
    }
    assert kept == {
        ("Eastvale District Council", "Eastvale Police", 3, False),
        ("Eastvale District Council", "Eastvale Chamber", None, True),
    }
    assert NAME not in str(list(NetworkAnswer.objects.values()))
    # Their link no longer opens the section.
    response = client.get(reverse("questionnaire-network", args=[invitation.token]))
    assert response.status_code == 410


def test_the_retention_purge_keeps_network_answers_and_deleting_a_response_removes_them(
    old,
):
    police = make_organisations(old.assessment.partnership, public=["Eastvale Police"])[0]
    respondent = old.expired.respondent
    answer_network(respondent, {police: "2|3|3"})

    privacy.purge_expired()

    respondent.refresh_from_db()
    assert respondent.invitation is None
    assert respondent.network_answers.count() == 1
    respondent.delete()
    assert not NetworkAnswer.objects.exists()
