"""Draft actions proposed from an assessment's results: investigate the flagged
answers, lift the weakest elements, understand the widest gaps between groups.

Proposed actions join the plan only when accepted (services.plan.decide).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from questions.models import Item
from workshops import audit
from workshops.models import Action, Assessment
from workshops.services import results as results_service

# Gaps between groups worth an action of their own.
GAP_POINTS = 1.0
GAP_PERCENTAGE_POINTS = 30.0


@dataclass
class Draft:
    key: str
    source: str
    title: str
    description: str
    item: Item | None = None
    section_id: int | None = None


def drafts_from(results: results_service.Results) -> list[Draft]:
    """What the results suggest doing: investigate the flagged answers, lift the weakest
    elements, and understand the widest gaps between groups."""
    drafts = []
    for section, flagged, _ in results.investigate:
        for y in flagged:
            drafts.append(
                Draft(
                    f"investigate-{y.item.key}",
                    Action.Source.INVESTIGATE,
                    f"Find out why: {y.item.key}",
                    f"{y.triggered} answered '{y.item.get_investigate_when_display().lower()}' "
                    f"to “{y.item.text}”. Find out why and what would change it.",
                    item=y.item,
                    section_id=section.pk,
                )
            )
    bands = results.assessment.bank.bands
    weakest = bands[-1]["key"] if bands else None
    for element in results.elements:
        score, band = element.headline
        if band and band["key"] == weakest:
            section = element.section
            drafts.append(
                Draft(
                    f"element-{section.number}",
                    Action.Source.WEAK_ELEMENT,
                    f"Strengthen {section.heading[:1].lower()}{section.heading[1:]}",
                    f"{section.heading} scores {score:.1f}, in the band “{band['label']}”. "
                    "Agree what would move it up.",
                    section_id=section.pk,
                )
            )
    wide = [g for g in results.rating_gaps if g.size >= GAP_POINTS]
    wide += [g for g in results.yes_no_gaps if g.size >= GAP_PERCENTAGE_POINTS]
    for gap in wide:
        drafts.append(
            Draft(
                f"gap-{gap.item.key}-{gap.basis or 'answer'}-{gap.dimension}",
                Action.Source.GAP,
                f"Understand why views differ on {gap.item.key}",
                f"{gap.plain}. Talk it through with both groups.",
                item=gap.item,
                section_id=gap.item.section_id,
            )
        )
    return drafts


@transaction.atomic
def propose_drafts(assessment: Assessment, user, *, by=None) -> int:
    """Add the results' suggestions as proposed actions. Proposing again adds only
    suggestions not seen before (accepted or rejected ones stay as they are)."""
    results = results_service.results_for(assessment, settings.MIN_GROUP_SIZE)
    drafts = drafts_from(results)
    existing = set(assessment.actions.exclude(source_key="").values_list("source_key", flat=True))
    new = [d for d in drafts if d.key not in existing]
    actions = Action.objects.bulk_create(
        Action(
            assessment=assessment,
            title=d.title,
            description=d.description,
            item=d.item,
            source=d.source,
            source_key=d.key,
            created_by=user,
        )
        for d in new
    )
    for action, draft in zip(actions, new, strict=True):
        if draft.item:
            action.items.add(draft.item)
        if draft.section_id:
            action.sections.add(draft.section_id)
    if actions:
        audit.record(
            "plan.drafts_proposed",
            by=by,
            partnership=assessment.partnership,
            target=f"Plan of “{assessment}”",
            data={"added": len(actions), "actions": [action.pk for action in actions]},
        )
    return len(actions)
