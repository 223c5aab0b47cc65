"""Access to a partnership's organisations, people and members, and to invitations to join it."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from workshops.access.core import LINK_TOKEN, Methods, Need, check_method, get_partnership
from workshops.models import (
    MemberInvitation,
    Membership,
    Organisation,
    Person,
)
from workshops.models.assessment import hash_token


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
