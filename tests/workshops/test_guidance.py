"""Guidance on every question: "What does this mean?" in the questionnaire, on the phone, on
the console and on paper, and the 2008 national survey's figures beside the results."""

from __future__ import annotations

import io

from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from tests.builders import make_person, respond
from tests.workshops.live_helpers import console_url, go, joined, page
from tests.workshops.questionnaire_helpers import url
from workshops.models import Invitation
from workshops.reporting.questionnaire_pdf import render_questionnaire_pdf

SCS_MEANING = "often looking ten to twenty years ahead, prepared by the LSP"
CHALLENGE_FIGURE = "58% of LSP coordinators thought members challenge each other"
NOT_A_BENCHMARK = "not a benchmark"


def block(page: str, key: str) -> str:
    """The questionnaire's markup for one question, up to the next question."""
    return page.split(f'data-item="{key}"', 1)[1].split("data-item=", 1)[0]


def test_the_questionnaire_explains_a_question_s_terms_under_it(client, invitation):
    page = client.get(url(invitation, "section", 1)).content.decode()
    scs = block(page, "1.1")
    assert '<details class="govuk-details lsp-guidance"' in scs
    assert "What does this mean?" in scs
    assert "SCS (sustainable community strategy)" in scs and SCS_MEANING in scs
    # The instrument's words are unchanged; a question using no term has nothing to open.
    assert "How well does the sustainable community strategy (SCS) reflect LSP members" in scs
    assert "What does this mean?" not in block(page, "1.2.1")
    assert reverse("glossary") in page


def test_the_questionnaire_shows_the_2008_survey_as_context_beside_its_question(client, invitation):
    page = client.get(url(invitation, "section", 3)).content.decode()
    challenge = block(page, "3.1.2")
    assert "2008 national survey" in challenge
    assert escape(CHALLENGE_FIGURE) in challenge
    assert "80% of coordinators in counties, metropolitan districts and London boroughs" in (
        challenge
    )
    assert NOT_A_BENCHMARK in challenge
    assert "2008 national survey" not in block(page, "3.1.1")


def test_a_phone_shows_what_the_current_question_means(workshop):
    phone = joined(workshop)
    go(workshop, "next")
    room = page(phone, reverse("workshop-room", args=[workshop.code]))
    assert "1.1 · The LSP&#x27;s long-term goals" in room
    assert "What does this mean?" in room and SCS_MEANING in room
    # The polled part carries it too, so it appears without reloading the page.
    live = page(phone, reverse("workshop-room-live", args=[workshop.code]))
    assert SCS_MEANING in live


def test_the_console_shows_what_the_selected_question_means(client, cast, workshop):
    workshop = go(workshop, "next")
    client.force_login(cast.facilitator)
    console = page(client, console_url(workshop))
    assert "What does this mean?" in console and SCS_MEANING in console


def test_the_printed_questionnaire_explains_terms_and_ends_with_the_glossary(
    client, cast, assessment
):
    client.force_login(cast.coordinator)
    response = client.get(reverse("questionnaire-print", args=[cast.partnership.pk, assessment.pk]))
    printed = response.content.decode()
    assert response.status_code == 200
    assert "What does this mean?" in printed
    assert escape(CHALLENGE_FIGURE) in printed
    assert "Terms used in the questions" in printed
    assert SCS_MEANING in printed


def test_the_questionnaire_pdf_reads_back_with_guidance_and_the_glossary(
    assessment, fetches, no_network
):
    reader = PdfReader(io.BytesIO(render_questionnaire_pdf(assessment)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "What does this mean?" in text
    assert "2008 national survey" in text
    assert CHALLENGE_FIGURE in text.replace("’", "'")
    assert "Terms used in the questions" in text
    assert "ABG (area based grant)" in text
    assert not no_network


def test_the_results_show_the_2008_survey_beside_its_question_and_link_terms(
    client, cast, assessment
):
    for name, value in [("Ann Lee", "3"), ("Bo Grant", "2"), ("Cy Dale", "4")]:
        invitation = Invitation.objects.create(
            assessment=assessment, person=make_person(cast, name)
        )
        respond(invitation, {"3.1.2:internal": value, "1.1:internal": value}, submitted=True)
    client.force_login(cast.executive)
    text = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk])).content
    text = text.decode()
    row = text.split("3.1.2", 1)[1].split("</tr>", 1)[0]
    assert "2008 national survey" in row and escape(CHALLENGE_FIGURE) in row
    assert NOT_A_BENCHMARK in row
    assert f"{reverse('glossary')}#term-scs" in text
