from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from workshops.demo import DEMO_PASSWORD
from workshops.models import Membership, Organisation, Partnership, Person, User


def run_seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_two_tier_area_with_every_role_layer_and_sector(db):
    out = run_seed()
    district = Partnership.objects.get(authority_type="district")
    assert district.county_partnership.authority_type == "county"
    # It shares its results with its county, so the county's coordinator has districts to see.
    assert district.share_with_county
    people = district.people.all()
    assert {p.role for p in people} == set(Person.Role.values)
    assert {p.layer for p in people} == set(Person.Layer.values)
    assert set(district.organisations.values_list("sector", flat=True)) == {
        "public",
        "private",
        "third",
    }
    assert set(district.memberships.values_list("role", flat=True)) == set(Membership.Role.values)
    for email in User.objects.values_list("email", flat=True):
        assert email in out
    assert DEMO_PASSWORD in out
    coordinator = User.objects.get(email="coordinator@eastvale.example.org")
    assert coordinator.check_password(DEMO_PASSWORD)


def test_the_demo_county_coordinator_sees_the_district_side_by_side(client, db):
    run_seed()
    county = Partnership.objects.get(authority_type="county")
    client.force_login(User.objects.get(email="coordinator@northshire.example.org"))
    page = client.get(f"/partnerships/{county.pk}/districts/").content.decode()
    assert "Eastvale Local Strategic Partnership" in page


def test_seed_demo_is_idempotent(db):
    run_seed()
    counts = [m.objects.count() for m in (Partnership, Organisation, Person, User, Membership)]
    run_seed()
    assert [
        m.objects.count() for m in (Partnership, Organisation, Person, User, Membership)
    ] == counts


def test_demo_accounts_can_sign_in_and_see_their_partnership(client, db):
    run_seed()
    response = client.post(
        "/accounts/login/",
        {"login": "Executive@Eastvale.example.org", "password": DEMO_PASSWORD},
        follow=True,
    )
    page = response.content.decode()
    assert "Your partnerships" in page
    assert "Eastvale Local Strategic Partnership" in page


def test_seed_demo_opens_an_assessment_with_everyone_invited_once(bank):
    run_seed()
    run_seed()
    district = Partnership.objects.get(authority_type="district")
    assessment = district.assessments.get()
    assert assessment.is_open()
    assert assessment.items.count() == 104
    assert assessment.invitations.count() == district.people.count()


def test_seed_demo_sets_up_one_board_workshop_for_the_facilitator(client, bank):
    run_seed()
    run_seed()
    district = Partnership.objects.get(authority_type="district")
    workshop = district.assessments.get().workshops.get()
    assert workshop.facilitator.email == "facilitator@eastvale.example.org"
    assert workshop.agenda.count() == 33
    client.post(
        "/accounts/login/",
        {"login": "facilitator@eastvale.example.org", "password": DEMO_PASSWORD},
    )
    page = client.get(workshop.get_absolute_url()).content.decode()
    assert workshop.display_code in page and "Start with the first item" in page


def test_seed_demo_refuses_the_production_settings_unless_told_this_is_a_demo(db, settings):
    settings.SETTINGS_MODULE = "lsp_assess.settings_production"
    with pytest.raises(CommandError, match="--demo-site"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists() and not Partnership.objects.exists()
    out = StringIO()
    call_command("seed_demo", "--demo-site", stdout=out)
    assert "Demo data is ready" in out.getvalue()
    assert User.objects.filter(email="support@lsp-assess.example.org", is_staff=True).exists()


def test_the_demo_partnerships_are_verified_so_their_emails_go(db):
    run_seed()
    assert not Partnership.objects.filter(verified_at=None).exists()


def test_the_demo_network_is_answered_once_questionnaires_are_submitted(db, bank):
    from tests.builders import respond
    from workshops.models import NetworkAnswer
    from workshops.services.network import network_for
    from workshops.services.network_words import findings

    run_seed()
    district = Partnership.objects.get(authority_type="district")
    assessment = district.assessments.get()
    # A fresh demo is left as it was: nobody has answered yet.
    assert not assessment.network and NetworkAnswer.objects.count() == 0

    for invitation in assessment.invitations.select_related("person")[:6]:
        respond(invitation, submitted=True)
    run_seed()
    assessment.refresh_from_db()
    answers = NetworkAnswer.objects.count()
    run_seed()  # again: nothing added

    assert assessment.network and NetworkAnswer.objects.count() == answers > 0
    network = network_for(assessment, min_group=3)
    assert network.withheld == "" and network.change is not None
    assert network.change.previous == "Network review 2025"
    assert any(said.startswith("Since “Network review 2025”") for said in findings(network))
