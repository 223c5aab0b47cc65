"""The improvement plan as a PDF report: the results that led to it and the plan itself.

Rendered by WeasyPrint from templates/workshops/print/plan.html through the
safe fetcher in reporting.pdf, as a tagged PDF (PDF/UA-1) for screen readers,
in standard or large print.

``render_plan_pdf`` renders it now; downloads go through reporting.plan_pdf_queue,
which keeps one rendered copy per ``fingerprint`` of what the report shows.
"""

from __future__ import annotations

import base64
import hashlib

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import Action, AgendaItem, Answer, Assessment, EvidenceNote, NetworkAnswer
from workshops.reporting import charts
from workshops.reporting.network_chart import alt_text, network_map
from workshops.reporting.pdf import render_pdf
from workshops.reporting.trend_chart import trend_chart
from workshops.services import plan as plan_service
from workshops.services import results as results_service
from workshops.services.chart_inputs import chart_inputs
from workshops.services.differences import widest_each
from workshops.services.network import network_for
from workshops.services.network_words import findings

# Rows in the report's "Where views differ", each a different question or basis.
GAPS_SHOWN = 12

# Large print scales the charts' smallest labels (9.5 pt in the 7S chart, 8 pt in the heat map)
# to at least the edition's 17 pt body text, as printed: the 7S chart is a little wider than
# the page and shrinks by about a tenth to fit it.
LARGE_SEVEN_S, LARGE_HEAT_MAP = 2.0, 2.2
# The trend chart's smallest labels are 7 pt: 2.5 times is 17.5, the body text's size.
LARGE_TREND = 2.5
# The network map's labels are 8 pt.
LARGE_NETWORK = 2.2


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def plan_context(assessment: Assessment, *, large: bool = False, network: bool = True) -> dict:
    """What the plan report shows. ``network=False`` leaves out the partnership network, for
    reports built on this one that never show it (counting it and drawing its map is the
    slowest part)."""
    results = results_service.results_for(assessment, settings.MIN_GROUP_SIZE)
    plan = plan_service.plan_for(assessment)
    actions = list(
        assessment.actions.in_plan()
        .select_related("owner", "owner_person")
        .prefetch_related("sections", "progress")
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    inputs = chart_inputs(assessment)
    shown = results_service.OPEN_ANSWERS_SHOWN
    scored = [e for e in results.elements if e.section.is_element and e.headline[0] is not None]
    ratings = [r for r in results.ratings if r.mean is not None and r.basis == results.bases[0]]
    ratings.sort(key=lambda r: (r.mean, r.item.position))
    return {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "results": results,
        "plan": plan,
        "priorities": list(plan.priorities.filter(dropped=False)),
        "targets": list(plan.targets.select_related("section", "item", "plan__assessment__bank")),
        "actions": actions,
        "withdrawn": list(assessment.actions.filter(status=Action.Status.WITHDRAWN)),
        "overdue": {a.pk for a in actions if a.is_overdue(today)},
        "strongest": sorted(scored, key=lambda e: -e.headline[0])[:3],
        "weakest": sorted(scored, key=lambda e: e.headline[0])[:3],
        "highest_items": ratings[::-1][:5],
        "lowest_items": ratings[:5],
        # What the results page leads with: differences unlikely to be chance and large.
        "gaps": widest_each(results.differences.leading)[:GAPS_SHOWN],
        "seven_s": _data_uri(
            charts.seven_s_chart(
                inputs.elements,
                title="The 7S chart",
                basis=inputs.basis_words,
                text_scale=LARGE_SEVEN_S if large else 1,
            )
        ),
        "heat_map": _data_uri(
            charts.heat_map(
                inputs.heat_rows,
                title="Heat map",
                basis=inputs.basis_words,
                text_scale=LARGE_HEAT_MAP if large else 1,
            )
        ),
        "trend_chart": _trend_chart(results, inputs.basis_words, large),
        "workshops": _workshops(assessment),
        **(_network(assessment, large) if network else {"network": None}),
        "open_shown": f":{shown}",
        "open_limit": shown,
        "open_minus": -shown,
        "in_pdf": True,
        "large": large,
        "generated": timezone.localtime(),
    }


def _trend_chart(results, basis: str, large: bool) -> str:
    """The trend chart with the plan's targets, as data; none while the results are
    withheld, or with neither earlier rounds nor targets to draw."""
    figures = results.targets.chart if results.targets else None
    if figures is None or not (results.trends or figures.has_targets):
        return ""
    scale = LARGE_TREND if large else 1
    return _data_uri(trend_chart(figures, title=figures.alt, basis=basis, text_scale=scale))


def _network(assessment: Assessment, large: bool) -> dict:
    """The network section: its figures, findings and map, when the assessment asked."""
    if not assessment.network:
        return {"network": None}
    network = network_for(assessment, settings.MIN_GROUP_SIZE)
    drawn = (
        "" if network.withheld else network_map(network, text_scale=LARGE_NETWORK if large else 1)
    )
    return {
        "network": network,
        "findings": findings(network),
        "map_alt": alt_text(network),
        "network_map": _data_uri(drawn) if drawn else "",
    }


def _workshops(assessment: Assessment) -> list:
    """The assessment's workshops, each with its agenda and what was agreed on each item."""
    agenda = AgendaItem.objects.select_related("item").order_by("position")
    return list(
        assessment.workshops.order_by("held_on", "pk").prefetch_related(
            Prefetch("agenda", queryset=agenda)
        )
    )


def plan_html(assessment: Assessment, *, large: bool = False) -> str:
    return render_to_string("workshops/print/plan.html", plan_context(assessment, large=large))


def fingerprint(assessment: Assessment) -> str:
    """Changes whenever anything the report shows may have changed."""
    plan = plan_service.plan_for(assessment)
    actions = assessment.actions.aggregate(Max("updated_at"), Count("id"))
    answers = Answer.objects.filter(respondent__assessment=assessment).aggregate(
        Max("updated_at"), Count("id")
    )
    priorities = list(plan.priorities.values_list("pk", "rank", "votes", "dropped", "text"))
    consensus = AgendaItem.objects.filter(workshop__assessment=assessment).aggregate(
        Max("agreed_at"), Count("id"), skipped=Count("id", filter=Q(skipped=True))
    )
    workshops = list(assessment.workshops.values_list("pk", "title", "held_on"))
    notes = EvidenceNote.objects.filter(respondent__assessment=assessment).aggregate(
        Max("updated_at"), Count("id")
    )
    # The network section compares with earlier rounds: their answers count too.
    network = NetworkAnswer.objects.filter(
        respondent__assessment__partnership=assessment.partnership,
        respondent__assessment__opens_on__lte=assessment.opens_on,
    ).aggregate(Max("updated_at"), Count("id"))
    parts = [plan.version, plan.updated_at, actions, answers, priorities, consensus]
    targets = list(plan.targets.values_list("pk", "kind", "value", "set_at"))
    parts += [workshops, notes, targets, assessment.network, network]
    parts += [assessment.partnership.name, assessment.title, settings.MIN_GROUP_SIZE]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def render_plan_pdf(assessment: Assessment, *, large: bool = False) -> bytes:
    """The plan as a PDF, rendered now: a second or two of CPU for a full plan."""
    return render_pdf(plan_html(assessment, large=large))
