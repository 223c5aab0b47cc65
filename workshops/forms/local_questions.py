from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from questions.models import Item, Section
from workshops.forms.fields import gds_helper
from workshops.models import Assessment


class LocalQuestionForm(forms.Form):
    text = forms.CharField(
        label="Question",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Asked as you write it, for example “How well does the partnership "
        "involve the parish councils?”",
        error_messages={"required": "Enter the question"},
    )
    kind = forms.ChoiceField(
        label="How it is answered",
        choices=Item.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how the question is answered",
            "invalid_choice": "Choose how the question is answered",
        },
    )
    section = forms.TypedChoiceField(
        label="Where it goes",
        coerce=int,
        help_text="It comes after the questions the instrument asks there.",
        error_messages={
            "required": "Choose where the question goes",
            "invalid_choice": "Choose where the question goes",
        },
    )

    def __init__(self, *args, assessment: Assessment, submit: str = "Add question", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [
            (s.number, s.heading) for s in assessment.bank.sections.filter(local=False)
        ] + [(Section.LOCAL_NUMBER, f"{Section.LOCAL_HEADING}, a section after all the others")]
        self.helper = gds_helper(
            Field.textarea("text"),
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field.select("section"),
            submit=submit,
        )
