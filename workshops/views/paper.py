"""A coordinator entering a paper return on a person's behalf.

The pages are the questionnaire's own (``views.questionnaire``), answering for
the person with the coordinator as whoever entered it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from workshops.access import POST_ONLY, Need, check_method, get_assessment, get_assessment_person
from workshops.models import Respondent
from workshops.services import assessment as assessment_services
from workshops.views.answering import Answering
from workshops.views.common import integer
from workshops.views.network_section import network_page, save_network_answers
from workshops.views.questionnaire import (
    review_page,
    save_answers,
    section_page,
    start_page,
)


def _paper(request: HttpRequest, partnership_id: int, assessment_id: int, person_id: int):
    person, assessment, _ = get_assessment_person(request, partnership_id, assessment_id, person_id)
    args = (partnership_id, assessment_id, person_id)
    paper = Respondent.Channel.PAPER
    if assessment.anonymous:
        # A response of its own, whatever the person has done online: the page
        # and its status are the same for everybody, so entering a paper return
        # tells a coordinator nothing about anyone's online answers. (Refusing
        # returns for people who answered online would need a message that
        # depends on whether they did.) Someone who answered both ways counts twice.
        return Answering(
            None,
            paper,
            "paper",
            args,
            entered_by=request.user,
            person=person,
            assessment=assessment,
        )
    invitation = assessment_services.paper_invitation(assessment, person)
    answering = Answering(invitation, paper, "paper", args, entered_by=request.user)
    respondent = answering.respondent
    if respondent is not None and respondent.channel != paper:
        messages.error(request, f"{person} has answered online; a paper return cannot replace it.")
        return redirect(assessment)
    return answering


@never_cache
@login_required
def paper(request, partnership_id: int, assessment_id: int, person_id: int):
    answering = _paper(request, partnership_id, assessment_id, person_id)
    return answering if isinstance(answering, HttpResponse) else start_page(request, answering)


@never_cache
@login_required
def paper_section(request, partnership_id: int, assessment_id: int, person_id: int, number: int):
    answering = _paper(request, partnership_id, assessment_id, person_id)
    if isinstance(answering, HttpResponse):
        return answering
    return section_page(request, answering, number)


@never_cache
@login_required
def paper_save(request, partnership_id: int, assessment_id: int, person_id: int):
    answering = _paper(request, partnership_id, assessment_id, person_id)
    if isinstance(answering, HttpResponse):
        return answering
    check_method(request, POST_ONLY)
    return save_answers(request, answering)


@never_cache
@login_required
def paper_review(request, partnership_id: int, assessment_id: int, person_id: int):
    answering = _paper(request, partnership_id, assessment_id, person_id)
    return answering if isinstance(answering, HttpResponse) else review_page(request, answering)


@never_cache
@login_required
def paper_network(request, partnership_id: int, assessment_id: int, person_id: int):
    answering = _paper(request, partnership_id, assessment_id, person_id)
    return answering if isinstance(answering, HttpResponse) else network_page(request, answering)


@never_cache
@login_required
def paper_network_save(request, partnership_id: int, assessment_id: int, person_id: int):
    answering = _paper(request, partnership_id, assessment_id, person_id)
    if isinstance(answering, HttpResponse):
        return answering
    check_method(request, POST_ONLY)
    return save_network_answers(request, answering)


@login_required
def paper_choose(request, partnership_id: int, assessment_id: int):
    """Pick whose paper return to key in (a plain GET form, so it works without JavaScript)."""
    person_id = integer(request.GET, "person")
    if person_id is None:
        assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
        messages.error(request, "Choose whose paper return to enter.")
        return redirect(assessment)
    person, _, _ = get_assessment_person(request, partnership_id, assessment_id, person_id)
    return redirect("paper", partnership_id, assessment_id, person.pk)
