"""Assessments (self-assessment rounds), invitations, respondents and answers.

An assessment pins the bank version it was created with, so later changes to
the question bank never move the items its answers point at.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from questions.models import BankVersion, Item
from workshops.models.partnership import Partnership, Person, Sector


def new_token() -> str:
    # 256 bits: unguessable in practice, short enough for a link in an email.
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of a personal link. A token is 256 random bits, so a plain
    SHA-256 cannot be reversed or guessed; a slow password hash would only slow
    every page the link opens."""
    return hashlib.sha256(token.encode()).hexdigest()


class Basis(models.TextChoices):
    """The two ways a rating question is judged. ``label`` is how the questionnaire asks
    it; ``short`` is how a column, a heading or a sentence names it."""

    INTERNAL = "internal", "Internal: against the LSP's own plans and goals"
    EXTERNAL = "external", "External: against the performance of other LSPs"

    @property
    def short(self) -> str:
        return _BASIS_SHORT[self]

    @property
    def word(self) -> str:
        """One word for the basis ("Internal"), as a printed form's column says it."""
        return self.label.split(":")[0]

    @property
    def against(self) -> str:
        """What a rating on this basis is judged against, as a sentence says it
        ("against the LSP's own plans and goals")."""
        return self.label.split(": ", 1)[1]

    @classmethod
    def column(cls, basis: str) -> str:
        """A results column's name for an answer's basis; nothing for a question that has
        none (yes/no, open), and an unknown value as it is."""
        return cls(basis).short if basis in cls.values else basis

    @classmethod
    def ballot(cls, basis: str) -> str:
        """A ballot's name on the room's screens: the short words with the questionnaire's
        own name for the basis, or "Answer" for a question with one answer."""
        return f"{cls(basis).short} ({basis})" if basis else "Answer"


_BASIS_SHORT = {
    Basis.INTERNAL: "Against our own plans",
    Basis.EXTERNAL: "Against other LSPs",
}


class Scope:
    FULL = "full"
    TOP_LEVEL = "top_level"
    ELEMENTS = "elements"
    CHOICES = [
        (FULL, "Full questionnaire: every question and sub-question"),
        (TOP_LEVEL, "Top-level questions only"),
        (ELEMENTS, "Chosen elements only"),
    ]


