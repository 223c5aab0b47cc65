"""Access to a live workshop and what hangs off it: its agenda, the actions it drafts, its dot
votes and idea collections, and the join code phones use."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from workshops.access.assessment import get_assessment
from workshops.access.core import Methods, Need, check_method
from workshops.models import (
    Action,
    AgendaItem,
    DotVote,
    Idea,
    IdeaCollection,
    Membership,
    Workshop,
)
from workshops.models.workshop import normalise_code


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
