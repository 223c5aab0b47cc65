"""Counting people once: someone who answered the questionnaire and voted in a workshop is one
voice on each question (their later answer counts), the headline says how many people took
part and how, and anonymous workshop voters, who cannot be matched, are said to be so."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_assessment, make_person
from tests.workshops.test_plan_pdf import text_of
from tests.workshops.test_results import build, rating, respond
from workshops.models import Answer, Assessment, Invitation, Person, Respondent
from workshops.reporting import plan_pdf
from workshops.services.chart_inputs import chart_inputs
from workshops.services.trends import trends_for

START = timezone.now() - timedelta(days=10)
QUESTIONNAIRE_DAY, WORKSHOP_DAY, CHANGED_AFTER = (START + timedelta(days=n) for n in (0, 3, 5))


def answered(respondent: Respondent, at, *keys: str) -> Respondent:
    """Date the respondent's answers (all of them, or those to the items ``keys``)."""
    answers = Answer.objects.filter(respondent=respondent)
    if keys:
        answers = answers.filter(item__key__in=keys)
    answers.update(updated_at=at)
    return respondent


def by_questionnaire(assessment: Assessment, person: Person, **answers) -> Respondent:
    """A submitted online response through the person's invitation."""
    respondent = respond(assessment, role=person.role, layer=person.layer, **answers)
    invitation = Invitation.objects.create(assessment=assessment, person=person)
    Respondent.objects.filter(pk=respondent.pk).update(invitation=invitation)
    return answered(respondent, QUESTIONNAIRE_DAY)


def in_workshop(assessment: Assessment, person: Person | None, **answers) -> Respondent:
    """Workshop votes, as a named participant or (``person`` None) an anonymous one."""
    respondent = respond(assessment, channel="workshop", submitted=False, **answers)
    Respondent.objects.filter(pk=respondent.pk).update(person=person)
    return answered(respondent, WORKSHOP_DAY)


@dataclass
class Meeting:
    assessment: Assessment
    people: list[Person]


@pytest.fixture
def meeting(cast, assessment) -> Meeting:
    """Eight people answered the questionnaire (1.1: 4, 1.1.2: yes, 2.1: 3); seven of them
    and a ninth voted in the workshop days later on the agenda's 1.1 and 1.1.2. The seventh
    changed their questionnaire answer to 1.1 after the workshop."""
    people = [make_person(cast, f"Partner {n}", role="board_member") for n in range(1, 10)]
    for person in people[:8]:
        by_questionnaire(assessment, person, **{"1_1": "4", "1_1_2": "yes", "2_1": "3"})
    for person in people[:6]:
        in_workshop(assessment, person, **{"1_1": "2", "1_1_2": "no"})
    in_workshop(assessment, people[6], **{"1_1": "1", "1_1_2": "no"})
    answered(Respondent.objects.get(invitation__person=people[6]), CHANGED_AFTER, "1.1")
    in_workshop(assessment, people[8], **{"1_1": "1", "1_1_2": "no"})
    return Meeting(assessment, people)


def page_text(client, cast, assessment, channel: str = "") -> str:
    client.force_login(cast.executive)
    url = reverse("results", args=[cast.partnership.pk, assessment.pk])
    html = client.get(url + (f"?channel={channel}" if channel else "")).content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Each person once on each question -----------------------------------------------------------


def test_someone_who_answered_both_ways_counts_once_on_each_question_with_their_later_answer(
    meeting,
):
    results = build(meeting.assessment)
    # Six voted 2 after answering 4; the seventh's 4, changed after the workshop, counts over
    # their vote; the eighth answered only the questionnaire and the ninth only voted.
    agenda = rating(results, "1.1")
    assert sorted(agenda.ratings) == [1, 2, 2, 2, 2, 2, 2, 4, 4]
    assert agenda.n == 9 and agenda.counts == {"1": 1, "2": 6, "4": 2}
    plan = next(y for y in results.yes_no if y.item.key == "1.1.2")
    assert (plan.yes, plan.no, plan.n) == (1, 8, 9)
    assert plan.yes_percent == pytest.approx(100 / 9)
    assert rating(results, "2.1").n == 8  # not on the agenda: the questionnaire alone
    # The element's score is the mean of the answers that count: 1.1's nine and 2.1 apart.
    assert results.elements[0].scores["internal"] == pytest.approx(sum(agenda.ratings) / 9)


def test_each_way_of_answering_on_its_own_keeps_every_answer_it_holds(meeting):
    assert sorted(rating(build(meeting.assessment, "questionnaire"), "1.1").ratings) == [4] * 8
    votes = rating(build(meeting.assessment, "workshop"), "1.1").ratings
    assert sorted(votes) == [1, 1, 2, 2, 2, 2, 2, 2]


def test_who_took_part_is_counted_in_people(meeting):
    turnout = build(meeting.assessment).turnout
    assert (turnout.people, turnout.questionnaire, turnout.workshop) == (9, 8, 8)
    assert (turnout.both, turnout.anonymous_votes) == (7, 0)
    alone = build(meeting.assessment, "workshop").turnout
    assert (alone.people, alone.questionnaire, alone.workshop, alone.both) == (8, 0, 8, 0)


