"""Access to an assessment and what hangs off it: invitations and personal links, paper
returns, import jobs and its local questions."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from questions.models import Item
from workshops.access.core import LINK_TOKEN, Methods, Need, check_method, get_partnership
from workshops.models import (
    Assessment,
    ImportJob,
    Invitation,
    Membership,
    Person,
    PersonalLink,
)
from workshops.models.assessment import hash_token


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


def get_local_question(
    request: HttpRequest,
    partnership_id: int,
    assessment_id: int,
    item_id: int,
    *,
    methods: Methods = None,
) -> tuple[Item, Assessment, Membership]:
    """One of the assessment's own questions, with the assessment, for its coordinators: an
    instrument question, or another assessment's local one, is a 404."""
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    item = get_object_or_404(
        assessment.items.filter(local=True).select_related("section"), pk=item_id
    )
    check_method(request, methods)
    return item, assessment, membership
