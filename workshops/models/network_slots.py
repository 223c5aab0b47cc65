"""One network answer as a page, a save and an import see it.

The vocabulary shared by the network section's form (``workshops.forms.network``) and
the services that store network answers (``workshops.services.network_answers``,
imports): it sits below both, as ``slots`` does for the questionnaire's answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshops.models.network import SCALE, Frequency, NetworkAnswer

DONT_KNOW = "dk"
DONT_KNOW_LABEL = "Don't know this organisation"
FREQUENCY_CHOICES = [(str(value), label) for value, label in Frequency.choices] + [
    (DONT_KNOW, DONT_KNOW_LABEL)
]
# The posted names of one partner organisation's answers, and what the page loaded.
PARTS = ("freq", "rely", "contrib")
BASE_PARTS = ("was", "version")

NOT_TOGETHER = (
    "Leave out how far you can rely on {name} and what it contributes when your "
    "organisation never works with it or does not know it"
)
HOW_OFTEN_FIRST = "Say how often your organisation works with {name} before rating it"
OFF_SCALE = "Choose a number from 1 to 4 for {name}"


def field_name(part: str, partner_id: int) -> str:
    return f"{part}-{partner_id}"


def partner_of(name: str) -> int | None:
    """The organisation id a posted field is about ("rely-12" is 12), or None."""
    part, _, number = name.partition("-")
    if part not in PARTS + BASE_PARTS or not number.isdigit():
        return None
    return int(number)


@dataclass(frozen=True)
class NetworkValue:
    """One respondent's answer about one partner organisation."""

    frequency: int | None = None
    dont_know: bool = False
    reliability: int | None = None
    contribution: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == NetworkValue()

    @property
    def code(self) -> str:
        """The answer as one string ("2|3|4", "dk||"): what a page loaded, to compare."""
        how_often = DONT_KNOW if self.dont_know else _text(self.frequency)
        return f"{how_often}|{_text(self.reliability)}|{_text(self.contribution)}"

    @classmethod
    def of(cls, answer: NetworkAnswer | None) -> NetworkValue:
        if answer is None:
            return cls()
        return cls(answer.frequency, answer.dont_know, answer.reliability, answer.contribution)

    @classmethod
    def given(cls, how_often: str, reliability: str, contribution: str) -> NetworkValue:
        """From the words of a form or a file: "" for nothing, "dk", or numbers.
        Values off the scale are kept, for ``problem`` to name."""
        return cls(
            frequency=_number(how_often) if how_often != DONT_KNOW else None,
            dont_know=how_often == DONT_KNOW,
            reliability=_number(reliability),
            contribution=_number(contribution),
        )

    def problem(self, name: str) -> str | None:
        """Why this answer about the organisation called ``name`` cannot be stored."""
        if self.frequency is not None and self.frequency not in Frequency.values:
            return f"Choose how often your organisation works with {name}"
        for rating in (self.reliability, self.contribution):
            if rating is not None and rating not in SCALE:
                return OFF_SCALE.format(name=name)
        rated = self.reliability is not None or self.contribution is not None
        if rated and (self.dont_know or self.frequency == Frequency.NEVER):
            return NOT_TOGETHER.format(name=name)
        if rated and self.frequency is None:
            return HOW_OFTEN_FIRST.format(name=name)
        return None

    def fields(self) -> dict:
        return {
            "frequency": self.frequency,
            "dont_know": self.dont_know,
            "reliability": self.reliability,
            "contribution": self.contribution,
        }


def _text(number: int | None) -> str:
    return "" if number is None else str(number)


def _number(text: str) -> int | None:
    """A whole number, None for nothing; -1 for words that are no number (off any scale)."""
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 4 else -1
