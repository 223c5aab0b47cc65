"""Setting up an assessment, inviting people, withdrawing links and reminding."""

from __future__ import annotations

import re
import smtplib
from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from questions.bank_file import read_bank
from questions.loader import load_bank
from questions.models import BankVersion
from tests.builders import make_assessment, make_person, respond
from tests.conftest import Cast
from workshops.access import get_invitation_by_token
from workshops.models import Answer, Assessment, AuditEvent, EmailSend, Invitation, Respondent
from workshops.models.assessment import Scope
from workshops.services.assessment import revoke, send_reminders
from workshops.services.mail import REMINDER_QUIET_PERIOD


def date_fields(name: str, day: date) -> dict[str, int]:
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def invitation_in(body: str) -> Invitation:
    """The invitation whose personal link an email carries (only the email has it)."""
    found = re.search(rf"{re.escape(settings.SITE_URL)}/a/([A-Za-z0-9_-]+)/", body)
    assert found, body
    return get_invitation_by_token(found[1])


# Creating an assessment: which items it asks and which bank version it keeps.


def test_a_full_assessment_asks_every_item(cast, bank):
    assessment = make_assessment(cast, scope=Scope.FULL)
    assert assessment.items.count() == 104
    assert assessment.bank == bank


def test_a_top_level_assessment_asks_only_the_main_questions(cast, bank):
    assessment = make_assessment(cast, scope=Scope.TOP_LEVEL)
    assert assessment.items.count() == 38
    assert not assessment.items.exclude(parent=None).exists()


def test_a_chosen_elements_assessment_asks_only_those_elements(cast, bank):
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(1, 8))
    assert assessment.items.count() == 18
    assert set(assessment.items.values_list("section__number", flat=True)) == {1, 8}


def test_an_assessment_keeps_its_bank_version_when_a_new_one_is_loaded(cast, bank, tmp_path):
    assessment = make_assessment(cast)
    old_items = set(assessment.items.values_list("pk", flat=True))
    changed = settings.QUESTION_BANK_PATH.read_text(encoding="utf-8").replace(
        "reflect LSP members' ambition", "reflect partners' ambition"
    )
    path = tmp_path / "bank.yaml"
    path.write_text(changed, encoding="utf-8")
    load_bank(read_bank(path))
    assert BankVersion.current().number == 2

    assessment.refresh_from_db()
    assert assessment.bank.number == 1
    assert set(assessment.items.values_list("pk", flat=True)) == old_items
    assert set(assessment.items.values_list("bank__number", flat=True)) == {1}
    assert "LSP members' ambition" in assessment.items.get(key="1.1").text
    assert make_assessment(cast, title="Next year").bank.number == 2


# The set-up page.


def create_url(cast: Cast) -> str:
    return reverse("assessment-create", args=[cast.partnership.pk])


def form_data(**changes) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Autumn review",
        "scope": Scope.FULL,
        "basis": "both",
        **date_fields("opens_on", today),
        **date_fields("closes_on", today + timedelta(days=21)),
        "anonymous": "on",
    }
    data.update(changes)
    return data


def test_a_coordinator_sets_up_an_assessment_and_lands_on_its_page(client, cast, bank):
    client.force_login(cast.coordinator)
    response = client.post(create_url(cast), form_data())
    assessment = cast.partnership.assessments.get()
    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert "Autumn review is set up. Now invite people to answer." in page
    assert "104 from question bank version 1" in page
    assert assessment.title == "Autumn review"
    assert assessment.basis == "both"
    assert assessment.anonymous
    assert assessment.opens_on == timezone.localdate()
    assert assessment.closes_on == timezone.localdate() + timedelta(days=21)
    assert assessment.created_by == cast.coordinator


def test_a_coordinator_sets_up_an_assessment_of_chosen_elements(client, cast, bank):
    client.force_login(cast.coordinator)
    client.post(create_url(cast), form_data(scope=Scope.ELEMENTS, sections=["1", "8"]))
    assert cast.partnership.assessments.get().items.count() == 18