def test_votes_in_two_workshops_are_one_voice_too(cast, assessment):
    person = make_person(cast, "Dana Price")
    answered(in_workshop(assessment, person, **{"1_1": "1"}), WORKSHOP_DAY)
    answered(in_workshop(assessment, person, **{"1_1": "3"}), CHANGED_AFTER)
    results = build(assessment)
    assert rating(results, "1.1").ratings == [3]
    assert results.turnout.people == 1 and results.turnout.workshop == 1


def test_an_answer_given_at_the_same_moment_both_ways_counts_once(cast, assessment):
    person = make_person(cast, "Sam Lee")
    by_questionnaire(assessment, person, **{"1_1": "4"})
    answered(in_workshop(assessment, person, **{"1_1": "2"}), QUESTIONNAIRE_DAY)
    assert len(rating(build(assessment), "1.1").ratings) == 1


def test_anonymous_voters_are_people_of_their_own(cast, assessment):
    people = [make_person(cast, f"Partner {n}") for n in range(4)]
    for person in people:
        by_questionnaire(assessment, person, **{"1_1": "4"})
    for person in [*people[:2], None, None, None]:
        in_workshop(assessment, person, **{"1_1": "2"})
    results = build(assessment)
    assert sorted(rating(results, "1.1").ratings) == [2, 2, 2, 2, 2, 4, 4]
    turnout = results.turnout
    assert (turnout.people, turnout.questionnaire, turnout.workshop) == (7, 4, 5)
    assert (turnout.both, turnout.anonymous_votes) == (2, 3)


def test_groups_are_sized_in_people(cast, assessment):
    """Two coordinators who answered both ways are a group of two, not four."""
    coordinators = [make_person(cast, f"Coordinator {n}", role="coordinator") for n in range(2)]
    for person in coordinators:
        by_questionnaire(assessment, person, **{"1_1": "4"})
        in_workshop(assessment, person, **{"1_1": "4"})
    for _ in range(3):
        respond(assessment, role="board_member", **{"1_1": "1"})
    assert build(assessment).rating_gaps == []  # MIN is 3: two coordinators are too few


# --- What the page, the files and the charts say -------------------------------------------------


def test_the_results_page_says_how_many_people_took_part_and_which_answer_counts(
    client, cast, meeting
):
    text = page_text(client, cast, meeting.assessment)
    assert (
        "9 people took part: 8 answered the questionnaire, 8 voted in a workshop (7 did both)."
        in text
    )
    assert "Where someone answered a question both ways, their later answer counts." in text
    assert "16 respondents" not in text and "16 people" not in text
    assert "8 people answered the questionnaire." in page_text(
        client, cast, meeting.assessment, "questionnaire"
    )
    assert "8 people voted in a workshop." in page_text(
        client, cast, meeting.assessment, "workshop"
    )


def test_the_page_says_anonymous_voters_may_have_answered_the_questionnaire_too(
    client, cast, assessment
):
    people = [make_person(cast, f"Partner {n}") for n in range(4)]
    for person in people:
        by_questionnaire(assessment, person, **{"1_1": "4"})
    for person in [*people[:2], None, None, None]:
        in_workshop(assessment, person, **{"1_1": "2"})
    text = page_text(client, cast, assessment)
    assert (
        "7 people took part: 4 answered the questionnaire, 5 voted in a workshop (2 did both; "
        "3 voted anonymously and may also have answered the questionnaire)." in text
    )
    workshop_only = page_text(client, cast, assessment, "workshop")
    assert "5 people voted in a workshop, 3 of them anonymously." in workshop_only


def test_the_plan_pdf_counts_people_once(meeting):
    _, text = text_of(plan_pdf.render_plan_pdf(meeting.assessment))
    flat = " ".join(text.split())
    assert (
        "9 people took part: 8 answered the questionnaire, 8 voted in a workshop (7 did both)."
        in flat
    )
    assert "Where someone answered a question both ways, their later answer counts." in flat
    assert "16 people" not in flat


def test_the_item_table_counts_people_once_and_the_answers_file_keeps_every_answer(
    client, cast, meeting
):
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, meeting.assessment.pk]

    def table(what: str) -> list[dict]:
        url = reverse("results-export", args=[*ids, what, "csv"])
        return list(csv.DictReader(io.StringIO(client.get(url).content.decode())))

    items = {row["Item"]: row for row in table("items")}
    assert items["1.1"]["Answers"] == "9"
    assert items["1.1"]["Rated 2"] == "6"
    assert items["1.1.2"]["Answers"] == "9"
    answers = [row for row in table("answers") if row["Item"] == "1.1"]
    assert len(answers) == 16  # every answer, each way, as it was given


def test_the_charts_count_people_once(meeting):
    heat_rows = chart_inputs(meeting.assessment).heat_rows
    cells = dict(heat_rows[0].cells)
    assert cells["1.1"] == pytest.approx((1 + 2 * 6 + 4 * 2) / 9)
    alone = chart_inputs(meeting.assessment, "questionnaire").heat_rows
    assert dict(alone[0].cells)["1.1"] == 4


def test_trends_count_people_once_in_earlier_assessments(cast, meeting):
    later = make_assessment(cast, title="The next round", opens=30, closes=60)
    (trend,) = trends_for(later)
    assert trend.items[("1.1", "internal")] == pytest.approx((1 + 2 * 6 + 4 * 2) / 9)
