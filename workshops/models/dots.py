"""Priorities voted from phones in a live workshop: a dot vote, or a ranking.

The facilitator puts candidates to the room (the plan's priorities, or typed); while
the workshop's ``dots`` names the vote it takes the place of the current agenda item,
with the same steps (open, close, reveal). Each participant has one allocation per
vote, kept by the database and replaced on change, never added to; it goes with the
participant when they are removed.
"""

from __future__ import annotations

from django.db import models

from workshops.models.assessment import Respondent
from workshops.models.plan import Priority

# Dots a phone may place: enough for a long list, few enough that a typo is caught.
MOST_DOTS = 20
# How many candidates one vote may put to a room: a phone's screen of them.
MOST_CANDIDATES = 20


class DotVote(models.Model):
    class Mode(models.TextChoices):
        DOTS = "dots", "Dot voting"
        RANKING = "ranking", "Ranking (each phone puts them in order)"

    workshop = models.ForeignKey("Workshop", on_delete=models.CASCADE, related_name="dot_votes")
    title = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.DOTS)
    dots = models.PositiveSmallIntegerField(default=3, help_text="Dots each phone may place.")
    most_per_candidate = models.PositiveSmallIntegerField(
        default=1, help_text="Dots a phone may place on one priority."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When its totals were last put on the plan's priorities.
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ranking(self) -> bool:
        return self.mode == self.Mode.RANKING


class DotCandidate(models.Model):
    """One priority put to the room: from the plan, or typed (its priority is made when
    the totals are put on the plan)."""

    vote = models.ForeignKey(DotVote, on_delete=models.CASCADE, related_name="candidates")
    text = models.TextField()
    priority = models.ForeignKey(
        Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class DotAllocation(models.Model):
    """A participant's dots on one vote (or, in a ranking, the points of their order):
    one row per participant and vote, whose marks are replaced whole on each send."""

    vote = models.ForeignKey(DotVote, on_delete=models.CASCADE, related_name="allocations")
    participant = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="dot_allocations"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "participant"], name="one_dot_allocation_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"Allocation on {self.vote}"


class DotMark(models.Model):
    """The dots (or points) one allocation gives one candidate; none are kept for nought."""

    allocation = models.ForeignKey(DotAllocation, on_delete=models.CASCADE, related_name="marks")
    candidate = models.ForeignKey(DotCandidate, on_delete=models.CASCADE, related_name="marks")
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["allocation", "candidate"], name="dot_mark_once"),
        ]

    def __str__(self) -> str:
        return f"{self.points} on {self.candidate}"
