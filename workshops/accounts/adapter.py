"""How django-allauth's account pages behave here."""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SetPasswordForm as AllauthSetPasswordForm
from allauth.account.forms import UserTokenForm
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from workshops import audit, throttle
from workshops.services.mail import MAIL_ERRORS

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The same words for an unknown address as for a wrong password.
        "email_password_mismatch": "The email address or the password is not right.",
        "invalid_password_reset": "This password reset link cannot be used.",
        "enter_current_password": "Enter your current password",
    }

    def get_client_ip(self, request) -> str:
        # The address the guess counters use (TRUSTED_PROXY_COUNT), so the list of
        # an account's devices shows the client, not the proxy in front of us.
        return throttle.client_address(request) or "0.0.0.0"  # noqa: S104 - not a bind

    def is_open_for_signup(self, request) -> bool:
        # Accounts are made by accepting an invitation to a partnership
        # (workshops.views.members), never by signing up unasked.
        return False

    def get_reset_password_from_key_url(self, key: str) -> str:
        # On the configured address, never the Host header of whoever asked: a
        # request sent with a forged Host would otherwise email the account's
        # owner a link to someone else's site.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", key)

    def get_password_change_redirect_url(self, request) -> str:
        return reverse("account")

    def send_password_reset_mail(self, user, email: str, context: dict) -> None:
        # Only accounts that exist get here (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is off), so
        # the log says nothing of addresses without one.
        request = context.get("request")
        audit.record(
            "account.password_reset_requested",
            "Asked for a password reset email" + _from(request) + ".",
            account=user,
            request=request,
        )
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        super().send_password_reset_mail(user, email, context)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send, but never fail the page when the mail server refuses: whoever asked
        for a reset sees what they would have seen (the page says nothing of whether
        an email went), and the refusal is logged and, for an account, audited."""
        try:
            super().send_mail(template_prefix, email, context)
        except MAIL_ERRORS as exc:
            what = template_prefix.rsplit("/", 1)[-1].replace("_", " ")
            logger.warning("Could not send the %s email: %s", what, exc)
            user = context.get("user")
            if user is not None and getattr(user, "pk", None):
                audit.record(
                    "account.email_failed",
                    f"The {what} email could not be sent: the mail server refused it "
                    f"({type(exc).__name__}).",
                    account=user,
                    request=context.get("request"),
                )


def _from(request) -> str:
    # Imported here: the signals module imports this one.
    from workshops.accounts.signals import where_from

    return f" {where_from(request)}" if request is not None else ""


class ResetPasswordForm(AllauthResetPasswordForm):
    """The reset form, in the site's words. It is valid for any well-formed address
    (ACCOUNT_PREVENT_ENUMERATION): only an account's address gets an email."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages = {
            "required": "Enter your email address",
            "invalid": "Enter an email address like name@example.org",
        }


class ResetLinkForm(UserTokenForm):
    """Checks a reset link as allauth does, and notes for the page why one fails:
    used (or spoilt by a sign-in or another change since), expired, or not a link
    we made. Whoever holds the link learns nothing from that which its email did
    not tell them."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            request = allauth_context.request
            if request is not None:
                request.reset_link_problem = self._why()
            raise

    def _why(self) -> str:
        user = self.reset_user
        key = self.cleaned_data.get("key") or ""
        if user is None or "-" not in key:
            return "invalid"
        stamp, _, _ = key.partition("-")
        try:
            made = base36_to_int(stamp)
        except ValueError:
            return "invalid"
        generator = self.token_generator
        # Made from the account as it is now: the link is still the one we sent,
        # and only its age is against it.
        for secret in [generator.secret, *generator.secret_fallbacks]:
            token = generator._make_token_with_timestamp(user, made, secret)
            if constant_time_compare(token, key):
                return "expired"
        # Not made from the account as it is now: the password has changed (the link
        # was used) or the account was signed in to since it was sent. A made-up
        # link for a real account lands here too, and is told the same.
        return "used"


class _NewPasswordWords:
    """The labels, hint and messages of a form that sets a new password, in the
    site's words. The settings' validators (AUTH_PASSWORD_VALIDATORS: length,
    likeness to the name and address, the common-passwords list, all digits)
    check it, against the account it is for."""

    labels: dict[str, tuple[str, str]] = {
        "oldpassword": ("Current password", "Enter your current password"),
        "password1": ("New password", "Enter a new password"),
        "password2": ("Type the new password again", "Type the new password again"),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, required) in self.labels.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].help_text = ""
                self.fields[name].error_messages["required"] = required
        self.fields["password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )


class ResetPasswordKeyForm(_NewPasswordWords, AllauthResetPasswordKeyForm):
    pass


class ChangePasswordForm(_NewPasswordWords, AllauthChangePasswordForm):
    pass


class SetPasswordForm(_NewPasswordWords, AllauthSetPasswordForm):
    labels = {
        "password1": ("Password", "Enter a password"),
        "password2": ("Type the password again", "Type the password again"),
    }
