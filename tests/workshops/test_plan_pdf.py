"""The improvement plan PDF, read back with pypdf."""

from __future__ import annotations

import io
import re
import statistics
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader

from tests.builders import make_assessment, make_workshop
from tests.workshops.network_shapes import clusters
from tests.workshops.test_results import respond
from workshops.models import Action, AgendaItem, NetworkAnswer, Priority
from workshops.reporting import plan_pdf
from workshops.services import plan as plan_service
from workshops.services.workshop import add_to_agenda, record_consensus


@pytest.fixture
def planned(cast, assessment):
    for value in ["4", "3", "3"]:
        respond(assessment, role="coordinator", **{"1_1": value, "2_1": "1", "1_1_2": "no"})
    plan = plan_service.plan_for(assessment)
    Priority.objects.create(plan=plan, text="Joint commissioning with health", source="coordinator")
    Action.objects.create(
        assessment=assessment,
        title="Refresh the community strategy",
        description="With every partner",
        owner=cast.council,
        owner_person=cast.person,
        due_on=timezone.localdate() - timedelta(days=2),
        status="in_progress",
    )
    Action.objects.create(
        assessment=assessment,
        title="A rejected idea",
        description="Not in the plan",
        status="rejected",
    )
    return assessment


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def font_sizes(reader: PdfReader) -> list[float]:
    sizes = []
    for page in reader.pages[2:4]:
        content = page.get_contents().get_data().decode("latin-1")
        sizes += [float(size) for size in re.findall(r"/\w+ ([\d.]+) Tf", content)]
    return sizes


def test_the_plan_pdf_holds_the_plan_and_the_results_behind_it(planned):
    pdf = plan_pdf.render_plan_pdf(planned)
    reader, text = text_of(pdf)
    flat = " ".join(text.split())
    assert "Improvement plan" in flat and "Eastvale LSP" in flat
    assert "Draft: not yet agreed by the board" in flat
    assert "Refresh the community strategy" in flat
    assert "Priya Shah, Eastvale District Council" in flat and "(overdue)" in flat
    assert "A rejected idea" not in flat
    assert "Joint commissioning with health" in flat
    for heading in ["The LSP's long-term goals", "Shared systems", "Executive summary"]:
        assert heading in flat
    assert "1.1.2" in flat and "3 answered 'no'" in flat
    assert 8 <= len(reader.pages) <= 30
    # The table of contents gives page numbers, and every page after the cover is numbered.
    assert re.search(r"Actions\s*\.*\s*\d+", text)
    assert f"Page 2 of {len(reader.pages)}" in text


def test_the_plan_pdf_gives_shares_that_perform_well_or_better(planned):
    # Element 1: 4, 3, 3 on 1.1, all at 3 or 4. Element 2: 1, 1, 1 on 2.1, none.
    flat = " ".join(text_of(plan_pdf.render_plan_pdf(planned))[1].split())
    assert "in brackets the share of the element's ratings that say it performs well" in flat
    assert "3.3 (100%)" in flat and "1.0 (0%)" in flat
    assert "Well or better" in flat


def test_the_pdf_is_tagged_with_its_title_and_language(planned):
    reader, _ = text_of(plan_pdf.render_plan_pdf(planned))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert str(catalog["/Lang"]).lower().startswith("en")
    assert reader.metadata.title == f"Improvement plan: Eastvale LSP, {planned.title}"


def test_large_print_uses_larger_type(planned):
    standard, _ = text_of(plan_pdf.render_plan_pdf(planned))
    large, text = text_of(plan_pdf.render_plan_pdf(planned, large=True))
    assert "Large print edition" in " ".join(text.split())
    # Every piece of text, running headers included, is at least 1.4 times the size.
    assert min(font_sizes(large)) >= 1.4 * min(font_sizes(standard))
    assert statistics.median(font_sizes(large)) >= 1.5 * statistics.median(font_sizes(standard))
    assert len(large.pages) > len(standard.pages)


def test_nothing_a_user_types_is_fetched_or_run(cast, planned, fetches, no_network):
    evil = '<img src="http://169.254.169.254/latest"><img src="file:///etc/passwd">'
    action = Action.objects.get(title="Refresh the community strategy")
    Action.objects.filter(pk=action.pk).update(description=f"See {evil}")
    plan_service.add_progress(action, f"Progress {evil}", cast.coordinator)
    html = plan_pdf.plan_html(planned)
    assert html.count("&lt;img src=&quot;http://169.254.169.254/latest&quot;&gt;") == 2
    assert '<img src="http' not in html and '<img src="file' not in html
    _, text = text_of(plan_pdf.render_plan_pdf(planned))
    assert "Latest progress" in text and "169.254.169.254" in text  # shown as text
    # Only our stylesheet and the charts (data: URLs) were asked for; nothing left the machine.
    asked = {url.split(",")[0] for url, _ in fetches}
    assert asked == {f"{settings.SITE_URL}/static/css/report.css", "data:image/svg+xml;base64"}
    assert no_network == []


