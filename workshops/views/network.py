"""The partnership network in results: the page with its map, findings and table, and the
map itself as SVG. For those who may read results, as the results page is."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from workshops.access import Need, get_assessment
from workshops.reporting.network_chart import alt_text, network_map
from workshops.services.network import network_for
from workshops.services.network_words import findings

# Neither is kept by a browser or proxy (never_cache), as the results page is not: both
# show what people answered.


@never_cache
@login_required
def network(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    counted = network_for(assessment, settings.MIN_GROUP_SIZE)
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "membership": membership,
        "network": counted,
        "findings": findings(counted),
        "map_alt": alt_text(counted),
    }
    return render(request, "workshops/network.html", context)


@never_cache
@login_required
def network_svg(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    svg = network_map(network_for(assessment, settings.MIN_GROUP_SIZE))
    return HttpResponse(svg, content_type="image/svg+xml")
