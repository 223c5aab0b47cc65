"""Whose answers an assessment's results count: the filter on the results page."""

from __future__ import annotations

from collections.abc import Mapping

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms


class ResultsFilterForm(forms.Form):
    """The results page's filter, sent by GET: the page, its charts and its files all read
    ``?channel=`` through it.

    There is nothing to correct in a filter, so it always has an answer: a link without a
    channel, or with one the page does not offer, counts everyone's answers (the first
    choice) and the form shows that choice made.
    """

    channel = forms.ChoiceField(label="Whose answers", widget=forms.RadioSelect)

    def __init__(self, query: Mapping[str, str], *, channels: Mapping[str, str]) -> None:
        everyone = next(iter(channels))
        asked = query.get("channel")
        super().__init__({"channel": asked if asked in channels else everyone})
        self.fields["channel"].choices = list(channels.items())
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "lsp-filter"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field.radios("channel", legend_size=Size.SMALL, small=True, inline=True),
            # No name: the button would add itself to the page's address.
            Button.secondary("", "Show", css_id="results-filter-show"),
        )

    @property
    def chosen(self) -> str:
        """The channel whose answers to count."""
        self.is_valid()  # always: an unknown channel was replaced by everyone's above
        return self.cleaned_data["channel"]


class DifferencesFilterForm(forms.Form):
    """The list of every difference between groups, filtered and sorted by GET: the address
    carries the choice. Like the results filter it always has an answer: a value the page
    does not offer is no filter (or the first sort)."""

    channel = forms.ChoiceField(label="Whose answers")
    dimension = forms.ChoiceField(label="Compared by", required=False)
    kind = forms.ChoiceField(label="Kind of question", required=False)
    clear = forms.ChoiceField(label="Chance", required=False)
    sort = forms.ChoiceField(label="Sort")

    def __init__(
        self,
        query: Mapping[str, str],
        *,
        channels: Mapping[str, str],
        dimensions: list[str],
        kinds: Mapping[str, str],
        verdicts: Mapping[str, str],
        sorts: Mapping[str, str],
    ) -> None:
        choices = {
            "channel": list(channels.items()),
            "dimension": [("", "Every group"), *((d, d) for d in dimensions)],
            "kind": [("", "Ratings and yes or no"), *kinds.items()],
            "clear": [("", "Either"), *verdicts.items()],
            "sort": list(sorts.items()),
        }
        data = {}
        for name, offered in choices.items():
            asked = query.get(name, "")
            data[name] = asked if asked in dict(offered) else offered[0][0]
        super().__init__(data)
        for name, offered in choices.items():
            self.fields[name].choices = offered
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "lsp-filter"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            *(Field.select(name) for name in ("channel", "dimension", "kind", "clear", "sort")),
            # No name: the button would add itself to the page's address.
            Button.secondary("", "Show", css_id="differences-filter-show"),
        )

    @property
    def chosen(self) -> dict[str, str]:
        self.is_valid()  # always: unknown values were replaced above
        return self.cleaned_data
