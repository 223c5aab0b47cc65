from __future__ import annotations

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.core.validators import MaxLengthValidator

from workshops.forms.fields import CheckedModelMultipleChoiceField, RealDateField, gds_helper
from workshops.models import Action, Assessment, Priority

MAX_TEXT = 5000


class ActionForm(forms.ModelForm):
    """An action in the plan. ``revision`` is the version the person saw, so a save on
    top of someone else's is refused rather than overwriting it."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    due_on = RealDateField(label="Due by", required=False, help_text="For example, 31 3 2027")

    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "sections",
            "owner",
            "owner_person",
            "due_on",
            "success_measure",
            "support_partners",
            "support_elsewhere",
            "status",
        ]
        labels = {
            "description": "What will be done",
            "sections": "Elements it addresses",
            "owner": "Owner organisation",
            "owner_person": "Owner",
            "success_measure": "How we will know it has worked",
        }
        widgets = {"sections": forms.CheckboxSelectMultiple}
        field_classes = {"sections": CheckedModelMultipleChoiceField}
        error_messages = {
            "title": {"required": "Give the action a short title"},
            "description": {"required": "Say what will be done"},
        }

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = assessment.partnership
        self.fields["title"].required = True
        self.fields["sections"].queryset = assessment.bank.sections.filter(is_element=True)
        self.fields["sections"].label_from_instance = lambda s: f"{s.number}. {s.heading}"
        self.fields["owner"].queryset = partnership.organisations.all()
        self.fields["owner_person"].queryset = partnership.people.select_related("organisation")
        self.fields["revision"].initial = self.instance.revision if self.instance.pk else 0
        # Withdrawing has its own form, with a reason; and an action in the plan cannot be
        # edited back into a draft or a rejection, which would drop it without one.
        allowed = Action.IN_PLAN if self.instance.is_in_plan else Action.Status.values
        self.fields["status"].choices = [
            (value, label)
            for value, label in Action.Status.choices
            if value in allowed and value != Action.Status.WITHDRAWN
        ]
        for name in ("description", "success_measure", "support_partners", "support_elsewhere"):
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
        self.helper = gds_helper(
            "revision",
            Field.text("title"),
            Field.textarea("description", rows=3),
            Field.checkboxes("sections", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            Field.select("owner_person"),
            Field("due_on"),
            Field.textarea("success_measure", rows=2),
            Field.textarea("support_partners", rows=2),
            Field.textarea("support_elsewhere", rows=2),
            Field.select("status"),
            submit="Save action",
        )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is it withdrawn?",
        help_text="The reason stays in the action's history and in the plan.",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the action is withdrawn"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.textarea("reason", rows=2),
            submit="Withdraw from the plan",
            button=Button.warning,
        )


class ProgressForm(forms.Form):
    text = forms.CharField(
        label="Progress update",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the progress update"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.textarea("text", rows=3), submit="Add update")


class PriorityForm(forms.Form):
    text = forms.CharField(
        label="Add a priority",
        max_length=1000,
        error_messages={"required": "Write the priority"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("text"), submit="Add priority")


class DotsForm(forms.Form):
    """The dots each priority got in the board's dot vote, saved together. A priority's
    field is ``votes-<id>``, named by its place in the list ("Dots for priority 2").
    Only the fields sent are required: a priority added since the page was loaded
    keeps its dots. ``most`` is the most dots one priority can get."""

    def __init__(self, *args, priorities: list[Priority], most: int, **kwargs):
        # The fields' own ids, which the table's inputs and the error summary's links use.
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.priorities = priorities
        for rank, priority in enumerate(priorities, 1):
            name = f"votes-{priority.pk}"
            problem = f"Enter the dots for priority {rank} as a whole number from 0 to {most}"
            self.fields[name] = forms.IntegerField(
                label=f"Dots for priority {rank}",
                initial=priority.votes,
                min_value=0,
                max_value=most,
                required=not self.is_bound or name in self.data,
                error_messages={
                    key: problem for key in ("required", "invalid", "min_value", "max_value")
                },
            )

    @property
    def rows(self) -> list[tuple[Priority, forms.BoundField]]:
        """Each priority beside its field, in the list's order."""
        return [(priority, self[f"votes-{priority.pk}"]) for priority in self.priorities]

    @property
    def votes(self) -> dict[int, int]:
        """The dots sent, by priority id (priorities left out keep theirs)."""
        return {
            priority.pk: self.cleaned_data[f"votes-{priority.pk}"]
            for priority in self.priorities
            if self.cleaned_data.get(f"votes-{priority.pk}") is not None
        }


STALE_DRAFT = (
    "A draft you selected was accepted, rejected or removed since your page was loaded. "
    "Nothing was changed: check the drafts below and choose again."
)


class DecideDraftsForm(forms.Form):
    """Drafts accepted or rejected together: the ticked ones, or an element's all.
    ``group`` is the element the buttons were in, for the page to come back to it."""

    action = CheckedModelMultipleChoiceField(
        queryset=Action.objects.none(),
        error_messages={
            "required": "Select the draft actions to accept or reject.",
            "invalid_choice": STALE_DRAFT,
            "invalid_pk_value": STALE_DRAFT,
        },
    )
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("reject", "Reject")],
        error_messages={
            "required": "Choose to accept or reject the draft actions.",
            "invalid_choice": "Choose to accept or reject the draft actions.",
        },
    )
    group = forms.RegexField(regex=r"^element-(\d{1,4}|none)$", required=False)

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        # Rejected drafts stay decidable: a rejection can be taken back by accepting.
        self.fields["action"].queryset = assessment.actions.filter(
            status__in=[Action.Status.PROPOSED, Action.Status.REJECTED]
        ).select_related("item")

    @property
    def problem(self) -> str:
        """The first thing wrong, for the page's message (the buttons carry no fields of
        their own to show an error beside)."""
        for name in ("decision", "action"):
            if name in self.errors:
                return self.errors[name][0]
        return "Choose the draft actions again."

    @property
    def fragment(self) -> str:
        group = self.cleaned_data.get("group") if hasattr(self, "cleaned_data") else ""
        return f"drafts-{group}" if group else "drafts"
