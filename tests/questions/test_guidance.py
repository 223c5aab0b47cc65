"""The glossary and per-question guidance: read from the bank file, stored with its version."""

from __future__ import annotations

import pytest

from questions.bank_file import BankError, parse_bank
from questions.loader import load_bank
from questions.models import BankVersion, Item
from tests.questions.bank_helpers import load_command, write

PLAIN = """
title: "A small bank"
scale:
  - {value: 1, label: "Poor"}
  - {value: 2, label: "Good"}
elements:
  - number: 1
    heading: "Goals"
    name: "SCS"
    aspect: centre
    items:
      - key: "1.1"
        kind: rating
        text: "How well does the sustainable community strategy (SCS) reflect ambition?"
      - key: "1.1.1"
        parent: "1.1"
        kind: rating
        text: "How convincing is the 'story of place'?"
      - key: "1.2"
        kind: rating
        text: "How well do partners meet?"
"""

GLOSSARY = """
glossary:
  - term: "SCS"
    stands_for: "sustainable community strategy"
    matches: ["SCS", "sustainable community strategy"]
    meaning: "The long-term plan for an area."
  - term: "story of place"
    meaning: "What makes the area what it is."
  - term: "CPA"
    stands_for: "comprehensive performance assessment"
    meaning: "How councils were judged from 2002 to 2008."
"""

WITH_GUIDANCE = (PLAIN + GLOSSARY).replace(
    'text: "How well do partners meet?"',
    'text: "How well do partners meet?"\n'
    '        guidance: "Think of board and theme meetings."\n'
    "        survey_2008:\n"
    '          - "58% of coordinators said so."',
)


def test_a_bank_without_guidance_still_loads_and_keeps_its_checksum(tmp_path, db):
    spec = parse_bank(PLAIN)
    content = spec.as_json()
    # The content the checksum covers is what it was before guidance existed.
    assert "glossary" not in content
    assert set(content["sections"][0]["items"][0]) == {
        "key",
        "text",
        "kind",
        "parent",
        "investigate_when",
        "na_allowed",
    }
    out, _ = load_command(write(tmp_path, PLAIN))
    assert "Loaded bank version 1: 3 items" in out
    version = BankVersion.objects.get()
    assert version.glossary == []
    item = version.items.get(key="1.1")
    assert (item.guidance, item.survey_2008, item.glossary) == ("", [], [])
    assert not item.has_guidance


def test_the_loader_stores_the_glossary_and_each_question_s_terms(db):
    version = load_bank(parse_bank(WITH_GUIDANCE)).version
    assert [entry["term"] for entry in version.glossary] == ["CPA", "SCS", "story of place"]
    assert version.items.get(key="1.1").glossary == [
        {
            "term": "SCS",
            "stands_for": "sustainable community strategy",
            "meaning": "The long-term plan for an area.",
        }
    ]
    assert [e["term"] for e in version.items.get(key="1.1.1").glossary] == ["story of place"]
    meet = version.items.get(key="1.2")
    assert meet.glossary == []
    assert meet.guidance == "Think of board and theme meetings."
    assert meet.survey_2008 == ["58% of coordinators said so."]
    assert meet.has_guidance


def test_adding_guidance_makes_a_new_version_and_leaves_the_instrument_s_words_alone(tmp_path, db):
    load_command(write(tmp_path, PLAIN))
    out, _ = load_command(write(tmp_path, WITH_GUIDANCE))
    assert "Loaded bank version 2" in out
    old, new = (Item.objects.get(bank__number=n, key="1.2") for n in (1, 2))
    assert old.text == new.text == "How well do partners meet?"
    assert old.guidance == "" and new.guidance == "Think of board and theme meetings."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            'meaning: "What makes the area what it is."',
            "Glossary term 'story of place' has no meaning",
        ),
        ('term: "CPA"', "Glossary term 'SCS' appears twice"),
        ('matches: ["SCS", "sustainable community strategy"]', "matches must be a list of phrases"),
    ],
)
def test_a_broken_glossary_is_reported_with_its_line(change, message):
    broken = {
        'meaning: "What makes the area what it is."': 'meaning: ""',
        'term: "CPA"': 'term: "SCS"',
        'matches: ["SCS", "sustainable community strategy"]': "matches: 7",
    }[change]
    with pytest.raises(BankError) as caught:
        parse_bank(WITH_GUIDANCE.replace(change, broken))
    assert any(message in line for line in caught.value.lines()), caught.value.lines()


def test_survey_figures_must_be_a_list_of_sentences():
    broken = WITH_GUIDANCE.replace('- "58% of coordinators said so."', "- 58")
    with pytest.raises(BankError) as caught:
        parse_bank(broken)
    assert "Item 1.2: survey_2008 must be a list of sentences." in str(caught.value)


def test_the_real_bank_explains_its_terms_and_carries_the_2008_survey_figures(bank):
    terms = {entry["term"] for entry in bank.glossary}
    assert {"LSP", "SCS", "LAA", "CAA", "NIS", "ABG", "CPA", "story of place"} <= terms
    assert "theme partnership" in terms
    assert [e["term"] for e in bank.items.get(key="6.3.1").glossary] == ["ABG"]
    challenge = bank.items.get(key="3.1.2")
    assert challenge.text == "How well does the board's style enable performance challenge?"
    said = " ".join(challenge.survey_2008)
    for figure in ["58%", "44%", "80%", "50%"]:
        assert figure in said
    money = " ".join(bank.items.get(key="5.2").survey_2008)
    assert "72%" in money and "62%" in money
    # Figures only where the survey gave one.
    assert bank.items.exclude(survey_2008=[]).count() == 2
