from django.urls import reverse
from django.utils.html import escape
from django.utils.text import slugify

from questions.bank_file import parse_bank
from questions.loader import load_bank
from questions.models import Item
from tests.questions.test_guidance import PLAIN


def test_the_instrument_page_shows_every_question_by_element_without_signing_in(client, bank):
    response = client.get(reverse("instrument"))
    page = response.content.decode()
    assert response.status_code == 200
    for item in Item.objects.filter(bank=bank):
        # Texts are HTML-escaped on the page.
        assert item.text.replace("'", "&#x27;") in page, item.key
    for heading in ["The LSP&#x27;s long-term goals", "Shared systems", "Looking forward"]:
        assert heading in page
    assert "Element 3 · Style · Soft (transformational)" in page
    assert "Yes or no: investigate if no" in page
    assert "1 – Performs poorly" in page
    assert reverse("glossary") in page


def test_the_instrument_page_lists_sub_questions_under_their_question(client, bank):
    page = client.get(reverse("instrument")).content.decode()
    parent = page.index("5.1 How well is performance management steered by your LSP?")
    child = page.index("5.1.2 How do LSP executive and operational groups use performance")
    next_question = page.index("5.2 How well is financial management steered by your LSP?")
    assert parent < child < next_question


def test_the_instrument_page_explains_when_no_bank_is_loaded(client, db):
    page = client.get(reverse("instrument")).content.decode()
    assert "The question bank has not been loaded yet" in page


def test_the_glossary_lists_every_term_in_plain_english_without_signing_in(client, bank):
    response = client.get(reverse("glossary"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Terms used in the questions</h1>' in page
    for entry in bank.glossary:
        assert f'id="term-{slugify(entry["term"])}"' in page
        assert escape(entry["meaning"]) in page, entry["term"]
    assert "SCS (sustainable community strategy)" in page
    assert "not part of the Audit Commission" in page
    assert reverse("instrument") in page


def test_the_glossary_says_so_when_no_bank_is_loaded(client, db):
    page = client.get(reverse("glossary")).content.decode()
    assert "The question bank has not been loaded yet" in page


def test_the_glossary_of_a_bank_without_terms_says_so(client, db):
    load_bank(parse_bank(PLAIN))
    page = client.get(reverse("glossary")).content.decode()
    assert "This version of the question bank explains no terms yet." in page
