from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from questions.loader import BankError, load_bank, parse_bank, read_bank
from questions.models import BankVersion, Item, Section

REAL_YAML = settings.QUESTION_BANK_PATH.read_text(encoding="utf-8")

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


def write(tmp_path, text: str):
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_command(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_question_bank", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_real_bank_has_every_item_in_its_element(bank):
    counts = Counter(bank.items.values_list("section__number", flat=True))
    assert [counts[n] for n in range(1, 9)] == [14, 14, 19, 10, 13, 15, 15, 4]
    assert bank.items.count() == 104
    top_level = Counter(bank.items.filter(parent=None).values_list("section__number", flat=True))
    assert [top_level[n] for n in range(1, 9)] == [4, 5, 6, 4, 4, 6, 8, 1]


def test_the_real_bank_keys_and_texts_are_unique(bank):
    keys = list(bank.items.values_list("key", flat=True))
    texts = list(bank.items.values_list("text", flat=True))
    assert len(set(keys)) == len(keys) == 104
    assert len(set(texts)) == len(texts) == 104


def test_the_real_bank_sections_follow_the_7s_model(bank):
    sections = list(bank.sections.values_list("number", "name", "aspect", "is_element"))
    assert sections == [
        (1, "SCS", "centre", True),
        (2, "Staff and skills", "soft", True),
        (3, "Style", "soft", True),
        (4, "Synergies", "soft", True),
        (5, "Steering", "hard", True),
        (6, "Standards", "hard", True),
        (7, "Systems", "hard", True),
        (8, "", "", False),
    ]
    assert bank.sections.get(number=8).heading == "Looking forward"


def test_the_scrambled_pages_are_reconstructed(bank):
    """The two pages the PDF extraction scrambled land in the right elements."""
    item = bank.items.get
    assert item(text__startswith="How well do chief executives").key == "2.1"
    assert (
        item(text="How well are elected members engaged at board and theme group levels?").key
        == "2.5"
    )
    first_steering = item(key="5.1")
    assert first_steering.text == "How well is performance management steered by your LSP?"
    assert [c.text[:40] for c in first_steering.children.order_by("position")] == [
        "How does the LSP board use performance i",
        "How do LSP executive and operational gro",
        "Does your LSP have a performance managem",
    ]
    assert item(text__startswith="How has your LSP facilitated discussions").section.number == 4
    assert (
        item(
            text__startswith="Is there a local 'map' or other description of local needs"
        ).section.number
        == 5
    )


def test_the_real_bank_kinds_scale_and_triggers(bank):
    assert bank.scale_choices() == [
        (1, "Performs poorly"),
        (2, "Performs adequately"),
        (3, "Performs well"),
        (4, "Performs excellently"),
    ]
    assert bank.items.get(key="1.1").kind == Item.Kind.RATING
    open_evidence = bank.items.get(text="Is the evidence base comprehensive and current?")
    assert open_evidence.kind == Item.Kind.YES_NO
    assert open_evidence.needs_investigation("no")
    assert not open_evidence.needs_investigation("yes")
    # Every yes/no item says which answer to investigate; no other kind does.
    assert not bank.items.filter(kind=Item.Kind.YES_NO, investigate_when="").exists()
    assert not bank.items.exclude(kind=Item.Kind.YES_NO).exclude(investigate_when="").exists()
    multi_tier = bank.items.get(text__startswith="How (if relevant)")
    assert multi_tier.na_allowed and multi_tier.kind == Item.Kind.OPEN
    assert bank.items.filter(na_allowed=True).count() == 4


def test_loading_twice_changes_nothing(tmp_path, db):
    path = write(tmp_path, REAL_YAML)
    out, _ = load_command(path)
    assert "Loaded bank version 1: 104 items in 8 sections" in out
    out, _ = load_command(path)
    assert "already holds this content" in out
    assert BankVersion.objects.count() == 1
    assert Item.objects.count() == 104


def test_comments_and_layout_do_not_make_a_new_version(tmp_path, db):
    load_command(write(tmp_path, REAL_YAML))
    load_command(write(tmp_path, "# a new comment\n" + REAL_YAML.replace("\n\n", "\n")))
    assert BankVersion.objects.count() == 1


def test_a_changed_file_becomes_a_new_version_and_leaves_the_old_one_alone(tmp_path, db):
    load_command(write(tmp_path, REAL_YAML))
    old = Item.objects.get(bank__number=1, key="1.1")
    changed = REAL_YAML.replace("reflect LSP members' ambition", "reflect partners' ambition")
    out, _ = load_command(write(tmp_path, changed))
    assert "Loaded bank version 2" in out
    old.refresh_from_db()
    assert "LSP members' ambition" in old.text
    new = Item.objects.get(bank__number=2, key="1.1")
    assert "partners' ambition" in new.text
    assert new.pk != old.pk
    assert BankVersion.current().number == 2
    assert Item.objects.filter(bank__number=1).count() == 104


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


def test_the_real_yaml_is_plain_safe_yaml():
    # Editors may process the bank with ordinary YAML tools.
    assert len(yaml.safe_load(REAL_YAML)["elements"]) == 7
    assert load_bank  # the loader is importable for services
