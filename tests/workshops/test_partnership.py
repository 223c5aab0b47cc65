from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_user
from tests.conftest import Cast
from workshops.models import Membership, Partnership, Person


def test_home_lists_only_my_partnerships_with_my_role(client, cast: Cast):
    client.force_login(cast.executive)
    page = client.get(reverse("home")).content.decode()
    assert "Eastvale LSP" in page
    assert "Executive" in page
    assert "Westmoor" not in page


def test_home_invites_anonymous_visitors_to_sign_in(client, db):
    page = client.get(reverse("home")).content.decode()
    assert "Sign in" in page
    assert reverse("instrument") in page


def test_every_member_sees_the_partnership_but_only_coordinators_see_management(client, cast):
    client.force_login(cast.participant)
    page = client.get(reverse("partnership", args=[cast.partnership.pk])).content.decode()
    assert "Eastvale District Council" in page
    assert "Priya Shah" in page
    assert "Add an organisation" not in page
    assert "Members and permissions" not in page
    client.force_login(cast.coordinator)
    page = client.get(reverse("partnership", args=[cast.partnership.pk])).content.decode()
    assert "Add an organisation" in page
    assert "Members and permissions" in page
    page = client.get(reverse("members", args=[cast.partnership.pk])).content.decode()
    assert "participant@eastvale.example.org" in page


def staff_user():
    staff = make_user("support@lsp-assess.example.org", "Support desk")
    staff.is_staff = True
    staff.save()
    return staff


NEW = {"name": "Northshire Partnership", "area": "Northshire", "authority_type": "county"}


def test_only_support_staff_set_up_a_partnership_for_its_coordinator(client, cast: Cast):
    client.force_login(cast.coordinator)
    assert "Set up a partnership" not in client.get(reverse("home")).content.decode()
    response = client.post(
        reverse("partnership-create"), {**NEW, "coordinator": cast.coordinator.email}
    )
    assert response.status_code == 403
    assert not Partnership.objects.filter(name="Northshire Partnership").exists()

    client.force_login(staff_user())
    assert "Set up a partnership" in client.get(reverse("home")).content.decode()
    response = client.post(
        reverse("partnership-create"), {**NEW, "coordinator": "Participant@Eastvale.example.org"}
    )
    created = Partnership.objects.get(name="Northshire Partnership")
    assert response.status_code == 302 and response["Location"] == reverse("support-partnerships")
    # The coordinator is invited, not made one: they join by accepting.
    assert not created.memberships.exists()
    invitation = created.member_invitations.get()
    assert (invitation.email, invitation.role) == (
        "participant@eastvale.example.org",
        "coordinator",
    )
    assert created.verified_at is not None  # setting it up is support staff's check


def test_support_staff_verify_a_partnership_and_the_log_says_who(client, cast: Cast):
    staff = staff_user()
    Partnership.objects.filter(pk=cast.partnership.pk).update(verified_at=None)
    client.force_login(cast.coordinator)
    assert client.get(reverse("support-partnerships")).status_code == 403
    verify = reverse("partnership-verify", args=[cast.partnership.pk])
    assert client.post(verify).status_code == 403
    cast.partnership.refresh_from_db()
    assert cast.partnership.verified_at is None

    client.force_login(staff)
    page = client.get(reverse("support-partnerships")).content.decode()
    assert "Eastvale LSP" in page and "Not checked" in page
    response = client.post(verify, follow=True)
    assert "Eastvale LSP is verified" in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.verified_by == staff and cast.partnership.verified_at is not None
    event = cast.partnership.audit_events.get()
    assert event.user == staff and event.summary == "Partnership verified by support staff."
    # Verifying again changes nothing and logs nothing more.
    when = cast.partnership.verified_at
    client.post(verify)
    cast.partnership.refresh_from_db()
    assert cast.partnership.verified_at == when and cast.partnership.audit_events.count() == 1


def test_a_district_can_sit_under_a_county_i_belong_to(client, cast: Cast):
    county = Partnership.objects.create(name="Northshire", area="N", authority_type="county")
    Membership.objects.create(partnership=county, user=cast.coordinator, role="coordinator")
    client.force_login(cast.coordinator)
    client.post(
        reverse("partnership-edit", args=[cast.partnership.pk]),
        {
            "name": "Eastvale LSP",
            "area": "Eastvale",
            "authority_type": "district",
            "county_partnership": county.pk,
        },
    )
    cast.partnership.refresh_from_db()
    assert cast.partnership.county_partnership == county


def test_a_county_i_do_not_belong_to_cannot_be_chosen(client, cast: Cast):
    stranger = Partnership.objects.create(name="Farshire", area="F", authority_type="county")
    client.force_login(cast.coordinator)
    url = reverse("partnership-edit", args=[cast.partnership.pk])
    assert "Farshire" not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Eastvale LSP",
            "area": "Eastvale",
            "authority_type": "district",
            "county_partnership": stranger.pk,
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.county_partnership is None


def test_only_a_district_sits_under_a_county(client, cast: Cast):
    county = Partnership.objects.create(name="Northshire", area="N", authority_type="county")
    Membership.objects.create(partnership=county, user=cast.coordinator, role="coordinator")
    client.force_login(cast.coordinator)
    response = client.post(
        reverse("partnership-edit", args=[cast.partnership.pk]),
        {
            "name": "Eastvale LSP",
            "area": "Eastvale",
            "authority_type": "unitary",
            "county_partnership": county.pk,
        },
    )
    assert "Only a district partnership sits under a county one" in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.authority_type == "district"


