"""Targets in the improvement plan, and the trend chart that draws them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from workshops.access import POST_ONLY, Need, get_assessment, get_target
from workshops.forms.results import ResultsFilterForm
from workshops.forms.targets import TargetForm
from workshops.reporting.trend_chart import trend_chart
from workshops.services import plan as plan_service
from workshops.services import targets as services
from workshops.services.chart_inputs import chart_inputs
from workshops.services.results import CHANNELS
from workshops.services.trends import trends_for
from workshops.views.plan import _back, _plan_page


@login_required
def target_set(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, membership = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    form = TargetForm(request.POST, plan=plan_service.plan_for(assessment))
    if not form.is_valid():
        return _plan_page(request, assessment, membership, target_form=form, status=400)
    target = services.set_target(form.target, by=request.user)
    messages.success(request, f"Target set for {target.subject}: {target.shown_value}.")
    return _back(assessment, "targets")


@login_required
def target_remove(request: HttpRequest, partnership_id, assessment_id, target_id):
    target, _ = get_target(request, partnership_id, assessment_id, target_id, methods=POST_ONLY)
    services.remove_target(target, by=request.user)
    messages.success(request, f"Target for {target.subject} removed.")
    return _back(target.plan.assessment, "targets")


@never_cache
@login_required
def chart_trends(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    """Element scores over the partnership's assessments, with the targets set for them."""
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    channel = ResultsFilterForm(request.GET, channels=CHANNELS).chosen
    inputs = chart_inputs(assessment, channel)
    figures = services.trend_chart_for(assessment, inputs.elements, trends_for(assessment))
    svg = trend_chart(figures, title=figures.alt, basis=inputs.basis_words)
    return HttpResponse(svg, content_type="image/svg+xml")
