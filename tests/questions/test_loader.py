"""Loading the bank into the database: the real bank, and a new version only for new content."""

from __future__ import annotations

from collections import Counter

import yaml
from django.conf import settings

from questions.loader import load_bank
from questions.models import BankVersion, Item
from tests.questions.bank_helpers import load_command, write

REAL_YAML = settings.QUESTION_BANK_PATH.read_text(encoding="utf-8")


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


def test_the_real_yaml_is_plain_safe_yaml():
    # Editors may process the bank with ordinary YAML tools.
    assert len(yaml.safe_load(REAL_YAML)["elements"]) == 7
    assert load_bank  # the loader is importable for services
