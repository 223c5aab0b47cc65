"""Results of an assessment for coordinators, facilitators and executives: the page,
its charts and its exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from workshops.access import Need, get_assessment
from workshops.forms.results import DifferencesFilterForm, ResultsFilterForm
from workshops.reporting import charts, exports
from workshops.services import differences
from workshops.services import results as services
from workshops.services.chart_inputs import chart_inputs
from workshops.services.significance import FALSE_DISCOVERY_RATE, LARGE_PERCENTAGE_POINTS


def _filter(request: HttpRequest) -> ResultsFilterForm:
    return ResultsFilterForm(request.GET, channels=services.CHANNELS)


def _results(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    channel = _filter(request).chosen
    return services.results_for(assessment, settings.MIN_GROUP_SIZE, channel), membership


# Every page and file here shows what people answered: no browser or proxy may keep it.


@never_cache
@login_required
def results(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    result, membership = _results(request, partnership_id, assessment_id)
    context = {
        "results": result,
        "assessment": result.assessment,
        "partnership": result.assessment.partnership,
        "membership": membership,
        "filter_form": _filter(request),
        "query": f"?channel={result.channel}",
        "open_shown": f":{services.OPEN_ANSWERS_SHOWN}",
        "open_limit": services.OPEN_ANSWERS_SHOWN,
        "open_minus": -services.OPEN_ANSWERS_SHOWN,
    }
    return render(request, "workshops/results.html", context)


@never_cache
@login_required
def every_difference(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    """Every comparison between groups, sortable and filterable by the page's address."""
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    form = DifferencesFilterForm(
        request.GET,
        channels=services.CHANNELS,
        dimensions=[str(d) for d in differences.DIMENSIONS],
        kinds=differences.KINDS,
        verdicts=differences.VERDICTS,
        sorts=differences.SORTS,
    )
    chosen = form.chosen
    result = services.results_for(assessment, settings.MIN_GROUP_SIZE, chosen.pop("channel"))
    context = {
        "results": result,
        "assessment": assessment,
        "partnership": assessment.partnership,
        "membership": membership,
        "filter_form": form,
        "query": f"?channel={result.channel}",
        "gaps": differences.listed(result.differences, **chosen),
        "rate": FALSE_DISCOVERY_RATE,
        "rate_percent": f"{FALSE_DISCOVERY_RATE:.0%}",
        "large_points": f"{LARGE_PERCENTAGE_POINTS:.0f}",
        "well": differences.well_words(assessment.bank),
    }
    return render(request, "workshops/differences.html", context)


def _svg(svg: str) -> HttpResponse:
    return HttpResponse(svg, content_type="image/svg+xml")


def _chart_inputs(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    return chart_inputs(assessment, _filter(request).chosen)


@never_cache
@login_required
def chart_7s(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    inputs = _chart_inputs(request, partnership_id, assessment_id)
    return _svg(
        charts.seven_s_chart(inputs.elements, title="The 7S chart", basis=inputs.basis_words)
    )


@never_cache
@login_required
def chart_heat_map(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    inputs = _chart_inputs(request, partnership_id, assessment_id)
    return _svg(
        charts.heat_map(inputs.heat_rows, title="Items by element", basis=inputs.basis_words)
    )


@never_cache
@login_required
def export(
    request: HttpRequest, partnership_id: int, assessment_id: int, what: str, kind: str
) -> HttpResponse:
    result, _ = _results(request, partnership_id, assessment_id)
    if result.withheld:
        # The page saying why, rather than a file with nothing in it.
        return results(request, partnership_id, assessment_id)
    return exports.download(result, what, kind)
