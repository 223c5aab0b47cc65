"""Live workshops: a board or group takes agenda items together, votes on phones and agrees.

A workshop is a small state machine. The facilitator moves it along; every
change bumps ``version``, which is what every screen polls for, so an
unchanged workshop costs one indexed read and a 304.

Votes are not kept here: a participant is a Respondent on the workshop
channel and each vote is an Answer, so the room and the remote questionnaire
can be combined or compared with the same attributes. What the room agreed is
kept on the agenda item, beside the individual votes.
"""

from __future__ import annotations

import math
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from questions.models import Item
from workshops.models.assessment import Assessment
from workshops.models.partnership import Person, Sector

# No 0/O, 1/I/L or U: codes are read off a projector and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 8  # 30**8 is about 6.6e11 codes; joins are also rate limited.

# The voting countdown, in seconds. Under half a minute is too short for someone voting
# with a screen reader or a switch to find their answer; time can be added while it
# runs (WCAG 2.2.1), in steps, up to an hour from now.
COUNTDOWN_MIN, COUNTDOWN_MAX, COUNTDOWN_ADDED = 30, 3600, 30
COUNTDOWN_CHOICES = [(30, "30 seconds"), (60, "1 minute"), (120, "2 minutes"), (300, "5 minutes")]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What people type, as stored: case, spaces and hyphens do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


class WorkshopError(Exception):
    """A change the workshop cannot make now; the message is for the person who asked."""


