"""What the facilitator sends to ask the room for ideas."""

from __future__ import annotations

from crispy_forms_gds.layout import Field
from django import forms

from questions.models import Item
from workshops.forms.fields import gds_helper
from workshops.models import AgendaItem, Workshop


class IdeaPromptForm(forms.Form):
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        label="An open question on the agenda (optional)",
        help_text="The ideas can then be recorded as what the room agreed on it.",
        required=False,
        empty_label="None: ask what I type below",
        error_messages={"invalid_choice": "Choose an open question on this workshop's agenda"},
    )
    prompt = forms.CharField(
        label="What the room is asked",
        help_text="For example: What one thing would most improve our board meetings? "
        "Left empty for a question on the agenda, its own words are used.",
        max_length=300,
        required=False,
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agenda_item"]
        field.queryset = workshop.agenda.filter(item__kind=Item.Kind.OPEN).select_related("item")
        field.label_from_instance = lambda a: f"{a.item.key} {a.item.text}"
        self.helper = gds_helper(
            Field.select("agenda_item"),
            Field.text("prompt"),
            submit="Ask the room for ideas",
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("agenda_item") and not (cleaned.get("prompt") or "").strip():
            self.add_error("prompt", "Enter what the room is asked, or choose a question")
        return cleaned
