from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms

from workshops.forms.fields import gds_helper, refuse_too_long
from workshops.models import Organisation, Partnership, Person


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [
            "name",
            "area",
            "authority_type",
            "county_partnership",
            "share_benchmarks",
            "share_with_county",
        ]
        labels = {"county_partnership": "County partnership (two-tier areas only)"}
        error_messages = {
            "name": {"required": "Enter the partnership's name"},
            "area": {"required": "Enter the area the partnership serves"},
            "authority_type": {"required": "Choose the type of authority"},
        }

    def __init__(self, *args, county_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only county partnerships the user already belongs to can be chosen,
        # so the list never reveals other partnerships on the installation.
        queryset = county_choices if county_choices is not None else Partnership.objects.none()
        if self.instance.pk:
            # The county it sits under stays a choice for a coordinator who is not also one
            # of the county's members: saving their other details must not unlink it.
            current = Partnership.objects.filter(pk=self.instance.county_partnership_id)
            queryset = (queryset | current).distinct().exclude(pk=self.instance.pk)
        self.fields["county_partnership"].queryset = queryset
        # Radios of the model's choices alone: the field's own list begins with the
        # blank a select box needs, which would be a radio labelled "---------".
        self.fields["authority_type"].choices = Partnership.AuthorityType.choices
        self.fields["authority_type"].widget = forms.RadioSelect(
            choices=Partnership.AuthorityType.choices
        )
        refuse_too_long(self.fields["name"], "Partnership name")
        refuse_too_long(self.fields["area"], "Area")
        self.helper = gds_helper(
            Field.text("name"),
            Field.text("area"),
            Field.radios("authority_type", legend_size=Size.SMALL, small=True),
            Field.select("county_partnership"),
            Field.checkbox("share_benchmarks", small=True),
            Field.checkbox("share_with_county", small=True),
        )


class NewPartnershipForm(PartnershipForm):
    """Setting up a partnership, for support staff: its details and who to invite as its
    first coordinator."""

    coordinator = forms.EmailField(
        label="Email address of its first coordinator",
        help_text="They are emailed an invitation to be the partnership's coordinator, "
        "and choose a password or sign in with the account they have. Only this "
        "address can accept it.",
        error_messages={
            "required": "Enter the email address of its first coordinator",
            "invalid": "Enter an email address like name@example.org",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.insert(len(self.helper.layout) - 2, Field.text("coordinator"))


class CoordinatorInviteForm(forms.Form):
    """Support staff inviting a coordinator for a partnership that has none."""

    email = forms.EmailField(
        label="Email address of its coordinator",
        help_text="They are emailed an invitation to be the partnership's coordinator. "
        "Only this address can accept it.",
        error_messages={
            "required": "Enter the email address of its coordinator",
            "invalid": "Enter an email address like name@example.org",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("email"), submit="Send invitation")


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "sector"]
        widgets = {"sector": forms.RadioSelect}
        error_messages = {
            "name": {"required": "Enter the organisation's name"},
            "sector": {"required": "Choose the organisation's sector"},
        }

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["sector"].choices = [c for c in self.fields["sector"].choices if c[0]]
        refuse_too_long(self.fields["name"], "Organisation name")
        self.helper = gds_helper(
            Field.text("name"), Field.radios("sector", legend_size=Size.SMALL, small=True)
        )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = self.instance.partnership.organisations.filter(name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "This partnership already has an organisation of that name."
            )
        return name


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "email", "organisation", "role", "layer"]
        labels = {"layer": "Governance layer"}
        widgets = {"layer": forms.RadioSelect}
        error_messages = {
            "name": {"required": "Enter the person's name"},
            "email": {"invalid": "Enter an email address like name@example.org"},
            "organisation": {"required": "Choose their organisation"},
            "role": {"required": "Choose their role"},
            "layer": {"required": "Choose their governance layer"},
        }

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["organisation"].queryset = partnership.organisations.all()
        self.fields["layer"].choices = [c for c in self.fields["layer"].choices if c[0]]
        refuse_too_long(self.fields["name"], "Name")
        self.helper = gds_helper(
            Field.text("name"),
            Field.text("email"),
            Field.select("organisation"),
            Field.select("role"),
            Field.radios("layer", legend_size=Size.SMALL, small=True),
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email:
            clash = self.instance.partnership.people.filter(email__iexact=email)
            if clash.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError("Someone in this partnership already has that email.")
        return email
