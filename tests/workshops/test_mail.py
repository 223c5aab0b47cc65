"""Emails from our address: new partnerships' wait until they are verified, every partnership
sends a limited number a day, and names in them are never links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_person, make_user
from workshops.models import Partnership

# What mail clients turn into links: a scheme, "www.", or a dotted domain name.
LINK_LIKE = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*:(?://|[^\s\[])|\bwww\.|\b[\w-]+\.[a-z]{2,}\b")


def invite_url(assessment) -> str:
    return reverse("assessment-invite", args=[assessment.partnership_id, assessment.pk])


def remind_url(assessment) -> str:
    return reverse("assessment-remind", args=[assessment.partnership_id, assessment.pk])


def people(cast, count: int) -> list:
    return [
        make_person(cast, f"Person {n}", f"person{n}@eastvale.example.org") for n in range(count)
    ]


@pytest.fixture
def new_partnership(cast):
    """The cast's partnership as support staff have not checked it yet."""
    Partnership.objects.filter(pk=cast.partnership.pk).update(verified_at=None, verified_by=None)
    return cast.partnership


def test_a_new_partnerships_invitations_wait_and_go_out_once_it_is_verified(
    client, cast, assessment, new_partnership, mailoutbox
):
    invited = people(cast, 2)
    client.force_login(cast.coordinator)
    response = client.post(invite_url(assessment), {"people": [p.pk for p in invited]}, follow=True)
    page = response.content.decode()
    assert "2 invited; 0 emails sent." in page
    assert "wait until support staff have checked the partnership" in page
    assert "(2 emails waiting)" in page
    assert mailoutbox == []
    assert [i.sent_at for i in assessment.invitations.all()] == [None, None]
    # Reminders wait too, and the coordinator is told why.
    page = client.post(remind_url(assessment), follow=True).content.decode()
    assert mailoutbox == [] and "wait until support staff have checked" in page
    assert "Nobody needed a reminder" not in page

    staff = make_user("support@lsp-assess.example.org", "Support")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    page = client.post(
        reverse("partnership-verify", args=[new_partnership.pk]), follow=True
    ).content.decode()
    assert "2 waiting invitation emails sent" in page
    assert sorted(m.to[0] for m in mailoutbox) == [p.email for p in invited]
    assert all("please answer the self-assessment" in m.subject for m in mailoutbox)
    assert all(i.sent_at for i in assessment.invitations.all())


def test_no_more_than_the_daily_limit_go_and_the_rest_go_the_next_day(
    client, cast, assessment, mailoutbox, settings
):
    settings.PARTNERSHIP_EMAILS_PER_DAY = 3
    invited = people(cast, 5)
    client.force_login(cast.coordinator)
    chosen = {"people": [p.pk for p in invited]}
    page = client.post(invite_url(assessment), chosen, follow=True).content.decode()
    assert "5 invited; 3 emails sent." in page
    assert "has sent 3 emails today, the most a partnership may send in a day" in page
    assert "Invitations still waiting: 2. The rest can go from tomorrow" in page
    assert len(mailoutbox) == 3
    assert assessment.invitations.filter(sent_at=None).count() == 2
    # Nothing more today, by inviting again or by reminding.
    client.post(invite_url(assessment), chosen)
    page = client.post(remind_url(assessment), follow=True).content.decode()
    assert len(mailoutbox) == 3 and "the most a partnership may send in a day" in page
    # The next day, inviting the same people again sends the two that waited.
    Partnership.objects.filter(pk=cast.partnership.pk).update(
        emails_day=timezone.localdate() - timedelta(days=1)
    )
    page = client.post(invite_url(assessment), chosen, follow=True).content.decode()
    assert "0 invited; 2 emails sent." in page
    assert len(mailoutbox) == 5 and len({m.to[0] for m in mailoutbox}) == 5
    assert not assessment.invitations.filter(sent_at=None).exists()
    cast.partnership.refresh_from_db()
    assert (cast.partnership.emails_day, cast.partnership.emails_sent) == (
        timezone.localdate(),
        2,
    )


def test_reminders_count_against_the_same_daily_limit(cast, assessment, mailoutbox, settings):
    from workshops.models import Invitation
    from workshops.services.assessment import send_reminders

    settings.PARTNERSHIP_EMAILS_PER_DAY = 4
    for person in people(cast, 6):
        Invitation.objects.create(assessment=assessment, person=person)
    assert send_reminders(assessment).sent == 4
    assert send_reminders(assessment).sent == 0
    assert len(mailoutbox) == 4
    assert assessment.invitations.filter(reminded_at=None).count() == 2


def test_names_that_look_like_links_are_never_links_in_the_email(
    client, cast, assessment, mailoutbox
):
    Partnership.objects.filter(pk=cast.partnership.pk).update(name="www.evil.example/login")
    assessment.title = "Sign in at https://evil.example/sso or mail help@evil.example"
    assessment.save()
    person = make_person(
        cast, "Visit evil.example now javascript:alert(1)", "ann@eastvale.example.org"
    )
    client.force_login(cast.coordinator)
    client.post(invite_url(assessment), {"people": [person.pk]})
    (message,) = mailoutbox
    link = re.search(re.escape(settings.SITE_URL) + r"/a/[\w-]+/", message.body).group()
    # Our own link is the only thing in the email a mail client would make a link of.
    assert LINK_LIKE.findall(message.subject) == []
    assert message.body.count(link) == 1
    assert LINK_LIKE.findall(message.body.replace(link, "")) == []
    # The names are still there to read, broken up where a link would be.
    assert "www[.]evil[.]example/login: please answer" in message.subject
    assert "https[:]//evil[.]example/sso or mail help@evil[.]example" in message.subject
    assert "Dear Visit evil[.]example now javascript[:]alert(1)," in message.body
    assert message.body.count("www[.]evil[.]example/login") == 2
