import pytest
from django.core.exceptions import ValidationError

from workshops.models import Assessment, Basis, Membership, Organisation, Partnership, Person

ROLE_RULES = {
    # role: (can_manage, can_facilitate, can_view_results)
    "coordinator": (True, True, True),
    "facilitator": (False, True, True),
    "executive": (False, False, True),
    "participant": (False, False, False),
}


@pytest.mark.parametrize("role", ROLE_RULES)
def test_each_permission_role_grants_what_it_should(role):
    membership = Membership(role=role)
    assert (
        membership.can_manage,
        membership.can_facilitate,
        membership.can_view_results,
    ) == ROLE_RULES[role]


def test_only_a_district_sits_under_a_county(db):
    county = Partnership.objects.create(name="N", area="N", authority_type="county")
    unitary = Partnership.objects.create(name="U", area="U", authority_type="unitary")
    Partnership(name="D", area="D", authority_type="district", county_partnership=county).clean()
    with pytest.raises(ValidationError, match="Only a district"):
        Partnership(name="X", area="X", authority_type="unitary", county_partnership=county).clean()
    with pytest.raises(ValidationError, match="is not a county partnership"):
        Partnership(
            name="Y", area="Y", authority_type="district", county_partnership=unitary
        ).clean()


def test_a_person_must_belong_to_an_organisation_of_their_partnership(cast):
    stray = Person(
        partnership=cast.partnership,
        organisation=cast.other_organisation,
        name="Stray",
        role="officer",
        layer="operational",
    )
    with pytest.raises(ValidationError, match="organisation of this partnership"):
        stray.full_clean()


def test_a_person_takes_the_sector_of_their_organisation(cast):
    charity = Organisation.objects.create(
        partnership=cast.partnership, name="Vale CVS", sector="third"
    )
    cast.person.organisation = charity
    assert cast.person.sector == "third"


def test_one_membership_per_user_and_partnership(cast):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            partnership=cast.partnership, user=cast.participant, role="executive"
        )


def test_a_basis_has_one_set_of_names_for_every_screen():
    assert Basis.INTERNAL.label == "Internal: against the LSP's own plans and goals"
    assert Basis.INTERNAL.short == "Against our own plans"
    assert Basis.EXTERNAL.word == "External"
    assert Basis.column("external") == "Against other LSPs"
    assert Basis.column("") == ""
    assert Basis.ballot("internal") == "Against our own plans (internal)"
    assert Basis.ballot("") == "Answer"
    # The assessment's choice of bases names each one as the questionnaire does.
    assert Assessment.BasisChoice.EXTERNAL.label == Basis.EXTERNAL.label
