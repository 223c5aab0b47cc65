"""Second factors: who must have one (MFA_REQUIRED_ROLES), and support staff's reset."""

from __future__ import annotations


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
