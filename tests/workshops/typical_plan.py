"""A typical assessment for the improvement plan: twenty-four people (eight kinds of
partner, three of each) from three sectors, three roles and two governance layers answer
every question, the way a real partnership's answers spread (mostly middling, a weak
element, some 'no's, board-level members rating a point higher: views that differ, in
groups large enough that the difference is unlikely to be chance).

The plan's service tests and its browser test share it, so both work on drafts as
many as a real assessment proposes."""

from __future__ import annotations

import random

from tests.workshops.test_results import respond
from workshops.models import Assessment

# Who answered: (role, sector, layer, organisation), ``COPIES`` people of each.
PEOPLE = [
    ("coordinator", "public", "strategic", "Eastvale District Council"),
    ("board_member", "public", "strategic", "Eastvale District Council"),
    ("board_member", "public", "strategic", "Eastvale Police"),
    ("board_member", "private", "strategic", "Eastvale Chamber of Commerce"),
    ("officer", "public", "operational", "Eastvale District Council"),
    ("officer", "third", "operational", "Eastvale CVS"),
    ("officer", "private", "operational", "Eastvale Chamber of Commerce"),
    ("theme_lead", "third", "operational", "Eastvale CVS"),
]

COPIES = 3

# What the first three wrote for Looking forward: the board's candidate priorities.
LOOKING_FORWARD = [
    "Joint commissioning",
    "Sharing data between partners",
    "A shared workforce plan",
]

# An element's usual rating, before each person's own spread; element 5 is the weak one.
TYPICAL = {1: 3, 2: 3, 3: 3, 4: 2, 5: 1, 6: 3, 7: 2}


def answer_typically(assessment: Assessment, seed: int = 17) -> None:
    """Every person answers every rating and yes/no question of the elements."""
    chance = random.Random(seed)
    items = list(
        assessment.items.filter(section__is_element=True)
        .select_related("section")
        .order_by("position")
    )
    for n, (role, sector, layer, organisation) in enumerate(PEOPLE * COPIES):
        answers: dict[str, str] = {"8_1": LOOKING_FORWARD[n]} if n < len(LOOKING_FORWARD) else {}
        for item in items:
            name = item.key.replace(".", "_")
            if item.kind == "rating":
                usual = TYPICAL[item.section.number] + (layer == "strategic")
                answers[name] = str(max(1, min(4, usual + chance.choice([-1, 0, 0, 0, 1]))))
            elif item.kind == "yes_no":
                flagged = chance.random() < (0.6 if layer == "operational" else 0.2)
                answers[name] = item.investigate_when if flagged else _other(item)
        respond(
            assessment,
            role=role,
            sector=sector,
            layer=layer,
            organisation=organisation,
            **answers,
        )


def _other(item) -> str:
    return "yes" if item.investigate_when == "no" else "no"
