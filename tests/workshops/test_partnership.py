"""The partnership's pages (workshops/views/partnership.py): home, the partnership, its
organisations and people; and support staff setting partnerships up, verifying them and
inviting their first coordinators."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_staff
from tests.conftest import Cast
from tests.workshops.inviting import NEW_ACCOUNT, link_in, set_up, staff_client
from workshops.models import MemberInvitation, Membership, Partnership, Person


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


# Support staff set a partnership up and invite its first coordinator.


NEW = {"name": "Northshire Partnership", "area": "Northshire", "authority_type": "county"}


def test_only_support_staff_set_up_a_partnership_for_its_coordinator(client, cast: Cast):
    client.force_login(cast.coordinator)
    assert "Set up a partnership" not in client.get(reverse("home")).content.decode()
    response = client.post(
        reverse("partnership-create"), {**NEW, "coordinator": cast.coordinator.email}
    )
    assert response.status_code == 403
    assert not Partnership.objects.filter(name="Northshire Partnership").exists()

    client.force_login(make_staff())
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


def test_an_executive_is_offered_no_way_to_set_up_a_partnership(client, cast: Cast):
    client.force_login(cast.executive)
    for url in (reverse("home"), reverse("partnership", args=[cast.partnership.pk])):
        page = client.get(url).content.decode()
        assert "Set up a partnership" not in page
        assert reverse("partnership-create") not in page


def test_support_staff_set_up_a_partnership_and_invite_its_coordinator_saying_the_same_either_way(
    cast, mailoutbox
):
    staff, support = staff_client()
    form = staff.get(reverse("partnership-create")).content.decode()
    assert "Email address of its first coordinator" in form
    pages = []
    # participant@eastvale has an account; nobody@northshire has none.
    for name, email in [
        ("Northshire", "Participant@Eastvale.example.org"),
        ("Southmoor", "nobody@northshire.example.org"),
    ]:
        response = set_up(staff, name, email, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        said = page[page.index('<div class="govuk-notification-banner') :]
        said = said[: said.index("<h1")]
        pages.append(said.replace(name, "NAME").replace(email.lower(), "EMAIL"))
        assert f"{email.lower()} is invited to be its coordinator" in page
        created = Partnership.objects.get(name=name)
        # Verified as it is set up, and logged against the staff member who did it.
        assert created.verified_by == support and created.verified_at is not None
        event = created.audit_events.get()
        assert (event.user, event.action) == (support, "partnership.set_up")
        assert not created.memberships.exists()
        invitation = created.member_invitations.get()
        assert (invitation.role, invitation.invited_by) == ("coordinator", support)
    assert pages[0] == pages[1]
    assert "Participant" not in pages[0]  # the account's name is never shown
    assert [m.to for m in mailoutbox] == [
        ["participant@eastvale.example.org"],
        ["nobody@northshire.example.org"],
    ]
    assert mailoutbox[0].body.replace("Northshire", "NAME") == mailoutbox[1].body.replace(
        "Southmoor", "NAME"
    ).replace(link_in(mailoutbox[1]), link_in(mailoutbox[0]))

    # Until they accept, the support list says what it waits for.
    listing = staff.get(reverse("support-partnerships")).content.decode()
    assert listing.count("Waiting for its coordinator to accept") == 2

    # The newcomer chooses a password; the account holder signs in and accepts.
    newcomer = Client()
    assert newcomer.post(link_in(mailoutbox[1]), NEW_ACCOUNT).status_code == 302
    southmoor = Partnership.objects.get(name="Southmoor")
    assert southmoor.memberships.get().role == "coordinator"
    member = Client()
    member.force_login(cast.participant)
    page = member.post(link_in(mailoutbox[0]), follow=True).content.decode()
    assert "You have joined Northshire as a coordinator." in page
    assert Partnership.objects.get(name="Northshire").memberships.get().user == cast.participant
    listing = staff.get(reverse("support-partnerships")).content.decode()
    assert "Waiting for its coordinator to accept" not in listing
    # The new coordinator runs their partnership: its members page works.
    assert newcomer.get(reverse("members", args=[southmoor.pk])).status_code == 200


def test_setting_up_refuses_bad_input_and_stores_nothing(cast, mailoutbox):
    staff, _ = staff_client()
    for coordinator in ("", "not an email"):
        response = set_up(staff, "Northshire", coordinator)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        assert ("Enter the email address of its first coordinator" in page) or (
            "Enter an email address like name@example.org" in page
        )
    assert not Partnership.objects.filter(name="Northshire").exists()
    assert mailoutbox == [] and not MemberInvitation.objects.exists()


def test_support_staff_invite_a_coordinator_again_when_the_first_invitation_lapsed(
    cast, mailoutbox
):
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


def test_support_staff_verify_a_partnership_and_the_log_says_who(client, cast: Cast):
    staff = make_staff()
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


# The partnership's details, organisations and people.


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


def test_the_authority_type_offers_only_real_types(client, cast: Cast):
    client.force_login(cast.coordinator)
    page = client.get(reverse("partnership-edit", args=[cast.partnership.pk])).content.decode()
    radio = r'name="authority_type"\s+class="govuk-radios__input"[^>]*value="([^"]*)"'
    radios = re.findall(radio, page)
    assert radios == Partnership.AuthorityType.values  # no blank "---------" radio


def test_a_long_organisation_name_is_refused_in_words_not_cut(client, cast: Cast):
    client.force_login(cast.coordinator)
    url = reverse("organisation-create", args=[cast.partnership.pk])
    # The box has no maxlength, which would have the browser cut the name silently.
    assert "maxlength" not in client.get(url).content.decode()
    response = client.post(url, {"name": "Vale " + "x" * 196, "sector": "third"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Organisation name must be 200 characters or fewer" in page
    assert not cast.partnership.organisations.filter(name__startswith="Vale").exists()
    # 200 characters exactly is the limit, and is kept whole.
    client.post(url, {"name": "Vale " + "x" * 195, "sector": "third"})
    assert len(cast.partnership.organisations.get(name__startswith="Vale").name) == 200


def test_a_long_partnership_name_is_refused_in_words(client, cast: Cast):
    client.force_login(cast.coordinator)
    url = reverse("partnership-edit", args=[cast.partnership.pk])
    response = client.post(
        url, {"name": "E" * 201, "area": "Eastvale", "authority_type": "district"}
    )
    assert "Partnership name must be 200 characters or fewer" in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.name == "Eastvale LSP"


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
