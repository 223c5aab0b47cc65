"""Emails we send on a partnership's behalf, one row each, and what became of them.

A row is written in the transaction that decides the email should go, and the
email is sent only after that transaction has committed, so no email can point
at something that was never stored. A personal link is made when the email is
composed, never before: an email that fails carries no link anyone expects, and
the next try makes a new one.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from workshops.models.assessment import Invitation
from workshops.models.members import MemberInvitation
from workshops.models.partnership import Partnership


class EmailSend(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation to answer"
        REMINDER = "reminder", "Reminder to answer"
        MEMBER = "member", "Invitation to join the partnership"
        SUMMARY = "summary", "Summary of results published"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        CANCELLED = "cancelled", "No longer needed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="email_sends"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    to = models.EmailField()
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="email_sends"
    )
    member_invitation = models.ForeignKey(
        MemberInvitation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="email_sends",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.TextField(
        blank=True, help_text="Why the last try failed, or why it was not sent."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by whoever is about to send it; a pending row whose sender died is
    # picked up again once this is old (services.mail.retry_failed).
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["claimed_at"],
                condition=models.Q(state__in=["pending", "failed"]),
                name="email_send_queue",
            )
        ]
        constraints = [
            # Publishing a summary twice, or a retried request, emails each person once.
            models.UniqueConstraint(
                fields=["invitation"],
                condition=models.Q(kind="summary"),
                name="one_summary_email_per_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} ({self.get_state_display()})"
