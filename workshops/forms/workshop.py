from __future__ import annotations

import secrets

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.core.validators import MaxLengthValidator

from questions.models import Item
from workshops.forms.fields import CheckedModelMultipleChoiceField, RealDateField, gds_helper
from workshops.models import AgendaItem, Membership, Person, Sector, User, Workshop
from workshops.models.workshop import CODE_LENGTH, CONSENSUS_FIELDS, normalise_code

MAX_TEXT = 5000


class WorkshopForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter a title for the workshop"}
    )
    kind = forms.ChoiceField(
        label="Who takes part",
        choices=Workshop.Kind.choices,
        widget=forms.RadioSelect,
        initial=Workshop.Kind.BOARD,
        error_messages={"required": "Choose who takes part"},
    )
    held_on = RealDateField(label="Date", help_text="For example, 27 3 2026")
    facilitator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        empty_label=None,
        error_messages={
            "required": "Choose who facilitates",
            "invalid_choice": "Choose who facilitates",
        },
    )
    expected = forms.IntegerField(
        label="How many people do you expect? (optional)",
        help_text=(
            "The console shows how many have joined against this. Leave it empty to expect "
            "everyone in the partnership's list of people."
        ),
        required=False,
        min_value=1,
        max_value=1000,
        error_messages={
            "invalid": "Enter the number of people you expect, like 12",
            "min_value": "Enter the number of people you expect, 1 or more",
            "max_value": "Enter the number of people you expect, 1,000 or fewer",
        },
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Membership.Role.COORDINATOR, Membership.Role.FACILITATOR]
        self.fields["facilitator"].queryset = User.objects.filter(
            memberships__partnership=partnership, memberships__role__in=roles
        ).order_by("email")
        self.helper = gds_helper(
            Field.text("title"),
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field("held_on"),
            Field.select("facilitator"),
            Field.text("expected", field_width=4, inputmode="numeric"),
            submit="Set up workshop",
        )


class AgendaAddForm(forms.Form):
    items = CheckedModelMultipleChoiceField(
        queryset=Item.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Questions to add",
        error_messages={"required": "Choose at least one question to add"},
    )

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = (
            workshop.assessment.items.exclude(pk__in=workshop.agenda.values("item_id"))
            .select_related("section")
            .order_by("section__number", "position")
        )
        self.fields["items"].label_from_instance = lambda item: f"{item.key} {item.text}"
        self.helper = gds_helper(
            Field.checkboxes("items", legend_size=Size.SMALL, small=True), submit="Add to agenda"
        )


class ConsensusForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = CONSENSUS_FIELDS
        labels = {
            "agreed_internal": "Agreed rating against our own plans (internal)",
            "agreed_external": "Agreed rating against other LSPs (external)",
            "agreed_choice": "Agreed answer",
            "rationale": "Why the board agreed this",
            "investigate": "Investigate this further",
        }

    def __init__(self, *args, workshop: Workshop, item: Item, **kwargs):
        super().__init__(*args, prefix=f"c{kwargs.get('instance').pk}", **kwargs)
        scale = [("", "Not agreed yet")] + [
            (value, f"{value} – {label}")
            for value, label in workshop.assessment.bank.scale_choices()
        ]
        keep = ["rationale", "strengths", "improvements", "evidence", "investigate"]
        if item.kind == Item.Kind.RATING:
            keep = [f"agreed_{basis}" for basis in workshop.assessment.bases] + keep
        elif item.kind == Item.Kind.YES_NO:
            keep = ["agreed_choice", *keep]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in ("agreed_internal", "agreed_external"):
            if name in self.fields:
                self.fields[name] = forms.TypedChoiceField(
                    label=self.fields[name].label,
                    choices=scale,
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
        if "agreed_choice" in self.fields:
            self.fields["agreed_choice"].widget = forms.RadioSelect(
                choices=[("yes", "Yes"), ("no", "No")]
            )
        for name in ("rationale", "strengths", "improvements", "evidence"):
            self.fields[name].validators.append(MaxLengthValidator(MAX_TEXT))
        layout = []
        for name in self.fields:
            if name.startswith("agreed_") and name != "agreed_choice":
                layout.append(Field.select(name))
            elif name == "agreed_choice":
                layout.append(Field.radios(name, legend_size=Size.SMALL, small=True, inline=True))
            elif name == "investigate":
                layout.append(Field.checkbox(name, small=True))
            else:
                layout.append(Field.textarea(name, rows=2))
        self.helper = gds_helper(*layout, submit="Record what was agreed")


class ActionForm(forms.Form):
    description = forms.CharField(
        label="Action",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the action"},
    )
    owner = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner organisation", empty_label="No owner yet"
    )
    due_on = RealDateField(label="Due by", required=False, help_text="For example, 31 3 2027")

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = workshop.assessment.partnership.organisations.all()
        self.helper = gds_helper(
            Field.textarea("description", rows=2),
            Field.select("owner"),
            Field("due_on"),
            submit="Add action",
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Workshop code",
        help_text=f"The {CODE_LENGTH} letters and numbers on the screen, for example ABCD-2345",
        max_length=20,
        error_messages={"required": "Enter the workshop code shown on the screen"},
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                f"Enter the {CODE_LENGTH} letters and numbers of the code shown on the screen"
            )
        return code

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("code", field_width=10, autocomplete="off", spellcheck="false"),
            submit="Continue",
        )


class JoinForm(forms.Form):
    """Say who you are: yourself from the partnership's people, or stay anonymous."""

    ANONYMOUS = "anonymous"
    who = forms.ChoiceField(
        label="Who are you?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yourself, or to stay anonymous"},
    )
    role = forms.ChoiceField(
        label="Your role",
        choices=[("", "Choose your role")] + list(Person.Role.choices),
        required=False,
    )
    sector = forms.ChoiceField(
        label="Your sector",
        choices=[("", "Choose your sector")] + list(Sector.choices),
        required=False,
    )
    # A fresh value per form shown, so a double click or a resent form joins once.
    attempt = forms.RegexField(
        regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput, required=False
    )
    layer = forms.ChoiceField(
        label="Your part of the partnership",
        choices=[("", "Choose where you sit")] + list(Person.Layer.choices),
        required=False,
    )
    # Sent from the "someone has already joined as you" page: ask to be let in as them.
    ask = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        assessment = workshop.assessment
        self.people = (
            {}
            if assessment.anonymous
            else {
                str(person.pk): person
                for person in assessment.partnership.people.select_related("organisation").order_by(
                    "name"
                )
            }
        )
        self.fields["who"].choices = [
            (key, f"{person.name}, {person.organisation.name}")
            for key, person in self.people.items()
        ] + [(self.ANONYMOUS, "Stay anonymous: give your role, sector and layer only")]
        if assessment.anonymous:
            self.fields["who"].initial = self.ANONYMOUS
        self.fields["attempt"].initial = secrets.token_urlsafe(16)
        layout = ["attempt", Field.radios("who", legend_size=Size.MEDIUM, small=True)]
        layout += [Field.select(name) for name in ("role", "sector", "layer")]
        self.helper = gds_helper(*layout, submit="Join the workshop")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("who") == self.ANONYMOUS:
            for name, message in (
                ("role", "Choose your role"),
                ("sector", "Choose your sector"),
                ("layer", "Choose your part of the partnership"),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
        return cleaned

    @property
    def person(self) -> Person | None:
        return self.people.get(self.cleaned_data["who"])
