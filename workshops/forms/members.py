"""Inviting someone to a partnership, and setting up the account an invitation creates."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.contrib.auth import password_validation

from workshops.forms.fields import gds_helper
from workshops.models import Membership, User


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation can only be accepted by this address.",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Permission role",
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose their permission role"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.text("email"),
            Field.radios("role", legend_size=Size.SMALL, small=True),
            submit="Send invitation",
        )


class NewAccountForm(forms.Form):
    full_name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={
            "required": "Enter your name",
            "max_length": "Enter a name of up to 150 characters",
        },
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Choose a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        # What the settings' validators ask, in their own words.
        rules = password_validation.password_validators_help_texts()
        self.fields["password1"].help_text = " ".join(rules)
        self.helper = gds_helper(
            Field.text("full_name"),
            Field.text("password1"),
            Field.text("password2"),
            submit="Create account and join",
        )

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match")
        elif first:
            # The settings' validators, against the account about to be made (so a
            # password like the name or the address is refused too).
            would_be = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, would_be)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
