"""Every answer results count, one row each with who gave it, and how much of who may be
shown beside it: whose answers count, which of a person's answers counts when they answered
a question more than once, how many people took part and how, the groups each respondent
falls in, how many are in each group, and which descriptions of them an anonymous
assessment may show.

Two queries whatever the size: one for who answered, one for every answer as a values list.

One person, one voice. Someone may answer a question twice: in the questionnaire and again
as a named participant in a workshop (or in two workshops). Where results count both ways
together, only their later answer to each question counts (``latest_first``): it is the
view they came to, after the workshop's discussion or on going back to the questionnaire.
People are matched on who they are (the invited person an online or paper response belongs
to, the person a participant joined as), so anonymous workshop voters cannot be matched:
each counts as a person of their own, and the headline says they may have answered twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

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


# Who gave an answer, as far as results can tell people apart: ("person", id) for someone
# known by name, ("respondent", id) for a response no person is linked to.
Voice = tuple[str, int]


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
    # The same person answered the question again later, and that answer counts instead.
    superseded: bool
    role: str
    sector: str
    layer: str
    organisation: str
    channel: str
    # Shared by a respondent's answers.
    groups: dict[Comparison, str]
    voice: Voice


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


def voice_of(respondent: int, person: int | None) -> Voice:
    """Who a response is from, as far as results can tell."""
    return ("person", person) if person else ("respondent", respondent)


def person_of(prefix: str = "") -> Coalesce:
    """The person a response is from, where one is known: the person a workshop participant
    joined as (or a paper return is being entered for), else the invited person an online
    or paper response belongs to. ``prefix`` reaches a response from another model."""
    return Coalesce(f"{prefix}person", f"{prefix}invitation__person")


def latest_first() -> Window:
    """An answer's place (1, 2, ...) among the answers one person gave to one question of one
    assessment, the latest first: the one in place 1 is the one that counts. On the same
    moment, the one stored last counts. For answers from responses linked to a person."""
    return Window(
        RowNumber(),
        partition_by=[
            F("respondent__assessment_id"),
            person_of("respondent__"),
            F("item_id"),
            F("basis"),
        ],
        order_by=[F("updated_at").desc(), F("pk").desc()],
    )


def superseded_answers(respondents):
    """The answers of ``respondents`` (counted responses, of one assessment or several) that
    the same person answered again later, as a subquery of ids.

    Only people with more than one response among them are ranked: anyone else's answers
    all count, and ranking every answer would cost a sort of the whole assessment.
    """
    linked = respondents.alias(whose=person_of()).filter(whose__isnull=False)
    again = linked.filter(assessment=OuterRef("assessment"), whose=OuterRef("whose"))
    twice = linked.filter(Exists(again.exclude(pk=OuterRef("pk"))))
    ranked = Answer.objects.filter(respondent__in=twice).annotate(place=latest_first())
    return ranked.filter(place__gt=1).values("pk")


def counted_answers(respondents, channel: str = "all"):
    """The answers results count of counted ``respondents`` (a queryset): on the
    questionnaire and workshops together, each person's latest answer to each question (see
    the module's docstring); on one channel, every answer, as it was given there."""
    answers = Answer.objects.filter(respondent__in=respondents)
    if channel != "all":
        return answers
    return answers.exclude(pk__in=superseded_answers(respondents))


def answer_rows(assessment: Assessment, channel: str = "all") -> list[AnswerRow]:
    """Every answer counted in results: submitted responses and workshop votes. On the
    questionnaire and workshops together, an answer is ``superseded`` where the same person
    answered the question again later (see the module's docstring).

    Two queries: who answered, then the answers without the respondent's
    details repeated on every row, which is most of the time for big results.
    """
    people = counted_respondents(assessment, channel)
    who = {
        pk: (*details, groups_of(*details[:4]), voice_of(pk, person))
        for pk, *details, person in people.order_by().values_list(
            "pk", "role", "sector", "layer", "organisation", "channel", person_of()
        )
    }
    later = (
        ExpressionWrapper(Q(pk__in=superseded_answers(people)), output_field=BooleanField())
        if channel == "all"
        else Value(False)
    )
    answers = Answer.objects.filter(respondent__in=people).annotate(later=later).order_by()
    fields = ("respondent_id", "item_id", "basis", "rating", "choice", "text", "later")
    return [AnswerRow(*values, *who[values[0]]) for values in answers.values_list(*fields)]


@dataclass(frozen=True)
class Turnout:
    """How many people took part, and how: the questionnaire (online, on paper or imported),
    a workshop vote, or both. Anonymous workshop voters cannot be matched with anyone's
    questionnaire, so each is counted as a person of their own."""

    people: int
    questionnaire: int
    workshop: int
    both: int
    anonymous_votes: int

    @property
    def headline(self) -> str:
        people = f"{self.people} {'person' if self.people == 1 else 'people'}"
        anonymous = self.anonymous_votes
        if not self.workshop:
            return f"{people} answered the questionnaire."
        if not self.questionnaire:
            them = f", {anonymous} of them anonymously" if anonymous else ""
            if anonymous == self.workshop:
                them = ", all anonymously"
            return f"{people} voted in a workshop{them}."
        notes = [f"{self.both} did both"] if self.both or not anonymous else []
        if anonymous:
            notes.append(
                f"{anonymous} voted anonymously and may also have answered the questionnaire"
            )
        return (
            f"{people} took part: {self.questionnaire} answered the questionnaire, "
            f"{self.workshop} voted in a workshop ({'; '.join(notes)})."
        )

    @property
    def rule(self) -> str:
        """Which answer counts, where anyone answered both ways."""
        if not self.both:
            return ""
        return "Where someone answered a question both ways, their later answer counts."


def turnout(rows: list[AnswerRow]) -> Turnout:
    """Who took part in ``rows``: everyone with an answer, superseded or not."""
    ways: dict[Voice, set[bool]] = defaultdict(set)
    for row in {row.respondent: row for row in rows}.values():
        ways[row.voice].add(row.channel == WORKSHOP)
    return Turnout(
        people=len(ways),
        questionnaire=sum(False in used for used in ways.values()),
        workshop=sum(True in used for used in ways.values()),
        both=sum(len(used) == 2 for used in ways.values()),
        anonymous_votes=sum(
            kind == "respondent" and True in used for (kind, _), used in ways.items()
        ),
    )


def group_sizes(rows: list[AnswerRow]) -> dict[tuple[Comparison, str], int]:
    """People in each group of each dimension, over the whole assessment."""
    people = {row.voice: row.groups for row in rows}
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
