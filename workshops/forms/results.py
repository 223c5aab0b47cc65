"""Whose answers an assessment's results count: the filter on the results page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms

EVERYONE = "Everyone"
NOBODY = "No second group"


class ResultsFilterForm(forms.Form):
    """The results page's filter, sent by GET: the page, its charts and its files all read
    ``?channel=``, ``?group=`` and ``?versus=`` through it, so a view can be shared as a link.

    There is nothing to correct in a filter, so it always has an answer: a link without a
    channel, or with one the page does not offer, counts everyone's answers (the first
    choice) and the form shows that choice made; a group the assessment does not have is
    ignored, and ``ignored`` says so for the page to tell.
    """

    channel = forms.ChoiceField(label="Whose answers", widget=forms.RadioSelect)
    group = forms.ChoiceField(label="Show the results of", required=False)
    versus = forms.ChoiceField(label="Side by side with", required=False)

    def __init__(
        self,
        query: Mapping[str, str],
        *,
        channels: Mapping[str, str],
        groups: Sequence[Any] = (),
        dimensions: Mapping[str, str] | None = None,
    ) -> None:
        """``groups`` are what may be chosen (each with a ``key`` a link names it by, a
        ``name`` and a ``dimension``), listed under ``dimensions``' headings."""
        everyone = next(iter(channels))
        asked = query.get("channel")
        offered = {group.key: group for group in groups}
        self.ignored = [
            name for name in ("group", "versus") if query.get(name) and query[name] not in offered
        ]
        data = {"channel": asked if asked in channels else everyone}
        for name in ("group", "versus"):
            data[name] = query.get(name) if query.get(name) in offered else ""
        super().__init__(data)
        self.offered = offered
        self.fields["channel"].choices = list(channels.items())
        by_dimension = [
            (heading, [(g.key, g.name) for g in groups if g.dimension == dimension])
            for dimension, heading in (dimensions or {}).items()
        ]
        by_dimension = [(heading, choices) for heading, choices in by_dimension if choices]
        self.fields["group"].choices = [("", EVERYONE), *by_dimension]
        self.fields["versus"].choices = [("", NOBODY), *by_dimension]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "lsp-filter"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field.radios("channel", legend_size=Size.SMALL, small=True, inline=True),
            Fieldset(
                Field.select("group"),
                Field.select("versus"),
                legend="Any group's view",
                legend_size=Size.SMALL,
            )
            if groups
            else Layout(),
            # No name: the button would add itself to the page's address.
            Button.secondary("", "Show", css_id="results-filter-show"),
        )

    @property
    def chosen(self) -> str:
        """The channel whose answers to count."""
        self.is_valid()  # always: an unknown channel was replaced by everyone's above
        return self.cleaned_data["channel"]

    @property
    def groups(self) -> list[Any]:
        """The views asked for: [None] for everyone, [group] for one group's, or two groups
        side by side. A second group alone is shown alone; the same group twice, once."""
        self.is_valid()
        chosen = [self.offered.get(self.cleaned_data[name]) for name in ("group", "versus")]
        first, second = chosen
        if second is None or second == first:
            return [first]
        return [first, second] if first else [second]


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
