"""The network section's form: for each other partner organisation, how often the
respondent's organisation works with it and, where it does, two ratings from 1 to 4.

One form validates the whole page ("Save and continue") or the one organisation saved
as the person answers. Beside each organisation the page carries, hidden, its answer
as loaded (``was-``) and the stored version (``version-``), as the questionnaire's
answer form does, so a save changes only what was changed on the page.
"""

from __future__ import annotations

from django import forms

from workshops.models import Organisation
from workshops.models.network import NetworkAnswer
from workshops.models.network_slots import (
    FREQUENCY_CHOICES,
    NetworkValue,
    field_name,
    partner_of,
)

OUT_OF_DATE = "This page is out of date: reload the page and try again"
NOT_ASKED = "That organisation is not one of the other organisations this section asks about"


class NetworkForm(forms.Form):
    def __init__(self, *args, partners: list[Organisation], scale: list[tuple[int, str]], **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.partners = {o.pk: o for o in partners}
        ratings = [(str(value), f"{value} – {label}") for value, label in scale]
        for pk, organisation in self.partners.items():
            name = organisation.name
            self.fields[field_name("freq", pk)] = forms.ChoiceField(
                required=False,
                label=f"How often does your organisation work with {name} on the "
                "partnership's business?",
                choices=FREQUENCY_CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": f"Choose how often your organisation works with {name}"
                },
            )
            for part, label in (
                ("rely", f"How far can you rely on {name} to deliver what it agrees?"),
                ("contrib", f"How much does {name} contribute to the partnership's goals?"),
            ):
                self.fields[field_name(part, pk)] = forms.ChoiceField(
                    required=False,
                    label=label,
                    choices=ratings,
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": f"Choose a number from 1 to 4 for {name}"},
                )
            self.fields[field_name("was", pk)] = forms.CharField(
                required=False,
                strip=False,
                max_length=20,
                widget=forms.HiddenInput,
                error_messages={"max_length": OUT_OF_DATE},
            )
            self.fields[field_name("version", pk)] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=2**31 - 1,
                widget=forms.HiddenInput,
                error_messages={k: OUT_OF_DATE for k in ("invalid", "min_value", "max_value")},
            )

    def sent(self) -> list[int]:
        """The organisations the data speaks of: a radio left unanswered is not posted,
        so an organisation counts as sent when the page says what it had loaded of it."""
        given = {partner_of(name) for name in self.data}
        return [pk for pk in self.partners if pk in given]

    def clean(self):
        cleaned = super().clean()
        asked_about = {partner_of(name) for name in self.data} - {None}
        if asked_about - set(self.partners):
            raise forms.ValidationError(NOT_ASKED)
        for pk in self.sent():
            value = self._value(cleaned, pk)
            problem = value.problem(self.partners[pk].name)
            if problem and not self.has_error(field_name("freq", pk)):
                part = "freq" if value.frequency is None and not value.dont_know else "rely"
                self.add_error(field_name(part, pk), problem)
        return cleaned

    @staticmethod
    def _value(cleaned: dict, pk: int) -> NetworkValue:
        return NetworkValue.given(
            *(cleaned.get(field_name(part, pk)) or "" for part in ("freq", "rely", "contrib"))
        )

    def values(self) -> dict[int, NetworkValue]:
        """What the person gave about each organisation sent, once the form is valid."""
        return {pk: self._value(self.cleaned_data, pk) for pk in self.sent()}

    def bases(self) -> dict[int, tuple[str, int]]:
        """What the page had loaded of each organisation sent; a write that does not say
        is based on no stored answer, so it cannot replace one it never saw."""
        return {
            pk: (
                self.cleaned_data.get(field_name("was", pk)) or "||",
                self.cleaned_data.get(field_name("version", pk)) or 0,
            )
            for pk in self.sent()
        }

    def rows(self, by_sector: list[tuple[str, list[Organisation]]]) -> list[dict]:
        """The page's groups: each sector's heading and its organisations' bound fields."""
        return [
            {
                "sector": sector,
                "partners": [
                    {
                        "organisation": o,
                        "freq": self[field_name("freq", o.pk)],
                        "ratings": [self[field_name(p, o.pk)] for p in ("rely", "contrib")],
                        "base": [self[field_name(p, o.pk)] for p in ("was", "version")],
                    }
                    for o in organisations
                ],
            }
            for sector, organisations in by_sector
        ]


def initial_from(answers: dict[int, NetworkAnswer]) -> dict[str, str | int]:
    """The form's initial data from the stored answers (by organisation id)."""
    initial: dict[str, str | int] = {}
    for pk, answer in answers.items():
        value = NetworkValue.of(answer)
        how_often, rely, contrib = value.code.split("|")
        initial |= {
            field_name("freq", pk): how_often,
            field_name("rely", pk): rely,
            field_name("contrib", pk): contrib,
            field_name("was", pk): value.code,
            field_name("version", pk): answer.version,
        }
    return initial
