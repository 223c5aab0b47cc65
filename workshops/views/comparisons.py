"""Partnerships side by side, for coordinators, facilitators and executives: groups of
authority types, and a county partnership's districts that share their results with it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from workshops.access import Need, get_partnership
from workshops.services import comparisons
from workshops.services.benchmarks import MIN_BENCHMARK_PARTNERSHIPS

# Both pages show figures from answers: no browser or proxy may keep them.


@never_cache
@login_required
def authority_types(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.RESULTS)
    context = {
        "partnership": partnership,
        "comparison": comparisons.authority_comparison(partnership),
        "minimum": MIN_BENCHMARK_PARTNERSHIPS,
        "min_group": settings.MIN_GROUP_SIZE,
    }
    return render(request, "workshops/comparisons/authority_types.html", context)


@never_cache
@login_required
def districts(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.RESULTS)
    sections = comparisons.element_sections()
    context = {
        "partnership": partnership,
        "is_county": partnership.authority_type == partnership.AuthorityType.COUNTY,
        "districts": comparisons.districts_for(partnership),
        "sections": sections,
        "span": 2 * len(sections),  # an average and a share for each element
        "min_group": settings.MIN_GROUP_SIZE,
    }
    return render(request, "workshops/comparisons/districts.html", context)
