"""Targets the board sets in an improvement plan for the next assessment: per element, or
per question and basis, a mean rating or a share ("performs well or better"; for a yes/no
question, the share answering yes)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from questions.models import Item, Section
from workshops.models.assessment import Basis
from workshops.models.plan import ImprovementPlan


class Target(models.Model):
    class Kind(models.TextChoices):
        MEAN = "mean", "Mean rating"
        SHARE = "share", "Share performing well or better"

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="targets")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Internal or external for an element or a rating question; none for a yes/no question.
    basis = models.CharField(max_length=10, choices=Basis.choices, blank=True)
    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.DecimalField(max_digits=4, decimal_places=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["section__number", "item__position", "basis", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section__isnull=True) ^ models.Q(item__isnull=True),
                name="target_element_or_question",
            ),
            models.UniqueConstraint(
                fields=["plan", "section", "basis"],
                condition=models.Q(section__isnull=False),
                name="one_target_per_element",
                violation_error_message="The plan already has a target for this element.",
            ),
            models.UniqueConstraint(
                fields=["plan", "item", "basis"],
                condition=models.Q(item__isnull=False),
                name="one_target_per_question",
                violation_error_message="The plan already has a target for this question.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.shown_value}"

    @property
    def subject(self) -> str:
        """What the target is for, in words ("Element 3. Structure, against our own plans")."""
        if self.section_id:
            what = f"Element {self.section.number}. {self.section.heading}"
        else:
            what = f"Question {self.item.key}"
        # The basis is named only where the assessment rates on both.
        if self.basis and len(self.plan.assessment.bases) > 1:
            return f"{what}, {Basis(self.basis).short.lower()}"
        return what

    @property
    def is_yes_no(self) -> bool:
        return self.item_id is not None and self.item.kind == Item.Kind.YES_NO

    @property
    def shown_value(self) -> str:
        """The target as the plan says it: "a mean of 3.0", "75% performing well or better"."""
        if self.kind == self.Kind.MEAN:
            return f"a mean of {self.value:.1f}"
        share = f"{self.value.normalize():f}%"
        return f"{share} answering yes" if self.is_yes_no else f"{share} performing well or better"

    def scale_range(self) -> tuple[int, int]:
        values = [point["value"] for point in self.plan.assessment.bank.scale]
        return min(values), max(values)

    def clean(self) -> None:
        super().clean()
        assessment = self.plan.assessment
        if (self.section_id is None) == (self.item_id is None):
            raise ValidationError("Choose one element or one question for the target.")
        if self.section_id is not None:
            if not self.section.is_element or self.section.bank_id != assessment.bank_id:
                raise ValidationError({"section": "Choose one of this assessment's elements."})
        elif not assessment.items.filter(pk=self.item_id).exists() or self.item.kind not in (
            Item.Kind.RATING,
            Item.Kind.YES_NO,
        ):
            raise ValidationError(
                {"item": "Choose a rating or yes/no question of this assessment."}
            )
        if self.is_yes_no:
            if self.basis:
                raise ValidationError({"basis": "A yes/no question has no basis."})
            if self.kind == self.Kind.MEAN:
                raise ValidationError(
                    {"kind": "A yes/no question takes a share answering yes, not a mean."}
                )
        elif self.basis not in assessment.bases:
            raise ValidationError({"basis": "Choose a basis this assessment rates on."})
        if self.value is None:
            return
        if self.kind == self.Kind.MEAN:
            low, high = self.scale_range()
            if not low <= self.value <= high:
                raise ValidationError(
                    {"value": f"Enter a mean from {low} to {high}, the rating scale's range."}
                )
        elif not Decimal(0) <= self.value <= Decimal(100):
            raise ValidationError({"value": "Enter a share from 0 to 100 (per cent)."})
