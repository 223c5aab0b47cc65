"""Draft actions proposed from the results: one from each source, and never twice."""

from __future__ import annotations

from tests.builders import make_workshop
from tests.workshops.test_results import respond
from workshops.services import draft_actions
from workshops.services import plan as services
from workshops.services.workshop import add_action


def sources(assessment) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for action in assessment.actions.order_by("pk"):
        found.setdefault(action.source, []).append(action.title or action.description)
    return found


def test_drafts_come_from_flagged_answers_the_weakest_band_gaps_and_workshops(cast, assessment):
    for value in ["yes", "yes", "no"]:  # 1.1.2: 'no' is to investigate
        respond(assessment, role="coordinator", **{"1_1": "4", "1_1_2": value, "2_1": "1"})
    for _ in range(3):
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
    assert "Understand why views differ on 1.1" in found["gap"]  # 4.0 against 1.0 by role
    assert "Understand why views differ on 1.1.2" in found["gap"]  # 67% against 0%
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
