"""Every answer results count, one row each with who gave it, and how much of who may be
shown beside it: whose answers count, the groups each respondent falls in, how many are in
each group, and which descriptions of them an anonymous assessment may show.

Two queries whatever the size: one for who answered, one for every answer as a values list.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from workshops.models import Answer, Assessment, Comparison, Person, Respondent, Sector

WORKSHOP = Respondent.Channel.WORKSHOP

# The report compares coordinators with board members and other partners.
ROLE_GROUPS = {
    Person.Role.COORDINATOR: "Coordinators",
    Person.Role.CHAIR: "Board members",
    Person.Role.BOARD_MEMBER: "Board members",
}
OTHER_PARTNERS = "Other partners"
LAYERS = dict(Person.Layer.choices)
SECTORS = dict(Sector.choices)

# What is said of whoever gave an answer, beside it.
DESCRIBED = (Comparison.ROLE, Comparison.SECTOR, Comparison.LAYER)


@dataclass(slots=True)
class AnswerRow:
    """One answer, with who gave it, as the results need it. Slots: there are tens of
    thousands of these in a big assessment."""

    respondent: int
    item: int
    basis: str
    rating: int | None
    choice: str
    text: str
    role: str
    sector: str
    layer: str
    organisation: str
    channel: str
    # Shared by a respondent's answers.
    groups: dict[Comparison, str] = field(default_factory=dict)


def groups_of(role: str, sector: str, layer: str, organisation: str) -> dict[Comparison, str]:
    """The groups a respondent falls in, on each dimension results compare."""
    return {
        Comparison.ROLE: ROLE_GROUPS.get(role, OTHER_PARTNERS),
        Comparison.SECTOR: SECTORS.get(sector, sector),
        Comparison.LAYER: LAYERS.get(layer, layer),
        Comparison.ORGANISATION: organisation or "Not given",
    }


def counted_respondents(assessment: Assessment, channel: str = "all"):
    """Whose answers results count: submitted responses and workshop votes, by channel."""
    people = assessment.respondents.filter(Q(submitted_at__isnull=False) | Q(channel=WORKSHOP))
    if channel == "questionnaire":
        return people.exclude(channel=WORKSHOP)
    if channel == "workshop":
        return people.filter(channel=WORKSHOP)
    return people


def answer_rows(assessment: Assessment, channel: str = "all") -> list[AnswerRow]:
    """Every answer counted in results: submitted responses and workshop votes.

    Two queries: who answered, then the answers without the respondent's
    details repeated on every row, which is most of the time for big results.
    """
    people = counted_respondents(assessment, channel)
    who = {
        pk: (*details, groups_of(*details[:4]))
        for pk, *details in people.order_by().values_list(
            "pk", "role", "sector", "layer", "organisation", "channel"
        )
    }
    answers = Answer.objects.filter(respondent__in=people).order_by()
    fields = ("respondent_id", "item_id", "basis", "rating", "choice", "text")
    return [AnswerRow(*values, *who[values[0]]) for values in answers.values_list(*fields)]


def group_sizes(rows: list[AnswerRow]) -> dict[tuple[Comparison, str], int]:
    """Respondents in each group of each dimension, over the whole assessment."""
    people = {row.respondent: row.groups for row in rows}
    sizes: dict[tuple[Comparison, str], int] = defaultdict(int)
    for groups in people.values():
        for dimension, group in groups.items():
            sizes[(dimension, group)] += 1
    return sizes


def described_groups(
    row: AnswerRow, sizes: dict[tuple[Comparison, str], int], min_group: int, anonymous: bool
) -> list[str | None]:
    """The role, sector and layer group of whoever gave an answer, as shown beside it;
    None for a group too small to show in an anonymous assessment."""
    return [
        group if not anonymous or sizes.get((dimension, group), 0) >= min_group else None
        for dimension in DESCRIBED
        for group in [row.groups[dimension]]
    ]


def kept_dimensions(
    people: dict[int, dict[str, str]], dimensions: list[str], min_size: int
) -> list[str]:
    """The dimensions that may be shown beside each respondent's answers.

    Every combination shown must be shared by at least ``min_size`` respondents:
    each attribute may be common while the combination (a board member in the
    private sector) is one person. Dimensions are dropped one at a time, each
    time the one whose loss leaves the fewest people in too-small combinations.
    """
    kept = list(dimensions)

    def too_few(dims: list[str]) -> int:
        sizes = Counter(tuple(groups[d] for d in dims) for groups in people.values())
        return sum(n for n in sizes.values() if n < min_size)

    def loss(dimension: str) -> tuple[int, int]:
        # Fewest left in small combinations; on a tie the dimension that splits people most.
        rest = [k for k in kept if k != dimension]
        return too_few(rest), -len({groups[dimension] for groups in people.values()})

    while kept and too_few(kept):
        kept.remove(min(kept, key=loss))
    return kept


def comments_threshold(min_group: int, min_comments: int | None = None) -> int:
    """How many respondents open answers need in an anonymous assessment: more than
    figures do, because what people write can point at them."""
    wanted = settings.MIN_GROUP_SIZE_COMMENTS if min_comments is None else min_comments
    return max(min_group, wanted)
