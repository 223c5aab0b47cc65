"""Reading and checking a bank file: every problem named with its line, and nothing loaded."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from questions.bank_file import BankError, parse_bank, read_bank
from questions.models import BankVersion, Item, Section
from tests.questions.bank_helpers import load_command, write

MINIMAL = """
title: "Test bank"
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
        text: "How well?"
      - key: "1.1.1"
        parent: "1.1"
        kind: yes_no
        investigate_when: "no"
        text: "Is it?"
"""


def _broken(replace_from: str, replace_to: str) -> str:
    assert replace_from in MINIMAL
    return MINIMAL.replace(replace_from, replace_to, 1)


BAD_FILES = {
    "duplicate key": (
        MINIMAL + '      - key: "1.1"\n        kind: open\n        text: "What else?"\n',
        20,
        "duplicate key (first used on line 12)",
    ),
    "unknown kind": (_broken("kind: rating", "kind: scale"), 12, "unknown kind 'scale'"),
    "missing text": (_broken('        text: "How well?"\n', ""), 12, "missing its text"),
    "parent that does not exist": (
        _broken('parent: "1.1"', 'parent: "1.9"'),
        15,
        "parent '1.9' does not exist",
    ),
    "bad YAML": (_broken('heading: "Goals"', 'heading: "Goals'), 9, "not valid YAML"),
    "unquoted key": (_broken('key: "1.1"\n', "key: 1.1\n"), 12, "must be quoted text"),
    "repeated field": (
        _broken("kind: rating", "kind: rating\n        kind: open"),
        14,
        "appears twice (first on line 13)",
    ),
    "yes/no without a trigger": (
        _broken('investigate_when: "no"', "na_allowed: false"),
        15,
        "investigate_when",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_names_the_problem_and_its_line_and_loads_nothing(case, tmp_path, db):
    text, line, message = BAD_FILES[case]
    path = write(tmp_path, text)
    with pytest.raises(CommandError, match="nothing was loaded"):
        load_command(path)
    with pytest.raises(BankError) as caught:
        read_bank(path)
    reported = str(caught.value)
    assert f"{path}, line {line}" in reported
    assert message in reported
    assert BankVersion.objects.count() == 0
    assert Section.objects.count() == 0
    assert Item.objects.count() == 0


def test_the_command_prints_every_problem_to_stderr(tmp_path, db):
    text = MINIMAL.replace("kind: rating", "kind: scale").replace('text: "Is it?"', "text: ''")
    err = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("load_question_bank", str(write(tmp_path, text)), stderr=err)
    assert "line 12: Item 1.1: unknown kind 'scale'" in err.getvalue()
    assert "line 15: Item 1.1.1 has an empty text" in err.getvalue()


def test_a_missing_file_is_reported_not_raised(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("load_question_bank", str(tmp_path / "nope.yaml"), stderr=StringIO())
    assert BankVersion.objects.count() == 0


def test_a_minimal_valid_bank_round_trips():
    spec = parse_bank(MINIMAL)
    assert spec.item_count() == 2
    assert spec.sections[0].items[1].parent == "1.1"
    assert spec.checksum() == parse_bank(MINIMAL + "\n# trailing comment\n").checksum()
