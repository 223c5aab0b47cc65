from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Cast, make_workshop
from workshops.models import Membership, Organisation, Partnership, Person, Priority
from workshops.services.plan import plan_for
from workshops.services.workshop import add_action, default_agenda


# Every URL that belongs to a partnership, as a function of the cast (with its
# assessment and invitation). A new partnership URL must be added here, so the
# tenancy rule covers it.
def _assessment_url(name, extra=lambda c: []):
    return lambda c: reverse(name, args=[c.partnership.pk, c.assessment.pk, *extra(c)])


PARTNERSHIP_URLS = {
    "partnership": lambda c: reverse("partnership", args=[c.partnership.pk]),
    "partnership-edit": lambda c: reverse("partnership-edit", args=[c.partnership.pk]),
    "organisation-create": lambda c: reverse("organisation-create", args=[c.partnership.pk]),
    "organisation-edit": lambda c: reverse(
        "organisation-edit", args=[c.partnership.pk, c.council.pk]
    ),
    "person-create": lambda c: reverse("person-create", args=[c.partnership.pk]),
    "person-edit": lambda c: reverse("person-edit", args=[c.partnership.pk, c.person.pk]),
    "member-add": lambda c: reverse("member-add", args=[c.partnership.pk]),
    "member-remove": lambda c: reverse(
        "member-remove", args=[c.partnership.pk, c.partnership.memberships.first().pk]
    ),
    "assessment-create": lambda c: reverse("assessment-create", args=[c.partnership.pk]),
    "assessment": _assessment_url("assessment"),
    "assessment-invite": _assessment_url("assessment-invite"),
    "assessment-remind": _assessment_url("assessment-remind"),
    "invitation-revoke-choose": _assessment_url("invitation-revoke-choose"),
    "invitation-revoke": _assessment_url("invitation-revoke", lambda c: [c.invitation.pk]),
    "invitees-import": _assessment_url("invitees-import"),
    "responses-import": _assessment_url("responses-import"),
    "questionnaire-print": _assessment_url("questionnaire-print"),
    "questionnaire-pdf": _assessment_url("questionnaire-pdf"),
    "paper-choose": _assessment_url("paper-choose"),
    "paper": _assessment_url("paper", lambda c: [c.person.pk]),
    "paper-section": _assessment_url("paper-section", lambda c: [c.person.pk, 1]),
    "paper-save": _assessment_url("paper-save", lambda c: [c.person.pk]),
    "paper-review": _assessment_url("paper-review", lambda c: [c.person.pk]),
    "workshop-create": _assessment_url("workshop-create"),
    "workshop": _assessment_url("workshop", lambda c: [c.workshop.pk]),
    "workshop-console-live": _assessment_url("workshop-console-live", lambda c: [c.workshop.pk]),
    "workshop-control": _assessment_url("workshop-control", lambda c: [c.workshop.pk]),
    "workshop-present": _assessment_url("workshop-present", lambda c: [c.workshop.pk]),
    "workshop-present-live": _assessment_url("workshop-present-live", lambda c: [c.workshop.pk]),
    "workshop-qr": _assessment_url("workshop-qr", lambda c: [c.workshop.pk]),
    "workshop-chart": _assessment_url(
        "workshop-chart", lambda c: [c.workshop.pk, "room", "internal"]
    ),
    "workshop-agenda": _assessment_url("workshop-agenda", lambda c: [c.workshop.pk]),
    "agenda-change": _assessment_url("agenda-change", lambda c: [c.workshop.pk, c.agenda.pk]),
    "workshop-consensus": _assessment_url(
        "workshop-consensus", lambda c: [c.workshop.pk, c.agenda.pk]
    ),
    "workshop-action-add": _assessment_url(
        "workshop-action-add", lambda c: [c.workshop.pk, c.agenda.pk]
    ),
    "workshop-action-delete": _assessment_url(
        "workshop-action-delete", lambda c: [c.workshop.pk, c.action.pk]
    ),
    "results": _assessment_url("results"),
    "results-7s": _assessment_url("results-7s"),
    "results-heat-map": _assessment_url("results-heat-map"),
    "results-export": _assessment_url("results-export", lambda c: ["answers", "csv"]),
    "plan": _assessment_url("plan"),
    "plan-pdf": _assessment_url("plan-pdf"),
    "plan-change": _assessment_url("plan-change", lambda c: ["agree"]),
    "priority-change": _assessment_url("priority-change", lambda c: [c.priority.pk]),
    "plan-action-new": _assessment_url("plan-action-new"),
    "plan-action": _assessment_url("plan-action", lambda c: [c.action.pk]),
    "plan-action-decide": _assessment_url("plan-action-decide", lambda c: [c.action.pk]),
    "plan-action-progress": _assessment_url("plan-action-progress", lambda c: [c.action.pk]),
}

