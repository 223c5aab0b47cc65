"""What the facilitator sends to put priorities to the room as a dot vote or ranking."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from workshops.forms.fields import CheckedModelMultipleChoiceField, gds_helper
from workshops.models import DotVote, Priority
from workshops.models.dots import MOST_DOTS


class DotVoteForm(forms.Form):
    title = forms.CharField(
        label="What the room is asked",
        max_length=200,
        initial="Which priorities matter most?",
        error_messages={"required": "Enter what the room is asked"},
    )
    priorities = CheckedModelMultipleChoiceField(
        queryset=Priority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="The plan's priorities to vote on",
        required=False,
    )
    typed = forms.CharField(
        label="Other priorities to vote on (optional)",
        help_text="One on each line. They join the plan's priorities when you put the totals "
        "on the plan.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    mode = forms.ChoiceField(
        label="How the room votes",
        choices=DotVote.Mode.choices,
        widget=forms.RadioSelect,
        initial=DotVote.Mode.DOTS,
        error_messages={"required": "Choose how the room votes"},
    )
    dots = forms.IntegerField(
        label="Dots for each phone",
        initial=3,
        min_value=1,
        max_value=MOST_DOTS,
        error_messages={
            "required": "Enter how many dots each phone has",
            "invalid": "Enter how many dots each phone has, like 3",
            "min_value": "Give each phone at least 1 dot",
            "max_value": f"Give each phone {MOST_DOTS} dots or fewer",
        },
    )
    most_per_candidate = forms.IntegerField(
        label="Most dots a phone may put on one priority",
        initial=1,
        min_value=1,
        max_value=MOST_DOTS,
        error_messages={
            "required": "Enter the most dots on one priority",
            "invalid": "Enter the most dots on one priority, like 1",
            "min_value": "Allow at least 1 dot on a priority",
            "max_value": f"Allow {MOST_DOTS} dots or fewer on a priority",
        },
    )

    def __init__(self, *args, candidates: list[Priority], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = Priority.objects.filter(
            pk__in=[p.pk for p in candidates]
        )
        self.fields["priorities"].initial = [p.pk for p in candidates]
        self.helper = gds_helper(
            Field.text("title"),
            Field.checkboxes("priorities", legend_size=Size.SMALL, small=True),
            Field.textarea("typed"),
            Field.radios("mode", legend_size=Size.SMALL, small=True),
            Field.text("dots", field_width=2, inputmode="numeric"),
            Field.text("most_per_candidate", field_width=2, inputmode="numeric"),
            submit="Put to the room",
        )

    @property
    def typed_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["typed"].splitlines() if line.strip()]
