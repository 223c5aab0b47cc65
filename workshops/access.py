"""One access helper per object type.

Each returns the object and the caller's membership. An object of a
partnership the user does not belong to is a 404, so nobody learns whether it
exists; a member whose role lacks the permission gets a 403.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from workshops.models import (
    Action,
    AgendaItem,
    Assessment,
    Invitation,
    MemberInvitation,
    Membership,
    Organisation,
    Partnership,
    Person,
    PersonalLink,
    Priority,
    Workshop,
)
from workshops.models.assessment import hash_token
from workshops.models.workshop import normalise_code

# What a view needs -> the Membership rule that grants it.
NEEDS = {
    "view": lambda membership: True,
    "manage": lambda membership: membership.can_manage,
    "facilitate": lambda membership: membership.can_facilitate,
    "results": lambda membership: membership.can_view_results,
}


def get_partnership(
    request: HttpRequest, partnership_id: int, need: str = "view"
) -> tuple[Partnership, Membership]:
    if not request.user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("partnership", "partnership__county_partnership")
        .filter(user=request.user, partnership_id=partnership_id)
        .first()
    )
    if membership is None:
        raise Http404("No such partnership.")
    if not NEEDS[need](membership):
        raise PermissionDenied(f"Your role in {membership.partnership} does not allow this.")
    return membership.partnership, membership


def get_organisation(
    request: HttpRequest, partnership_id: int, organisation_id: int, need: str = "view"
) -> tuple[Organisation, Membership]:
    partnership, membership = get_partnership(request, partnership_id, need)
    return get_object_or_404(partnership.organisations, pk=organisation_id), membership


def get_person(
    request: HttpRequest, partnership_id: int, person_id: int, need: str = "view"
) -> tuple[Person, Membership]:
    partnership, membership = get_partnership(request, partnership_id, need)
    person = get_object_or_404(partnership.people.select_related("organisation"), pk=person_id)
    return person, membership


def get_assessment(
    request: HttpRequest, partnership_id: int, assessment_id: int, need: str = "view"
) -> tuple[Assessment, Membership]:
    partnership, membership = get_partnership(request, partnership_id, need)
    assessment = get_object_or_404(
        partnership.assessments.select_related("bank", "partnership"), pk=assessment_id
    )
    return assessment, membership


def get_invitation(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    invitation_id: int,
    need: str = "manage",
) -> tuple[Invitation, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    invitation = get_object_or_404(
        assessment.invitations.select_related("person__organisation"), pk=invitation_id
    )
    invitation.assessment = assessment
    return invitation, membership


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
    request: HttpRequest, partnership_id: int, invitation_id: int
) -> tuple[MemberInvitation, Membership]:
    """An invitation to join the partnership, for its coordinators."""
    partnership, membership = get_partnership(request, partnership_id, "manage")
    invitation = get_object_or_404(partnership.member_invitations, pk=invitation_id)
    invitation.partnership = partnership
    return invitation, membership


def get_membership(
    request: HttpRequest, partnership_id: int, membership_id: int
) -> tuple[Membership, Membership]:
    """A member of the partnership (with their account), for its coordinators; and
    the coordinator's own membership."""
    partnership, mine = get_partnership(request, partnership_id, "manage")
    member = get_object_or_404(partnership.memberships.select_related("user"), pk=membership_id)
    member.partnership = partnership
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
    need: str = "facilitate",
) -> tuple[Workshop, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    workshop = get_object_or_404(
        assessment.workshops.select_related("current__item__section", "facilitator"),
        pk=workshop_id,
    )
    workshop.assessment = assessment
    return workshop, membership


def get_agenda_item(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    workshop_id: int,
    agenda_item_id: int,
) -> tuple[AgendaItem, Membership]:
    workshop, membership = get_workshop(request, partnership_id, assessment_id, workshop_id)
    agenda_item = get_object_or_404(workshop.agenda.select_related("item"), pk=agenda_item_id)
    agenda_item.workshop = workshop
    return agenda_item, membership


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
    need: str = "manage",
) -> tuple[Action, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, need)
    action = get_object_or_404(
        assessment.actions.select_related("owner", "owner_person", "item"), pk=action_id
    )
    action.assessment = assessment
    return action, membership


def get_priority(
    request: HttpRequest, partnership_id: int, assessment_id: int, priority_id: int
) -> tuple[Priority, Membership]:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, "manage")
    priority = get_object_or_404(
        Priority.objects.select_related("plan"), plan__assessment=assessment, pk=priority_id
    )
    return priority, membership
