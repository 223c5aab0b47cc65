"""How django-allauth's account pages behave here."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The same words for an unknown address as for a wrong password.
        "email_password_mismatch": "The email address or the password is not right.",
    }

    def is_open_for_signup(self, request) -> bool:
        # Accounts are made by accepting an invitation to a partnership
        # (workshops.views.members), never by signing up unasked.
        return False
