"""One access helper per object type.

Each returns the object and the caller's membership. An object of a
partnership the user does not belong to is a 404, so nobody learns whether it
exists; a member whose role lacks the permission gets a 403. Only then is the
method checked: a view that takes only some methods says so to its helper
(``methods=POST_ONLY``), and any other is a 405 naming the ones it takes. An
outsider's wrong method is therefore still a 404.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from workshops.models import (
    Action,
    AgendaItem,
    Assessment,
    DotVote,
    Idea,
    IdeaCollection,
    ImportJob,
    Invitation,
    MemberInvitation,
    Membership,
    Organisation,
    Partnership,
    Person,
    PersonalLink,
    Priority,
    Target,
    Workshop,
)
from workshops.models.assessment import hash_token
from workshops.models.workshop import normalise_code


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


def get_organisation(
    request: HttpRequest,
    partnership_id: int,
    organisation_id: int,
    need: Need = Need.VIEW,
    *,
    methods: Methods = None,
) -> tuple[Organisation, Membership]:
    partnership, membership = get_partnership(request, partnership_id, need)
    organisation = get_object_or_404(partnership.organisations, pk=organisation_id)
    check_method(request, methods)
    return organisation, membership


def get_person(
    request: HttpRequest,
    partnership_id: int,
    person_id: int,
    need: Need = Need.VIEW,
    *,
    methods: Methods = None,
) -> tuple[Person, Membership]:
    partnership, membership = get_partnership(request, partnership_id, need)
    person = get_object_or_404(partnership.people.select_related("organisation"), pk=person_id)
    check_method(request, methods)
    return person, membership


def get_assessment(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    need: Need = Need.VIEW,
    *,
    methods: Methods = None,
) -> tuple[Assessment, Membership]:
    partnership, membership = get_partnership(request, partnership_id, need)
    assessment = get_object_or_404(
        partnership.assessments.select_related("bank", "partnership"), pk=assessment_id
    )
    check_method(request, methods)
    return assessment, membership


def get_assessment_person(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    person_id: int,
    need: Need = Need.MANAGE,
) -> tuple[Person, Assessment, Membership]:
    """A person of the partnership, with the assessment whose paper return is
    entered for them."""
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    person = get_object_or_404(
        assessment.partnership.people.select_related("organisation"), pk=person_id
    )
    return person, assessment, membership


def get_invitation(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    invitation_id: int,
    need: Need = Need.MANAGE,
    *,
    methods: Methods = None,
) -> tuple[Invitation, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    invitation = get_object_or_404(
        assessment.invitations.select_related("person__organisation"), pk=invitation_id
    )
    invitation.assessment = assessment
    check_method(request, methods)
    return invitation, membership


def get_import_job(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    job_id: int,
    *,
    methods: Methods = None,
) -> tuple[ImportJob, Membership]:
    """A big import of people or answers, for the coordinators who started such things."""
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    job = get_object_or_404(assessment.import_jobs, pk=job_id)
    job.assessment = assessment
    check_method(request, methods)
    return job, membership


# What a personal link's token is made of (URL-safe base64, from secrets.token_urlsafe).
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def get_invitation_by_token(token: str) -> Invitation:
    """The invitation behind a personal link. The link itself is the credential.

    A revoked invitation is returned (the view explains it was withdrawn);
    an unknown or tampered token is a 404.
    """
    if not LINK_TOKEN.fullmatch(token):
        # Not even looked up: PostgreSQL refuses a NUL in a query.
        raise Http404("This link is not valid.")
    link = (
        PersonalLink.objects.select_related(
            "invitation__assessment__bank",
            "invitation__assessment__partnership",
            "invitation__person__organisation",
            "invitation__respondent",
        )
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None:
        raise Http404("This link is not valid.")
    invitation = link.invitation
    invitation.token = token  # the one presented, so the pages can link to each other
    return invitation


def get_member_invitation(
    request: HttpRequest, partnership_id: int, invitation_id: int, *, methods: Methods = None
) -> tuple[MemberInvitation, Membership]:
    """An invitation to join the partnership, for its coordinators."""
    partnership, membership = get_partnership(request, partnership_id, Need.MANAGE)
    invitation = get_object_or_404(partnership.member_invitations, pk=invitation_id)
    invitation.partnership = partnership
    check_method(request, methods)
    return invitation, membership


def get_membership(
    request: HttpRequest, partnership_id: int, membership_id: int, *, methods: Methods = None
) -> tuple[Membership, Membership]:
    """A member of the partnership (with their account), for its coordinators; and
    the coordinator's own membership."""
    partnership, mine = get_partnership(request, partnership_id, Need.MANAGE)
    member = get_object_or_404(partnership.memberships.select_related("user"), pk=membership_id)
    member.partnership = partnership
    check_method(request, methods)
    return member, mine


