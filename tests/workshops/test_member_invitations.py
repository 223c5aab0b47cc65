"""Members join by invitation: a coordinator invites an address with a role, and whoever
opens the emailed link as that address joins. Inviting never reveals who has an account."""

from __future__ import annotations

import hashlib
import re
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import PASSWORD, make_user
from tests.workshops.inviting import (
    NEW_ACCOUNT,
    coordinator_client,  # noqa: F401 - the "coordinator" fixture
    invitation_row,
    invite,
    link_in,
    set_up,
    staff_client,
    token_of,
)
from workshops.models import AuditEvent, EmailSend, MemberInvitation, Membership, Partnership, User
from workshops.services import member_invitations
from workshops.services.mail import unlinked
from workshops.services.members import MembershipError
from workshops.services.partnership import verify_partnership

# Inviting.


def test_inviting_says_and_shows_the_same_whether_or_not_the_address_has_an_account(
    coordinator, cast, mailoutbox
):
    # coordinator@westmoor has an account (as "Outsider", in Westmoor); nobody@ has none.
    pages, rows, emails = [], [], []
    for email in ("coordinator@westmoor.example.org", "nobody@westmoor.example.org"):
        response = invite(coordinator, cast, email, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        pages.append(page.replace(email, "EMAIL"))
        # The row's buttons name the invitation by its number, which differs by order
        # only, and carry a CSRF token, masked anew for every page.
        row = re.sub(r"/invitations/\d+/", "/invitations/N/", invitation_row(page, email))
        row = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "CSRF", row)
        rows.append(row.replace(email, "EMAIL"))
        emails.append(mailoutbox[-1].body.replace(email, "EMAIL"))
        assert f"{email} is invited to join Eastvale LSP as an executive." in page
    assert "Outsider" not in pages[0] and "Outsider" not in emails[0]
    start = pages[0].index('<div class="govuk-notification-banner')
    assert pages[0][start : start + 600] == pages[1][start : start + 600]
    assert rows[0] == rows[1]
    assert f"{timezone.localdate():%-d %b %Y}" in rows[0]
    # Inviting gives no role: only accepting does.
    assert not cast.other.memberships.filter(role="executive").exists()
    assert not cast.partnership.memberships.filter(user=cast.outsider).exists()
    assert MemberInvitation.objects.filter(partnership=cast.partnership).count() == 2


def test_the_email_holds_a_one_time_link_stored_only_hashed(
    coordinator, cast, mailoutbox, settings
):
    settings.MEMBER_INVITATION_DAYS = 3
    cast.partnership.name = "Eastvale.example LSP"
    cast.partnership.save()
    invite(coordinator, cast, "Ann@Example.org")
    [message] = mailoutbox
    assert message.to == ["ann@example.org"]
    assert unlinked("Eastvale.example LSP") in message.subject
    assert unlinked("Eastvale.example LSP") in message.body
    assert "Eastvale.example LSP" not in message.body  # never a link in a mail client
    token = token_of(link_in(message))
    assert len(token) >= 43  # 256 bits
    invitation = MemberInvitation.objects.get()
    assert invitation.email == "ann@example.org" and invitation.role == "executive"
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in MemberInvitation.objects.values().get().values()]
    assert token not in stored
    assert invitation.expires_at - invitation.sent_at == timedelta(days=3)


def test_inviting_the_same_address_again_keeps_one_invitation_with_the_new_role(
    coordinator, cast, mailoutbox
):
    invite(coordinator, cast, "ann@example.org", "participant")
    first = link_in(mailoutbox[0])
    invite(coordinator, cast, "ANN@example.org", "facilitator")
    invitation = MemberInvitation.objects.get()
    assert invitation.role == "facilitator"
    assert Client().get(first).status_code == 404  # the first link stopped working
    assert Client().get(link_in(mailoutbox[1])).status_code == 200


def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(coordinator, cast, mailoutbox):
    for data in ({"email": "not an email", "role": "executive"}, {"email": "a@example.org"}):
        response = coordinator.post(reverse("member-invite", args=[cast.partnership.pk]), data)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
    response = invite(coordinator, cast, "a@example.org", "owner")
    assert "Select a valid choice" in response.content.decode()
    assert not MemberInvitation.objects.exists() and mailoutbox == []


