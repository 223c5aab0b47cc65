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
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone

from workshops.models import Action, Answer, Assessment
from workshops.reporting import charts
from workshops.reporting.pdf import render_pdf
from workshops.services import plan as plan_service
from workshops.services import results as results_service
from workshops.services.chart_inputs import chart_inputs


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def plan_context(assessment: Assessment, *, large: bool = False) -> dict:
    results = results_service.results_for(assessment, settings.MIN_GROUP_SIZE)
    plan = plan_service.plan_for(assessment)
    actions = list(
        assessment.actions.in_plan()
        .select_related("owner", "owner_person")
        .prefetch_related("sections", "progress")
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    elements, heat_rows = chart_inputs(assessment)
    scored = [e for e in results.elements if e.section.is_element and e.headline[0] is not None]
    ratings = [r for r in results.ratings if r.mean is not None and r.basis == results.bases[0]]
    ratings.sort(key=lambda r: (r.mean, r.item.position))
    return {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "results": results,
        "plan": plan,
        "priorities": list(plan.priorities.filter(dropped=False)),
        "actions": actions,
        "withdrawn": list(assessment.actions.filter(status=Action.Status.WITHDRAWN)),
        "overdue": {a.pk for a in actions if a.is_overdue(today)},
        "strongest": sorted(scored, key=lambda e: -e.headline[0])[:3],
        "weakest": sorted(scored, key=lambda e: e.headline[0])[:3],
        "highest_items": ratings[::-1][:5],
        "lowest_items": ratings[:5],
        "gaps": (results.rating_gaps + results.yes_no_gaps)[:12],
        "seven_s": _data_uri(charts.seven_s_chart(elements, title="The 7S chart")),
        "heat_map": _data_uri(charts.heat_map(heat_rows, title="Heat map")),
        "large": large,
        "generated": timezone.localtime(),
    }


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
    consensus = assessment.workshops.aggregate(Max("agenda__agreed_at"))
    parts = [plan.version, plan.updated_at, actions, answers, priorities, consensus]
    parts += [assessment.partnership.name, assessment.title, settings.MIN_GROUP_SIZE]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def render_plan_pdf(assessment: Assessment, *, large: bool = False) -> bytes:
    """The plan as a PDF, rendered now: a second or two of CPU for a full plan."""
    return render_pdf(plan_html(assessment, large=large))
