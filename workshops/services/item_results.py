"""One question's figures in an assessment's results: a rating item on one basis, or a
yes/no item, counted from the answer rows that count."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from questions.models import Item
from workshops.services.answer_rows import AnswerRow
from workshops.services.scores import mean, share_well

# A standard deviation of a point or more on a four-point scale means the
# partnership is split: typically as many at 1-2 as at 3-4.
SPLIT_SD = 1.0
# Share of "don't know" answers that is itself worth looking into.
HIGH_DONT_KNOW = 0.25


@dataclass
class Rating:
    """One rating item on one basis."""

    item: Item
    basis: str
    counts: dict[str, int]  # scale value or choice -> answers
    ratings: list[int]
    dont_know: int
    not_applicable: int

    @property
    def n(self) -> int:
        return len(self.ratings)

    @property
    def mean(self) -> float | None:
        return mean(self.ratings)

    @property
    def median(self) -> float | None:
        return statistics.median(self.ratings) if self.ratings else None

    @property
    def spread(self) -> float | None:
        return statistics.pstdev(self.ratings) if len(self.ratings) > 1 else None

    @property
    def split(self) -> bool:
        return self.spread is not None and self.spread >= SPLIT_SD

    @property
    def dont_know_rate(self) -> float:
        asked = self.n + self.dont_know
        return self.dont_know / asked if asked else 0.0

    @property
    def share(self) -> float | None:
        """The share rating it 3 or 4, "performs well or better"."""
        return share_well(self.ratings)


@dataclass
class YesNo:
    item: Item
    yes: int
    no: int
    dont_know: int
    not_applicable: int

    @property
    def n(self) -> int:
        return self.yes + self.no

    @property
    def yes_percent(self) -> float | None:
        return 100 * self.yes / self.n if self.n else None

    @property
    def triggered(self) -> int:
        """Answers the instrument says to look into ('no' for most questions)."""
        # The rule is the item's own (Item.needs_investigation), said once.
        counts = {"yes": self.yes, "no": self.no}
        return sum(n for answer, n in counts.items() if self.item.needs_investigation(answer))

    @property
    def dont_know_rate(self) -> float:
        asked = self.n + self.dont_know
        return self.dont_know / asked if asked else 0.0


def rating_of(item: Item, basis: str, rows: list[AnswerRow]) -> Rating:
    counts: dict[str, int] = defaultdict(int)
    ratings = []
    for row in rows:
        key = str(row.rating) if row.rating is not None else row.choice
        counts[key] += 1
        if row.rating is not None:
            ratings.append(row.rating)
    return Rating(
        item, basis, dict(counts), ratings, counts.get("dont_know", 0), counts.get("na", 0)
    )


def yes_no_of(item: Item, rows: list[AnswerRow]) -> YesNo:
    choices = defaultdict(int)
    for row in rows:
        choices[row.choice] += 1
    return YesNo(item, choices["yes"], choices["no"], choices["dont_know"], choices["na"])