def test_an_invitation_cannot_grant_a_role_higher_than_the_inviter_holds(cast, mailoutbox):
    with pytest.raises(MembershipError, match="cannot give a role above your own"):
        member_invitations.invite_member(
            cast.partnership, cast.facilitator, "a@example.org", "coordinator"
        )
    with pytest.raises(MembershipError):
        member_invitations.invite_member(
            cast.partnership, cast.outsider, "a@example.org", "participant"
        )
    assert not MemberInvitation.objects.exists() and mailoutbox == []
    # Up to their own role is allowed by the rule (only coordinators reach the page).
    member_invitations.invite_member(
        cast.partnership, cast.facilitator, "a@example.org", "facilitator"
    )
    assert MemberInvitation.objects.get().role == "facilitator"


def test_an_invitation_from_someone_who_has_since_lost_the_role_grants_nothing(
    coordinator, cast, mailoutbox
):
    invite(coordinator, cast, "ann@example.org", "coordinator")
    Membership.objects.filter(user=cast.facilitator).update(role="coordinator")
    Membership.objects.filter(user=cast.coordinator).update(role="participant")
    response = Client().post(link_in(mailoutbox[0]), NEW_ACCOUNT)
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()


def test_a_staff_invitation_stops_working_once_its_sender_is_no_longer_staff(cast, mailoutbox):
    staff, support = staff_client()
    set_up(staff, "Northshire", "ann@example.org")
    User.objects.filter(pk=support.pk).update(is_staff=False)
    response = Client().post(link_in(mailoutbox[0]), NEW_ACCOUNT)
    assert response.status_code == 410
    assert "This invitation is no longer valid" in response.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()
    User.objects.filter(pk=support.pk).update(is_staff=True, is_active=False)
    assert Client().post(link_in(mailoutbox[0]), NEW_ACCOUNT).status_code == 410
    assert not Partnership.objects.get(name="Northshire").memberships.exists()


def test_only_coordinators_invite_resend_and_withdraw(client, cast, mailoutbox):
    client.force_login(cast.coordinator)
    invite(client, cast, "ann@example.org")
    invitation = MemberInvitation.objects.get()
    client.force_login(cast.facilitator)
    assert invite(client, cast, "bob@example.org").status_code == 403
    for name in ("member-invitation-resend", "member-invitation-withdraw"):
        url = reverse(name, args=[cast.partnership.pk, invitation.pk])
        assert client.post(url).status_code == 403
    client.force_login(cast.outsider)
    url = reverse("member-invitation-withdraw", args=[cast.partnership.pk, invitation.pk])
    assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None and len(mail.outbox) == 1