class Assessment(models.Model):
    class BasisChoice(models.TextChoices):
        INTERNAL = Basis.INTERNAL.value, Basis.INTERNAL.label
        EXTERNAL = Basis.EXTERNAL.value, Basis.EXTERNAL.label
        BOTH = "both", "Both: two ratings for each question"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="assessments"
    )
    title = models.CharField(max_length=200)
    bank = models.ForeignKey(BankVersion, on_delete=models.PROTECT, related_name="assessments")
    items = models.ManyToManyField(Item, related_name="+")
    basis = models.CharField(max_length=10, choices=BasisChoice.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()
    anonymous = models.BooleanField(
        default=False,
        help_text="Coordinators see response counts by group, never who answered what.",
    )
    # The network section (models.network): off unless a coordinator turns it on, as it
    # asks about every other partner organisation and is long in a big partnership.
    network = models.BooleanField(
        "Ask how partner organisations work together",
        default=False,
        help_text="Each respondent says how often their organisation works with each other "
        "partner organisation, and how far they can rely on it. Results show the network.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The summary of results partners may read (services.summary): published by a
    # coordinator on purpose, and withdrawn by clearing it.
    summary_published_at = models.DateTimeField(null=True, blank=True)
    summary_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="assessment_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment", args=[self.partnership_id, self.pk])

    @property
    def bases(self) -> list[str]:
        """The bases each rating item is asked on, in order."""
        if self.basis == self.BasisChoice.BOTH:
            return [Basis.INTERNAL, Basis.EXTERNAL]
        return [self.basis]

    @property
    def rated_against(self) -> str:
        """What every rating is judged against, for a one-basis assessment; "" for both."""
        return "" if self.basis == self.BasisChoice.BOTH else Basis(self.basis).against

    @property
    def summary_is_published(self) -> bool:
        return self.summary_published_at is not None

    def status(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if today < self.opens_on:
            return "not_open"
        if today > self.closes_on:
            return "closed"
        return "open"

    def is_open(self, today: date | None = None) -> bool:
        return self.status(today) == "open"

    def slots_per_respondent(self, items: list[Item]) -> int:
        """How many answers a complete response holds: one per basis for ratings."""
        return sum(len(self.bases) if i.kind == Item.Kind.RATING else 1 for i in items)


class Invitation(models.Model):
    """A person asked to answer an assessment.

    Their personal links are ``PersonalLink`` rows holding only a hash: the link
    itself is in the emails sent to ``sent_to`` and nowhere else, so neither the
    database, a backup nor a coordinator's screen can open anyone's answers.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="invitations")
    sent_to = models.EmailField(
        blank=True,
        help_text="The address the link was first emailed to; reminders go there and nowhere else.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # The link issued by ``issue_link`` on this instance, for the email that carries
    # it; None on an invitation read from the database, which cannot know it.
    token: str | None = None

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person"], name="one_invitation_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.assessment}"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding and self.token is None:
            # Every invitation made one at a time has a link from the start;
            # invitations made in bulk get theirs when they are emailed.
            self.issue_link()

    def get_absolute_url(self) -> str:
        if self.token is None:
            raise ValueError("Only a link just issued can be written out; issue one first.")
        return reverse("questionnaire", args=[self.token])

    def issue_link(self) -> str:
        """A new personal link to this invitation; returns its token, which is not kept."""
        token = new_token()
        PersonalLink.objects.create(invitation=self, token_hash=hash_token(token))
        self.token = token
        return token

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class PersonalLink(models.Model):
    """One link to an invitation's questionnaire, as sent in one email.

    An invitation and each reminder carry a link of their own, and every one
    of them works until the invitation is withdrawn: a person may click
    whichever email they find first.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField("token", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Link to {self.invitation}"


class Respondent(models.Model):
    """One response to an assessment, with who answered as they were at the time.

    Role, organisation, sector and layer are copied, not linked: results
    compare groups as they stood when people answered, and must not change
    when someone later moves organisation or is removed.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", "Online questionnaire"
        PAPER = "paper", "Paper return entered by a coordinator"
        IMPORT = "import", "Imported from a file"
        WORKSHOP = "workshop", "Vote in a workshop"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="respondents")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="respondent"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    reference = models.CharField(
        max_length=100, blank=True, help_text="The respondent reference of an imported response."
    )
    role = models.CharField(max_length=20, choices=Person.Role.choices)
    organisation = models.CharField(max_length=200)
    sector = models.CharField(max_length=10, choices=Sector.choices)
    layer = models.CharField(max_length=20, choices=Person.Layer.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A workshop participant: the workshop they joined, and who they said
    # they were (empty when they stayed anonymous).
    workshop = models.ForeignKey(
        "Workshop", on_delete=models.CASCADE, null=True, blank=True, related_name="participants"
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_section = models.PositiveSmallIntegerField(
        default=0, help_text="Section number last visited, to resume there."
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "reference"],
                condition=~models.Q(reference=""),
                name="respondent_reference_unique",
            ),
            # Someone who joins again on another device carries on as themselves.
            models.UniqueConstraint(
                fields=["workshop", "person"],
                condition=models.Q(workshop__isnull=False, person__isnull=False),
                name="one_participant_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Respondent {self.pk} to {self.assessment}"

    @classmethod
    def attributes_of(cls, person: Person) -> dict:
        return {
            "role": person.role,
            "organisation": person.organisation.name,
            "sector": person.organisation.sector,
            "layer": person.layer,
        }

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    """One answer to one item, on one basis for rating items.

    A rating is ``rating`` (a scale value) or a ``choice`` of don't know / not
    applicable; a yes/no answer is a ``choice``; an open answer is ``text``.
    """

    class Choice(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        DONT_KNOW = "dont_know", "Don't know"
        NA = "na", "Not applicable"

    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    basis = models.CharField(max_length=10, choices=Basis.choices, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    text = models.TextField(blank=True)
    # Moves on with every change, so a write based on an older version (a second
    # window, a page left open) is refused instead of replacing what it never saw.
    # A database default too: workshop votes are stored by a statement of their own.
    version = models.PositiveIntegerField(default=1, db_default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item__position", "basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "item", "basis"], name="one_answer_per_item_and_basis"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item.key} {self.basis}: {self.display}"

    @property
    def display(self) -> str:
        if self.rating is not None:
            return str(self.rating)
        if self.choice:
            return self.get_choice_display()
        return self.text

    @property
    def value(self) -> str:
        """The answer as it is written in forms and files."""
        return str(self.rating) if self.rating is not None else (self.choice or self.text)

    def value_for(self, part: str) -> str:
        """What the form slot ``part`` shows of this answer: an open answer marked
        not applicable is an empty text box and a ticked "na" box."""
        if self.item.kind == Item.Kind.OPEN:
            is_na = self.choice == self.Choice.NA
            if part == "na":
                return "on" if is_na else ""
            return "" if is_na else self.text
        return self.value


class EvidenceNote(models.Model):
    """An optional comment or evidence note on a rating item."""

    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="evidence_notes"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    version = models.PositiveIntegerField(default=1, db_default=1)  # as for Answer.version
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "item"], name="one_note_per_item")
        ]

    def __str__(self) -> str:
        return f"Note on {self.item.key}"