def test_coordinator_adds_an_organisation_and_a_person(client, cast: Cast):
    client.force_login(cast.coordinator)
    p = cast.partnership.pk
    client.post(reverse("organisation-create", args=[p]), {"name": "Vale CVS", "sector": "third"})
    cvs = cast.partnership.organisations.get(name="Vale CVS")
    assert cvs.sector == "third"
    response = client.post(
        reverse("person-create", args=[p]),
        {
            "name": "Amina Yusuf",
            "email": "Amina@Vale.example.org",
            "organisation": cvs.pk,
            "role": "board_member",
            "layer": "strategic",
        },
    )
    assert response.status_code == 302
    amina = cast.partnership.people.get(name="Amina Yusuf")
    assert (amina.organisation, amina.role, amina.layer, amina.email) == (
        cvs,
        "board_member",
        "strategic",
        "amina@vale.example.org",
    )
    assert amina.sector == "third"


def test_bad_input_gets_a_message_and_stores_nothing(client, cast: Cast):
    client.force_login(cast.coordinator)
    p = cast.partnership.pk
    response = client.post(
        reverse("organisation-create", args=[p]), {"name": "", "sector": "mafia"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select a valid choice" in page
    response = client.post(
        reverse("organisation-create", args=[p]),
        {"name": "eastvale district council", "sector": "public"},
    )
    assert "already has an organisation of that name" in response.content.decode()
    # A person cannot be put in another partnership's organisation.
    response = client.post(
        reverse("person-create", args=[p]),
        {
            "name": "Spy",
            "organisation": cast.other_organisation.pk,
            "role": "officer",
            "layer": "operational",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert cast.partnership.organisations.count() == 1
    assert not Person.objects.filter(name="Spy").exists()


# Adding members by invitation, and what it never reveals: tests/workshops/test_members.py.


def test_the_last_coordinator_cannot_be_removed(client, cast: Cast):
    client.force_login(cast.coordinator)
    mine = cast.partnership.memberships.get(user=cast.coordinator)
    response = client.post(
        reverse("member-remove", args=[cast.partnership.pk, mine.pk]), follow=True
    )
    assert "A partnership needs at least one coordinator" in response.content.decode()
    assert cast.partnership.memberships.filter(pk=mine.pk).exists()


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


def test_removing_a_member_needs_a_post(client, cast: Cast):
    client.force_login(cast.coordinator)
    member = cast.partnership.memberships.get(user=cast.participant)
    response = client.get(reverse("member-remove", args=[cast.partnership.pk, member.pk]))
    assert response.status_code == 405
    assert cast.partnership.memberships.filter(pk=member.pk).exists()


def test_support_staff_can_verify_from_the_admin_site_too(client, cast: Cast):
    staff = staff_user()
    staff.is_superuser = True
    staff.save()
    Partnership.objects.filter(pk=cast.partnership.pk).update(verified_at=None)
    client.force_login(staff)
    response = client.post(
        reverse("admin:workshops_partnership_changelist"),
        {"action": "verify", "_selected_action": [cast.partnership.pk]},
        follow=True,
    )
    assert "1 partnership(s) verified." in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.verified_by == staff
    assert cast.partnership.audit_events.get().summary == "Partnership verified by support staff."


def test_support_staff_invite_a_coordinator_again_when_the_first_invitation_lapsed(
    cast, mailoutbox
):
    from tests.workshops.test_members import NEW_ACCOUNT, link_in, set_up, staff_client

    staff, support = staff_client()
    set_up(staff, "Southmoor", "first@southmoor.example.org")
    southmoor = Partnership.objects.get(name="Southmoor")
    southmoor.member_invitations.update(withdrawn_at=timezone.now())
    listing = staff.get(reverse("support-partnerships")).content.decode()
    assert "No coordinator" in listing
    invite_url = reverse("partnership-invite-coordinator", args=[southmoor.pk])
    assert invite_url in listing

    page = staff.get(invite_url).content.decode()
    assert "Invite a coordinator for Southmoor" in page
    response = staff.post(invite_url, {"email": "not an address"})
    assert "Enter an email address like name@example.org" in response.content.decode()
    assert southmoor.member_invitations.count() == 1

    response = staff.post(invite_url, {"email": "Second@Southmoor.example.org"}, follow=True)
    page = response.content.decode()
    assert "second@southmoor.example.org is invited to be the coordinator of Southmoor" in page
    invitation = southmoor.member_invitations.get(withdrawn_at=None)
    assert (invitation.role, invitation.invited_by) == ("coordinator", support)
    assert mailoutbox[-1].to == ["second@southmoor.example.org"]
    event = southmoor.audit_events.get(action="member.invited")
    assert event.user == support and "second@southmoor.example.org" in event.summary
    assert (
        "Waiting for its coordinator to accept"
        in staff.get(reverse("support-partnerships")).content.decode()
    )
    newcomer = Client().post(link_in(mailoutbox[-1]), NEW_ACCOUNT)
    assert newcomer.status_code == 302
    assert southmoor.memberships.get().role == "coordinator"

    # Only support staff: a coordinator of another partnership gets 403 and nothing is sent.
    outsider = Client()
    outsider.force_login(cast.coordinator)
    sent = len(mailoutbox)
    assert outsider.post(invite_url, {"email": "x@example.org"}).status_code == 403
    assert len(mailoutbox) == sent
