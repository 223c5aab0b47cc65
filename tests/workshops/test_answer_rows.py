"""Whose answers count and what may be said of who gave them: open answers described only
by groups big enough, and workshop votes counted with the questionnaire or on their own."""

from __future__ import annotations

from tests.builders import make_assessment
from tests.workshops.test_results import build, rating, respond


def test_open_answers_show_who_only_for_groups_big_enough_when_anonymous(cast, bank, settings):
    settings.MIN_GROUP_SIZE_COMMENTS = 5
    assessment = make_assessment(cast, anonymous=True)
    respond(assessment, role="coordinator", **{"1_2_1": "=SUM(A1) Needs a refresh"})
    for _ in range(4):
        respond(assessment, role="officer", sector="third", **{"1_2_1": "Fine"})
    results = build(assessment)
    element = results.elements[0]
    item, answers = next((i, a) for i, a in element.open_answers if i.key == "1.2.1")
    whos = {a.text: a.who for a in answers}
    # Role and sector together would single out the coordinator, and each alone
    # too: only the layer all five share is said of anyone.
    assert whos == {"=SUM(A1) Needs a refresh": "Strategic (board)", "Fine": "Strategic (board)"}


def test_workshop_votes_combine_with_the_questionnaire_or_stand_alone(cast, assessment):
    respond(assessment, **{"1_1": "4"})
    respond(assessment, channel="workshop", submitted=False, **{"1_1": "2"})
    assert rating(build(assessment), "1.1").ratings == [4, 2]
    assert rating(build(assessment, "questionnaire"), "1.1").ratings == [4]
    assert rating(build(assessment, "workshop"), "1.1").ratings == [2]
    turnout = build(assessment).turnout
    assert (turnout.people, turnout.questionnaire, turnout.workshop) == (2, 1, 1)
