"""The board's priorities: gathered, written in, given dots, ranked and dropped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders import make_workshop
from tests.workshops.test_results import respond
from workshops.models import AgendaItem, Priority
from workshops.services import plan as services
from workshops.services import priorities


def test_priorities_are_gathered_once_and_ranked_by_the_dot_vote(cast, assessment):
    respond(assessment, **{"8_1": "Joint commissioning"})
    respond(assessment, **{"8_1": "Data sharing", "8_1_2": "Not a priority: support"})
    workshop = make_workshop(cast, assessment)
    AgendaItem.objects.filter(pk=workshop.agenda.first().pk).update(improvements="Refresh plan")
    plan = services.plan_for(assessment)
    assert priorities.gather_priorities(plan) == 3
    assert priorities.gather_priorities(plan) == 0
    texts = list(plan.priorities.values_list("text", flat=True))
    assert texts == ["Joint commissioning", "Data sharing", "1.1: Refresh plan"]
    votes = {"Joint commissioning": 2, "Data sharing": 7, "1.1: Refresh plan": 2}
    for priority in plan.priorities.all():
        Priority.objects.filter(pk=priority.pk).update(votes=votes[priority.text])
    priorities.order_priorities_by_votes(plan)
    ranked = list(plan.priorities.values_list("text", flat=True))
    assert ranked == ["Data sharing", "Joint commissioning", "1.1: Refresh plan"]


def test_the_coordinator_adds_counts_and_drops_priorities_on_the_page(client, cast, assessment):
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, assessment.pk]
    for _ in range(2):  # the same form sent twice
        client.post(reverse("plan-change", args=[*ids, "priority"]), {"text": "Shared data"})
    client.post(reverse("plan-change", args=[*ids, "priority"]), {"text": "Joint commissioning"})
    plan = services.plan_for(assessment)
    data, joint = plan.priorities.all()
    assert (data.text, data.rank, joint.rank) == ("Shared data", 1, 2)
    change = reverse("priority-change", args=[*ids, joint.pk])
    response = client.post(change, {"change": "votes", "votes": "lots"}, follow=True)
    assert "whole number from 0 to 1000" in response.content.decode()
    client.post(change, {"change": "votes", "votes": "5"})
    client.post(reverse("plan-change", args=[*ids, "rank"]))
    assert list(plan.priorities.values_list("text", flat=True)) == [
        "Joint commissioning",
        "Shared data",
    ]
    client.post(reverse("priority-change", args=[*ids, data.pk]), {"change": "drop"})
    page = client.get(reverse("plan", args=ids)).content.decode()
    assert "Joint commissioning" in page and "Shared data" not in page


@pytest.mark.parametrize(
    "data, message",
    [
        # "²" passes str.isdigit() but not int(); 5,000 digits are more than int() reads.
        ({"change": "votes", "votes": "²"}, "whole number from 0 to 1000"),
        ({"change": "votes", "votes": "9" * 5000}, "whole number from 0 to 1000"),
        ({"change": "sideways"}, "Choose to move the priority, drop it or save its dots."),
        ({}, "Choose to move the priority, drop it or save its dots."),
    ],
)
def test_a_change_to_a_priority_the_page_does_not_offer_is_refused(
    client, cast, assessment, data, message
):
    plan = services.plan_for(assessment)
    priority = priorities.add_priority(plan, "Shared data")
    client.force_login(cast.coordinator)
    url = reverse("priority-change", args=[cast.partnership.pk, assessment.pk, priority.pk])
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    priority.refresh_from_db()
    assert (priority.votes, priority.rank, priority.dropped) == (0, 1, False)
