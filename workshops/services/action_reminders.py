"""Reminders to the owners of improvement actions falling due or overdue
(``manage.py send_action_reminders``, run daily)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import Action
from workshops.services import mail


def actions_to_remind(today: datetime.date | None = None, days_ahead: int = 7):
    """Open actions due within ``days_ahead`` days or overdue, with an owner to email,
    not reminded within mail.REMINDER_QUIET_PERIOD."""
    today = today or timezone.localdate()
    quiet = timezone.now() - mail.REMINDER_QUIET_PERIOD
    return (
        Action.objects.filter(
            status__in=Action.OPEN,
            due_on__lte=today + datetime.timedelta(days=days_ahead),
            owner_person__isnull=False,
        )
        .exclude(owner_person__email="")
        .exclude(reminded_at__gte=quiet)
        .select_related("owner_person", "assessment__partnership")
    )


def send_action_reminders(now: datetime.datetime | None = None, days_ahead: int = 7) -> int:
    """Email the owner of each open action due soon or overdue; returns how many.

    Like questionnaire reminders, safe to run twice: an action reminded within
    mail.REMINDER_QUIET_PERIOD is skipped, and nobody is marked reminded if sending fails.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        due = list(actions_to_remind(today, days_ahead).select_for_update(of=("self",)))
        Action.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=now)
        send_mass_mail([_reminder(action, today) for action in due], fail_silently=False)
    return len(due)


def _reminder(action: Action, today: datetime.date) -> tuple[str, str, str, list[str]]:
    partnership = action.assessment.partnership
    context = {
        "action": action,
        "partnership": partnership,
        "overdue": action.is_overdue(today),
        "link": settings.SITE_URL + action.get_absolute_url(),
    }
    # One line: a line break typed into a title would make Django refuse the whole batch.
    subject = " ".join(
        render_to_string("workshops/email/action_reminder_subject.txt", context).split()
    )
    body = render_to_string("workshops/email/action_reminder.txt", context)
    return subject, body, settings.DEFAULT_FROM_EMAIL, [action.owner_person.email]
