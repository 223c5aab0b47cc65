"""The audit log: who changed what in a partnership, and when.

Coordinators read it to answer "who moved the workshop on?" or "who rejected
that action?". Entries are written by ``workshops.audit`` after a change has
succeeded, in the words the person who made it was shown.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from workshops.models.partnership import Partnership


class AuditEvent(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="audit_events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept as text as well, so the entry still says who it was once the
    # account is gone.
    actor = models.CharField(max_length=254)
    summary = models.CharField(max_length=500)
    path = models.CharField(max_length=500, help_text="The address the change was made at.")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["partnership", "-at"], name="audit_by_partnership")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.summary}"
