"""Big CSV imports, run by the worker rather than in the coordinator's request."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from workshops.models.assessment import Assessment


class ImportJob(models.Model):
    """One uploaded file waiting to be imported, being imported, or the outcome.

    The file's text is kept only until the job finishes: it holds people's
    names and addresses, and the stored rows are what matter afterwards.
    """

    class Kind(models.TextChoices):
        INVITEES = "invitees", "People to invite"
        RESPONSES = "responses", "Answers"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    class Step(models.TextChoices):
        WAITING = "waiting", "Waiting for its turn"
        CHECKING = "checking", "Checking every row"
        STORING = "storing", "Storing the rows"
        EMAILING = "emailing", "Sending the invitation emails"
        FINISHED = "finished", "Finished"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    data = models.TextField(blank=True)
    # SHA-256 of the file: the same file posted twice while the first is still
    # waiting or running is one job (see the constraint).
    digest = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.WAITING)
    rows = models.PositiveIntegerField(default=0, help_text="Rows in the file.")
    emails_to_send = models.PositiveIntegerField(default=0)
    emails_sent = models.PositiveIntegerField(default=0)
    emails_failed = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    warning = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind", "digest"],
                condition=models.Q(state__in=["pending", "running"]),
                name="one_unfinished_import_per_file",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(state__in=["pending", "running"]),
                name="import_job_queue",
            )
        ]

    # An import of the largest file takes a minute or two; a job running for
    # longer than this had its worker die, and another worker takes it on.
    STALE = timedelta(minutes=30)
    # Still waiting after this long suggests no worker is running; the page says so.
    SLOW = timedelta(minutes=2)

    def __str__(self) -> str:
        return f"Import of {self.get_kind_display().lower()} to {self.assessment}"

    def get_absolute_url(self) -> str:
        return reverse(
            "import-job", args=[self.assessment.partnership_id, self.assessment_id, self.pk]
        )

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_slow(self) -> bool:
        return self.state == self.State.PENDING and timezone.now() - self.created_at > self.SLOW

    def progress(self) -> str:
        """Where the import is, in words for the coordinator."""
        if self.step == self.Step.EMAILING:
            return (
                f"Sending the invitation emails: {self.emails_sent:,} of "
                f"{self.emails_to_send:,} sent."
            )
        if self.step in (self.Step.CHECKING, self.Step.STORING):
            return f"{self.get_step_display()} ({self.rows:,} rows)."
        return f"{self.get_step_display()}."
