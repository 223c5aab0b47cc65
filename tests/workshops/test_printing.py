"""The paper questionnaire: the PDF itself, the fetcher that guards it, and the views."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from tests.builders import make_assessment, make_organisations
from workshops.models.assessment import Scope
from workshops.reporting import pdf
from workshops.reporting.pdf import RefusedURL, render_pdf
from workshops.reporting.questionnaire_pdf import render_questionnaire_pdf
from workshops.services.questionnaire import outline


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces folded, so wrapped lines still match."""
    return " ".join(text.split())


@pytest.fixture
def full_pdf(assessment, fetches, no_network):
    return render_questionnaire_pdf(assessment)


def test_the_questionnaire_pdf_holds_every_element_and_the_questions(assessment, full_pdf):
    assert full_pdf.startswith(b"%PDF")
    pages, text = pdf_text(full_pdf)
    text = flat(text)
    sections = outline(assessment)
    for entry in sections:
        section = entry.section
        assert flat(section.heading) in text
        if section.is_element:
            label = f"Element {section.number} · {section.name} · {section.get_aspect_display()}"
            assert label in text
    items = [item for entry in sections for item in entry.items]
    for item in [items[0], items[1], items[len(items) // 2], items[-2], items[-1]]:
        assert flat(item.text) in text, item.key
    for _, label in assessment.bank.scale_choices():
        assert label in text
    assert "Don't know" in text
    assert "Comment or evidence" in text
    assert "Page 1 of" in text
    assert f"Page {pages} of {pages}" in text
    assert 7 < pages < 60


def test_the_pdf_is_titled_from_the_html_and_uses_only_the_local_stylesheet(
    full_pdf, fetches, no_network
):
    reader = PdfReader(io.BytesIO(full_pdf))
    assert reader.metadata.title == "Spring 2026 self-assessment: questionnaire – Eastvale LSP"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert fetches == [(f"{settings.SITE_URL}/static/css/print.css", "served")]
    assert no_network == []


def test_a_top_level_only_questionnaire_is_shorter(cast, bank, full_pdf):
    top_level = make_assessment(cast, title="Quick check", scope=Scope.TOP_LEVEL, anonymous=True)
    short_pages, text = pdf_text(render_questionnaire_pdf(top_level))
    full_pages, _ = pdf_text(full_pdf)
    assert short_pages < full_pages
    assert "How convincing is the 'story of place'?" not in flat(text)


def test_rating_on_both_bases_gives_two_rows_of_boxes_per_question(cast, bank):
    both = make_assessment(
        cast, title="Both ways", scope=Scope.ELEMENTS, sections=(1,), basis="both"
    )
    _, text = pdf_text(render_questionnaire_pdf(both))
    text = flat(text)
    ratings = [i for entry in outline(both) for i in entry.items if i.kind == "rating"]
    assert "Rate each “how well” question twice" in text
    # A row label is the word alone; the instructions give "Internal: against …".
    assert len(re.findall(r"\bInternal\b(?!:)", text)) == len(ratings) + 1
    assert len(re.findall(r"\bExternal\b(?!:)", text)) == len(ratings) + 1


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.png",
        "https://example.com/x.css",
        "file:///etc/passwd",
        "/static/../lsp_assess/settings.py",
        "/static/%2e%2e/lsp_assess/settings.py",
        "/static//etc/passwd",
        "http://example.com/static/css/print.css",
        "/static/css/missing.css",
        "/lsp_assess/settings.py",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url, no_network):
    with pytest.raises(RefusedURL):
        pdf.safe_url_fetcher(url)
    assert no_network == []


def test_the_fetcher_serves_our_static_files():
    response = pdf.safe_url_fetcher("/static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert response.url == f"{settings.SITE_URL}/static/css/print.css"


def test_the_fetcher_serves_data_urls():
    response = pdf.safe_url_fetcher("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_refused_resources_are_skipped_and_never_fetched(fetches, no_network):
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>Sneaky</title></head><body>'
        "<p>Before the images</p>"
        '<img src="http://example.com/x.png" alt="remote">'
        '<img src="file:///etc/passwd" alt="local file">'
        '<link rel="stylesheet" href="https://example.com/x.css">'
        "</body></html>"
    )
    data = render_pdf(html)
    assert data.startswith(b"%PDF")
    assert "Before the images" in pdf_text(data)[1]
    refused = {url for url, outcome in fetches if outcome == "refused"}
    assert refused == {
        "http://example.com/x.png",
        "file:///etc/passwd",
        "https://example.com/x.css",
    }
    assert no_network == []


def print_url(name: str, assessment) -> str:
    return reverse(name, args=[assessment.partnership_id, assessment.pk])


def sign_in(client, user) -> None:
    client.force_login(user)


def test_the_coordinator_sees_the_printable_page(client, cast, assessment):
    sign_in(client, cast.coordinator)
    response = client.get(print_url("questionnaire-print", assessment))
    assert response.status_code == 200
    content = response.content.decode()
    items = [item for entry in outline(assessment) for item in entry.items]
    for item in [items[0], items[-1]]:
        assert escape(item.text) in content
    assert "Print this page" in content
    assert print_url("questionnaire-pdf", assessment) in content
    assert "/static/css/print.css" in content


def test_the_coordinator_downloads_the_pdf(client, cast, assessment):
    sign_in(client, cast.coordinator)
    response = client.get(print_url("questionnaire-pdf", assessment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="eastvale-lsp-spring-2026-self-assessment-questionnaire.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    # The PDF is for paper: no link back to the web page or hint to print it.
    assert "Print this page" not in pdf_text(response.content)[1]


@pytest.mark.parametrize("name", ["questionnaire-print", "questionnaire-pdf"])
def test_a_participant_may_not_print_the_questionnaire(client, cast, assessment, name):
    sign_in(client, cast.participant)
    assert client.get(print_url(name, assessment)).status_code == 403


@pytest.mark.parametrize("name", ["questionnaire-print", "questionnaire-pdf"])
def test_another_partnership_cannot_see_the_questionnaire(client, cast, assessment, name):
    sign_in(client, cast.outsider)
    assert client.get(print_url(name, assessment)).status_code == 404


@pytest.mark.parametrize("name", ["questionnaire-print", "questionnaire-pdf"])
def test_signing_in_is_required(client, assessment, name):
    response = client.get(print_url(name, assessment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_paper_questionnaire_prints_the_network_section_when_it_is_on(
    cast, bank, fetches, no_network
):
    make_organisations(cast.partnership, third=["Age Concern Eastvale"])
    asked = make_assessment(cast, scope=Scope.ELEMENTS, sections=(8,), network=True)
    _, text = pdf_text(render_questionnaire_pdf(asked))
    text = flat(text)
    assert "How your organisation works with partners" in text
    assert "other than your own" in text
    # A grid for every organisation, by sector, with boxes for each answer.
    assert text.index("Public sector") < text.index("Eastvale District Council")
    assert text.index("Third sector") < text.index("Age Concern Eastvale")
    assert "How often Never A few times a year Monthly Weekly or more Don't know this" in text
    assert "Can rely on it 1 2 3 4" in text
    assert "Contributes to goals 1 2 3 4" in text
    not_asked = make_assessment(cast, scope=Scope.ELEMENTS, sections=(8,))
    _, text = pdf_text(render_questionnaire_pdf(not_asked))
    assert "How your organisation works with partners" not in flat(text)
