"""Ideas from phones in a live workshop: short ideas sent to a prompt, moderated by the
facilitator before the room sees any of them.

A collection asks the room one thing: an open question on the agenda, or a prompt the
facilitator types. While the workshop's ``ideas`` names it, it takes the current item's
place, with the same steps: open (collecting), close, reveal (the presenter shows the
approved ideas). Each idea belongs to the participant who sent it and goes with them.
"""

from __future__ import annotations

from django.db import models

from workshops.models.assessment import Respondent

# A short idea: a phone's screen, and a tweet's length.
IDEA_LENGTH = 280
# Ideas one phone may send to one collection: several, not a flood.
MOST_IDEAS_PER_PHONE = 10


class IdeaCollection(models.Model):
    workshop = models.ForeignKey(
        "Workshop", on_delete=models.CASCADE, related_name="idea_collections"
    )
    prompt = models.CharField(max_length=300)
    # The open question on the agenda it collects for, whose outcome it can become.
    agenda_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Moves on with every step of moderation, so the screens showing ideas fetch them again.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the approved ideas were last recorded as the agenda item's outcome.
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.prompt


class IdeaGroup(models.Model):
    """A heading the facilitator puts ideas under."""

    collection = models.ForeignKey(IdeaCollection, on_delete=models.CASCADE, related_name="groups")
    heading = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "heading"], name="idea_heading_once"),
        ]

    def __str__(self) -> str:
        return self.heading


class Idea(models.Model):
    """One idea a phone sent. Only an approved idea that is neither hidden nor merged
    into another is ever shown to the room; editing it takes the approval away."""

    collection = models.ForeignKey(IdeaCollection, on_delete=models.CASCADE, related_name="ideas")
    participant = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="ideas")
    text = models.CharField(max_length=IDEA_LENGTH)
    # Made by the phone's form, so the same form sent twice stores one idea.
    token = models.CharField(max_length=40)
    # Moves on with each edit, so an approval is of the text the facilitator read.
    revision = models.PositiveIntegerField(default=1)
    approved = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    group = models.ForeignKey(
        IdeaGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "participant", "token"], name="one_idea_per_send"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def shown_to_room(self) -> bool:
        return self.approved and not self.hidden and self.merged_into_id is None
