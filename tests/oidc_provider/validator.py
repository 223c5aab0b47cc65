"""The claims the test provider gives: email and email_verified, like Entra ID's."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

# Users in this group have an address the provider has not confirmed.
UNVERIFIED = "unverified"


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": not user.groups.filter(name=UNVERIFIED).exists(),
            "name": f"{user.first_name} {user.last_name}".strip() or user.username,
        }
