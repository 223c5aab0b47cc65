"""Draft actions proposed from an assessment's results: investigate the flagged
answers, lift the weakest elements, understand the widest gaps between groups, look
further into what a workshop agreed to investigate, and involve partners on the edge of
the network. And the drafts waiting
for a decision, grouped for the plan page by element and by why they were proposed.

Proposed actions join the plan only when accepted (services.plan.decide).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from questions.models import Item
from workshops import audit
from workshops.models import Action, AgendaItem, Assessment
from workshops.services import results as results_service
from workshops.services.network import network_for

# The instrument's question on networking between partners (4.2): drafts about the network
# belong with it.
NETWORKING = "4.2"

# How many drafts of an element the plan page shows before "Show more": the strongest.
SHOWN_PER_ELEMENT = 3


@dataclass
class Draft:
    """One suggestion. ``strength`` orders suggestions of the same kind (how many gave
    the answer to look into, how wide the gap). ``also`` holds the keys of the
    suggestions merged into this one, so proposing again adds none of them twice."""

    key: str
    source: str
    title: str
    description: str
    item: Item | None = None
    section_id: int | None = None
    items: list[Item] = field(default_factory=list)
    also: tuple[str, ...] = ()
    strength: float = 0.0

    @property
    def keys(self) -> set[str]:
        return {self.key, *self.also}


def _listed(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} and {keys[-1]}"


def _investigate(results: results_service.Results) -> list[Draft]:
    """Flagged answers, one draft per top-level question: the sub-questions of one
    question are parts of one subject ("the evidence base", "the SCS update"), so
    the board finds out why in one conversation, not three actions."""
    drafts = []
    for section, flagged, _ in results.investigate:
        by_question: dict[int, list] = defaultdict(list)
        for y in flagged:
            by_question[y.item.parent_id or y.item.pk].append(y)
        for answers in by_question.values():
            answers.sort(key=lambda y: (-y.triggered, y.item.position))
            said = "; ".join(
                f"{y.triggered} answered '{y.item.get_investigate_when_display().lower()}' "
                f"to “{y.item.text}”"
                for y in sorted(answers, key=lambda y: y.item.position)
            )
            keys = [y.item.key for y in sorted(answers, key=lambda y: y.item.position)]
            drafts.append(
                Draft(
                    f"investigate-{answers[0].item.key}",
                    Action.Source.INVESTIGATE,
                    f"Find out why: {_listed(keys)}",
                    f"{said}. Find out why and what would change it.",
                    item=answers[0].item,
                    section_id=section.pk,
                    items=[y.item for y in answers],
                    also=tuple(f"investigate-{y.item.key}" for y in answers[1:]),
                    strength=max(y.triggered / y.n if y.n else 0 for y in answers),
                )
            )
    return drafts


def _weak_elements(results: results_service.Results) -> list[Draft]:
    bands = results.assessment.bank.bands
    weakest = bands[-1]["key"] if bands else None
    drafts = []
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
                    strength=-score,
                )
            )
    return drafts


def _gaps(results: results_service.Results) -> list[Draft]:
    """The differences "Where views differ" leads with, one draft per question. Only those
    unlikely to be chance and large: a plan is no place for chance differences between
    small groups. Differences on one question by role, by sector and by layer (or on both
    bases) are usually the same people seeing it differently, and one conversation with
    those groups covers them all."""
    by_item: dict[int, list] = defaultdict(list)
    for gap in results.differences.leading:  # largest first
        by_item[gap.item.pk].append(gap)
    drafts = []
    for gaps in by_item.values():
        item, keys = (
            gaps[0].item,
            [f"gap-{g.item.key}-{g.basis or 'answer'}-{g.dimension}" for g in gaps],
        )
        drafts.append(
            Draft(
                keys[0],
                Action.Source.GAP,
                f"Understand why views differ on {item.key}",
                f"{'. '.join(g.plain for g in gaps)}. Talk it through with "
                f"{'both groups' if len(gaps) == 1 else 'these groups'}.",
                item=item,
                section_id=item.section_id,
                also=tuple(keys[1:]),
                strength=max(g.effect for g in gaps),
            )
        )
    return drafts


def drafts_from(results: results_service.Results) -> list[Draft]:
    """What the results suggest doing: investigate the flagged answers, lift the weakest
    elements, and understand the widest gaps between groups. Each kind comes strongest
    first, so the drafts' order in the plan is the order of their strength."""
    drafts = []
    for kind in (_weak_elements, _investigate, _gaps):
        drafts += sorted(kind(results), key=lambda d: -d.strength)
    return drafts


