"""What the tests of the live workshop's services share: moving a workshop on, joining
and voting."""

from __future__ import annotations

from workshops.models import Respondent, Workshop
from workshops.services import participants, voting
from workshops.services import workshop as services


def go(workshop: Workshop, *actions: str, **kwargs) -> Workshop:
    for action in actions:
        workshop = services.change(workshop.pk, action, **kwargs)
    return Workshop.objects.select_related("current__item", "assessment__bank").get(pk=workshop.pk)


def anonymous(workshop: Workshop, sector: str = "public") -> Respondent:
    return participants.join(workshop, role="officer", sector=sector, layer="operational")


def cast_vote(workshop: Workshop, respondent: Respondent, value: str, **more) -> voting.StoredVote:
    """Vote on the current item: ``value`` for a yes/no answer or the internal rating."""
    workshop.refresh_from_db()
    values = {"": value, "internal": value, **more}
    return voting.vote(workshop.code, respondent.pk, workshop.current_id, values)
