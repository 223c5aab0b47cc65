"""Support staff finding an account by its email address."""

from __future__ import annotations

from django import forms


class FindAccountForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The address the person signs in with.",
        max_length=254,
        error_messages={
            "required": "Enter the email address of the account",
            "invalid": "Enter an email address like name@example.org",
            "max_length": "Enter an email address of 254 characters or fewer",
        },
    )