def on_the_edge(assessment: Assessment) -> list[Draft]:
    """Partners the network shows working with no other partner, then those working with
    only one, each by name: one draft each to bring them into the partnership's work."""
    if not assessment.network:
        return []
    network = network_for(assessment, settings.MIN_GROUP_SIZE)
    if network.withheld:
        return []
    item = assessment.items.filter(key=NETWORKING).first()
    drafts = []
    for member in network.isolates + network.one_tie:
        name = member.organisation.name
        if member.degree == 0:
            found = f"{name} works with no other partner organisation on the partnership's business"
        else:
            found = (
                f"{name} works with only one other partner organisation "
                f"({member.partners[0][0].name}) on the partnership's business"
            )
        drafts.append(
            Draft(
                f"network-{member.organisation.pk}",
                Action.Source.NETWORK,
                f"Involve {name} in the theme groups",
                f"{found}, as the network answers show. Involve it in the theme groups and "
                "joint work, and agree which partner will make the first contact.",
                item=item,
                section_id=item.section_id if item else None,
                strength=1 - member.degree,
            )
        )
    return drafts


def agreed_to_investigate(assessment: Assessment) -> list[Draft]:
    """What a workshop's room agreed to investigate further, one draft per question
    (two workshops agreeing on the same question are one action)."""
    agreed = (
        AgendaItem.objects.filter(workshop__assessment=assessment, investigate=True)
        .select_related("item", "workshop")
        .order_by("item__position", "workshop__held_on", "pk")
    )
    drafts: dict[str, Draft] = {}
    for agenda_item in agreed:
        item = agenda_item.item
        if item.key in drafts:
            continue
        improvements = agenda_item.improvements.strip()
        drafts[item.key] = Draft(
            f"agreed-{item.key}",
            Action.Source.WORKSHOP,
            f"Investigate further: {item.key}",
            f"{agenda_item.workshop.title} agreed to investigate “{item.text}” further."
            + (f" Areas for improvement: {improvements}" if improvements else ""),
            item=item,
            section_id=item.section_id,
        )
    return list(drafts.values())


@transaction.atomic
def propose_drafts(assessment: Assessment, user, *, by=None) -> int:
    """Add the results' suggestions as proposed actions. Proposing again adds only
    suggestions not seen before (accepted or rejected ones stay as they are): a merged
    draft is left out when any suggestion it stands for was proposed already."""
    results = results_service.results_for(assessment, settings.MIN_GROUP_SIZE)
    drafts = agreed_to_investigate(assessment) + drafts_from(results) + on_the_edge(assessment)
    existing = set(assessment.actions.exclude(source_key="").values_list("source_key", flat=True))
    new = [d for d in drafts if not d.keys & existing]
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
        if draft.items or draft.item:
            action.items.add(*(draft.items or [draft.item]))
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


# --- The drafts waiting for a decision, as the plan page groups them ----------------------------

# Why a draft was proposed, in the order the page lists the reasons: what a room agreed
# first, then a whole element in the weakest band, then the answers, then the gaps.
REASONS = {
    Action.Source.WORKSHOP: "Agreed in a workshop",
    Action.Source.WEAK_ELEMENT: "A weak element",
    Action.Source.INVESTIGATE: "Answers to look into",
    Action.Source.GAP: "Where views differ",
    Action.Source.NETWORK: "Partners on the edge of the network",
    Action.Source.COORDINATOR: "Added by a coordinator",
}


