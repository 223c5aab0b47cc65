"""Local questions: a coordinator's own questions on one assessment, answered and reported
like the instrument's, and kept out of comparisons with other partnerships."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from questions.models import Item
from tests.builders import make_assessment, respond
from workshops.models import Assessment, AuditEvent, Invitation
from workshops.services.local_questions import (
    LIMIT,
    LocalQuestionError,
    add_local_question,
    change_local_question,
    local_questions,
    remove_local_question,
)

QUESTION = "How well does the partnership involve the parish councils?"


def add(assessment, text=QUESTION, kind=Item.Kind.RATING, section=3, **kw):
    return add_local_question(assessment, text=text, kind=kind, section_number=section, **kw)


def test_a_local_question_is_asked_only_by_its_assessment(cast, assessment):
    other = make_assessment(cast, title="Autumn review")
    item = add(assessment, by=cast.coordinator)
    assert (item.key, item.local, item.section.number) == ("L1", True, 3)
    assert assessment.items.filter(pk=item.pk).exists()
    assert not other.items.filter(local=True).exists()
    # A new assessment asks the instrument's questions, never another's local ones.
    newer = make_assessment(cast, title="Next year")
    assert not newer.items.filter(local=True).exists()
    assert AuditEvent.objects.filter(action="local_question.added").count() == 1


def test_it_follows_the_elements_own_questions(assessment):
    item = add(assessment)
    own = [i for i in assessment.items.order_by("position") if i.section.number == 3]
    assert own[-1] == item


def test_keys_count_up_within_each_assessment(cast, assessment):
    other = make_assessment(cast, title="Autumn review")
    first = add(assessment)
    second = add(assessment, text="Do we meet in the evening?", kind=Item.Kind.YES_NO)
    elsewhere = add(other)
    assert [first.key, second.key, elsewhere.key] == ["L1", "L2", "L1"]
    assert second.investigate_when == "no"


def test_a_double_submit_adds_one_question(assessment):
    add(assessment)
    add(assessment)
    assert len(local_questions(assessment)) == 1


def test_it_refuses_more_than_the_limit(assessment):
    for n in range(LIMIT):
        add(assessment, text=f"Question {n}?")
    with pytest.raises(LocalQuestionError, match=f"at most {LIMIT}"):
        add(assessment, text="One too many?")


def test_it_refuses_an_empty_question_and_an_unknown_place(assessment):
    with pytest.raises(LocalQuestionError, match="Enter the question"):
        add(assessment, text="   ")
    with pytest.raises(LocalQuestionError, match="where the question goes"):
        add(assessment, section=42)


def test_an_answered_question_is_neither_changed_nor_removed(cast, assessment, invitation):
    item = add(assessment)
    respond(invitation, {"L1:internal": "3"})
    with pytest.raises(LocalQuestionError, match="already has 1 answer"):
        change_local_question(
            assessment, item, text="Something else?", kind=Item.Kind.OPEN, section_number=3
        )
    with pytest.raises(LocalQuestionError, match="already has 1 answer"):
        remove_local_question(assessment, item)
    item.refresh_from_db()
    assert item.text == QUESTION
    assert assessment.items.filter(pk=item.pk).exists()


def test_an_unanswered_question_is_changed_and_removed(cast, assessment):
    item = add(assessment)
    change_local_question(
        assessment, item, text="Who else should sit on the board?", kind="open", section_number=8
    )
    item.refresh_from_db()
    assert (item.text, item.kind, item.section.number) == (
        "Who else should sit on the board?",
        "open",
        8,
    )
    remove_local_question(assessment, item, by=cast.coordinator)
    assert not Item.objects.filter(pk=item.pk).exists()
    assert AuditEvent.objects.filter(action="local_question.removed").exists()


# Pages


def page_url(name, assessment, *extra):
    return reverse(name, args=[assessment.partnership_id, assessment.pk, *extra])


def test_a_coordinator_adds_one_from_the_assessment_page(client, cast, assessment):
    client.force_login(cast.coordinator)
    page = client.get(page_url("assessment", assessment)).content.decode()
    assert f"up to {LIMIT} questions of your own" in page
    data = {"text": QUESTION, "kind": "rating", "section": "3"}
    response = client.post(page_url("local-question-add", assessment), data)
    assert response.status_code == 302
    client.post(page_url("local-question-add", assessment), data)  # a double submit
    assert [i.key for i in local_questions(assessment)] == ["L1"]
    page = client.get(page_url("assessment", assessment)).content.decode()
    assert QUESTION in page and "L1" in page


def test_bad_input_gets_a_clear_message(client, cast, assessment):
    client.force_login(cast.coordinator)
    response = client.post(page_url("local-question-add", assessment), {"kind": "sideways"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the question" in page
    assert not local_questions(assessment)


def test_the_page_says_why_an_answered_question_cannot_be_removed(
    client, cast, assessment, invitation
):
    item = add(assessment)
    respond(invitation, {"L1:internal": "3"})
    client.force_login(cast.coordinator)
    edit = client.get(page_url("local-question-edit", assessment, item.pk)).content.decode()
    assert "already has 1 answer, so it cannot be changed" in edit
    response = client.post(page_url("local-question-remove", assessment, item.pk), follow=True)
    assert "already has 1 answer" in response.content.decode()
    assert Item.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("role", ["executive", "participant", "facilitator"])
def test_only_coordinators_add_them(client, cast, assessment, role):
    client.force_login(cast.user(role))
    data = {"text": QUESTION, "kind": "rating", "section": "3"}
    response = client.post(page_url("local-question-add", assessment), data)
    assert response.status_code in (403, 404)
    assert not local_questions(assessment)


def test_another_partnerships_coordinator_gets_404(client, cast, assessment):
    item = add(assessment)
    client.force_login(cast.outsider)
    for url in (
        page_url("local-question-add", assessment),
        page_url("local-question-edit", assessment, item.pk),
        page_url("local-question-remove", assessment, item.pk),
    ):
        assert client.get(url).status_code == 404
    changed = {"text": "Taken over", "kind": Item.Kind.YES_NO, "section": 3}
    assert (
        client.post(page_url("local-question-edit", assessment, item.pk), changed).status_code
        == 404
    )
    assert client.post(page_url("local-question-remove", assessment, item.pk)).status_code == 404
    item.refresh_from_db()
    assert (item.text, item.kind) == (QUESTION, Item.Kind.RATING)
    assert assessment.items.filter(pk=item.pk).exists()


def test_an_instrument_question_cannot_be_edited_as_local(client, cast, assessment):
    own = assessment.items.get(key="1.1")
    client.force_login(cast.coordinator)
    text = own.text
    assert client.get(page_url("local-question-edit", assessment, own.pk)).status_code == 404
    changed = {"text": "Rewritten", "kind": Item.Kind.YES_NO, "section": 1}
    assert (
        client.post(page_url("local-question-edit", assessment, own.pk), changed).status_code == 404
    )
    assert client.post(page_url("local-question-remove", assessment, own.pk)).status_code == 404
    own.refresh_from_db()
    assert (own.text, own.kind) == (text, Item.Kind.RATING)
    assert assessment.items.filter(pk=own.pk).exists()


# Answered and reported like the rest


def test_the_questionnaire_asks_it_marked_local(client, assessment, invitation):
    add(assessment)
    url = reverse("questionnaire-section", args=[invitation.token, 3])
    page = client.get(url).content.decode()
    assert QUESTION in page
    assert "Local question" in page
    # After the element's own questions, which are asked as before.
    assert page.index("3.1") < page.index(QUESTION)


def test_results_show_it_marked_local_and_the_instrument_is_unchanged(
    client, cast, assessment, settings
):
    settings.MIN_GROUP_SIZE = 1
    add(assessment)
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    respond(invitation, {"L1:internal": "4", "1.1:internal": "2"}, submitted=True)
    client.force_login(cast.executive)
    page = client.get(page_url("results", assessment)).content.decode()
    assert QUESTION in page
    assert "Local question" in page


# Kept out of comparisons and trends; carried by backups


def test_benchmarks_and_trends_leave_local_questions_out(cast, assessment, invitation):
    from workshops.models import Answer
    from workshops.services.scores import rating_aggregates

    add(assessment)
    add(assessment, text="Do we meet in the evening?", kind=Item.Kind.YES_NO)
    respond(invitation, {"L1:internal": "4", "L2": "yes", "1.1:internal": "2"}, submitted=True)
    answers = Answer.objects.filter(respondent__assessment=assessment)
    keys = {key for _, key, *_ in rating_aggregates(answers)}
    assert keys == {"1.1"}


def test_another_partnerships_benchmark_never_includes_or_matches_them(cast, bank, settings):
    from workshops.models import Organisation, Partnership, Person
    from workshops.services.benchmarks import benchmark_gaps
    from workshops.services.results import results_for

    settings.MIN_GROUP_SIZE = 1
    made = []
    for n in range(6):
        partnership = Partnership.objects.create(
            name=f"Partnership {n}",
            area=f"Area {n}",
            authority_type=cast.partnership.authority_type,
            share_benchmarks=True,
            verified_at=timezone.now(),
        )
        organisation = Organisation.objects.create(
            partnership=partnership, name=f"Council {n}", sector="public"
        )
        person = Person.objects.create(
            partnership=partnership, organisation=organisation, name=f"Person {n}"
        )
        assessment = make_assessment(cast, title=f"Round {n}", partnership=partnership)
        add(assessment, kind=Item.Kind.RATING)
        invitation = Invitation.objects.create(assessment=assessment, person=person)
        respond(invitation, {"L1:internal": "1", "1.1:internal": "3"}, submitted=True)
        made.append(assessment)
    results = results_for(made[0], 1)
    shown = [b for b in results.benchmarks if b.shown]
    assert shown, "the test needs a benchmark to compare with"
    for benchmark in shown:
        assert ("1.1", "internal") in benchmark.items
        assert all(not key.startswith("L") for key, _ in benchmark.items)
    gaps = benchmark_gaps(results)
    assert gaps and all(not gap.item.local for gap in gaps)


def test_a_backup_carries_each_assessments_own_local_questions(cast, assessment, tmp_path):
    from tests.workshops.backup_helpers import delete_partnership, export_to, import_from
    from workshops.models import Answer, Partnership

    other = make_assessment(cast, title="Autumn review")
    add(assessment)
    add(other, text="Do we meet in the evening?", kind=Item.Kind.YES_NO, section=99)
    respond(
        Invitation.objects.create(assessment=assessment, person=cast.person), {"L1:internal": "4"}
    )
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    delete_partnership(cast.partnership)
    import_from(path)
    restored = Partnership.objects.get(name="Eastvale LSP")
    spring = restored.assessments.get(title=assessment.title)
    autumn = restored.assessments.get(title="Autumn review")
    assert [(i.key, i.text) for i in local_questions(spring)] == [("L1", QUESTION)]
    assert [(i.key, i.text, i.section.heading) for i in local_questions(autumn)] == [
        ("L1", "Do we meet in the evening?", "Local questions")
    ]
    answer = Answer.objects.get(respondent__assessment=spring, item__local=True)
    assert (answer.item.text, answer.rating) == (QUESTION, 4)


def test_a_csv_import_answers_a_local_question_by_its_key(cast, assessment):
    from tests.workshops.import_helpers import RESPONSES_HEADER, answers_of, csv_file
    from workshops.services.import_responses import import_responses

    other = make_assessment(cast, title="Autumn review")
    add(other, text="Something else entirely?", kind=Item.Kind.OPEN)
    add(assessment)
    add(assessment, text="Do we meet in the evening?", kind=Item.Kind.YES_NO)
    data = csv_file(
        RESPONSES_HEADER,
        "P-017,board_member,public,strategic,Eastvale District Council,L1,internal,4",
        "P-017,board_member,public,strategic,Eastvale District Council,L2,,no",
    )
    result = import_responses(assessment, data, entered_by=cast.coordinator)
    assert result.answers == 2
    assert answers_of("P-017") == {("L1", "internal"): "4", ("L2", ""): "no"}
    answered = {a.item.text for a in assessment.respondents.get().answers.all()}
    assert answered == {QUESTION, "Do we meet in the evening?"}


def test_a_question_can_go_in_a_local_section_after_looking_forward(client, cast, assessment):
    from questions.models import Section

    other = make_assessment(cast, title="Autumn review")
    item = add(assessment, section=Section.LOCAL_NUMBER, by=cast.coordinator)
    add(other, text="Another?", section=Section.LOCAL_NUMBER)
    assert item.section.heading == "Local questions" and not item.section.is_element
    assert Section.objects.filter(bank=assessment.bank, local=True).count() == 1
    # The public instrument and a new assessment's choices never show it.
    assert "Local questions" not in client.get(reverse("instrument")).content.decode()
    newer = make_assessment(cast, title="Next year")
    assert not newer.items.filter(local=True).exists()
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    url = reverse("questionnaire-section", args=[invitation.token, Section.LOCAL_NUMBER])
    page = client.get(url).content.decode()
    assert QUESTION in page and "Another?" not in page


def test_a_workshop_puts_it_on_the_agenda_marked_local(client, cast, assessment):
    from tests.builders import make_workshop

    item = add(assessment)
    workshop = make_workshop(cast, assessment)
    keys = [entry.item.key for entry in workshop.agenda.order_by("position")]
    assert "L1" in keys
    # After the element's own questions, before the next element's.
    element = [n for n, key in enumerate(keys) if key.startswith("3.")]
    next_element = [n for n, key in enumerate(keys) if key.startswith("4.")]
    assert max(element) < keys.index("L1") < min(next_element)
    client.force_login(cast.facilitator)
    url = reverse("workshop-agenda", args=[cast.partnership.pk, assessment.pk, workshop.pk])
    page = client.get(url).content.decode()
    assert item.text in page and "Local question" in page


def test_the_audit_log_says_what_changed(client, cast, assessment):
    item = add(assessment, by=cast.coordinator)
    change_local_question(
        assessment, item, text="Who else?", kind="open", section_number=3, by=cast.coordinator
    )
    client.force_login(cast.coordinator)
    page = client.get(reverse("audit-log", args=[cast.partnership.pk])).content.decode()
    assert f"Local question L1 added: “{QUESTION}”." in page
    assert "Local question L1 changed to “Who else?”." in page


def test_the_items_download_and_the_printed_questionnaire_mark_it_local(
    client, cast, assessment, settings
):
    import csv
    import io

    settings.MIN_GROUP_SIZE = 1
    add(assessment)
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    respond(invitation, {"L1:internal": "4", "1.1:internal": "2"}, submitted=True)
    client.force_login(cast.coordinator)
    url = page_url("results-export", assessment, "items", "csv")
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    marked = {row["Item"]: row["Local question"] for row in rows}
    assert marked["L1"] == "yes" and marked["1.1"] == ""
    printed = client.get(page_url("questionnaire-print", assessment)).content.decode()
    assert QUESTION in printed and "(local question)" in printed


def test_trends_leave_out_a_local_question_of_the_same_key(cast, bank, settings):
    from datetime import timedelta

    from workshops.services.results import results_for

    settings.MIN_GROUP_SIZE = 1
    earlier = make_assessment(cast, title="Last year")
    later = make_assessment(cast, title="This year")
    for assessment, rating in ((earlier, "1"), (later, "4")):
        add(assessment, text=f"Asked in {assessment.title}?")
        invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
        respond(invitation, {"L1:internal": rating, "1.1:internal": "3"}, submitted=True)
    last_year = timezone.localdate() - timedelta(days=365)
    Assessment.objects.filter(pk=earlier.pk).update(opens_on=last_year, closes_on=last_year)
    results = results_for(later, 1)
    assert results.trends
    keys = [rating.item.key for rating, _ in results.trend_rows]
    assert "1.1" in keys and "L1" not in keys
    assert all(("L1", "internal") not in trend.items for trend in results.trends)


def test_a_coordinator_changes_and_removes_an_unanswered_one(client, cast, assessment):
    item = add(assessment)
    client.force_login(cast.coordinator)
    edit = page_url("local-question-edit", assessment, item.pk)
    assert QUESTION in client.get(edit).content.decode()
    data = {"text": "Do the parish councils attend?", "kind": "yes_no", "section": "99"}
    assert client.post(edit, data).status_code == 302
    item.refresh_from_db()
    assert (item.text, item.kind, item.section.heading) == (
        "Do the parish councils attend?",
        "yes_no",
        "Local questions",
    )
    remove = page_url("local-question-remove", assessment, item.pk)
    assert "Nobody has answered it yet" in client.get(remove).content.decode()
    page = client.post(remove, follow=True).content.decode()
    assert "Local question L1 is removed." in page
    assert not local_questions(assessment)
