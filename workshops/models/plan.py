"""The improvement plan of an assessment: ranked priorities and actions, with history.

Actions start as drafts, proposed by the system (from results) or by a
workshop, and become part of the plan when the coordinator accepts them. The
plan is agreed by the board as a numbered version; after that, owners report
progress. Every change to an action is kept with who made it and when, and
each action carries a revision number so that two people editing it at once
cannot silently overwrite each other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from questions.models import Item, Section
from workshops.models.assessment import Assessment
from workshops.models.partnership import Organisation, Person
from workshops.models.workshop import Workshop


class ImprovementPlan(models.Model):
    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="plan")
    version = models.PositiveIntegerField(
        default=0, help_text="0 until the board first agrees the plan; then 1, 2, …"
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Improvement plan for {self.assessment}"

    def get_absolute_url(self) -> str:
        return reverse("plan", args=[self.assessment.partnership_id, self.assessment_id])

    @property
    def is_agreed(self) -> bool:
        """Whether the board agreed the plan as it stands: withdrawing an agreed action
        opens the next version, which is not agreed until the board says so."""
        return self.agreed_at is not None

    @property
    def next_version(self) -> int:
        """The version the board agrees next: the open one, or a new one."""
        return self.version + 1 if self.is_agreed or self.version == 0 else self.version


class Priority(models.Model):
    class Source(models.TextChoices):
        LOOKING_FORWARD = "looking_forward", "Looking forward answers"
        WORKSHOP = "workshop", "Workshop"
        COORDINATOR = "coordinator", "Added by the coordinator"

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="priorities")
    text = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices)
    # Where a gathered priority came from, so gathering again adds nothing twice.
    source_key = models.CharField(max_length=50, blank=True)
    rank = models.PositiveSmallIntegerField(default=0)
    votes = models.PositiveIntegerField(default=0, help_text="Dots from the board's dot vote.")
    dropped = models.BooleanField(default=False)

    class Meta:
        ordering = ["dropped", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "source_key"],
                condition=~models.Q(source_key=""),
                name="priority_gathered_once",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ActionQuerySet(models.QuerySet):
    def in_plan(self) -> ActionQuerySet:
        """Accepted into the plan: not a draft, not rejected, not withdrawn."""
        return self.filter(status__in=Action.IN_PLAN)


class Action(models.Model):
    """An improvement action: proposed, then accepted into the plan and followed up.

    Once the board has agreed a plan with an action in it, the action is never deleted:
    a coordinator withdraws it with a reason, and its history stays.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        REJECTED = "rejected", "Rejected"
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        BLOCKED = "blocked", "Blocked"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        WORKSHOP = "workshop", "Drafted in a workshop"
        INVESTIGATE = "investigate", "An answer to investigate"
        WEAK_ELEMENT = "weak_element", "An element in the weakest band"
        GAP = "gap", "A gap between groups"
        NETWORK = "network", "A partner on the edge of the network"
        COORDINATOR = "coordinator", "Added by the coordinator"

    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED)
    IN_PLAN = (*OPEN, Status.DONE)

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The question the action was first drafted for.",
    )
    items = models.ManyToManyField(Item, blank=True, related_name="+")
    sections = models.ManyToManyField(Section, blank=True, related_name="+")
    workshop = models.ForeignKey(
        Workshop, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    owner = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    owner_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    due_on = models.DateField(null=True, blank=True)
    success_measure = models.TextField(blank=True)
    support_partners = models.TextField("Support needed from partners", blank=True)
    support_elsewhere = models.TextField("Support needed from elsewhere", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    withdrawn_reason = models.TextField(blank=True)
    agreed_in = models.PositiveIntegerField(
        null=True, blank=True, help_text="The plan version the board first agreed it in."
    )
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.COORDINATOR)
    # What a proposed draft was made from, so proposing again adds nothing twice.
    source_key = models.CharField(max_length=80, blank=True)
    revision = models.PositiveIntegerField(default=1)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "source_key"],
                condition=~models.Q(source_key=""),
                name="action_proposed_once",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.description[:60]

    def get_absolute_url(self) -> str:
        return reverse(
            "plan-action", args=[self.assessment.partnership_id, self.assessment_id, self.pk]
        )

    @property
    def is_in_plan(self) -> bool:
        return self.status in self.IN_PLAN

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in self.OPEN and self.due_on is not None and self.due_on < today


class ActionChange(models.Model):
    """One saved change to an action: which fields, from what to what, by whom and when."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="changes")
    revision = models.PositiveIntegerField(help_text="The action's revision this change made.")
    changes = models.JSONField(help_text="Field label -> [before, after], as shown to people.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-revision"]

    def __str__(self) -> str:
        return f"Revision {self.revision} of {self.action}"


class ProgressNote(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.text[:60]
