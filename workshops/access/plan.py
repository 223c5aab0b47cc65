"""Access to an improvement plan's actions, priorities and targets."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from workshops.access.assessment import get_assessment
from workshops.access.core import Methods, Need, check_method
from workshops.models import (
    Action,
    Membership,
    Priority,
    Target,
)


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
