"""GET never changes data: every page of the permission matrix's world, read by whoever
may read it, leaves every table with the rows it had."""

from __future__ import annotations

import pytest
from django.apps import apps

from tests.worlds import (
    ADMIN,
    ENTRANCE,
    INVITEE,
    LINK,
    LOGOUT,
    PHONE,
    PUBLIC,
    SIGNED_IN,
    STAFF,
    URLS,
    built_worlds,
)

# Who reads each kind of page: the most powerful member who may.
READER = {PUBLIC: None, LINK: None, INVITEE: None, PHONE: None, ENTRANCE: None}
READER |= {SIGNED_IN: "coordinator", LOGOUT: "coordinator"}
READER |= {ADMIN: "staff", STAFF: "staff"}
# A rendered copy of the plan is a cache of what the database holds, kept so
# that many downloads cause one render; it is not data anyone entered.
CACHES = {"workshops.PlanPdf"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with built_worlds(django_db_blocker) as built:
        yield built


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.label not in CACHES
    }


@pytest.mark.parametrize("name", sorted(URLS))
def test_reading_a_page_changes_no_table(client, db, world, name):
    mine, _, users = world
    row = URLS[name]
    reader = READER.get(row.access, "coordinator")
    if reader:
        client.force_login(users[reader])
    before = row_counts()
    response = client.get(row.url(mine))
    assert response.status_code == row.get
    assert row_counts() == before
