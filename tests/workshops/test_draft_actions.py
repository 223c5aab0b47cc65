"""Draft actions proposed from the results: one from each source, and never twice."""

from __future__ import annotations

from tests.builders import build_network, make_workshop
from tests.workshops.network_shapes import star
from tests.workshops.test_results import respond
from tests.workshops.typical_plan import answer_typically
from workshops.models import Action, AgendaItem
from workshops.services import draft_actions
from workshops.services import plan as services
from workshops.services.workshop import add_action


def sources(assessment) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for action in assessment.actions.order_by("pk"):
        found.setdefault(action.source, []).append(action.title or action.description)
    return found


def test_drafts_come_from_flagged_answers_the_weakest_band_gaps_and_workshops(cast, assessment):
    for value in ["yes", "yes", "yes", "no"] * 2:  # 1.1.2: 'no' is to investigate
        respond(assessment, role="coordinator", **{"1_1": "4", "1_1_2": value, "2_1": "1"})
    for _ in range(8):
        respond(assessment, role="board_member", **{"1_1": "1", "1_1_2": "no", "2_1": "1"})
    workshop = make_workshop(cast, assessment)
    add_action(
        workshop.agenda.first(),
        cast.facilitator,
        description="Refresh the SCS",
        owner=None,
        due_on=None,
    )
    assert draft_actions.propose_drafts(assessment, cast.coordinator) > 0
    found = sources(assessment)
    assert found["investigate"] == ["Find out why: 1.1.2"]
    # Element 2 scores 1.0, in the bank's weakest band ("Concern"); element 1 does not.
    assert found["weak_element"] == [
        "Strengthen leading the LSP and creating a culture of working together"
    ]
    # Only differences unlikely to be chance: 4.0 against 1.0 by role, 75% against 0%.
    assert found["gap"] == [
        "Understand why views differ on 1.1",
        "Understand why views differ on 1.1.2",
    ]
    assert found["workshop"] == ["Refresh the SCS"]
    assert {a.status for a in assessment.actions.all()} == {"proposed"}
    investigate = assessment.actions.get(source="investigate")
    assert [i.key for i in investigate.items.all()] == ["1.1.2"]
    assert [s.number for s in investigate.sections.all()] == [1]
    count = assessment.actions.count()
    assert draft_actions.propose_drafts(assessment, cast.coordinator) == 0  # nothing twice
    assert assessment.actions.count() == count


def test_a_rejected_draft_is_not_proposed_again(cast, assessment):
    respond(assessment, **{"1_1_2": "no"})
    draft_actions.propose_drafts(assessment, cast.coordinator)
    draft = assessment.actions.get(source="investigate")
    services.decide(draft, accept=False, user=cast.coordinator)
    assert draft_actions.propose_drafts(assessment, cast.coordinator) == 0
    draft.refresh_from_db()
    assert draft.status == "rejected"


# --- Merged, grouped and capped ------------------------------------------------------------------


def test_similar_suggestions_are_merged_into_one_draft_each(cast, assessment):
    answer_typically(assessment)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    drafts = list(assessment.actions.prefetch_related("items"))
    gaps = [a for a in drafts if a.source == "gap"]
    # One draft per question however many groups differ on it...
    assert len({a.item_id for a in gaps}) == len(gaps)
    both = assessment.actions.get(source_key__startswith="gap-1.1-")
    assert "% of board members rate it performs well or better (" in both.description
    assert "% of board-level members rate it performs well or better (" in both.description
    assert both.description.endswith("Talk it through with these groups.")
    # ...and one per question for the answers to look into, naming its parts.
    flagged = [a for a in drafts if a.source == "investigate"]
    parents = [a.item.parent_id or a.item_id for a in flagged]
    assert len(set(parents)) == len(parents)
    merged = assessment.actions.get(title="Find out why: 6.2, 6.2.1 and 6.2.2")
    assert sorted(i.key for i in merged.items.all()) == ["6.2", "6.2.1", "6.2.2"]
    assert merged.description.count("answered 'no'") == 3
    # 126 suggestions before merging (100 clear and large differences, 25 answers, a weak
    # element) are 57 drafts.
    assert len(drafts) == 57
    assert draft_actions.propose_drafts(assessment, cast.coordinator) == 0


