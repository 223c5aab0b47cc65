"""Invitations to join a partnership with a permission role.

Accounts join partnerships only through these: a coordinator names an email
address, never an account, and the invitation says nothing of whether the
address has one. Only a hash of its one-time link is kept, as for personal links.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from workshops.models.assessment import hash_token, new_token
from workshops.models.partnership import Membership, Partnership


class MemberInvitation(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="member_invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Empty while the email waits (a partnership not yet verified, or past its
    # daily limit): the link is made when the email goes. NULL rather than "" so
    # that many waiting invitations do not clash in the unique index.
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=models.Q(accepted_at=None, withdrawn_at=None),
                name="one_open_member_invitation_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} of {self.partnership}"

    def issue_link(self) -> str:
        """A new one-time link, valid for MEMBER_INVITATION_DAYS; any earlier one stops
        working once saved. Returns the token, which is kept nowhere but the email."""
        token = new_token()
        self.token_hash = hash_token(token)
        self.sent_at = timezone.now()
        self.expires_at = self.sent_at + timedelta(days=settings.MEMBER_INVITATION_DAYS)
        return token

    def clear_link(self) -> None:
        self.token_hash = self.sent_at = self.expires_at = None

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def is_for(self, user) -> bool:
        """Tied to the address it was sent to: only that address's account may accept."""
        return user.is_authenticated and user.email.lower() == self.email
