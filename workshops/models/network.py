"""The network section of an assessment: how each respondent's organisation works with the
partnership's other organisations.

Answer 4.2.2 asks whether the partnership could use social network analysis; these answers
let it. A row is one respondent's view of one other organisation. Ties between
organisations are counted from them (services.network), never shown per respondent.
"""

from __future__ import annotations

from django.db import models

from workshops.models.assessment import Respondent
from workshops.models.partnership import Organisation


class Frequency(models.IntegerChoices):
    """How often the respondent's organisation works with another on the partnership's
    business. Ordered, so a tie's strength is the median of its answers."""

    NEVER = 0, "Never"
    YEARLY = 1, "A few times a year"
    MONTHLY = 2, "Monthly"
    WEEKLY = 3, "Weekly or more"


# Reliability ("can rely on it to deliver what it agrees") and contribution ("to the
# partnership's goals") are rated 1 to 4, as the instrument's own scale is.
SCALE = range(1, 5)


class NetworkAnswer(models.Model):
    respondent = models.ForeignKey(
        Respondent, on_delete=models.CASCADE, related_name="network_answers"
    )
    # The respondent's own organisation as it was when they answered, and the one they
    # were asked about. Ties join organisations, not people: the partnership's own rows
    # stay the same from one assessment to the next, so rounds can be compared.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Empty when the respondent does not know the partner organisation.
    frequency = models.PositiveSmallIntegerField(choices=Frequency.choices, null=True, blank=True)
    dont_know = models.BooleanField("Don't know this organisation", default=False)
    # Asked only where the two work together at all.
    reliability = models.PositiveSmallIntegerField(null=True, blank=True)
    contribution = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1)  # as for Answer.version
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["respondent", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["respondent", "partner"], name="one_network_answer_per_partner"
            ),
            models.CheckConstraint(
                condition=~models.Q(organisation=models.F("partner")),
                name="network_answer_about_another_organisation",
            ),
            # Either how often, or "don't know this organisation": never both, never neither.
            models.CheckConstraint(
                condition=models.Q(dont_know=True, frequency__isnull=True)
                | models.Q(dont_know=False, frequency__isnull=False),
                name="network_answer_frequency_or_dont_know",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(reliability__isnull=True)
                    | models.Q(reliability__gte=1, reliability__lte=4, frequency__gte=1)
                ),
                name="network_answer_reliability_when_working_together",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(contribution__isnull=True)
                    | models.Q(contribution__gte=1, contribution__lte=4, frequency__gte=1)
                ),
                name="network_answer_contribution_when_working_together",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.partner}"

    @property
    def works_together(self) -> bool:
        return self.frequency is not None and self.frequency > Frequency.NEVER
