"""Publish pressed twice at once (two tabs, a retried request), on PostgreSQL with real
transactions: each respondent is emailed the summary once."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.builders import make_person
from tests.builders import respond as respond_online
from tests.smtp import smtp_server  # noqa: F401 - a fixture
from tests.workshops.test_workshop_concurrency import run_together
from workshops.models import AuditEvent, EmailSend, Invitation
from workshops.services import summary as services

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are only meaningful on PostgreSQL"
    ),
]


def test_publishing_at_once_from_four_requests_emails_each_respondent_once(
    cast,
    assessment,
    smtp_server,  # noqa: F811
):
    for n in range(3):
        person = make_person(cast, f"Partner {n}", f"partner{n}@eastvale.example.org")
        invitation = Invitation.objects.create(assessment=assessment, person=person)
        respond_online(invitation, {"1.1:internal": "3"}, submitted=True)

    results = run_together([lambda: services.publish(assessment, by=cast.coordinator)] * 4)

    assert sum(delivery.sent for delivery in results) == 3, results
    assert sorted(m["To"] for m in smtp_server.messages) == [
        f"partner{n}@eastvale.example.org" for n in range(3)
    ]
    assert EmailSend.objects.filter(kind="summary", state="sent").count() == 3
    assert AuditEvent.objects.filter(action="summary.published").count() == 1
