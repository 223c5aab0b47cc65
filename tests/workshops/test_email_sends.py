"""Emails go only after what they point at is committed; a mail server that drops
the connection loses nothing, tells the coordinator, and the refused emails go
later, once, each with a link that opens."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.builders import make_person, make_user
from tests.smtp import smtp_server  # noqa: F401 - a fixture
from workshops.models import EmailSend, Invitation, Partnership, Person, PersonalLink

HEADER = "name,email,organisation,role,layer"


def invitees_file(count: int) -> SimpleUploadedFile:
    rows = [
        f"Person {n},person{n}@example.org,Eastvale District Council,chair,strategic"
        for n in range(count)
    ]
    return SimpleUploadedFile("people.csv", "\n".join([HEADER, *rows]).encode(), "text/csv")


def every_link_opens(links: list[str]) -> bool:
    return all(Client().get(link).status_code == 200 for link in links)


def test_an_import_whose_mail_server_drops_the_connection_keeps_everyone_and_says_so(
    client,
    cast,
    assessment,
    smtp_server,  # noqa: F811
):
    smtp_server.accept(3)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("invitees-import", args=[cast.partnership.pk, assessment.pk]),
        {"file": invitees_file(15)},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "15 people added and 0 people updated; 15 newly invited and 3 emails sent." in page
    assert (
        "3 invitations were sent; 12 invitations could not be sent because the mail server "
        "refused them" in page
    )
    assert "They will be tried again automatically" in page
    # What was imported stays imported, and every link emailed opens the questionnaire.
    assert Person.objects.filter(email__startswith="person").count() == 15
    assert assessment.invitations.count() == 15
    assert len(smtp_server.links()) == 3 and every_link_opens(smtp_server.links())
    sends = EmailSend.objects.filter(kind="invitation")
    assert sorted(sends.values_list("state", flat=True)) == ["failed"] * 12 + ["sent"] * 3
    assert all("closed" in s.reason.lower() for s in sends.filter(state="failed"))
    # A failed email leaves no link behind: one link per email that went.
    assert PersonalLink.objects.filter(invitation__assessment=assessment).count() == 3
    assert assessment.invitations.filter(sent_at=None).count() == 12

    # The mail server is back: the next run sends the twelve, once, each with a link that opens.
    smtp_server.accept(10**6)
    call_command("send_waiting_emails", stdout=StringIO())
    call_command("send_waiting_emails", stdout=StringIO())
    to = sorted(m["To"] for m in smtp_server.messages)
    assert to == sorted(f"person{n}@example.org" for n in range(15))
    assert len(smtp_server.links()) == 15 and every_link_opens(smtp_server.links())
    assert set(sends.values_list("state", flat=True)) == {"sent"}
    assert not assessment.invitations.filter(sent_at=None).exists()


def test_inviting_when_the_mail_server_drops_the_connection_is_a_clear_message(
    client,
    cast,
    assessment,
    smtp_server,  # noqa: F811
):
    smtp_server.accept(2)
    people = [make_person(cast, f"Person {n}", f"person{n}@example.org") for n in range(5)]
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("assessment-invite", args=[cast.partnership.pk, assessment.pk]),
        {"people": [p.pk for p in people]},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 invited; 2 emails sent." in page
    assert "2 invitations were sent; 3 invitations could not be sent" in page
    assert assessment.invitations.count() == 5
    assert every_link_opens(smtp_server.links())
    # Inviting them again does not send a second email while the first is to be retried.
    smtp_server.accept(10**6)
    client.post(
        reverse("assessment-invite", args=[cast.partnership.pk, assessment.pk]),
        {"people": [p.pk for p in people]},
    )
    assert len(smtp_server.messages) == 2
    # And the assessment page says some are still to go.
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "3 emails could not be sent yet because the mail server refused them" in page


def test_reminders_when_the_mail_server_drops_the_connection_go_later_once(
    client,
    cast,
    assessment,
    smtp_server,  # noqa: F811
):
    for n in range(4):
        Invitation.objects.create(
            assessment=assessment, person=make_person(cast, f"P {n}", f"p{n}@example.org")
        )
    smtp_server.accept(1)
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("assessment-remind", args=[cast.partnership.pk, assessment.pk]), follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Reminder sent to 1 person who has not finished." in page
    assert "1 reminder was sent; 3 reminders could not be sent" in page
    reminders = EmailSend.objects.filter(kind="reminder")
    assert sorted(reminders.values_list("state", flat=True)) == ["failed"] * 3 + ["sent"]

    smtp_server.accept(10**6)
    call_command("send_reminders", stdout=StringIO())  # the same day: nobody twice
    assert len(smtp_server.messages) == 1
    call_command("send_waiting_emails", stdout=StringIO())
    call_command("send_waiting_emails", stdout=StringIO())
    assert sorted(m["To"] for m in smtp_server.messages) == [f"p{n}@example.org" for n in range(4)]
    assert every_link_opens(smtp_server.links())


def test_verifying_when_the_mail_server_is_down_leaves_the_emails_to_be_tried_again(
    client,
    cast,
    assessment,
    smtp_server,  # noqa: F811
):
    Partnership.objects.filter(pk=cast.partnership.pk).update(verified_at=None)
    people = [make_person(cast, f"Person {n}", f"person{n}@example.org") for n in range(2)]
    client.force_login(cast.coordinator)
    client.post(
        reverse("assessment-invite", args=[cast.partnership.pk, assessment.pk]),
        {"people": [p.pk for p in people]},
    )
    assert smtp_server.messages == []
    smtp_server.accept(0)
    staff = make_user("support@lsp-assess.example.org", "Support")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    response = client.post(reverse("partnership-verify", args=[cast.partnership.pk]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "is verified. 0 waiting invitation emails sent." in page
    assert "2 emails could not be sent because the mail server refused them" in page
    cast.partnership.refresh_from_db()
    assert cast.partnership.verified_at is not None

    smtp_server.accept(10**6)
    call_command("send_waiting_emails", stdout=StringIO())
    assert sorted(m["To"] for m in smtp_server.messages) == [p.email for p in people]
    assert every_link_opens(smtp_server.links())


def test_an_email_no_longer_needed_is_not_sent_again(
    client,
    cast,
    assessment,
    smtp_server,  # noqa: F811
):
    person = make_person(cast, "Ann", "ann@example.org")
    smtp_server.accept(0)
    client.force_login(cast.coordinator)
    client.post(
        reverse("assessment-invite", args=[cast.partnership.pk, assessment.pk]),
        {"people": [person.pk]},
    )
    invitation = assessment.invitations.get()
    client.post(
        reverse("invitation-revoke", args=[cast.partnership.pk, assessment.pk, invitation.pk])
    )
    smtp_server.accept(10**6)
    out = StringIO()
    call_command("send_waiting_emails", stdout=out)
    assert "0 email(s) sent, 0 failed, 1 no longer needed." in out.getvalue()
    assert smtp_server.messages == []
    send = EmailSend.objects.get()
    assert (send.state, send.reason) == (
        "cancelled",
        "The link was withdrawn before it could be sent.",
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a second connection to see what is committed"
)
def test_every_email_is_sent_after_what_its_link_opens_is_committed(cast, bank, smtp_server):  # noqa: F811
    """Each message is checked on arrival, from another connection: its link must open."""
    from tests.builders import make_assessment

    assessment = make_assessment(cast)
    seen: list[int] = []
    handler = smtp_server.handler
    original = handler.handle_DATA

    async def check_then_accept(server, session, envelope):
        import asyncio

        link = re.search(rb"/a/([\w-]+)/", envelope.content).group(1).decode()

        def opens() -> int:
            try:
                return Client().get(f"/a/{link}/").status_code
            finally:
                connection.close()  # this thread's own connection, or teardown waits on it

        seen.append(await asyncio.to_thread(opens))
        return await original(server, session, envelope)

    handler.handle_DATA = check_then_accept
    client = Client()
    client.force_login(cast.coordinator)
    client.post(
        reverse("invitees-import", args=[cast.partnership.pk, assessment.pk]),
        {"file": invitees_file(5)},
    )
    assert seen == [200] * 5