def test_a_suggestion_proposed_before_merging_keeps_its_question_from_coming_back(cast, assessment):
    answer_typically(assessment)
    # Proposed one per group, as drafts were before: the weaker of the two on 1.1.
    Action.objects.create(
        assessment=assessment,
        title="Understand why views differ on 1.1",
        description="By layer",
        source="gap",
        source_key="gap-1.1-internal-Governance layer",
    )
    draft_actions.propose_drafts(assessment, cast.coordinator)
    assert assessment.actions.filter(title="Understand why views differ on 1.1").count() == 1


def test_what_a_workshop_agreed_to_investigate_is_a_draft_once(cast, assessment):
    workshop = make_workshop(cast, assessment)
    first = workshop.agenda.first()
    AgendaItem.objects.filter(pk=first.pk).update(investigate=True, improvements="Ask the CVS")
    assert draft_actions.propose_drafts(assessment, cast.coordinator) == 1
    draft = assessment.actions.get()
    assert (draft.source, draft.title) == ("workshop", f"Investigate further: {first.item.key}")
    assert draft.description == (
        f"Board away day agreed to investigate “{first.item.text}” further. "
        "Areas for improvement: Ask the CVS"
    )
    assert [s.number for s in draft.sections.all()] == [first.item.section.number]
    assert draft_actions.propose_drafts(assessment, cast.coordinator) == 0


def test_drafts_are_grouped_by_element_then_why_the_strongest_shown_first(cast, assessment):
    answer_typically(assessment)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    waiting = assessment.actions.select_related("item__section").prefetch_related("sections")
    elements = draft_actions.grouped_drafts(list(waiting))
    assert [e.key for e in elements] == [f"element-{n}" for n in range(1, 8)]
    assert sum(len(e.drafts) for e in elements) == 57
    getting_done = elements[4]
    assert getting_done.heading == "5. Getting things done"
    assert getting_done.anchor == "drafts-element-5"
    shown = [(group.heading, [a.title for a in group.drafts]) for group in getting_done.shown]
    # The weak element first, then the answers most people flagged.
    assert shown == [
        ("A weak element", ["Strengthen getting things done"]),
        ("Answers to look into", ["Find out why: 5.1.3", "Find out why: 5.3.1, 5.3.2 and 5.3.3"]),
    ]
    assert getting_done.more_count == 9 - draft_actions.SHOWN_PER_ELEMENT
    assert [group.heading for group in getting_done.more] == [
        "Answers to look into",
        "Where views differ",
    ]
    for element in elements:
        assert sum(len(g.drafts) for g in element.shown) <= draft_actions.SHOWN_PER_ELEMENT


def test_partners_on_the_edge_of_the_network_propose_drafts_once(cast, assessment):
    """The star's leaves each work with one partner; a parish council with none. With the
    network off, the same answers propose nothing."""
    organisations = star(assessment)
    build_network(
        assessment,
        {"Parish council": "public", "Fire service": "public"},
        {("Parish council", "Fire service"): 0},
    )
    assessment.network = False
    assessment.save()
    draft_actions.propose_drafts(assessment, cast.coordinator)
    assert "network" not in sources(assessment)

    assessment.network = True
    assessment.save()
    draft_actions.propose_drafts(assessment, cast.coordinator)

    drafts = list(assessment.actions.filter(source="network").order_by("pk"))
    assert [d.title for d in drafts] == [
        "Involve Parish council in the theme groups",
        "Involve Chamber of commerce in the theme groups",
        "Involve Eastvale District Council in the theme groups",
        "Involve Food bank in the theme groups",
        "Involve Youth club in the theme groups",
    ]
    assert drafts[0].description == (
        "Parish council works with no other partner organisation on the partnership's "
        "business, as the network answers show. Involve it in the theme groups and joint "
        "work, and agree which partner will make the first contact."
    )
    assert drafts[1].description.startswith(
        "Chamber of commerce works with only one other partner organisation (Fire service)"
    )
    assert drafts[0].item.key == "4.2" and [s.number for s in drafts[0].sections.all()] == [4]
    assert f"Involve {organisations['Fire service'].name} in the theme groups" not in [
        d.title for d in drafts
    ]
    assert draft_actions.propose_drafts(assessment, cast.coordinator) == 0  # never twice
    [element] = [e for e in draft_actions.grouped_drafts(drafts) if e.key == "element-4"]
    assert element.shown[0].heading == "Partners on the edge of the network"
