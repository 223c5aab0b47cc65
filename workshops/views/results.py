"""Results of an assessment for coordinators, facilitators and executives: the page,
its charts and its exports, for everyone, one group, or two groups side by side."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from workshops.access import Need, get_assessment
from workshops.forms.results import DifferencesFilterForm, ResultsFilterForm
from workshops.models import Assessment
from workshops.reporting import charts, exports
from workshops.services import differences
from workshops.services import results as services
from workshops.services.chart_inputs import chart_inputs
from workshops.services.groups import DIMENSIONS, Group, groups_present
from workshops.services.significance import FALSE_DISCOVERY_RATE, LARGE_PERCENTAGE_POINTS


def _filter(request: HttpRequest, assessment: Assessment) -> ResultsFilterForm:
    groups = groups_present(assessment, settings.MIN_GROUP_SIZE)
    return ResultsFilterForm(
        request.GET, channels=services.CHANNELS, groups=groups, dimensions=DIMENSIONS
    )


def query_for(channel: str, group: Group | None = None) -> str:
    """The query string that shows a channel and group again: for charts, files and links."""
    return "?" + urlencode({"channel": channel, **({"group": group.key} if group else {})})


def _views(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    form = _filter(request, assessment)
    views = services.side_by_side(assessment, settings.MIN_GROUP_SIZE, form.chosen, form.groups)
    return views, membership, form


# Every page and file here shows what people answered: no browser or proxy may keep it.


@never_cache
@login_required
def results(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    views, membership, form = _views(request, partnership_id, assessment_id)
    result = views[0]
    context = {
        "results": result,
        "views": [(view, query_for(view.channel, view.group)) for view in views],
        "assessment": result.assessment,
        "partnership": result.assessment.partnership,
        "membership": membership,
        "filter_form": form,
        "query": query_for(result.channel, result.group),
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
        "well": result.well_words,
    }
    return render(request, "workshops/differences.html", context)


def _svg(svg: str) -> HttpResponse:
    return HttpResponse(svg, content_type="image/svg+xml")


def _chart_inputs(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    form = _filter(request, assessment)
    # A chart draws one view: the group its link names.
    return chart_inputs(assessment, form.chosen, form.groups[0])


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
    views, _, _ = _views(request, partnership_id, assessment_id)
    # A file holds one view: the group its link names (the page links each side's files).
    result = views[0]
    if result.withheld:
        # The page saying why, rather than a file with nothing in it.
        return results(request, partnership_id, assessment_id)
    return exports.download(result, what, kind)
