"""What every access helper shares: the needs a view names, the methods it takes, and the
partnership every other object is fetched through."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from workshops.models import (
    Membership,
    Partnership,
)


class Need(enum.Enum):
    """What a view needs of the caller's membership. An enum, not strings: a
    misspelt need is an AttributeError naming the typo (and flagged by editors and
    type checkers), and a string passed as a need is refused outright."""

    VIEW = "view"
    MANAGE = "manage"
    FACILITATE = "facilitate"
    RESULTS = "results"

    def is_granted(self, membership: Membership) -> bool:
        """Whether the membership's role grants this need (the rules are the model's)."""
        match self:
            case Need.VIEW:
                return True
            case Need.MANAGE:
                return membership.can_manage
            case Need.FACILITATE:
                return membership.can_facilitate
            case Need.RESULTS:
                return membership.can_view_results


# The methods a view takes; None (the helpers' default) takes any.
Methods = Collection[str] | None


POST_ONLY = ("POST",)


READ_ONLY = ("GET", "HEAD")


class MethodNotAllowed(Exception):
    """A method the view does not take, found after the access check: a 405."""

    def __init__(self, allowed: Collection[str]) -> None:
        super().__init__(f"Allowed: {', '.join(allowed)}")
        self.allowed = list(allowed)


def check_method(request: HttpRequest, methods: Methods) -> None:
    """Refuse a method the view does not take. The helpers call it last, once the
    object is found and the role checked; views that are not a partnership's
    (support staff's pages) call it after their own checks."""
    if methods is not None and request.method not in methods:
        raise MethodNotAllowed(methods)


class MethodNotAllowedMiddleware:
    """Turns ``MethodNotAllowed`` from a view into the 405 response with its Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MethodNotAllowed):
            return HttpResponseNotAllowed(exception.allowed)
        return None


def get_partnership(
    request: HttpRequest,
    partnership_id: int,
    need: Need = Need.VIEW,
    *,
    methods: Methods = None,
) -> tuple[Partnership, Membership]:
    if not isinstance(need, Need):
        raise TypeError(f"A need is an access.Need, not {need!r}.")
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("partnership", "partnership__county_partnership")
        .filter(user=request.user, partnership_id=partnership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such partnership.")
    if not need.is_granted(membership):
        raise PermissionDenied(f"Your role in {membership.partnership} does not allow this.")
    check_method(request, methods)
    return membership.partnership, membership


# What a personal link's token is made of (URL-safe base64, from secrets.token_urlsafe).
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