# Facilitators run workshops; coordinators may too. Coordinators, facilitators
# and executives read results. Everything else is management.
FACILITATE = {name for name in PARTNERSHIP_URLS if name.startswith(("workshop", "agenda"))}
RESULTS = {name for name in PARTNERSHIP_URLS if name.startswith("results")} | {"plan", "plan-pdf"}
MANAGE_ONLY = set(PARTNERSHIP_URLS) - {"partnership"} - FACILITATE - RESULTS


@pytest.fixture
def world(cast, assessment, invitation):
    """The cast, plus an assessment of their partnership, an invitation to it,
    and a workshop with an action on its first agenda item."""
    cast.assessment = assessment
    cast.invitation = invitation
    cast.workshop = make_workshop(cast, assessment)
    cast.agenda = cast.workshop.agenda.first()
    cast.action = add_action(
        cast.agenda, cast.facilitator, description="Refresh the plan", owner=None, due_on=None
    )
    cast.priority = Priority.objects.create(
        plan=plan_for(assessment), text="Joint commissioning", source="coordinator"
    )
    return cast


def test_every_partnership_url_is_in_the_tenancy_table():
    from workshops.urls import urlpatterns

    named = {p.name for p in urlpatterns if "partnership_id" in p.pattern.regex.pattern}
    assert named == set(PARTNERSHIP_URLS)


@pytest.mark.parametrize("name", PARTNERSHIP_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_on_every_partnership_url(client, world: Cast, name, method):
    cast = world
    client.force_login(cast.outsider)
    response = getattr(client, method)(PARTNERSHIP_URLS[name](cast), {"name": "Hijack"})
    assert response.status_code == 404
    assert "Eastvale" not in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.name == "Eastvale LSP"


@pytest.mark.parametrize("name", sorted(MANAGE_ONLY))
@pytest.mark.parametrize("role", ["facilitator", "executive", "participant"])
def test_roles_other_than_coordinator_get_403_on_management(client, world: Cast, name, role):
    cast = world
    client.force_login(cast.user(role))
    memberships_before = Membership.objects.count()
    response = client.post(PARTNERSHIP_URLS[name](cast), {"name": "Renamed", "sector": "public"})
    assert response.status_code == 403
    assert Membership.objects.count() == memberships_before
    assert not Organisation.objects.filter(name="Renamed").exists()


@pytest.mark.parametrize("name", sorted(FACILITATE))
@pytest.mark.parametrize("role", ["executive", "participant"])
def test_only_facilitators_and_coordinators_run_workshops(client, world: Cast, name, role):
    cast = world
    client.force_login(cast.user(role))
    version = cast.workshop.version
    response = client.post(
        PARTNERSHIP_URLS[name](cast), {"action": "next", "version": version, "change": "remove"}
    )
    assert response.status_code == 403
    cast.workshop.refresh_from_db()
    assert cast.workshop.version == version
    assert cast.workshop.agenda.count() == len(default_agenda(cast.assessment))


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_participants_cannot_read_results_but_executives_can(client, world: Cast, name):
    client.force_login(world.participant)
    assert client.get(PARTNERSHIP_URLS[name](world)).status_code == 403
    client.force_login(world.executive)
    response = client.get(PARTNERSHIP_URLS[name](world))
    assert response.status_code == 200 and len(response.content) > 80


@pytest.mark.parametrize("name", PARTNERSHIP_URLS)
def test_anonymous_visitors_are_sent_to_sign_in(client, world: Cast, name):
    response = client.get(PARTNERSHIP_URLS[name](world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_ids_of_another_partnership_inside_my_partnership_url_are_404(client, cast: Cast):
    client.force_login(cast.coordinator)
    p = cast.partnership.pk
    for url in [
        reverse("organisation-edit", args=[p, cast.other_organisation.pk]),
        reverse("person-edit", args=[p, cast.other_person.pk]),
        reverse("member-remove", args=[p, cast.other.memberships.get().pk]),
    ]:
        assert client.post(url, {"name": "Hijack", "sector": "private"}).status_code == 404
    cast.other_organisation.refresh_from_db()
    assert cast.other_organisation.name == "Westmoor Council"
    assert cast.other.memberships.count() == 1


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
