"""The accessibility statement: public, linked from the footer of every page, and
saying what the public sector accessibility regulations ask a statement to say."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

HEADING = "Accessibility statement for LSP Assess"


def footer(html: str) -> str:
    match = re.search(r"<footer\b.*?</footer>", html, re.S)
    assert match, "the page has no footer"
    return match.group(0)


@pytest.mark.django_db
def test_anyone_can_read_the_statement_without_signing_in(client):
    response = client.get(reverse("accessibility"))

    assert response.status_code == 200
    assert response.templates[0].name == "accessibility.html"
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-xl">{HEADING}</h1>' in html
    assert "<title>Accessibility statement – LSP Assess</title>" in html
    # The parts of the model statement, in its words where they matter.
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service's accessibility",
        "Compliance status",
        "Preparation of this accessibility statement",
    ):
        assert re.search(rf"<h[23] [^>]*>{heading}</h[23]>", html), heading
    assert "Equality and Human Rights Commission (EHRC)" in html
    assert "This statement was prepared on 23 November 2026." in html
    assert "your partnership's coordinator" in html
    # What was tested, and how.
    for tested in (
        "axe-core",
        "desktop and phone sizes",
        "keyboard",
        "320 pixels wide",
        "200% zoom",
        "PDF/UA-1",
        # and what was tested by hand, as the automated checks cannot see it
        "by hand",
        "accessibility tree",
        "status messages",
        "keyboard focus",
        "linked to its field",
        "page's title",
        "structure of the improvement plan PDF",
    ):
        assert tested in html, tested
    assert "It was last reviewed on 6 December 2026." in html


@pytest.mark.django_db
def test_the_footer_of_every_kind_of_page_links_to_the_statement(client, cast):
    url = reverse("accessibility")
    link = f'<a class="govuk-footer__link" href="{url}">Accessibility statement</a>'
    anonymous = [reverse("home"), reverse("login"), reverse("join"), "/no-such-page/"]
    for page in anonymous:
        response = client.get(page)
        assert link in footer(response.content.decode()), page

    client.force_login(cast.participant)
    response = client.get(cast.partnership.get_absolute_url())
    assert response.status_code == 200
    assert link in footer(response.content.decode())
    # And only once, in the footer: not in the page's own content.
    assert response.content.decode().count(f'href="{url}"') == 1
