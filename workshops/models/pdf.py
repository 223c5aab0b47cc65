"""Rendered improvement plan PDFs, and the queue of those waiting to be rendered.

A plan PDF takes a second or two of CPU to render. One row per plan as it is
(its fingerprint) and print size means that twenty executives asking for the
same plan at once wait for one render, not twenty; in production a separate
worker process (``manage.py run_pdf_worker``) renders them, so an app server
never spends a request on one.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils import timezone

from workshops.models.assessment import Assessment


class PlanPdf(models.Model):
    """The improvement plan of an assessment as a PDF, or the request for one.

    A pending row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and kept
    locked while it renders: two workers never render the same one, and if a
    worker dies mid-render its lock goes with its connection and the row is
    pending again for the next.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be rendered"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be rendered"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="plan_pdfs")
    large = models.BooleanField(default=False, help_text="The large print edition.")
    # workshops.reporting.plan_pdf.fingerprint: changes whenever the PDF would.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    content = models.BinaryField(default=b"")
    # Bytes of content, so the waiting page can say how big it is without reading it.
    size = models.PositiveIntegerField(default=0)
    renders = models.PositiveIntegerField(default=0, help_text="How many times it was rendered.")
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "large", "fingerprint"], name="one_plan_pdf_per_version"
            )
        ]
        # The worker's question, asked every second: the oldest pending row.
        indexes = [
            models.Index(
                fields=["requested_at"], condition=models.Q(state="pending"), name="plan_pdf_queue"
            )
        ]

    # A render takes seconds; one still pending after this long suggests no
    # worker is running, and the waiting page says so.
    SLOW = timedelta(minutes=2)

    def __str__(self) -> str:
        size = "large print " if self.large else ""
        return f"Improvement plan {size}PDF of {self.assessment} ({self.get_state_display()})"

    @property
    def is_slow(self) -> bool:
        return self.state == self.State.PENDING and timezone.now() - self.requested_at > self.SLOW
