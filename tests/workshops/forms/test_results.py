"""The results page's filter: whose answers the page, its charts and its files count."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.workshops.test_results import respond
from workshops.forms.results import ResultsFilterForm
from workshops.services.results import CHANNELS


def shows(svg: str, words: str) -> bool:
    """Whether a chart writes ``words`` (its text is text, not drawn shapes)."""
    return re.search(rf">\s*{re.escape(words)}\s*<", svg) is not None


def checked(page: str) -> list[str]:
    return re.findall(r'value="(\w+)"\s*checked', page)


def test_the_filter_counts_the_channel_asked_for_and_everyone_otherwise():
    assert ResultsFilterForm({"channel": "workshop"}, channels=CHANNELS).chosen == "workshop"
    for query in ({}, {"channel": ""}, {"channel": "nonsense"}, {"channel": "ALL"}):
        assert ResultsFilterForm(query, channels=CHANNELS).chosen == "all"


def test_the_page_filters_by_a_get_form_that_shows_the_choice(client, cast, assessment):
    for value in ["4", "3", "3"]:
        respond(assessment, **{"1_1": value})
    for value in ["1", "2", "2"]:
        respond(assessment, channel="workshop", submitted=False, **{"1_1": value})
    client.force_login(cast.coordinator)
    url = reverse("results", args=[cast.partnership.pk, assessment.pk])

    page = client.get(url, {"channel": "workshop"}).content.decode()
    form = re.search(r'<form[^>]*class="lsp-filter".*?</form>', page, re.S)[0]
    assert 'method="get"' in form
    # Nothing private goes into the address the form makes: no token, no button's name.
    assert "csrfmiddlewaretoken" not in form and 'name="submit"' not in form
    assert "Whose answers" in form and checked(form) == ["workshop"]
    assert "3 people voted in a workshop" in page
    assert "?channel=workshop" in page  # the charts and files count the same people

    page = client.get(url, {"channel": "nonsense"}).content.decode()
    assert checked(page) == ["all"]
    assert "6 people took part: 3 answered the questionnaire, 3 voted in a workshop" in page
    assert "?channel=all" in page


def test_the_charts_count_the_channel_the_page_shows(client, cast, assessment):
    respond(assessment, **{"1_1": "4"})
    respond(assessment, channel="workshop", submitted=False, **{"1_1": "1"})
    client.force_login(cast.coordinator)
    url = reverse("results-7s", args=[cast.partnership.pk, assessment.pk])
    questionnaire = client.get(url, {"channel": "questionnaire"}).content.decode()
    workshop = client.get(url, {"channel": "workshop"}).content.decode()
    assert shows(questionnaire, "4.0") and not shows(questionnaire, "1.0")
    assert shows(workshop, "1.0") and not shows(workshop, "4.0")
    everyone = client.get(url, {"channel": "all"}).content
    assert client.get(url, {"channel": "nonsense"}).content == everyone
