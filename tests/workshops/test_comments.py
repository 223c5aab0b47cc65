"""Comments and evidence notes partners add to a rating: shown with the question in results,
in the answers export and in the plan PDF, under the same rule as open answers (nothing in
an anonymous assessment until enough have answered, and only groups big enough said of who
wrote them)."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from pypdf import PdfReader

from tests.builders import make_assessment, make_person, respond
from tests.workshops.test_results import MIN, build
from workshops.models import Invitation
from workshops.reporting.plan_pdf import render_plan_pdf
from workshops.services.comments import notes_for


def noted(cast, assessment, count: int, *, start: int = 0, role="officer", **answers) -> None:
    """``count`` partners who rated 1.1 and added a note to it, then submitted."""
    for n in range(start, start + count):
        person = make_person(cast, f"Partner {n}", f"partner{n}@example.org", role=role)
        invitation = Invitation.objects.create(assessment=assessment, person=person)
        values = {"1.1:internal": "3", "1.1:note": f"Evidence number {n}", **answers}
        respond(invitation, values, submitted=True)


def page_of(client, assessment) -> str:
    url = reverse("results", args=[assessment.partnership_id, assessment.pk])
    return client.get(url).content.decode()


def answers_csv(client, assessment) -> list[list[str]]:
    args = [assessment.partnership_id, assessment.pk, "answers", "csv"]
    response = client.get(reverse("results-export", args=args))
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_notes_appear_with_their_question_and_who_wrote_them(client, cast, assessment):
    noted(cast, assessment, 3, role="board_member")
    # A draft is not counted, so neither is its note.
    person = make_person(cast, "Drafting", "draft@example.org")
    draft = Invitation.objects.create(assessment=assessment, person=person)
    respond(draft, {"1.1:internal": "1", "1.1:note": "Not sent yet"})

    element = build(assessment).elements[0]
    ((item, notes),) = element.notes
    assert item.key == "1.1"
    who = "Board members, Public sector, Operational or thematic"
    assert [(n.text, n.who) for n in notes] == [(f"Evidence number {n}", who) for n in range(3)]
    client.force_login(cast.executive)
    page = page_of(client, assessment)
    assert "Comments and evidence" in page
    assert "Evidence number 2 <span" in page and "Not sent yet" not in page


def test_an_anonymous_assessment_keeps_notes_back_until_enough_have_answered(
    client, cast, bank, settings
):
    settings.MIN_GROUP_SIZE_COMMENTS = 5
    anonymous = make_assessment(cast, anonymous=True)
    noted(cast, anonymous, 4)
    assert build(anonymous).elements[0].notes == []
    assert notes_for(anonymous, anonymous.items.get(key="1.1"), MIN)[0] == []
    client.force_login(cast.coordinator)
    page = page_of(client, anonymous)
    assert "Evidence number" not in page
    assert "Comments and evidence notes on these ratings are kept back too" in page
    assert "Evidence number" not in str(answers_csv(client, anonymous))
    report = PdfReader(io.BytesIO(render_plan_pdf(anonymous)))
    assert "Evidence number" not in " ".join(p.extract_text() for p in report.pages)

    noted(cast, anonymous, 1, start=4)
    notes, withheld = notes_for(anonymous, anonymous.items.get(key="1.1"), MIN)
    assert withheld == "" and len(notes) == 5
    # Five officers in the public sector, all operational: all of it may be said.
    assert {n.who for n in notes} == {"Other partners, Public sector, Operational or thematic"}
    assert "Evidence number 4" in page_of(client, anonymous)


def test_notes_say_only_groups_big_enough_of_who_wrote_them(cast, bank, settings):
    settings.MIN_GROUP_SIZE_COMMENTS = 3
    anonymous = make_assessment(cast, anonymous=True)
    noted(cast, anonymous, 1, role="coordinator")
    noted(cast, anonymous, 3, start=1)
    notes, _ = notes_for(anonymous, anonymous.items.get(key="1.1"), MIN)
    # A role would single out the coordinator: only what all four share is said.
    assert {n.who for n in notes} == {"Public sector, Operational or thematic"}
    assert [n.who for n in build(anonymous).elements[0].notes[0][1]] == [n.who for n in notes]


def test_the_answers_export_gives_each_note_once_beside_the_rating(client, cast, bank):
    both = make_assessment(cast, basis="both")
    noted(cast, both, 2, **{"1.1:external": "2"})
    person = make_person(cast, "Notes only", "notes@example.org")
    invitation = Invitation.objects.create(assessment=both, person=person)
    values = {"1.2:internal": "4", "1.1:note": "A note without a rating"}
    respond(invitation, values, submitted=True)
    client.force_login(cast.coordinator)
    rows = answers_csv(client, both)
    header = rows[0]
    assert header[-3:] == ["Answer", "Comment or evidence", "Text"]
    note = header.index("Comment or evidence")
    item, basis = header.index("Item"), header.index("Basis")
    noted_rows = [r for r in rows[1:] if r[note]]
    assert sorted(r[note] for r in noted_rows) == [
        "A note without a rating",
        "Evidence number 0",
        "Evidence number 1",
    ]
    # On the respondent's first row for the question, not repeated on the other basis.
    assert {(r[item], r[basis]) for r in noted_rows} == {
        ("1.1", "Against our own plans"),
        ("1.1", ""),
    }


def test_the_plan_pdf_prints_notes_under_their_question(cast, assessment):
    noted(cast, assessment, 3)
    report = PdfReader(io.BytesIO(render_plan_pdf(assessment)))
    text = " ".join(" ".join(p.extract_text() for p in report.pages).split())
    # After the contents, the appendix: its heading, then the elements' tables and notes.
    appendix = text.split("Appendix: every question", 2)[2].split("what the workshops agreed")[0]
    assert "Comments and evidence 1.1 How well" in appendix
    assert "Evidence number 0" in appendix and "Evidence number 2" in appendix