@dataclass
class ReasonDrafts:
    """The drafts of one element proposed for one reason."""

    source: str
    heading: str
    drafts: list[Action]


@dataclass
class ElementDrafts:
    """An element's drafts: its strongest few shown, the rest behind "Show more"."""

    key: str  # "element-5", or "element-none" for drafts about no element
    heading: str
    shown: list[ReasonDrafts]
    more: list[ReasonDrafts]

    @property
    def anchor(self) -> str:
        """The page's fragment for the element's drafts."""
        return f"drafts-{self.key}"

    @property
    def drafts(self) -> list[Action]:
        return [a for group in self.shown + self.more for a in group.drafts]

    @property
    def more_count(self) -> int:
        return sum(len(group.drafts) for group in self.more)


def _by_reason(actions: list[Action]) -> list[ReasonDrafts]:
    groups: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        groups[action.source].append(action)
    return [
        ReasonDrafts(source, heading, groups[source])
        for source, heading in REASONS.items()
        if groups[source]
    ]


def element_of(action: Action):
    """The element a draft is about: the first it addresses, else its question's."""
    sections = sorted(action.sections.all(), key=lambda s: s.number)
    if sections:
        return sections[0]
    if action.item is not None and action.item.section.is_element:
        return action.item.section
    return None


def key_of(section) -> str:
    return f"element-{section.number if section is not None else 'none'}"


def anchor_of(section) -> str:
    """The plan page's fragment for an element's drafts."""
    return f"drafts-{key_of(section)}"


def still_waiting(assessment: Assessment, anchor: str) -> str:
    """Where the page comes back to after a decision: the element's drafts while some
    still wait, else the list of drafts (an emptied element is no longer on the page)."""
    waiting = assessment.actions.filter(status=Action.Status.PROPOSED)
    drafts = waiting.select_related("item__section").prefetch_related("sections")
    return anchor if anchor in {anchor_of(element_of(a)) for a in drafts} else "drafts"


def grouped_drafts(actions: list[Action]) -> list[ElementDrafts]:
    """Drafts by element (in the bank's order; those about no element last), each
    element's by reason. Drafts were proposed strongest first, so within a reason the
    proposal order is the order of strength; an element's strongest are the first
    ``SHOWN_PER_ELEMENT`` in reason order, and the rest are one click away."""
    by_element: dict[int | None, list[Action]] = defaultdict(list)
    sections = {}
    for action in sorted(actions, key=lambda a: a.pk):
        section = element_of(action)
        key = section.number if section else None
        sections[key] = section
        by_element[key].append(action)
    elements = []
    for number in sorted(by_element, key=lambda n: (n is None, n or 0)):
        order = list(REASONS)
        ranked = sorted(
            by_element[number],
            key=lambda a: order.index(a.source) if a.source in order else len(order),
        )
        section = sections[number]
        elements.append(
            ElementDrafts(
                key=key_of(sections[number]),
                heading=f"{section.number}. {section.heading}" if section else "Other drafts",
                shown=_by_reason(ranked[:SHOWN_PER_ELEMENT]),
                more=_by_reason(ranked[SHOWN_PER_ELEMENT:]),
            )
        )
    return elements


def number_same_titles(actions: list[Action]) -> None:
    """Give each action ``same_title``: "" when no other of ``actions`` has its title,
    else which of them it is ("2 of 3 with this title", oldest first). The page's buttons
    and links named by an action's title add it, so that each has a name of its own in a
    screen reader's list, where nothing else tells two drafts with the same words apart."""
    counts = Counter(str(action) for action in actions)
    seen: Counter[str] = Counter()
    for action in sorted(actions, key=lambda a: a.pk):
        title = str(action)
        seen[title] += 1
        action.same_title = (
            f"{seen[title]} of {counts[title]} with this title" if counts[title] > 1 else ""
        )
