"""On the assessment's page, each person's buttons and links say whose they are, even for
two people of the same name."""

from __future__ import annotations

import re

from tests.builders import make_person
from workshops.models import Invitation


def test_two_people_of_one_name_each_have_buttons_and_links_of_their_own(client, cast, assessment):
    for sector in ("public", "third"):
        person = make_person(cast, "Sam Patel", sector=sector)
        Invitation.objects.create(assessment=assessment, person=person)
    client.force_login(cast.coordinator)
    page = client.get(assessment.get_absolute_url()).content.decode()
    for action in ("Withdraw link", "Enter paper return"):
        names = re.findall(
            re.escape(action) + r'<span class="govuk-visually-hidden">([^<]*)</span>', page
        )
        assert len(names) == 2 and len(set(names)) == 2, names
        assert all("Sam Patel" in name for name in names), names
