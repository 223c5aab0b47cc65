"""The published summary of an assessment: the page partners read and its PDF.

Both come from ``templates/workshops/summary/_body.html`` with what the plan's
report is made of (``plan_pdf.plan_context``: the results, the plan, the workshops
and the 7S chart), of which the summary shows only what may go to everyone who
took part: the 7S chart and element scores, what the workshops agreed, what is to
be investigated, and the plan's priorities and actions with their owners. It
never shows an open answer, an evidence note, how one group answered against
another, or any figure when fewer people answered than the minimum.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from workshops.models import Assessment
from workshops.reporting import charts
from workshops.reporting.pdf import render_pdf
from workshops.reporting.plan_pdf import plan_context
from workshops.services.chart_inputs import chart_inputs

# What of the plan report's context the summary shows; nothing else reaches its template.
SHOWN = (
    "assessment",
    "partnership",
    "results",
    "plan",
    "priorities",
    "actions",
    "seven_s",
    "workshops",
    "generated",
)


def summary_context(assessment: Assessment) -> dict:
    full = plan_context(assessment)
    return {name: full[name] for name in SHOWN}


def seven_s_svg(assessment: Assessment) -> str:
    """The summary's 7S chart, for its page (the PDF carries it inside)."""
    inputs = chart_inputs(assessment)
    return charts.seven_s_chart(inputs.elements, title="The 7S chart", basis=inputs.basis_words)


def summary_html(assessment: Assessment) -> str:
    context = summary_context(assessment) | {"in_pdf": True}
    return render_to_string("workshops/summary/print.html", context)


def render_summary_pdf(assessment: Assessment) -> bytes:
    """The summary as a tagged PDF (PDF/UA-1), rendered now."""
    return render_pdf(summary_html(assessment))