def squeezed_text(pdf: bytes) -> str:
    return " ".join(text_of(pdf)[1].split())


def test_the_pdf_names_each_question_with_its_words_and_basis_once(cast, bank):
    both = make_assessment(cast, basis="both")
    for value in ["4", "4", "4", "3"] * 2:
        respond(both, role="coordinator", sector="private", **{"1_2": value, "1_2__external": "1"})
    for value in ["1", "1", "2", "1"] * 2:
        respond(both, role="board_member", **{"1_2": value, "1_2__external": "4"})
    text = squeezed_text(plan_pdf.render_plan_pdf(both))
    # After the contents, the section: its heading, then the table, to the next section.
    differ = text.split("Where views differ", 2)[2].split("To investigate")[0]
    words = both.items.get(key="1.2").text
    # The largest clear difference on each question and basis, once each, in the question's
    # own words.
    for basis in ["(Against our own plans)", "(Against other LSPs)"]:
        assert differ.count(f"1.2 {words} {basis}") == 1, differ
    assert "lsps)" not in text and "(against" not in text
    # The charts say which basis they show.
    assert "Internal basis: against the LSP's own plans and goals" in text


def test_the_appendix_holds_what_each_workshop_agreed_on_every_item(cast, assessment):
    respond(assessment, **{"1_1": "3"})
    workshop = make_workshop(cast, assessment)
    looking_forward = assessment.items.get(key="8.1")
    add_to_agenda(workshop, [looking_forward])
    first, second, *_ = workshop.agenda.all()
    record_consensus(first, {"agreed_internal": 3, "rationale": "Most partners know the SCS"})
    skip = workshop.agenda.get(item__key="1.2")
    AgendaItem.objects.filter(pk=skip.pk).update(skipped=True)
    forward = workshop.agenda.get(item=looking_forward)
    record_consensus(forward, {"strengths": "Joint bids", "improvements": "Shared data"})

    text = squeezed_text(plan_pdf.render_plan_pdf(assessment))
    agreed = text.split("Appendix: what the workshops agreed", 2)[2]
    assert "Board away day" in agreed
    first_words = first.item.text
    assert f"1.1 {first_words} Agreed rating 3 Why Most partners know the SCS" in agreed
    assert f"1.2 {skip.item.text} Skipped." in agreed
    assert f"8.1 {looking_forward.text} Strengths Joint bids" in agreed
    assert "Areas for improvement Shared data" in agreed
    # Every item on the agenda is there, each once.
    for entry in workshop.agenda.all():
        assert agreed.count(f"{entry.item.key} {entry.item.text}") == 1, entry.item.key
    assert agreed.count("Nothing recorded.") == workshop.agenda.count() - 3


def test_the_plan_pdf_has_the_network_with_its_map_findings_and_table(planned, fetches, no_network):
    clusters(planned)

    text = squeezed_text(plan_pdf.render_plan_pdf(planned))

    assert "The partnership network" in text
    assert "Chamber of commerce links partners that would otherwise be apart" in text
    assert "Organisations in the network" in text
    # One organisation a line: its sector, ties, betweenness and how others see it.
    assert "Food bank, third sector: 3 ties; links others apart" in text
    # Each tie once, under the organisation first by name, as the map draws it.
    assert (
        "Chamber of commerce with Eastvale District Council (a few times a year); Food bank "
        "(monthly, said by one side only)"
    ) in text
    assert "Food bank with Youth club (weekly or more)" in text
    # The map is drawn from data, like the other charts: nothing fetched from a URL.
    assert {url.split(",")[0] for url, _ in fetches} == {
        f"{settings.SITE_URL}/static/css/report.css",
        "data:image/svg+xml;base64",
    }
    assert no_network == []


def test_the_plan_pdf_has_no_network_section_when_the_assessment_did_not_ask(planned):
    assert "The partnership network" not in squeezed_text(plan_pdf.render_plan_pdf(planned))


def test_a_change_to_the_network_answers_changes_the_pdfs_fingerprint(planned):
    clusters(planned)
    before = plan_pdf.fingerprint(planned)
    answer = NetworkAnswer.objects.filter(frequency=0).first()
    answer.frequency = 1
    answer.save()

    assert plan_pdf.fingerprint(planned) != before
