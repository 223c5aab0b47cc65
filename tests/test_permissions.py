"""The permission matrix: every URL of the site × every kind of visitor.

Outsiders (another partnership's coordinator, support staff who are not
members) get a 404 for everything of a partnership, so they cannot even learn
it exists; members whose role does not allow a page get a 403; anonymous
visitors are sent to sign in. Personal links and workshop codes are their own
credentials. A URL pattern with no row in ``tests.worlds.URLS`` fails here.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.worlds import (
    ADMIN,
    ENTRANCE,
    FACILITATE,
    INVITEE,
    LINK,
    LOGOUT,
    MANAGE,
    MEMBER,
    PHONE,
    PUBLIC,
    RESULTS,
    SIGNED_IN,
    STAFF,
    URLS,
    built_worlds,
)
from workshops.models import AuditEvent
from workshops.reporting.exports import EXPORTS

ROLES = [
    "anonymous",
    "participant",
    "executive",
    "facilitator",
    "coordinator",
    "other_coordinator",
    "staff",
]
MEMBERS = {"participant", "executive", "facilitator", "coordinator"}
ALLOWED = {
    MEMBER: MEMBERS,
    MANAGE: {"coordinator"},
    FACILITATE: {"coordinator", "facilitator"},
    RESULTS: {"coordinator", "facilitator", "executive"},
}


def expected(access: str, role: str, allowed_status: int) -> int | str:
    """What ``role`` gets from a URL needing ``access``: a status, or "login"."""
    if access in (PUBLIC, LINK, PHONE):
        return allowed_status
    if access == ENTRANCE:
        return allowed_status if role == "anonymous" else 302
    if access == LOGOUT:
        return 302 if role == "anonymous" else allowed_status
    if access == INVITEE:
        # The world's invitation is for an address nobody here signs in with.
        return allowed_status if role == "anonymous" else 403
    if access == ADMIN:
        return allowed_status if role == "staff" else "admin login"
    if role == "anonymous":
        return "login"
    if access == SIGNED_IN:
        return allowed_status
    if access == STAFF:
        return allowed_status if role == "staff" else 403
    if role not in MEMBERS:
        return 404
    return allowed_status if role in ALLOWED[access] else 403


def all_url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                names.add("admin:index")  # the admin site is one row: staff only
                continue
            names |= all_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_url_of_the_site_has_a_row_in_the_matrix():
    assert all_url_names() == set(URLS)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two partnerships with one of everything, built once for the module; each
    test runs in a transaction that is rolled back, so what one POST changes
    does not reach the next."""
    with built_worlds(django_db_blocker) as built:
        yield built


def _request(client, method: str, url: str):
    return getattr(client, method)(url)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(URLS))
def test_permission_matrix(client, db, world, name, role):
    mine, _, users = world
    row = URLS[name]
    url = row.url(mine)
    if role != "anonymous":
        client.force_login(users[role])
    events_before = AuditEvent.objects.count()
    for method in ("get", "post"):
        want = expected(row.access, role, getattr(row, method))
        response = _request(client, method, url)
        if want == "login":
            assert response.status_code == 302, (method, response.status_code)
            assert response["Location"].startswith(reverse("login") + "?next="), method
        elif want == "admin login":
            assert response.status_code == 302, (method, response.status_code)
            assert response["Location"].startswith(reverse("admin:login")), method
        else:
            assert response.status_code == want, (method, response.status_code)
        if want in (403, 404, "login"):
            # Refused: nothing of the partnership shows, and nothing was changed.
            assert mine.marker not in response.content.decode(errors="replace"), method
            assert AuditEvent.objects.count() == events_before, method


# Enumeration: partnership B's ids, in any URL, are a 404 to partnership A.

TENANT_ROWS = sorted(
    n for n, r in URLS.items() if r.access in (MEMBER, MANAGE, FACILITATE, RESULTS)
)


@pytest.mark.parametrize("name", TENANT_ROWS)
def test_another_partnerships_ids_are_404_however_they_are_put_in_a_url(client, db, world, name):
    mine, theirs, users = world
    client.force_login(users["coordinator"])
    row = URLS[name]
    urls = {row.url(theirs)}
    # B's objects under my partnership, and under my assessment.
    urls.add(row.url(replace(theirs, partnership=mine.partnership)))
    urls.add(row.url(replace(theirs, partnership=mine.partnership, assessment=mine.assessment)))
    urls.discard(row.url(mine))  # a URL with no id below the partnership's or assessment's
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"name": "Hijack", "title": "Hijack"})
            assert response.status_code == 404, (url, method)
            assert theirs.marker not in response.content.decode(errors="replace")
    assert not theirs.partnership.audit_events.exclude(summary__startswith=theirs.marker).exists()


EXPORT_KINDS = {what: ["xlsx"] if len(b) > 1 else ["csv", "xlsx"] for what, b in EXPORTS.items()}


def _text(response) -> str:
    """What a person would read in a response: a page, a CSV, a workbook or a PDF."""
    content_type = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    if "spreadsheetml" in content_type:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return body.decode()


def test_nothing_of_another_partnership_shows_in_any_list_export_or_report(client, db, world):
    mine, theirs, users = world
    # Both partnerships share benchmarks: B's figures may count in averages, never by name.
    type(mine.partnership).objects.update(share_benchmarks=True)
    client.force_login(users["coordinator"])
    urls = [URLS[name].url(mine) for name in TENANT_ROWS if URLS[name].get == 200]
    urls += [URLS["home"].url(mine)]
    for what, kinds in EXPORT_KINDS.items():
        for kind in kinds:
            urls.append(
                reverse(
                    "results-export", args=[mine.partnership.pk, mine.assessment.pk, what, kind]
                )
            )
    urls.append(URLS["plan-pdf"].url(mine) + "?print=large")
    seen = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        assert theirs.marker not in text, url
        assert theirs.partnership.name not in text, url
        seen += mine.marker in text
    # The same pages do show my own partnership's names, so the check above means something.
    assert seen >= len(urls) // 2
