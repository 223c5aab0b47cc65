"""Joining a live workshop (services.participants): named and anonymous participants."""

from __future__ import annotations

import pytest

from tests.builders import make_assessment, make_workshop
from tests.workshops.workshop_helpers import anonymous, go
from workshops.models import Respondent, WorkshopError
from workshops.services import participants


def test_a_named_participant_carries_the_attributes_of_a_questionnaire_respondent(workshop, cast):
    respondent = participants.join(workshop, person=cast.person)
    assert respondent.channel == Respondent.Channel.WORKSHOP
    assert respondent.workshop == workshop and respondent.assessment == workshop.assessment
    assert (respondent.role, respondent.organisation, respondent.sector, respondent.layer) == (
        "coordinator",
        "Eastvale District Council",
        "public",
        "executive",
    )


def test_joining_again_as_the_same_person_is_refused_rather_than_voting_twice(workshop, cast):
    first = participants.join(workshop, person=cast.person)
    with pytest.raises(participants.NameTaken, match="already joined as Priya Shah"):
        participants.join(workshop, person=cast.person)
    assert list(Respondent.objects.filter(workshop=workshop)) == [first]


def test_anonymous_participants_give_role_sector_and_layer_only(workshop):
    respondent = anonymous(workshop, sector="third")
    assert respondent.person is None and respondent.organisation == ""
    assert (respondent.role, respondent.sector, respondent.layer) == (
        "officer",
        "third",
        "operational",
    )


def test_identity_rules(cast, bank):
    anonymous_assessment = make_assessment(cast, anonymous=True)
    workshop = make_workshop(cast, anonymous_assessment)
    with pytest.raises(WorkshopError, match="anonymous"):
        participants.join(workshop, person=cast.person)
    named = make_workshop(cast, make_assessment(cast))
    with pytest.raises(WorkshopError, match="from this partnership"):
        participants.join(named, person=cast.other_person)
    named = go(named, "finish")
    with pytest.raises(WorkshopError, match="finished"):
        participants.join(named, role="officer", sector="public", layer="strategic")