def test_a_closing_date_before_the_opening_date_is_refused(client, cast, bank):
    client.force_login(cast.coordinator)
    today = timezone.localdate()
    response = client.post(
        create_url(cast), form_data(**date_fields("closes_on", today - timedelta(days=1)))
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The closing date must be on or after the opening date" in page
    assert not Assessment.objects.exists()


def test_chosen_elements_without_any_element_is_refused(client, cast, bank):
    client.force_login(cast.coordinator)
    response = client.post(create_url(cast), form_data(scope=Scope.ELEMENTS))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose at least one element" in page
    assert not Assessment.objects.exists()


def test_a_missing_title_and_date_are_refused(client, cast, bank):
    client.force_login(cast.coordinator)
    data = form_data(title="")
    for part in range(3):
        data.pop(f"opens_on_{part}")
    page = client.post(create_url(cast), data).content.decode()
    assert "Enter a title for the assessment" in page
    assert "Enter the date the questionnaire opens" in page
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("day", ["31", "9" * 30])
def test_a_date_that_does_not_exist_is_refused_in_plain_words(client, cast, bank, day):
    client.force_login(cast.coordinator)
    data = form_data(opens_on_0=day, opens_on_1="2", opens_on_2="2026")
    response = client.post(create_url(cast), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Date must be a real date" in page
    assert "out of range" not in page  # Python's words, not ours
    assert not Assessment.objects.exists()


def test_a_month_may_be_typed_as_its_name(client, cast, bank):
    client.force_login(cast.coordinator)
    year = timezone.localdate().year + 1
    data = form_data(opens_on_0="1", opens_on_1="Dec", opens_on_2=str(year))
    data.update(closes_on_0="31", closes_on_1="december", closes_on_2=str(year))
    assert client.post(create_url(cast), data).status_code == 302
    assessment = cast.partnership.assessments.get()
    assert (assessment.opens_on, assessment.closes_on) == (date(year, 12, 1), date(year, 12, 31))


def test_a_participant_cannot_set_up_an_assessment(client, cast, bank):
    client.force_login(cast.participant)
    assert client.get(create_url(cast)).status_code == 403
    assert client.post(create_url(cast), form_data()).status_code == 403
    assert not Assessment.objects.exists()


def test_an_outsider_cannot_set_up_an_assessment(client, cast, bank):
    client.force_login(cast.outsider)
    assert client.get(create_url(cast)).status_code == 404
    assert client.post(create_url(cast), form_data()).status_code == 404
    assert not Assessment.objects.exists()


# Inviting.


def invite_url(assessment: Assessment) -> str:
    return reverse("assessment-invite", args=[assessment.partnership_id, assessment.pk])


def test_invited_people_with_an_email_get_their_personal_link(client, cast, assessment, mailoutbox):
    ann = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    client.force_login(cast.coordinator)
    response = client.post(invite_url(assessment), {"people": [ann.pk, cast.person.pk]})
    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    assert "2 invited; 1 email sent." in client.get(response["Location"]).content.decode()

    ann_invitation = assessment.invitations.get(person=ann)
    assert [m.to for m in mailoutbox] == [["ann@eastvale.example.org"]]
    assert invitation_in(mailoutbox[0].body) == ann_invitation
    assert ann_invitation.sent_to == "ann@eastvale.example.org"
    assert "Dear Ann Lee" in mailoutbox[0].body
    assert ann_invitation.sent_at is not None


def test_someone_without_an_email_is_invited_but_not_emailed(client, cast, assessment, mailoutbox):
    client.force_login(cast.coordinator)
    client.post(invite_url(assessment), {"people": [cast.person.pk]})
    invitation = assessment.invitations.get()
    assert invitation.person == cast.person
    assert invitation.sent_at is None
    assert mailoutbox == []
    # Only an email carries a link: a coordinator's page never does, so they
    # enter this person's paper return instead.
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "/a/" not in page
    assert "No email: enter a paper return for them" in page
    assert not invitation.links.exists()


def test_inviting_someone_twice_keeps_one_invitation_and_link(client, cast, assessment, mailoutbox):
    ann = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    client.force_login(cast.coordinator)
    client.post(invite_url(assessment), {"people": [ann.pk]})
    invitation = invitation_in(mailoutbox[0].body)
    response = client.post(invite_url(assessment), {"people": [ann.pk]}, follow=True)
    assert "0 invited; 0 emails sent." in response.content.decode()
    assert assessment.invitations.get() == invitation
    assert invitation.links.count() == 1
    assert len(mailoutbox) == 1


def test_the_invite_page_lists_who_is_already_invited_last_saying_when_and_their_email(
    client, cast, assessment, mailoutbox
):
    ann = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    make_person(cast, "Zed Young", "zed@eastvale.example.org")
    client.force_login(cast.coordinator)
    page = client.get(invite_url(assessment)).content.decode()
    assert "Nobody is invited yet." in page
    client.post(invite_url(assessment), {"people": [ann.pk, cast.person.pk]})
    revoke(assessment.invitations.get(person=cast.person))
    page = client.get(invite_url(assessment)).content.decode()
    assert "2 of 3 people are already invited" in page
    today = f"{timezone.localdate():%-d %b %Y}"
    labels = re.findall(
        r'govuk-checkboxes__label" for="id_people_\d+">\s*([^<]*?)\s*</label>', page
    )
    assert labels == [
        # Not yet invited first; then those invited, with when and what became of the email.
        "Zed Young, Officer, Eastvale District Council",
        f"Ann Lee, Officer, Eastvale District Council (already invited {today}: emailed {today})",
        "Priya Shah, LSP coordinator, Eastvale District Council "
        f"(already invited {today}: link withdrawn)",
    ]


def test_select_all_without_javascript_is_the_page_with_every_box_ticked(client, cast, assessment):
    make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    client.force_login(cast.coordinator)
    page = client.get(invite_url(assessment)).content.decode()
    assert 'href="?all=1#id_people_1">Select all 2 people</a>' in page
    assert "checked" not in page.split('name="people"', 1)[1]
    page = client.get(invite_url(assessment) + "?all=1").content.decode()
    assert page.count('name="people"') == 2
    assert len(re.findall(r'name="people"[^>]*?checked="checked"', page, re.S)) == 2


def test_nobody_can_be_invited_after_closing(client, cast, bank, mailoutbox):
    closed = make_assessment(cast, opens=-10, closes=-1)
    ann = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    client.force_login(cast.coordinator)
    response = client.post(invite_url(closed), {"people": [ann.pk]})
    assert response.status_code == 200
    assert "This assessment has closed; nobody more can be invited." in response.content.decode()
    assert not closed.invitations.exists()
    assert mailoutbox == []


def test_people_can_be_invited_before_opening(client, cast, bank, mailoutbox):
    later = make_assessment(cast, opens=7, closes=21)
    ann = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    client.force_login(cast.coordinator)
    client.post(invite_url(later), {"people": [ann.pk]})
    assert later.invitations.get().person == ann
    assert len(mailoutbox) == 1


def test_a_person_of_another_partnership_cannot_be_invited(client, cast, assessment, mailoutbox):
    client.force_login(cast.coordinator)
    assert "Olu Ade" not in client.get(invite_url(assessment)).content.decode()
    response = client.post(invite_url(assessment), {"people": [cast.other_person.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_choosing_nobody_is_refused(client, cast, assessment):
    client.force_login(cast.coordinator)
    # A browser always sends the CSRF token, even with no box ticked; the view
    # treats a POST with no fields at all as a first visit (request.POST or None).
    response = client.post(invite_url(assessment), {"csrfmiddlewaretoken": "from-the-page"})
    assert "Choose at least one person to invite" in response.content.decode()
    assert not Invitation.objects.exists()


def test_personal_links_are_long_and_unique(cast, assessment):
    people = [make_person(cast, f"Person {n}") for n in range(20)]
    tokens = [Invitation.objects.create(assessment=assessment, person=p).token for p in people]
    assert len(set(tokens)) == 20
    assert all(len(token) >= 43 for token in tokens)  # 256 random bits, base64


# Withdrawing a link.


def revoke_url(invitation: Invitation) -> str:
    assessment = invitation.assessment
    return reverse(
        "invitation-revoke", args=[assessment.partnership_id, assessment.pk, invitation.pk]
    )


def test_a_withdrawn_link_stops_working_and_takes_no_answers(client, cast, invitation):
    client.force_login(cast.coordinator)
    response = client.post(revoke_url(invitation), follow=True)
    assert response.redirect_chain == [(invitation.assessment.get_absolute_url(), 302)]
    assert "Priya Shah&#x27;s link has been withdrawn." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_revoked

    client.logout()
    start = client.get(reverse("questionnaire", args=[invitation.token]))
    assert start.status_code == 410
    assert "This link has been withdrawn" in start.content.decode()
    section = client.post(
        reverse("questionnaire-section", args=[invitation.token, 1]), {"1.1:internal": "3"}
    )
    assert section.status_code == 410
    assert "This link has been withdrawn" in section.content.decode()
    save = client.post(reverse("questionnaire-save", args=[invitation.token]), {"1.1.2": "no"})
    assert save.status_code == 410
    assert client.post(reverse("questionnaire-review", args=[invitation.token])).status_code == 410
    assert not Respondent.objects.exists()
    assert not Answer.objects.exists()


def test_answers_given_before_the_link_is_withdrawn_are_kept(cast, invitation):
    respond(invitation, {"1.1:internal": "3"})
    revoke(invitation)
    invitation.refresh_from_db()
    assert invitation.is_revoked
    assert Answer.objects.get(respondent__invitation=invitation).rating == 3


@pytest.mark.parametrize("chosen", ["", "²", "9" * 5000])
def test_withdrawing_a_link_from_the_list_needs_someone_chosen(client, cast, invitation, chosen):
    # "²" passes str.isdigit() but not int(); 5,000 digits are more than int() reads.
    client.force_login(cast.coordinator)
    assessment = invitation.assessment
    url = reverse("invitation-revoke-choose", args=[cast.partnership.pk, assessment.pk])
    response = client.post(url, {"invitation": chosen}, follow=True)
    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert "Choose whose link to withdraw." in response.content.decode()
    invitation.refresh_from_db()
    assert not invitation.is_revoked


def test_withdrawing_takes_a_post(client, cast, invitation):
    client.force_login(cast.coordinator)
    assert client.get(revoke_url(invitation)).status_code == 405
    invitation.refresh_from_db()
    assert not invitation.is_revoked


def test_an_outsider_cannot_withdraw_a_link(client, cast, invitation):
    client.force_login(cast.outsider)
    assert client.post(revoke_url(invitation)).status_code == 404
    invitation.refresh_from_db()
    assert not invitation.is_revoked


# Reminders.


def remind_url(assessment: Assessment) -> str:
    return reverse("assessment-remind", args=[assessment.partnership_id, assessment.pk])


@pytest.fixture
def invitees(cast, assessment):
    """One of each: not started, started, finished, withdrawn, and without an email."""
    made = {}
    for name in ["pending", "started", "finished", "withdrawn"]:
        person = make_person(cast, name.title(), f"{name}@eastvale.example.org")
        made[name] = Invitation.objects.create(assessment=assessment, person=person)
    made["no_email"] = Invitation.objects.create(assessment=assessment, person=cast.person)
    respond(made["started"], {"1.1:internal": "2"})
    respond(made["finished"], {"1.1:internal": "4"}, submitted=True)
    revoke(made["withdrawn"])
    return made


def test_the_reminder_button_emails_only_people_who_have_not_finished(
    client, cast, assessment, invitees, mailoutbox
):
    client.force_login(cast.coordinator)
    response = client.post(remind_url(assessment), follow=True)
    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert "Reminder sent to 2 people who have not finished." in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == [
        "pending@eastvale.example.org",
        "started@eastvale.example.org",
    ]
    for invitation in invitees.values():
        invitation.refresh_from_db()
    assert {name for name, i in invitees.items() if i.reminded_at} == {"pending", "started"}


@pytest.mark.parametrize("opens, closes", [(1, 14), (-9, -1)], ids=["not yet open", "closed"])
def test_reminders_are_refused_when_the_assessment_is_not_open(
    client, cast, bank, mailoutbox, opens, closes
):
    assessment = make_assessment(cast, opens=opens, closes=closes)
    person = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    invitation = Invitation.objects.create(assessment=assessment, person=person)
    client.force_login(cast.coordinator)
    response = client.post(remind_url(assessment), follow=True)
    page = response.content.decode()
    assert "Reminders can only be sent while the assessment is open." in page
    assert "Remind everyone who has not finished" not in page
    invitation.refresh_from_db()
    assert invitation.reminded_at is None
    assert mailoutbox == []


def test_the_reminder_button_takes_a_post_from_a_coordinator(client, cast, assessment, invitees):
    client.force_login(cast.coordinator)
    assert client.get(remind_url(assessment)).status_code == 405
    client.force_login(cast.facilitator)
    assert client.post(remind_url(assessment)).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(remind_url(assessment)).status_code == 404
    assert not Invitation.objects.exclude(reminded_at=None).exists()


def test_nobody_is_reminded_twice_within_the_quiet_period(cast, assessment, invitees, mailoutbox):
    assert send_reminders(assessment).sent == 2
    assert send_reminders(assessment).sent == 0
    assert len(mailoutbox) == 2
    later = timezone.now() + REMINDER_QUIET_PERIOD + timedelta(minutes=1)
    assert send_reminders(assessment, now=later).sent == 2
    assert len(mailoutbox) == 4


def test_people_just_invited_are_not_reminded_the_same_day(client, cast, assessment, mailoutbox):
    ann = make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    client.force_login(cast.coordinator)
    client.post(invite_url(assessment), {"people": [ann.pk]})
    assert send_reminders(assessment).sent == 0
    assert send_reminders(assessment, now=timezone.now() + timedelta(days=1)).sent == 1
    assert [m.to for m in mailoutbox] == [[ann.email]] * 2


def run_reminders() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_the_reminder_command_reminds_every_open_assessment(cast, bank, mailoutbox):
    def invite_new(assessment, name):
        person = make_person(
            cast, name, f"{name.lower()}@example.org", partnership=assessment.partnership
        )
        return Invitation.objects.create(assessment=assessment, person=person)

    spring = make_assessment(cast, title="Spring")
    invite_new(spring, "Ann")
    invite_new(spring, "Ben")
    respond(invite_new(spring, "Cat"), submitted=True)
    westmoor = make_assessment(cast, title="Westmoor review", partnership=cast.other)
    invite_new(westmoor, "Dev")
    invite_new(make_assessment(cast, title="Last year", opens=-30, closes=-1), "Eve")
    invite_new(make_assessment(cast, title="Next month", opens=30, closes=60), "Fay")

    out = run_reminders()
    assert out.splitlines() == [
        "Eastvale LSP: Spring: 2 reminders",
        "Westmoor LSP: Westmoor review: 1 reminder",
        "3 reminders sent in all.",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "ann@example.org",
        "ben@example.org",
        "dev@example.org",
    ]
    assert Invitation.objects.exclude(reminded_at=None).count() == 3

    # A second run the same day (cron retried, or run by hand) sends nothing more.
    assert run_reminders().splitlines()[-1] == "0 reminders sent in all."
    assert len(mailoutbox) == 3


class RefusingMailServer(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_when_the_mail_server_is_down_the_reminders_wait_to_be_tried_again(
    cast, invitees, settings, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    err = StringIO()
    with pytest.raises(CommandError, match="could not be sent for 1 assessment"):
        call_command("send_reminders", stdout=StringIO(), stderr=err)
    assert "Spring 2026 self-assessment: 2 reminders not sent" in err.getvalue()
    assert "Connection unexpectedly closed" in err.getvalue()
    failed = EmailSend.objects.filter(kind="reminder")
    # The second is not tried on a connection the first found gone.
    assert [(s.state, s.attempts) for s in failed] == [("failed", 1), ("failed", 0)]
    # Tried again by send_waiting_emails, not by a second reminder the same day.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_reminders", stdout=StringIO())
    assert mailoutbox == []
    call_command("send_waiting_emails", stdout=StringIO())
    assert len(mailoutbox) == 2
    assert {s.state for s in failed.all()} == {"sent"}


def test_an_assessment_open_today_only_is_reminded(cast, bank, mailoutbox):
    today_only = make_assessment(cast, title="Today", opens=0, closes=0)
    person = make_person(cast, "Ann", "ann@example.org")
    Invitation.objects.create(assessment=today_only, person=person)
    assert "Eastvale LSP: Today: 1 reminder" in run_reminders()
    assert len(mailoutbox) == 1


# What the emails say.


def test_the_invitation_email_gives_the_closing_date_and_the_link(
    client, cast, assessment, mailoutbox
):
    ann = make_person(cast, "Siobhán O'Brien", "siobhan@eastvale.example.org")
    assessment.title = "Health & wellbeing review"
    assessment.save()
    client.force_login(cast.coordinator)
    client.post(invite_url(assessment), {"people": [ann.pk]})
    email = mailoutbox[0]
    closes = long_date(assessment.closes_on)
    assert email.subject == (
        'Eastvale LSP: please answer the self-assessment "Health & wellbeing review"'
    )
    assert f"Please give your views by {closes}." in email.body
    assert invitation_in(email.body) == assessment.invitations.get()
    assert "Dear Siobhán O'Brien," in email.body  # plain text: nothing HTML-escaped
    assert email.from_email == settings.DEFAULT_FROM_EMAIL


def test_the_reminder_email_gives_the_closing_date_and_the_link(cast, invitation, mailoutbox):
    cast.person.email = "priya@eastvale.example.org"
    cast.person.save()
    send_reminders(invitation.assessment)
    email = mailoutbox[0]
    closes = long_date(invitation.assessment.closes_on)
    assert email.to == ["priya@eastvale.example.org"]
    assert email.subject == f'Reminder: "Spring 2026 self-assessment" closes on {closes}'
    assert f"closes on {closes}." in email.body
    assert invitation_in(email.body) == invitation
    # A link of its own, and the first one still works too.
    assert invitation.token not in email.body
    assert get_invitation_by_token(invitation.token) == invitation


def test_the_button_says_so_when_nobody_needed_a_reminder(client, cast, assessment, mailoutbox):
    client.force_login(cast.coordinator)
    response = client.post(remind_url(assessment), follow=True)
    assert "Nobody needed a reminder" in response.content.decode()
    assert mailoutbox == []


def test_the_set_up_form_can_turn_the_network_section_on(client, cast, bank):
    client.force_login(cast.coordinator)
    client.post(create_url(cast), form_data(title="With the network", network="on"))
    assert cast.partnership.assessments.get(title="With the network").network
    client.post(create_url(cast), form_data(title="Without"))
    assert not cast.partnership.assessments.get(title="Without").network


def test_a_coordinator_turns_the_network_section_on_and_off_and_it_is_audited(client, cast, bank):
    assessment = make_assessment(cast)
    client.force_login(cast.coordinator)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Off: respondents are not asked how their organisations work together" in page
    switch = reverse("assessment-network", args=[cast.partnership.pk, assessment.pk])
    page = client.post(switch, {"network": "on"}, follow=True).content.decode()
    assert "The questionnaire now asks how partner organisations work together." in page
    assert "On: respondents from the partnership" in page
    assessment.refresh_from_db()
    assert assessment.network
    client.post(switch, {})
    assessment.refresh_from_db()
    assert not assessment.network
    events = AuditEvent.objects.filter(action="assessment.network_changed").order_by("pk")
    assert [e.data["network"] for e in events] == [True, False]
    assert [e.summary for e in events] == [
        "The network section is turned on.",
        "The network section is turned off.",
    ]
