"""The site's layout (templates/base.html): where a page's back link sits, and the header's
links."""

from __future__ import annotations

import re

from django.urls import reverse


def back_landmarks(page: str) -> list[str]:
    return re.findall(r'<nav aria-label="Back">(.*?)</nav>', page, re.S)


def test_a_back_link_is_in_a_back_landmark_before_the_main_content(client, cast):
    client.force_login(cast.coordinator)
    page = client.get(reverse("members", args=[cast.partnership.pk])).content.decode()
    (links,) = back_landmarks(page)
    assert 'class="govuk-back-link">Back to Eastvale LSP</a>' in links
    # Before <main>, so "Skip to main content" passes it.
    assert page.index('<nav aria-label="Back">') < page.index("<main")


def test_a_page_without_a_back_link_has_no_empty_landmark(client, cast):
    client.force_login(cast.coordinator)
    # The home page has none; the form page leaves the block blank without a partnership.
    for url in (reverse("home"), reverse("partnership-create")):
        page = client.get(url).content.decode()
        assert back_landmarks(page) == [] and 'aria-label="Back"' not in page, url


def test_the_header_offers_sign_in_everywhere_but_on_the_sign_in_page(client, db):
    sign_in = f'href="{reverse("login")}">Sign in</a>'
    assert sign_in in client.get(reverse("instrument")).content.decode()
    page = client.get(reverse("login")).content.decode()
    assert sign_in not in page
    assert ">Sign in</button>" in page
