from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from questions.models import Item
from workshops.forms.fields import gds_helper
from workshops.models import Basis, ImprovementPlan, Target


def subjects(assessment) -> list[tuple[str, str]]:
    """What a target can be set for: each element on each basis, then each rating question
    on each basis and each yes/no question. A value is ``element-<section id>-<basis>`` or
    ``question-<item id>-<basis>`` (no basis for a yes/no question)."""
    bases = assessment.bases

    def on(basis: str) -> str:
        return f", {Basis(basis).short.lower()}" if len(bases) > 1 else ""

    items = list(assessment.items.select_related("section").order_by("position"))
    sections = {i.section.pk: i.section for i in items if i.section.is_element}
    elements = [
        (f"element-{section.pk}-{basis}", f"Element {section}{on(basis)}")
        for section in sections.values()
        for basis in bases
    ]
    questions = []
    for item in items:
        # The question's opening words, so a board member need not know it by number.
        words = Truncator(item.text).chars(70)
        if item.kind == Item.Kind.RATING:
            questions += [
                (f"question-{item.pk}-{b}", f"Question {item.key}{on(b)}: {words}") for b in bases
            ]
        elif item.kind == Item.Kind.YES_NO:
            questions.append((f"question-{item.pk}-", f"Question {item.key} (yes or no): {words}"))
    return [("", "Choose an element or a question"), ("Elements", elements)] + (
        [("Questions", questions)] if questions else []
    )


# Where a Target's own checks put their messages on this form.
_FIELD_OF = {"section": "subject", "item": "subject", "basis": "subject", "kind": "kind"}


class TargetForm(forms.Form):
    """A target the board sets for the next assessment. ``target`` is the checked, unsaved
    Target once the form is valid."""

    subject = forms.ChoiceField(
        label="Element or question",
        error_messages={
            "required": "Choose the element or question the target is for",
            "invalid_choice": "Choose one of this assessment's elements or questions",
        },
    )
    kind = forms.ChoiceField(
        label="Target as",
        choices=[
            (Target.Kind.MEAN, "A mean rating"),
            (Target.Kind.SHARE, "A share: % rating it 3 or 4 (for a yes/no question, % yes)"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a mean rating or a share",
            "invalid_choice": "Choose a mean rating or a share",
        },
    )
    value = forms.DecimalField(
        label="Target for the next assessment",
        help_text="A mean on the rating scale, such as 3.2; or a share in per cent, such as 75",
        max_digits=4,
        decimal_places=1,
        error_messages={
            "required": "Enter the target",
            "invalid": "Enter the target as a number, such as 3.2 or 75",
            "max_digits": "Enter a mean from the rating scale or a share from 0 to 100",
            "max_whole_digits": "Enter a mean from the rating scale or a share from 0 to 100",
            "max_decimal_places": "Enter the target with at most one decimal place",
        },
    )

    def __init__(self, *args, plan: ImprovementPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["subject"].choices = subjects(plan.assessment)
        self.helper = gds_helper(
            Field.select("subject"),
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field.text("value", field_width=5),
            submit="Set target",
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        subject, kind, value = (cleaned.get(name) for name in ("subject", "kind", "value"))
        if not (subject and kind) or value is None:
            return cleaned
        what, pk, basis = subject.split("-", 2)
        target = Target(plan=self.plan, kind=kind, value=value, basis=basis)
        if what == "element":
            target.section_id = int(pk)
        else:
            target.item_id = int(pk)
        try:
            target.clean()
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                for problem in problems:
                    self.add_error(
                        _FIELD_OF.get(name, "value" if name == "value" else None), problem
                    )
            return cleaned
        self.target = target
        return cleaned
