"""Which glossary terms a question's words use (questions/glossary.py)."""

from __future__ import annotations

from questions.glossary import terms_used

GLOSSARY = [
    {"term": "LSP", "stands_for": "", "meaning": "The partnership.", "matches": ["LSP"]},
    {
        "term": "NIS",
        "stands_for": "national indicator set",
        "meaning": "The measures.",
        "matches": ["NIS", "national indicator set"],
    },
]


def names(text: str) -> list[str]:
    return [entry["term"] for entry in terms_used(text, GLOSSARY)]


def test_a_term_matches_in_any_case_and_in_the_plural_or_possessive():
    assert names("How well does your LSP's board work?") == ["LSP"]
    assert names("Learn from other LSPs' experience") == ["LSP"]
    assert names("Using the National Indicator Set data") == ["NIS"]


def test_a_term_never_matches_inside_another_word():
    assert names("Finish the plan and the analysis") == []
    assert names("CLSPX") == []


def test_what_is_stored_for_a_question_leaves_out_the_phrases_matched():
    assert terms_used("NIS protocols", GLOSSARY) == [
        {"term": "NIS", "stands_for": "national indicator set", "meaning": "The measures."}
    ]
