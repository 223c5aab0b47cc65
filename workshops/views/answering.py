"""Whose response a questionnaire's pages are for, and reaching them through a
partner's personal link, which is the credential.

The questionnaire's pages (``views.questionnaire``), its network section
(``views.network_section``) and a coordinator's paper return (``views.paper``) all
answer for an ``Answering``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from workshops import throttle
from workshops.access import get_invitation_by_token
from workshops.models import Assessment, Invitation, Person, Respondent, User
from workshops.services.questionnaire import find_respondent, start_respondent


@dataclass
class Answering:
    """Whose response the pages are for, and where they live.

    Through a link or a named paper return, the response belongs to the
    invitation. A paper return in an anonymous assessment has no invitation:
    it is a response of its own, so entering it never shows or depends on
    what the person did online.
    """

    invitation: Invitation | None
    channel: str
    url_name: str
    url_args: tuple
    entered_by: User | None = None
    person: Person | None = None
    assessment: Assessment | None = None
    _respondent: Respondent | None = field(default=None, repr=False)
    _looked_up: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.invitation is not None:
            self.person = self.person or self.invitation.person
            self.assessment = self.assessment or self.invitation.assessment

    @property
    def respondent(self) -> Respondent | None:
        if not self._looked_up:
            self._respondent = find_respondent(self.assessment, self.invitation, self.person)
            self._looked_up = True
        return self._respondent

    def url(self, page: str, *args) -> str:
        return reverse(f"{self.url_name}-{page}", args=[*self.url_args, *args])

    @property
    def url_save(self) -> str:
        return self.url("save")

    def forget_respondent(self) -> None:
        self._respondent, self._looked_up = None, False

    def start_respondent(self) -> Respondent:
        self._respondent = start_respondent(
            self.assessment, self.invitation, self.person, self.channel, self.entered_by
        )
        self._looked_up = True
        return self._respondent


LINK_GUESSES = "invitation-link"


def through_link(view=None, *, json: bool = False):
    """Open a partner's page through their personal link, which is the credential.

    A withdrawn link is explained (410). A right link always opens. An unknown
    link is a 404 and counts against the network; past a small allowance the
    network must wait longer and longer before trying another (429), so links
    cannot be found by trying.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, token: str, *args, **kwargs) -> HttpResponse:
            try:
                invitation = get_invitation_by_token(token)
            except Http404:
                wait = throttle.count_miss(request, LINK_GUESSES)
                if not wait:
                    raise
                problem = (
                    TOO_MANY_LINKS[0],
                    f"{throttle.wait_message(wait, 'link')}. {TOO_MANY_LINKS[1]}",
                )
                response = _link_problem(request, problem, status=429, json=json)
                response["Retry-After"] = str(wait)
                return response
            if invitation.is_revoked:
                return _link_problem(request, WITHDRAWN, status=410, json=json)
            answering = Answering(invitation, Respondent.Channel.ONLINE, "questionnaire", (token,))
            return view(request, answering, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate


WITHDRAWN = (
    "This link has been withdrawn",
    "The partnership's coordinator has withdrawn this link. "
    "If you think that is a mistake, ask them for a new one.",
)
TOO_MANY_LINKS = (
    "Too many wrong links",
    "Too many links that do not exist have been tried from this network. "
    "The link from your invitation email always works.",
)


def _link_problem(request: HttpRequest, problem, *, status: int, json: bool) -> HttpResponse:
    title, message = problem
    if json:
        return JsonResponse({"error": f"{title}."}, status=status)
    context = {"title": title, "message": message}
    return render(request, "workshops/questionnaire/link_problem.html", context, status=status)
