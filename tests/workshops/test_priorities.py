"""The board's priorities: gathered, written in, given dots, ranked and dropped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.builders import make_assessment, make_workshop
from tests.workshops.test_results import respond
from workshops import audit
from workshops.models import AgendaItem, AuditEvent, Priority
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


# --- One save for every priority's dots ---------------------------------------------------------


@pytest.fixture
def three(assessment) -> list[Priority]:
    plan = services.plan_for(assessment)
    return [priorities.add_priority(plan, text) for text in ("Data", "Commissioning", "People")]


def test_one_save_records_the_dots_of_every_priority(client, cast, assessment, three):
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, assessment.pk]
    page = client.get(reverse("plan", args=ids)).content.decode()
    assert page.count("Save dots") == 1
    data = {f"votes-{p.pk}": votes for p, votes in zip(three, ["2", "7", "1"], strict=True)}
    response = client.post(reverse("plan-priority-votes", args=ids), data)
    assert response["Location"] == reverse("plan", args=ids) + "#priorities"
    assert "Dots saved for 3 priorities." in client.get(response["Location"]).content.decode()
    assert [p.votes for p in services.plan_for(assessment).priorities.all()] == [2, 7, 1]
    again = client.post(reverse("plan-priority-votes", args=ids), data, follow=True)
    assert "The dots are as they were: nothing to save." in again.content.decode()
    one = client.post(reverse("plan-priority-votes", args=ids), {f"votes-{three[2].pk}": "3"})
    assert "Dots saved for 1 priority." in client.get(one["Location"]).content.decode()
    words = [audit.words(e) for e in AuditEvent.objects.filter(action="priority.votes_set")]
    assert len(words) == 4
    assert "Priority “People” given 1 dot vote." in words
    assert "Priority “People” given 3 dot votes." in words


@pytest.mark.parametrize("bad", ["lots", "", "-1", "1001", "²", "9" * 5000])
def test_one_bad_count_saves_no_dots_and_names_its_row(client, cast, assessment, three, bad):
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, assessment.pk]
    data = {f"votes-{three[0].pk}": "4", f"votes-{three[1].pk}": bad, f"votes-{three[2].pk}": "2"}
    response = client.post(reverse("plan-priority-votes", args=ids), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Improvement plan: " in page
    message = "Enter the dots for priority 2 as a whole number from 0 to 1000"
    field = f"votes-{three[1].pk}"
    # The summary links to the field, which is marked with the message and keeps what
    # was typed, as are the others.
    assert f'<a href="#{field}">{message}</a>' in page
    assert f'id="{field}-error"><span class="govuk-visually-hidden">Error:</span> {message}' in page
    assert f'id="{field}" name="{field}" type="text" inputmode="numeric" value="{bad}"' in page
    assert f'aria-describedby="{field}-error"' in page
    assert f'name="votes-{three[0].pk}" type="text" inputmode="numeric" value="4"' in page
    assert "No dots were saved." in page
    assert [p.votes for p in services.plan_for(assessment).priorities.all()] == [0, 0, 0]
    assert not AuditEvent.objects.filter(action="priority.votes_set").exists()


def test_dots_left_out_keep_theirs_and_a_priority_not_on_the_page_is_not_asked_for(
    client, cast, assessment, three
):
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, assessment.pk]
    response = client.post(reverse("plan-priority-votes", args=ids), {f"votes-{three[0].pk}": "6"})
    assert response.status_code == 302
    assert [p.votes for p in services.plan_for(assessment).priorities.all()] == [6, 0, 0]


def test_an_empty_priority_is_refused_on_its_field(client, cast, assessment, three):
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, assessment.pk]
    response = client.post(reverse("plan-change", args=[*ids, "priority"]), {"text": " "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Improvement plan: " in page
    assert '<a href="#id_text">Write the priority</a>' in page
    assert 'id="id_text_1_error" class="govuk-error-message"' in page
    assert 'aria-describedby="id_text_1_error"' in page
    assert services.plan_for(assessment).priorities.count() == 3


def test_dots_for_a_priority_of_another_plan_are_refused(cast, assessment, three, bank):
    other = make_assessment(cast, title="Another")
    stranger = priorities.add_priority(services.plan_for(other), "Elsewhere")
    plan = services.plan_for(assessment)
    with pytest.raises(services.PlanError, match="no longer in this plan"):
        priorities.set_all_votes(plan, {three[0].pk: 3, stranger.pk: 5})
    assert {p.votes for p in Priority.objects.all()} == {0}
