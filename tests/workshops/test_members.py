"""The members page: who is a member with which role, who is invited and who accepted;
removing members and changing roles, never leaving a partnership without a coordinator.
Joining by invitation: tests/workshops/test_member_invitations.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Cast
from tests.workshops.inviting import (
    NEW_ACCOUNT,
    coordinator_client,  # noqa: F401 - the "coordinator" fixture
    invitation_row,
    invite,
    link_in,
    members_url,
    role_url,
)
from workshops.models import AuditEvent, MemberInvitation, Membership, User
from workshops.services import members as member_services
from workshops.services.members import MembershipError

# The members page.


def test_the_members_page_lists_invitations_and_members(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org", "facilitator")
    User.objects.filter(pk=cast.executive.pk).update(last_login=timezone.now())
    page = coordinator.get(members_url(cast)).content.decode()
    row = invitation_row(page, "ann@example.org")
    expires = timezone.localtime(MemberInvitation.objects.get().expires_at)
    assert "Facilitator" in row and f"{expires:%-d %b %Y}" in row
    assert "Resend" in row and "Withdraw" in row
    row = invitation_row(page, "executive@eastvale.example.org")
    assert "Executive" in row and f"{timezone.localdate():%-d %b %Y}" in row
    assert "Never" in invitation_row(page, "participant@eastvale.example.org")
    assert "Westmoor" not in page and "Outsider" not in page


def test_the_members_page_lists_who_accepted_and_when(coordinator, cast, mailoutbox):
    invite(coordinator, cast, "ann@example.org", "facilitator")
    Client().post(link_in(mailoutbox[0]), NEW_ACCOUNT)
    page = coordinator.get(members_url(cast)).content.decode()
    accepted = page[page.index("Accepted invitations") :]
    row = invitation_row(accepted, "ann@example.org")
    when = timezone.localtime(MemberInvitation.objects.get().accepted_at)
    assert "Ann Okafor" in row and "Facilitator" in row and f"{when:%-d %b %Y}" in row
    assert "No invitations are waiting to be accepted." in page
    # Ann signed in as she joined: her row in the members table says when.
    members = page[: page.index("Accepted invitations")]
    assert "Never" not in invitation_row(members, "ann@example.org")


# Removing a member.


def test_removing_a_member_goes_back_to_the_members_page(coordinator, cast):
    member = cast.partnership.memberships.get(user=cast.participant)
    response = coordinator.post(
        reverse("member-remove", args=[cast.partnership.pk, member.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == members_url(cast)
    assert "Participant is no longer a member." in response.content.decode()
    assert not cast.partnership.memberships.filter(pk=member.pk).exists()


def test_removing_a_member_needs_a_post(client, cast: Cast):
    client.force_login(cast.coordinator)
    member = cast.partnership.memberships.get(user=cast.participant)
    response = client.get(reverse("member-remove", args=[cast.partnership.pk, member.pk]))
    assert response.status_code == 405
    assert cast.partnership.memberships.filter(pk=member.pk).exists()


def test_the_last_coordinator_cannot_be_removed(client, cast: Cast):
    client.force_login(cast.coordinator)
    mine = cast.partnership.memberships.get(user=cast.coordinator)
    response = client.post(
        reverse("member-remove", args=[cast.partnership.pk, mine.pk]), follow=True
    )
    assert "A partnership needs at least one coordinator" in response.content.decode()
    assert cast.partnership.memberships.filter(pk=mine.pk).exists()


# Roles.


def test_a_coordinator_changes_a_members_role_and_the_log_says_so(coordinator, cast):
    page = coordinator.get(members_url(cast)).content.decode()
    row = invitation_row(page, "participant@eastvale.example.org")
    assert 'name="role"' in row and "Change role" in row
    response = coordinator.post(
        role_url(cast, cast.participant), {"role": "executive"}, follow=True
    )
    assert response.redirect_chain[-1][0] == members_url(cast)
    assert "Participant is now an executive (was a participant)." in response.content.decode()
    assert cast.partnership.memberships.get(user=cast.participant).role == "executive"
    event = AuditEvent.objects.get(partnership=cast.partnership)
    assert event.user == cast.coordinator
    assert event.summary == "Participant is now an executive (was a participant)."
    # The same role again changes nothing and logs nothing.
    response = coordinator.post(
        role_url(cast, cast.participant), {"role": "executive"}, follow=True
    )
    assert "Participant is already an executive." in response.content.decode()
    assert AuditEvent.objects.filter(partnership=cast.partnership).count() == 1


def test_the_last_coordinator_cannot_be_demoted_and_bad_roles_change_nothing(coordinator, cast):
    for role in ("participant", "", "owner"):
        response = coordinator.post(role_url(cast, cast.coordinator), {"role": role}, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        if role == "participant":
            assert "A partnership needs at least one coordinator." in page
        else:
            assert "Choose a permission role." in page
    assert cast.partnership.memberships.get(user=cast.coordinator).role == "coordinator"
    # With a second coordinator, the first may step down.
    coordinator.post(role_url(cast, cast.facilitator), {"role": "coordinator"})
    response = coordinator.post(role_url(cast, cast.coordinator), {"role": "participant"})
    assert response.status_code == 302
    assert cast.partnership.memberships.get(user=cast.coordinator).role == "participant"
    # Now a participant: no longer allowed to change anyone's role.
    assert (
        coordinator.post(role_url(cast, cast.executive), {"role": "coordinator"}).status_code == 403
    )
    assert (
        not AuditEvent.objects.filter(summary__contains="was a coordinator")
        .exclude(user=cast.coordinator)
        .exists()
    )


def test_a_role_is_never_given_above_the_givers_own(cast):
    with pytest.raises(MembershipError, match="above your own"):
        member_services.change_role(
            cast.partnership,
            cast.partnership.memberships.get(user=cast.participant).pk,
            "coordinator",
            cast.facilitator,
        )
    # Nor can someone lower change a higher member's role.
    with pytest.raises(MembershipError, match="above your own"):
        member_services.change_role(
            cast.partnership,
            cast.partnership.memberships.get(user=cast.coordinator).pk,
            "participant",
            cast.facilitator,
        )
    assert cast.partnership.memberships.get(user=cast.participant).role == "participant"
    assert cast.partnership.memberships.get(user=cast.coordinator).role == "coordinator"


def test_the_last_coordinator_cannot_make_themselves_something_else(client, cast: Cast, mailoutbox):
    client.force_login(cast.coordinator)
    invite = reverse("member-invite", args=[cast.partnership.pk])
    client.post(invite, {"email": cast.coordinator.email, "role": "participant"})
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mailoutbox[0].body)[1]
    response = client.post(link)
    assert "A partnership needs at least one coordinator" in response.content.decode()
    mine = cast.partnership.memberships.get(user=cast.coordinator)
    assert mine.role == "coordinator"
    # With a second coordinator, stepping down is fine.
    Membership.objects.filter(user=cast.facilitator).update(role="coordinator")
    client.post(link)
    mine.refresh_from_db()
    assert mine.role == "participant"
