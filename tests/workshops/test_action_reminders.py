"""Reminders to owners of actions due soon or overdue, once within the quiet period."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from workshops.models import Action


def test_owners_of_actions_due_soon_or_overdue_are_reminded_once_a_day(cast, assessment):
    cast.person.email = "priya@eastvale.example.org"
    cast.person.save()
    today = timezone.localdate()

    def make(title, days, status="in_progress", person=cast.person):
        return Action.objects.create(
            assessment=assessment,
            title=title,
            description="x",
            status=status,
            due_on=today + timedelta(days=days),
            owner_person=person,
        )

    make("Overdue", -3)
    make("Due soon", 5)
    make("Later", 30)
    make("Done already", -1, status="done")
    make("A draft", 1, status="proposed")
    make("Nobody to tell", 1, person=None)
    call_command("send_action_reminders")
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Due soon: Due soon (Eastvale LSP)", "Overdue: Overdue (Eastvale LSP)"]
    assert mail.outbox[0].to == ["priya@eastvale.example.org"]
    assert "/plan/actions/" in mail.outbox[0].body
    call_command("send_action_reminders")
    assert len(mail.outbox) == 2
