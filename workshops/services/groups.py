"""Any group's view of the results: the groups a results page can be narrowed to (a role
group, a sector, a governance layer, an organisation or a channel), what a link calls each,
who is in it, and whether its view may be shown.

A group's view counts the answers of the people in the group that count anyway: the rule
that each person is one voice on each question (see answer_rows) is applied to everyone
first, so narrowing the view never brings back an answer someone later changed.

Sizes. No group smaller than the minimum group size is shown, anonymous or not. In an
anonymous assessment that is not enough: one view set against another must not leave fewer
than the minimum either ("everyone" less "private sector" is whoever is not in the private
sector; "public sector" less one council is the public sector's other few). So a group's
view is offered only on the dimensions whose every combination with the others holds the
minimum, as the answers export keeps its columns (``kept_dimensions``): every view offered
is then a union of such combinations, and no sum or difference of views, however many,
isolates fewer than the minimum.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from workshops.models import Answer, Assessment, Person, Sector
from workshops.services.answer_rows import (
    ROLE_GROUPS,
    WORKSHOP,
    AnswerRow,
    counted_respondents,
    kept_dimensions,
    person_of,
    voice_of,
)

# The dimensions in the order the filter lists them, with how a heading names each.
DIMENSIONS = {
    "role": "Role",
    "sector": "Sector",
    "layer": "Governance layer",
    "organisation": "Organisation",
    "channel": "How they answered",
}

# The report compares coordinators with board members: the role groups' words in a link.
ROLES = {"coordinators": "Coordinators", "board": "Board members", "others": "Other partners"}
_ROLE_OF = {
    role: next(key for key, name in ROLES.items() if name == group)
    for role, group in ROLE_GROUPS.items()
}
# Plain words for the layers: "board-level members", not "strategic (board)".
LAYERS = {
    Person.Layer.STRATEGIC: "Board-level members",
    Person.Layer.EXECUTIVE: "Executive-level members",
    Person.Layer.OPERATIONAL: "Operational and thematic members",
}
SECTORS = dict(Sector.choices)
CHANNELS = {"questionnaire": "Answers to the questionnaire", "workshop": "Votes in workshops"}
NOT_GIVEN = "Organisation not given"

# What a respondent is, on each dimension, in a link's words.
Who = dict[str, str]


def who_is(role: str, sector: str, layer: str, organisation: str, channel: str) -> Who:
    return {
        "role": _ROLE_OF.get(role, "others"),
        "sector": sector,
        "layer": layer,
        "organisation": organisation,
        "channel": "workshop" if channel == WORKSHOP else "questionnaire",
    }


def who_gave(row: AnswerRow) -> Who:
    return who_is(row.role, row.sector, row.layer, row.organisation, row.channel)


@dataclass(frozen=True)
class Group:
    """One group of respondents on one dimension, as a link names it ("sector:third")."""

    dimension: str
    value: str

    @property
    def key(self) -> str:
        return f"{self.dimension}:{self.value}"

    @property
    def name(self) -> str:
        """The group in plain words, as headings and sentences name it."""
        # A value from an older import that no list names is shown as it was given.
        words = {"role": ROLES, "sector": SECTORS, "layer": LAYERS, "channel": CHANNELS}
        return words.get(self.dimension, {}).get(self.value, self.value) or NOT_GIVEN

    @property
    def words(self) -> str:
        """The group's name inside a sentence: "board members", an organisation as named."""
        name = self.name
        return name if self.dimension == "organisation" else name[:1].lower() + name[1:]

    def holds(self, who: Who) -> bool:
        return who[self.dimension] == self.value

    def q(self, prefix: str = "") -> Q:
        """The group's respondents, as a filter on respondents (or, with ``prefix``, on what
        points at them), for the charts, which aggregate in the database."""
        field = f"{prefix}{self.dimension}"
        if self.dimension == "role":
            roles = [role for role, key in _ROLE_OF.items() if key == self.value]
            everyone_else = ~Q(**{f"{field}__in": list(_ROLE_OF)})
            return Q(**{f"{field}__in": roles}) if roles else everyone_else
        if self.dimension == "channel":
            workshop = Q(**{field: WORKSHOP})
            return workshop if self.value == "workshop" else ~workshop
        return Q(**{field: self.value})


def groups_present(assessment: Assessment, min_group: int) -> list[Group]:
    """Every group with anyone counted in it, dimension by dimension (one query): the
    choices a filter offers. Whether each may be shown is for ``why_not_shown``.

    In an anonymous assessment an organisation with fewer than ``min_group`` respondents is
    not listed: its name in the list would say that its one or two people answered.
    """
    rows = (
        counted_respondents(assessment)
        .order_by()
        .values_list("role", "sector", "layer", "organisation", "channel")
    )
    sizes = Counter(
        Group(dimension, value)
        for details in rows
        for dimension, value in who_is(*details).items()
        if value  # an organisation not given is no group a link can name
    )
    found = [
        group
        for group, size in sizes.items()
        if not (assessment.anonymous and group.dimension == "organisation" and size < min_group)
    ]
    order = list(DIMENSIONS)
    return sorted(found, key=lambda g: (order.index(g.dimension), g.name.lower()))


def people(assessment: Assessment, channel: str = "all") -> dict[int, tuple]:
    """Respondent -> (who they are, their voice), for the counted respondents who gave an
    answer (one query), for pages that do not load every answer (the charts). Someone who
    joined a workshop and never voted is in no group's count: a group of three where one
    voted would otherwise show that one's answers."""
    answered = Exists(Answer.objects.filter(respondent=OuterRef("pk")))
    rows = (
        counted_respondents(assessment, channel)
        .filter(answered)
        .order_by()
        .values_list("pk", "role", "sector", "layer", "organisation", "channel", person_of())
    )
    return {pk: (who_is(*details), voice_of(pk, person)) for pk, *details, person in rows}


def people_in(rows: list[AnswerRow]) -> dict[int, tuple]:
    """The same, from answers already loaded."""
    return {row.respondent: (who_gave(row), row.voice) for row in rows}


def why_not_shown(
    group: Group, everyone: dict[int, tuple], min_group: int, anonymous: bool, channel: str
) -> str:
    """Why a group's view is not shown, in words, or "" when it may be. ``everyone`` is
    every counted respondent of the assessment on all channels (see ``people``)."""
    voices = {voice for who, voice in everyone.values() if group.holds(who)}
    if channel != "all":
        voices = {
            voice
            for who, voice in everyone.values()
            if group.holds(who) and who["channel"] == channel
        }
    if len(voices) < min_group:
        return (
            f"{group.name}: fewer than {min_group} people answered, and no group smaller "
            f"than {min_group} is shown, so there are no figures for this group."
        )
    if anonymous:
        asked = [group.dimension] + (["channel"] if channel != "all" else [])
        by_respondent = {pk: who for pk, (who, _) in everyone.items()}
        kept = kept_dimensions(by_respondent, list(DIMENSIONS), min_group)
        if not set(asked) <= set(kept):
            return (
                f"{group.name}: in this anonymous assessment, this group's figures set "
                f"against everyone's, or another view's, would show the answers of fewer "
                f"than {min_group} people, so they are not shown. Groups of another kind may be."
            )
    return ""