class Workshop(models.Model):
    class Kind(models.TextChoices):
        BOARD = "board", "Board (strategic)"
        EXECUTIVE = "executive", "Executive group"
        THEME = "theme", "Theme or operational group"

    class State(models.TextChoices):
        LOBBY = "lobby", "Waiting to start"
        READY = "ready", "Showing an item, voting not open"
        VOTING = "voting", "Voting open"
        CLOSED = "closed", "Voting closed"
        REVEALED = "revealed", "Results shown"
        FINISHED = "finished", "Finished"

    # action -> the states it may start from. Moving between items is handled
    # by the service, which also picks the item.
    ALLOWED = {
        "open": {State.READY, State.CLOSED},
        "close": {State.VOTING},
        "reveal": {State.CLOSED},
        "hide": {State.REVEALED},
        "next": {State.LOBBY, State.READY, State.CLOSED, State.REVEALED},
        "previous": {State.READY, State.CLOSED, State.REVEALED},
        "skip": {State.READY, State.CLOSED, State.REVEALED},
        "timer": {State.VOTING},
        "add_time": {State.VOTING},
        "finish": {State.LOBBY, State.READY, State.CLOSED, State.REVEALED},
        "show_remote": set(State) - {State.FINISHED},
        # Finishing is undone by reopening, which takes the room back to its agenda.
        "reopen": {State.FINISHED},
    }

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="workshops")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_code, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.LOBBY)
    current = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A dot vote or ranking put to the room: while set, it takes the current item's place.
    dots = models.ForeignKey(
        "DotVote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Ideas collected from phones: while set, the collection takes the current item's place.
    ideas = models.ForeignKey(
        "IdeaCollection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    voting_closes_at = models.DateTimeField(null=True, blank=True)
    countdown = models.PositiveSmallIntegerField(
        default=60, help_text="The countdown last started, in seconds: the console offers it again."
    )
    show_remote = models.BooleanField(
        default=False, help_text="Show the remote questionnaire's answers beside the room's."
    )
    expected = models.PositiveSmallIntegerField(
        "People expected",
        null=True,
        blank=True,
        help_text="Left empty: everyone in the partnership's list of people.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "workshop",
            args=[self.assessment.partnership_id, self.assessment_id, self.pk],
        )

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    def check_allowed(self, action: str) -> None:
        if self.state not in self.ALLOWED[action]:
            raise WorkshopError(
                f"You cannot {action.replace('_', ' ')} now: {self.get_state_display().lower()}."
            )

    def may_reopen(self, membership) -> bool:
        """Whether this member may reopen the workshop once finished: its own
        facilitator, or a coordinator. Other facilitators may run it, not undo its end."""
        return membership.can_manage or membership.user_id == self.facilitator_id

    @classmethod
    def timer_ran_out(cls, state: str, closes_at, now=None) -> bool:
        return (
            state == cls.State.VOTING
            and closes_at is not None
            and closes_at <= (now or timezone.now())
        )

    def timer_expired(self, now=None) -> bool:
        return self.timer_ran_out(self.state, self.voting_closes_at, now)

    @property
    def shows_results(self) -> bool:
        return self.state == self.State.REVEALED

    def expected_people(self) -> int:
        """How many the facilitator expects: as set up, else the partnership's people."""
        if self.expected is not None:
            return self.expected
        return self.assessment.partnership.people.count()

    def phones_per_network(self) -> int:
        """Phones that may join from one network before each new one must be let in.

        A venue's Wi-Fi puts a whole room behind one address, so the allowance
        follows the room's size, with room for spare phones and second tries.
        """
        share = settings.WORKSHOP_PHONES_PER_NETWORK_PERCENT * self.expected_people() / 100
        return math.ceil(share) + settings.WORKSHOP_PHONES_PER_NETWORK_EXTRA

    def describe(self) -> str:
        """Where the workshop stands, in a few words: "voting open on 3.2"."""
        state = self.get_state_display().lower()
        if self.dots_id:
            return f"{state} on “{self.dots.title}”"
        if self.ideas_id:
            return f"{state} on ideas for “{self.ideas.prompt}”"
        return f"{state} on {self.current.item.key}" if self.current_id else state


class AgendaItem(models.Model):
    """One item the workshop takes, and what the room agreed about it."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="agenda")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    skipped = models.BooleanField(default=False)
    agreed_internal = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_external = models.PositiveSmallIntegerField(null=True, blank=True)
    agreed_choice = models.CharField(
        max_length=10, blank=True, choices=[("yes", "Yes"), ("no", "No")]
    )
    rationale = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    improvements = models.TextField("Areas for improvement", blank=True)
    evidence = models.TextField("Evidence notes", blank=True)
    investigate = models.BooleanField(default=False)
    agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "item"], name="agenda_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item.key} in {self.workshop}"

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None


class WaitingPhone(models.Model):
    """A phone waiting for the facilitator to let it in.

    Either one phone too many from one network, or one asking to be someone
    who has already joined on another phone. The phone holds a signed cookie
    naming this row; once the facilitator decides, its next visit collects the
    outcome and the row goes.
    """

    class Decision(models.TextChoices):
        WAITING = "waiting", "Waiting"
        ADMITTED = "admitted", "Let in"
        TURNED_AWAY = "turned_away", "Turned away"

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="waiting_phones")
    # Who the phone says it is: a person of the partnership, or role, sector and layer.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=20, choices=Person.Role.choices, blank=True)
    sector = models.CharField(max_length=10, choices=Sector.choices, blank=True)
    layer = models.CharField(max_length=20, choices=Person.Layer.choices, blank=True)
    # A keyed digest of the network it asked from, to cap how many one network queues.
    network = models.CharField(max_length=64)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.WAITING)
    participant = models.ForeignKey(
        "Respondent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"Phone waiting for {self.workshop}"

    @property
    def is_waiting(self) -> bool:
        return self.decision == self.Decision.WAITING

    def describe(self) -> str:
        """Who the phone says it is, as the console lists it."""
        if self.person_id:
            return f"{self.person.name}, {self.person.organisation.name}"
        return (
            f"Anonymous: {self.get_role_display()}, {self.get_sector_display()}, "
            f"{self.get_layer_display()}"
        )


# What the room agreed on an agenda item: the fields a facilitator records.
CONSENSUS_FIELDS = [
    "agreed_internal",
    "agreed_external",
    "agreed_choice",
    "rationale",
    "strengths",
    "improvements",
    "evidence",
    "investigate",
]