def get_member_invitation_by_token(token: str) -> MemberInvitation:
    """The invitation to join a partnership behind an emailed link, which is the
    credential. Used, withdrawn and expired ones are returned (the page says so);
    an unknown or tampered token is a 404."""
    if not LINK_TOKEN.fullmatch(token):
        raise Http404("This link is not valid.")
    invitation = (
        MemberInvitation.objects.select_related("partnership")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise Http404("This link is not valid.")
    return invitation


def get_workshop(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    need: Need = Need.FACILITATE,
    *,
    methods: Methods = None,
) -> tuple[Workshop, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    workshop = get_object_or_404(
        assessment.workshops.select_related("current__item__section", "facilitator"),
        pk=workshop_id,
    )
    workshop.assessment = assessment
    check_method(request, methods)
    return workshop, membership


def get_agenda_item(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    agenda_item_id: int,
    *,
    methods: Methods = None,
) -> tuple[AgendaItem, Membership]:
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    agenda_item = get_object_or_404(workshop.agenda.select_related("item"), pk=agenda_item_id)
    agenda_item.workshop = workshop
    check_method(request, methods)
    return agenda_item, membership


def get_workshop_action(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    action_id: int,
    *,
    methods: Methods = None,
) -> tuple[Action, Membership]:
    """An action drafted in the workshop, for its facilitators."""
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    action = get_object_or_404(workshop.actions, pk=action_id)
    action.workshop = workshop
    check_method(request, methods)
    return action, membership


def get_workshop_by_code(code: str) -> Workshop:
    """The workshop a join code belongs to. The code is the credential for joining;
    guessing is held off by the size of the code space and the join rate limit."""
    workshop = (
        Workshop.objects.select_related(
            "current__item__section", "assessment__bank", "assessment__partnership"
        )
        .filter(code=normalise_code(code))
        .first()
    )
    if workshop is None:
        raise Http404("No workshop has that code.")
    return workshop


def get_action(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    action_id: int,
    need: Need = Need.MANAGE,
    *,
    methods: Methods = None,
) -> tuple[Action, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    action = get_object_or_404(
        assessment.actions.select_related("owner", "owner_person", "item"), pk=action_id
    )
    action.assessment = assessment
    check_method(request, methods)
    return action, membership


def get_priority(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    priority_id: int,
    *,
    methods: Methods = None,
) -> tuple[Priority, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    priority = get_object_or_404(
        Priority.objects.select_related("plan"), plan__assessment=assessment, pk=priority_id
    )
    check_method(request, methods)
    return priority, membership


def get_target(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    target_id: int,
    *,
    methods: Methods = None,
) -> tuple[Target, Membership]:
    """A target in the assessment's improvement plan, for those who manage the plan."""
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    target = get_object_or_404(
        Target.objects.select_related("plan__assessment", "section", "item"),
        plan__assessment=assessment,
        pk=target_id,
    )
    check_method(request, methods)
    return target, membership


def get_dot_vote(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    vote_id: int,
    *,
    methods: Methods = None,
) -> tuple[DotVote, Membership]:
    """A dot vote (or ranking) put to a workshop's room, for its facilitators."""
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    vote = get_object_or_404(workshop.dot_votes, pk=vote_id)
    vote.workshop = workshop
    check_method(request, methods)
    return vote, membership


def get_idea_collection(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    collection_id: int,
    *,
    methods: Methods = None,
) -> tuple[IdeaCollection, Membership]:
    """Ideas asked of a workshop's room, for its facilitators."""
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    collection = get_object_or_404(workshop.idea_collections, pk=collection_id)
    collection.workshop = workshop
    check_method(request, methods)
    return collection, membership


def get_idea(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    collection_id: int,
    idea_id: int,
    *,
    methods: Methods = None,
) -> tuple[Idea, Membership]:
    """One idea a phone sent to a workshop's collection, for its facilitators."""
    collection, membership = get_idea_collection(
        request, partnership_id, assessment_id, workshop_id, collection_id
    )
    idea = get_object_or_404(collection.ideas, pk=idea_id)
    idea.collection = collection
    check_method(request, methods)
    return idea, membership
