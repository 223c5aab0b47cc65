"""Organisations' own sign-in: OpenID Connect providers (Microsoft Entra ID and
others) and the email domains each serves.

Support staff set them up. The client secret is never stored here: each provider
names the environment variable that holds it, so a database dump or backup never
carries a credential.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

# What a shell and every hosting platform accept as a variable name.
SECRET_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*\Z")
# A host name of at least two labels: letters, digits and hyphens, no leading or
# trailing hyphen in a label.
DOMAIN = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# Plain http is allowed only for a provider on this machine (a development or test
# provider): anywhere else the code and tokens would cross the network in clear.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def default_secret_variable(slug: str) -> str:
    """``eastshire-cc`` → ``SSO_CLIENT_SECRET_EASTSHIRE_CC``."""
    return "SSO_CLIENT_SECRET_" + re.sub(r"[^A-Z0-9]+", "_", slug.upper()).strip("_")


def email_domain(email: str) -> str:
    """The part of an address after its last @, lower-cased ("" if there is none)."""
    local, at, domain = (email or "").strip().rpartition("@")
    return domain.lower() if at and local else ""


def validate_issuer(url: str) -> None:
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValidationError("Enter the issuer URL without a ? or # part")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise ValidationError("Enter an issuer URL that starts with https://")


class SignInProvider(models.Model):
    name = models.CharField(
        max_length=150,
        help_text="The organisation, as people know it: “Eastshire County Council”.",
    )
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                "Use lower-case letters, digits and single hyphens, like eastshire-cc",
            )
        ],
        help_text="Part of the provider's addresses here, including the redirect URI "
        "registered with the provider. It cannot be changed later.",
    )
    issuer = models.URLField(
        "Issuer URL",
        max_length=500,
        validators=[validate_issuer],
        help_text="Where the provider publishes /.well-known/openid-configuration, "
        "like https://login.microsoftonline.com/<tenant id>/v2.0",
    )
    client_id = models.CharField("Client ID", max_length=255)
    email_domains = models.JSONField(
        default=list,
        help_text="The email domains whose people sign in through this provider.",
    )
    secret_variable = models.CharField(
        "Environment variable holding the client secret",
        max_length=100,
        # Left empty, it is made from the slug (``default_secret_variable``).
        blank=True,
        validators=[
            RegexValidator(
                SECRET_VARIABLE,
                "Use capital letters, digits and underscores, starting with a letter",
            )
        ],
    )
    is_active = models.BooleanField("Active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.secret_variable and self.slug:
            self.secret_variable = default_secret_variable(self.slug)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        domains = [d.strip().lower() for d in self.email_domains or []]
        if not domains:
            raise ValidationError({"email_domains": "Enter at least one email domain"})
        for domain in domains:
            if not DOMAIN.fullmatch(domain):
                raise ValidationError(
                    {"email_domains": f"“{domain}” is not an email domain like eastshire.gov.uk"}
                )
        if len(set(domains)) != len(domains):
            raise ValidationError({"email_domains": "Enter each domain once"})
        # A domain is served by one provider only, active or not, so which provider an
        # address signs in through is never in doubt.
        others = SignInProvider.objects.exclude(pk=self.pk)
        for other in others:
            if taken := sorted(set(domains) & set(other.email_domains)):
                raise ValidationError(
                    {"email_domains": f"{', '.join(taken)} is already served by {other.name}"}
                )
        self.email_domains = domains
        if not self.secret_variable and self.slug:
            self.secret_variable = default_secret_variable(self.slug)

    @property
    def secret(self) -> str:
        return os.environ.get(self.secret_variable, "")

    @property
    def secret_is_set(self) -> bool:
        return bool(self.secret)

    def serves(self, email: str) -> bool:
        return email_domain(email) in self.email_domains
