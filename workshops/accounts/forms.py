"""The sign-in form."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from workshops.models import SignInProvider
from workshops.signin import lockout_warning


class LoginForm(AllauthLoginForm):
    # The provider whose domain the address is in, when the password was refused
    # for it: the sign-in page then offers that provider's sign-in.
    sso_provider: SignInProvider | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The GOV.UK pattern: say what to do, for each field.
        self.fields["login"].error_messages |= {
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        }
        self.fields["password"].error_messages["required"] = "Enter your password"

    def clean(self):
        from workshops.accounts.sso import provider_for_email

        login = self.cleaned_data.get("login") or ""
        provider = provider_for_email(login)
        if provider is not None:
            # Decided by the domain alone, before any account is looked up or any
            # password checked: the answer is the same whether or not the address has
            # an account here, and no wrong password is counted against it.
            self.sso_provider = provider
            raise forms.ValidationError(
                f"Addresses ending in @{login.rpartition('@')[2].lower()} sign in through "
                f"{provider.name}, not with a password. Choose “Sign in with your "
                "organisation's account” below.",
                code="sso_domain",
            )
        try:
            return super().clean()
        except forms.ValidationError as refused:
            if refused.code != "email_password_mismatch":
                raise
            warning = lockout_warning(self.request, login)
            if warning is None:
                raise
            raise forms.ValidationError(
                [refused, forms.ValidationError(warning, code="tries_left")]
            ) from None
