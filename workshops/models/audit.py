"""The audit log: who changed what in a partnership, and when.

Coordinators read it to answer "who moved the workshop on?" or "who rejected
that action?". Entries are written by the services through ``workshops.audit``
as data (a stable action code, what was acted on, the values that changed);
the audit page puts them into words.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from workshops.models.partnership import Partnership


class AuditEvent(models.Model):
    # Empty for what happens to an account rather than in a partnership (signing in,
    # second factors, passwords): the partnership's audit page shows those of its
    # members through ``account``.
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="audit_events", null=True, blank=True
    )
    # Who did it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The account an account event is about (support staff resetting someone's
    # second factor: ``user`` is staff, ``account`` the person).
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account_events",
    )
    # A stable code for what happened ("plan.agreed", "account.signed_in");
    # "message" for entries written, before there were codes, from the success
    # message a coordinator saw.
    action = models.CharField(max_length=50, blank=True, db_index=True)
    # What was acted on, named as it was then ("Workshop “Board away day”");
    # empty for entries from before it was kept.
    target = models.CharField(max_length=200, blank=True)
    # The values that changed and the ids concerned ({"version": 2}): what the
    # audit page's words are made from (workshops.audit.WORDS).
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # Kept as text as well, so the entry still says who it was once the
    # account is gone.
    actor = models.CharField(max_length=254)
    # The words as they were when it happened: what the page shows for actions
    # it has no words of its own for.
    summary = models.CharField(max_length=500)
    path = models.CharField(max_length=500, help_text="The address the change was made at.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "-at"], name="audit_by_partnership"),
            models.Index(fields=["account", "-at"], name="audit_by_account"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.summary}"
