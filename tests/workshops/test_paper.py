"""Entering a paper return: a coordinator keys in a person's answers on the
questionnaire's own pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.workshops.questionnaire_helpers import answers_of, paper_url, url
from workshops.models import Answer, Respondent


def test_a_coordinator_enters_a_paper_return_marked_as_such(client, cast, assessment):
    client.force_login(cast.coordinator)
    page = client.get(paper_url(assessment, cast.person)).content.decode()
    assert "paper return" in page
    client.post(paper_url(assessment, cast.person, "section", 1), {"1.1:internal": "2"})
    client.post(paper_url(assessment, cast.person, "save"), {"1.1.2": "yes"})
    respondent = Respondent.objects.get(invitation__person=cast.person)
    assert respondent.channel == Respondent.Channel.PAPER
    assert respondent.entered_by == cast.coordinator
    assert {a.item.key: a.value for a in respondent.answers.select_related("item")} == {
        "1.1": "2",
        "1.1.2": "yes",
    }
    # The paper return shows on the coordinator's tracker.
    tracker = client.get(assessment.get_absolute_url()).content.decode()
    assert "Paper return" in tracker


def test_a_paper_return_cannot_overwrite_answers_given_online(client, cast, invitation):
    client.post(url(invitation, "save"), {"1.1:internal": "4"})
    client.force_login(cast.coordinator)
    response = client.post(
        paper_url(invitation.assessment, cast.person, "save"), {"1.1:internal": "1"}
    )
    assert response.status_code == 302
    assert answers_of(invitation) == {("1.1", "internal"): "4"}


@pytest.mark.parametrize("role", ["facilitator", "executive", "participant"])
def test_only_coordinators_enter_paper_returns(client, cast, assessment, role):
    client.force_login(cast.user(role))
    response = client.post(paper_url(assessment, cast.person, "save"), {"1.1:internal": "1"})
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_a_paper_return_is_only_for_people_of_the_partnership(client, cast, assessment):
    client.force_login(cast.coordinator)
    response = client.get(paper_url(assessment, cast.other_person))
    assert response.status_code == 404


def test_a_coordinator_picks_whose_paper_return_to_enter(client, cast, assessment):
    client.force_login(cast.coordinator)
    choose = reverse("paper-choose", args=[cast.partnership.pk, assessment.pk])
    response = client.get(choose, {"person": cast.person.pk})
    assert response["Location"] == paper_url(assessment, cast.person)
    assert client.get(choose, {"person": cast.other_person.pk}).status_code == 404
    response = client.get(choose, {"person": "x"}, follow=True)
    assert "Choose whose paper return to enter" in response.content.decode()


def test_a_submitted_anonymous_paper_return_is_not_shown_again_against_a_name(
    client, cast, assessment
):
    assessment.anonymous = True
    assessment.save()
    client.force_login(cast.coordinator)
    client.post(paper_url(assessment, cast.person, "save"), {"1.1.2": "no"})
    response = client.post(paper_url(assessment, cast.person, "review"), follow=True)
    assert "The paper return for Priya Shah is submitted" in response.content.decode()
    respondent = assessment.respondents.get()
    assert respondent.is_submitted and respondent.channel == "paper"
    assert respondent.person is None and respondent.invitation is None
    # Opening her paper return again starts a new, blank one.
    page = client.get(paper_url(assessment, cast.person, "section", 1)).content.decode()
    assert 'value="no" checked' not in page
    assert assessment.respondents.count() == 1


@pytest.mark.parametrize("person", ["²", "9" * 5000])
def test_choosing_a_paper_return_by_digits_int_cannot_read_asks_again(
    client, cast, assessment, person
):
    # "²" passes str.isdigit() but not int(); 5,000 digits are more than int() reads.
    client.force_login(cast.coordinator)
    choose = reverse("paper-choose", args=[cast.partnership.pk, assessment.pk])
    response = client.get(choose, {"person": person}, follow=True)
    assert response.redirect_chain == [(assessment.get_absolute_url(), 302)]
    assert "Choose whose paper return to enter" in response.content.decode()
    assert not assessment.invitations.exists()
