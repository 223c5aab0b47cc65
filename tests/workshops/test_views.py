from __future__ import annotations

from django.urls import reverse

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
    assert "participant@eastvale.example.org" in page


def test_a_user_sets_up_a_partnership_and_becomes_its_coordinator(client, cast: Cast):
    client.force_login(cast.participant)
    response = client.post(
        reverse("partnership-create"),
        {"name": "Northshire Partnership", "area": "Northshire", "authority_type": "county"},
    )
    created = Partnership.objects.get(name="Northshire Partnership")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.memberships.get().user == cast.participant
    assert created.memberships.get().role == Membership.Role.COORDINATOR


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


def test_coordinator_adds_and_removes_a_member(client, cast: Cast):
    from tests.conftest import make_user

    newcomer = make_user("newcomer@eastvale.example.org")
    client.force_login(cast.coordinator)
    p = cast.partnership.pk
    client.post(
        reverse("member-add", args=[p]),
        {"email": "NEWCOMER@eastvale.example.org", "role": "executive"},
    )
    membership = cast.partnership.memberships.get(user=newcomer)
    assert membership.role == "executive"
    response = client.post(
        reverse("member-add", args=[p]), {"email": "nobody@x.example.org", "role": "executive"}
    )
    assert "There is no account for nobody@x.example.org" in response.content.decode()
    client.post(reverse("member-remove", args=[p, membership.pk]))
    assert not cast.partnership.memberships.filter(user=newcomer).exists()


def test_the_last_coordinator_cannot_be_removed(client, cast: Cast):
    client.force_login(cast.coordinator)
    mine = cast.partnership.memberships.get(user=cast.coordinator)
    response = client.post(
        reverse("member-remove", args=[cast.partnership.pk, mine.pk]), follow=True
    )
    assert "A partnership needs at least one coordinator" in response.content.decode()
    assert cast.partnership.memberships.filter(pk=mine.pk).exists()


def test_removing_a_member_needs_a_post(client, cast: Cast):
    client.force_login(cast.coordinator)
    member = cast.partnership.memberships.get(user=cast.participant)
    response = client.get(reverse("member-remove", args=[cast.partnership.pk, member.pk]))
    assert response.status_code == 405
    assert cast.partnership.memberships.filter(pk=member.pk).exists()