def test_coordinators_actions_are_in_the_audit_log_and_so_is_joining(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org", "executive")
    invitation = MemberInvitation.objects.get()
    coordinator.post(reverse("member-invitation-resend", args=[cast.partnership.pk, invitation.pk]))
    Client().post(link_in(mailoutbox[-1]), NEW_ACCOUNT)
    summaries = list(
        AuditEvent.objects.filter(partnership=cast.partnership)
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == [
        "ann@example.org is invited to join Eastvale LSP as an executive.",
        "A new invitation link was sent to ann@example.org.",
        "ann@example.org accepted the invitation and joined as an executive.",
    ]


# Opening the link.


def test_a_newcomer_sets_a_name_and_password_and_is_signed_in_with_the_role(
    coordinator, cast, mailoutbox
):
    invite(coordinator, cast, "ann@example.org", "executive")
    link = link_in(mailoutbox[0])
    newcomer = Client()
    page = newcomer.get(link).content.decode()
    assert "Eastvale LSP" in page and "ann@example.org" in page and "executive" in page
    # Django's password validators apply: nothing is created until they pass.
    weak = {**NEW_ACCOUNT, "password1": "password", "password2": "password"}
    response = newcomer.post(link, weak)
    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    response = newcomer.post(link, {**NEW_ACCOUNT, "password2": "something else"})
    assert "The two passwords do not match" in response.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()

    response = newcomer.post(link, NEW_ACCOUNT, follow=True)
    assert response.redirect_chain[-1][0] == cast.partnership.get_absolute_url()
    page = response.content.decode()
    assert "Your role: <strong>Executive</strong>" in page
    assert "You have joined Eastvale LSP as an executive." in page
    ann = User.objects.get(email="ann@example.org")
    assert ann.full_name == "Ann Okafor" and ann.check_password(NEW_ACCOUNT["password1"])
    assert cast.partnership.memberships.get(user=ann).role == "executive"
    invitation = MemberInvitation.objects.get()
    assert invitation.accepted_by == ann and invitation.accepted_at is not None
    signing_in = {"login": "ann@example.org", "password": NEW_ACCOUNT["password1"]}
    assert Client().post(reverse("login"), signing_in).status_code == 302


def test_a_double_submit_creates_one_account_and_one_membership(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org")
    link = link_in(mailoutbox[0])
    newcomer = Client()
    assert newcomer.post(link, NEW_ACCOUNT).status_code == 302
    again = newcomer.post(link, NEW_ACCOUNT)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    elsewhere = Client().post(link, {**NEW_ACCOUNT, "full_name": "Someone Else"})
    assert elsewhere.status_code == 410
    assert User.objects.filter(email="ann@example.org").count() == 1
    assert cast.partnership.memberships.filter(user__email="ann@example.org").count() == 1
    assert User.objects.get(email="ann@example.org").full_name == "Ann Okafor"


def test_someone_with_an_account_signs_in_and_then_accepts(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "Coordinator@Westmoor.example.org", "participant")
    link = link_in(mailoutbox[0])
    visitor = Client()
    response = visitor.get(link)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={link}"
    response = visitor.post(
        reverse("login"),
        {"login": "coordinator@westmoor.example.org", "password": PASSWORD, "next": link},
    )
    assert response["Location"] == link
    page = visitor.get(link).content.decode()
    assert "Accept the invitation" in page and "Eastvale LSP" in page
    assert not cast.partnership.memberships.filter(
        user=cast.outsider
    ).exists()  # GET changes nothing
    response = visitor.post(link, follow=True)
    assert "You have joined Eastvale LSP as a participant." in response.content.decode()
    assert cast.partnership.memberships.get(user=cast.outsider).role == "participant"
    assert cast.other.memberships.get(user=cast.outsider).role == "coordinator"
    cast.outsider.refresh_from_db()
    assert cast.outsider.full_name == "Outsider" and cast.outsider.check_password(PASSWORD)


def test_signed_in_as_another_address_the_link_changes_nothing(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org")
    link = link_in(mailoutbox[0])
    client = Client()
    client.force_login(cast.participant)
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 403
        page = response.content.decode()
        assert "This invitation is for another email address" in page
        assert "participant@eastvale.example.org" in page
        assert "Eastvale LSP" not in page.split("<main", 1)[1]
    assert MemberInvitation.objects.get().accepted_at is None
    assert not User.objects.filter(email="ann@example.org").exists()
    assert cast.partnership.memberships.get(user=cast.participant).role == "participant"


def test_accepting_changes_an_existing_members_role_once(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "participant@eastvale.example.org", "executive")
    link = link_in(mailoutbox[0])
    member = Client()
    member.force_login(cast.participant)
    assert member.post(link).status_code == 302
    membership = cast.partnership.memberships.get(user=cast.participant)
    assert membership.role == "executive"
    Membership.objects.filter(pk=membership.pk).update(role="participant")
    response = member.post(link)
    assert response.status_code == 410
    membership.refresh_from_db()
    assert membership.role == "participant"
    assert cast.partnership.memberships.filter(user=cast.participant).count() == 1


@pytest.mark.parametrize("spoilt", ["expired", "withdrawn", "tampered", "resent"])
def test_a_spoilt_link_gets_a_clear_page_and_changes_nothing(coordinator, cast, mailoutbox, spoilt):
    invite(coordinator, cast, "ann@example.org")
    link = link_in(mailoutbox[0])
    invitation = MemberInvitation.objects.get()
    if spoilt == "expired":
        MemberInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        status, says = 410, "This invitation has expired"
    elif spoilt == "withdrawn":
        withdraw = reverse("member-invitation-withdraw", args=[cast.partnership.pk, invitation.pk])
        assert coordinator.post(withdraw).status_code == 302
        status, says = 410, "This invitation has been withdrawn"
    elif spoilt == "tampered":
        token = token_of(link)
        link = link.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
        status, says = 404, "This invitation link is not valid"
    else:
        resend = reverse("member-invitation-resend", args=[cast.partnership.pk, invitation.pk])
        assert coordinator.post(resend).status_code == 302
        assert len(mailoutbox) == 2
        status, says = 404, "This invitation link is not valid"
    for method in (Client().get, Client().post):
        response = method(link, NEW_ACCOUNT) if method.__name__ == "post" else method(link)
        assert response.status_code == status
        assert says in response.content.decode()
    assert not User.objects.filter(email="ann@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_link_holding_a_null_character_is_not_found(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org")
    token = token_of(link_in(mailoutbox[0]))
    spoilt = reverse("member-invitation", args=[token[:10] + "\x00" + token[10:]])
    assert Client().get(spoilt).status_code == 404


def test_guessing_invitation_links_is_slowed_and_the_right_link_still_opens(
    coordinator, cast, mailoutbox, settings
):
    invite(coordinator, cast, "ann@example.org")
    link = link_in(mailoutbox[0])
    settings.GUESSES_ALLOWED = 3
    guesser = Client()
    for guess in ["a" * 43, "b" * 43, "c" * 43]:
        assert guesser.get(reverse("member-invitation", args=[guess])).status_code == 404
    response = guesser.post(reverse("member-invitation", args=["d" * 43]), NEW_ACCOUNT)
    assert response.status_code == 429 and response["Retry-After"] == "1"
    assert "Wait 1 second before trying another link" in response.content.decode()
    assert not User.objects.filter(full_name="Ann Okafor").exists()
    assert guesser.get(link).status_code == 200


def test_accepting_is_logged_against_the_account(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org", "participant")
    Client().post(link_in(mailoutbox[0]), NEW_ACCOUNT)
    ann = User.objects.get(email="ann@example.org")
    event = AuditEvent.objects.get(action="member.invitation_accepted")
    assert (event.partnership, event.account, event.user) == (cast.partnership, ann, ann)
    assert event.path == link_in(mailoutbox[0])


# Emails wait like all the partnership's emails, and a mail server that refuses leaves nothing.


def test_an_unverified_partnerships_invitations_wait_and_go_once_verified(
    coordinator, cast, mailoutbox
):
    Partnership.objects.filter(pk=cast.partnership.pk).update(verified_at=None)
    response = invite(coordinator, cast, "ann@example.org", follow=True)
    page = response.content.decode()
    assert "wait until support staff have checked" in page
    assert "Waiting to be sent" in invitation_row(page, "ann@example.org")
    assert mailoutbox == []
    invitation = MemberInvitation.objects.get()
    assert invitation.token_hash is None and invitation.sent_at is None
    staff = make_user("support@lsp-assess.example.org")
    assert verify_partnership(cast.partnership, staff).sent == 1
    [message] = mailoutbox
    assert message.to == ["ann@example.org"]
    assert Client().get(link_in(message)).status_code == 200


def test_invitations_count_against_the_daily_limit(coordinator, cast, mailoutbox, settings):
    settings.PARTNERSHIP_EMAILS_PER_DAY = 1
    invite(coordinator, cast, "ann@example.org")
    page = invite(coordinator, cast, "bob@example.org", follow=True).content.decode()
    assert "the most a partnership may send in a day" in page
    assert "Waiting to be sent" in invitation_row(page, "bob@example.org")
    assert len(mailoutbox) == 1
    # Resending today is refused, and leaves the invitation as it was.
    waiting = MemberInvitation.objects.get(email="bob@example.org")
    resend = reverse("member-invitation-resend", args=[cast.partnership.pk, waiting.pk])
    page = coordinator.post(resend, follow=True).content.decode()
    assert "the most a partnership may send in a day" in page
    assert len(mailoutbox) == 1
    sent = MemberInvitation.objects.get(email="ann@example.org")
    resend = reverse("member-invitation-resend", args=[cast.partnership.pk, sent.pk])
    coordinator.post(resend)
    assert len(mailoutbox) == 1
    before = sent.token_hash
    sent.refresh_from_db()
    assert sent.token_hash == before  # the link sent earlier still works
    assert Client().get(link_in(mailoutbox[0])).status_code == 200


class RefusingMailServer(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_when_the_mail_server_refuses_the_invitation_waits_to_be_tried_again(
    coordinator, cast, settings, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    response = invite(coordinator, cast, "ann@example.org", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 invitation email could not be sent because the mail server refused it" in page
    assert "It will be tried again automatically" in page
    # Kept, with no link: the one made for the email that failed was never seen.
    invitation = MemberInvitation.objects.get()
    assert invitation.token_hash is None
    send = EmailSend.objects.get()
    assert (send.state, send.attempts) == ("failed", 1)
    assert "Connection unexpectedly closed" in send.reason

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_waiting_emails", stdout=StringIO())
    (message,) = mailoutbox
    assert Client().get(link_in(message)).status_code == 200
    send.refresh_from_db()
    assert (send.state, send.attempts) == ("sent", 2)


# Invitation emails are limited per address and per sender.


def test_invitation_emails_to_one_address_are_limited_per_day_resends_included(
    coordinator, cast, mailoutbox, settings
):
    settings.MEMBER_INVITATION_EMAILS_PER_ADDRESS = 3
    invite(coordinator, cast, "ann@example.org")
    invitation = MemberInvitation.objects.get()
    resend = reverse("member-invitation-resend", args=[cast.partnership.pk, invitation.pk])
    coordinator.post(resend)
    invite(coordinator, cast, "ann@example.org", "participant")
    assert len(mailoutbox) == 3
    limited = (
        "ann@example.org has been sent 3 invitation emails from Eastvale LSP today, the most "
        "one address may be sent in a day."
    )
    page = coordinator.post(resend, follow=True).content.decode()
    assert limited in page
    response = invite(coordinator, cast, "Ann@example.org", "facilitator")
    assert response.status_code == 200 and limited in response.content.decode()
    assert len(mailoutbox) == 3
    invitation.refresh_from_db()
    assert invitation.role == "participant"  # the refused invitation changed nothing
    assert Client().get(link_in(mailoutbox[-1])).status_code == 200  # the last link still works
    # Another address, and the same address from another partnership, are not held up.
    assert invite(coordinator, cast, "bob@example.org").status_code == 302
    member_invitations.invite_member(cast.other, cast.outsider, "ann@example.org", "participant")
    assert len(mailoutbox) == 5
    # Tomorrow the address may be invited again.
    EmailSend.objects.update(created_at=timezone.now() - timedelta(days=1))
    assert coordinator.post(resend).status_code == 302
    assert len(mailoutbox) == 6


def test_invitations_one_person_sends_are_limited_per_hour_across_partnerships(
    coordinator, cast, mailoutbox, settings
):
    settings.MEMBER_INVITATIONS_PER_SENDER_PER_HOUR = 2
    Membership.objects.create(partnership=cast.other, user=cast.coordinator, role="coordinator")
    invite(coordinator, cast, "ann@example.org")
    other_invite = reverse("member-invite", args=[cast.other.pk])
    coordinator.post(other_invite, {"email": "bob@example.org", "role": "participant"})
    response = coordinator.post(other_invite, {"email": "cy@example.org", "role": "participant"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have sent 2 invitations in the last hour, the most one person may send" in page
    invitation = MemberInvitation.objects.get(email="ann@example.org")
    resend = reverse("member-invitation-resend", args=[cast.partnership.pk, invitation.pk])
    assert "the most one person may send" in coordinator.post(resend, follow=True).content.decode()
    assert len(mailoutbox) == 2
    assert not MemberInvitation.objects.filter(email="cy@example.org").exists()
    # Another coordinator is not held up by this one's sending.
    outsider = Client()
    outsider.force_login(cast.outsider)
    outsider.post(other_invite, {"email": "cy@example.org", "role": "participant"})
    assert len(mailoutbox) == 3
