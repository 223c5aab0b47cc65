"""Support staff's form for a sign-in provider, and the public form asking for an
email address to find a person's organisation."""

from __future__ import annotations

import re

from allauth.socialaccount.forms import DisconnectForm as AllauthDisconnectForm
from crispy_forms_gds.layout import Field, Fluid, Size
from django import forms

from workshops.forms.fields import gds_helper
from workshops.models import SignInProvider
from workshops.models.sso import default_secret_variable


class DomainsField(forms.CharField):
    """Email domains, one a line (commas and spaces also separate them), as a list."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        # "@eastshire.gov.uk" is how people write a domain of addresses.
        return [d.lstrip("@").lower() for d in re.split(r"[\s,;]+", text) if d.lstrip("@")]


class SignInProviderForm(forms.ModelForm):
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=500,
        assume_scheme="https",
        help_text=SignInProvider._meta.get_field("issuer").help_text,
        error_messages={
            "required": "Enter the issuer URL",
            "invalid": "Enter the issuer URL, like https://login.microsoftonline.com/…/v2.0",
            "max_length": "Enter an issuer URL of up to 500 characters",
        },
    )
    email_domains = DomainsField(
        label="Email domains",
        help_text="One a line, like eastshire.gov.uk. People whose address is in one of "
        "these domains sign in through this provider, and not with a password. A domain "
        "can belong to one provider only.",
        error_messages={"required": "Enter at least one email domain"},
    )

    class Meta:
        model = SignInProvider
        fields = ["name", "slug", "issuer", "client_id", "email_domains", "secret_variable"]
        labels = {"name": "Organisation name", "slug": "Short name"}
        error_messages = {
            "name": {
                "required": "Enter the organisation's name",
                "max_length": "Enter a name of up to 150 characters",
            },
            "slug": {
                "required": "Enter a short name",
                "unique": "Another provider has this short name",
                "max_length": "Enter a short name of up to 50 characters",
                "invalid": "Use lower-case letters, digits and single hyphens, like eastshire-cc",
            },
            "client_id": {
                "required": "Enter the client ID the provider gave this service",
                "max_length": "Enter a client ID of up to 255 characters",
            },
            "secret_variable": {
                "max_length": "Enter a variable name of up to 100 characters",
            },
        }
        help_texts = {
            "secret_variable": "The secret itself is never stored here: put it in this "
            "environment variable on the servers. Leave it empty for "
            + default_secret_variable("short-name")
            + " (made from the short name).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [
            Field.text("name"),
            Field.text("slug", field_width=20),
            Field.text("issuer"),
            Field.text("client_id"),
            Field.textarea("email_domains", rows=3),
            Field.text("secret_variable", field_width=Fluid.TWO_THIRDS),
        ]
        if self.instance.pk:
            # Linked accounts and the redirect URI registered with the provider both
            # carry the short name: changing it would break them.
            del self.fields["slug"]
            fields.pop(1)
            self.fields["is_active"] = forms.BooleanField(
                label="People sign in through this provider (active)",
                required=False,
                initial=self.instance.is_active,
            )
            fields.append(Field.checkbox("is_active", small=True))
        for name in ("name", "issuer", "client_id", "secret_variable"):
            self.fields[name].strip = True
        self.helper = gds_helper(*fields, submit="Save provider")
        self.helper.label_size = Size.SMALL

    def clean_secret_variable(self) -> str:
        return (self.cleaned_data.get("secret_variable") or "").strip().upper()

    def save(self, commit: bool = True) -> SignInProvider:
        if "is_active" in self.cleaned_data:
            self.instance.is_active = self.cleaned_data["is_active"]
        return super().save(commit)


class OrganisationSignInForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        error_messages={
            "required": "Enter your work email address",
            "invalid": "Enter an email address like name@example.gov.uk",
            "max_length": "Enter an email address of up to 254 characters",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(Field.text("email"), "next", submit="Continue")


class DisconnectForm(AllauthDisconnectForm):
    """allauth's form for removing a link to an organisation's sign-in, in our words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].error_messages = {
            "required": "Choose the link to remove",
            "invalid_choice": "Choose one of the links listed",
        }
