"""The published summary of an assessment: the page partners read and its PDF.

Both come from ``templates/workshops/summary/_body.html`` with what the plan's
report is made of (``plan_pdf.plan_context``: the results, the plan, the workshops
and the 7S chart), of which the summary shows only what may go to everyone who
took part: the 7S chart and element scores, what the workshops agreed, what is to
be investigated, and the plan's priorities and actions with their owners. It
never shows an open answer, an evidence note, how one group answered against
another, or any figure while fewer people answered than the minimum group size,
anonymous assessment or not: the summary goes to everyone.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from workshops.models import Assessment, Priority
from workshops.reporting import charts
from workshops.reporting.pdf import render_pdf
from workshops.reporting.plan_pdf import fingerprint, plan_context
from workshops.services import results as results_service
from workshops.services.chart_inputs import chart_inputs

logger = logging.getLogger(__name__)

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
)  # and "withheld", "unquoted": what the summary holds back, and why

# A rendered PDF is kept this long under the fingerprint of what it shows, so the
# people of a workshop downloading it at once cause one render, not one each.
KEPT_SECONDS = 24 * 3600


def withheld(results: results_service.Results) -> str:
    """Why the summary shows no figure drawn from the answers, or "" when it may."""
    if results.withheld:
        return results.withheld
    least = results.min_group
    if results.turnout.people < least:
        more = least - results.turnout.people
        return (
            f"Figures are shown once at least {least} people have answered, so that nobody's "
            f"answers can be picked out: {more} more {'is' if more == 1 else 'are'} needed."
        )
    return ""


def summary_context(assessment: Assessment) -> dict:
    full = plan_context(assessment, network=False)  # the summary shows no network
    context = {name: full[name] for name in SHOWN}
    context["withheld"] = withheld(full["results"])
    # A priority gathered from Looking forward is one person's answer, word for word:
    # the summary says how many the plan holds, never what they say.
    quoted = [p for p in full["priorities"] if p.source != Priority.Source.LOOKING_FORWARD]
    context["priorities"] = quoted
    context["unquoted"] = len(full["priorities"]) - len(quoted)
    if context["withheld"]:
        context["seven_s"] = ""
    return context


def seven_s_svg(assessment: Assessment) -> str:
    """The summary's 7S chart, for its page (the PDF carries it inside)."""
    results = results_service.results_for(assessment, settings.MIN_GROUP_SIZE)
    inputs = chart_inputs(assessment)
    scores = [] if withheld(results) else inputs.elements
    return charts.seven_s_chart(scores, title="The 7S chart", basis=inputs.basis_words)


def summary_html(assessment: Assessment) -> str:
    context = summary_context(assessment) | {"in_pdf": True}
    return render_to_string("workshops/summary/print.html", context)


def render_summary_pdf(assessment: Assessment) -> bytes:
    """The summary as a tagged PDF (PDF/UA-1), rendered now."""
    return render_pdf(summary_html(assessment))


def summary_pdf(assessment: Assessment) -> bytes:
    """The summary's PDF as it is now: rendered once for each state of what it shows."""
    key = f"summary-pdf:{assessment.pk}:{fingerprint(assessment)}"
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that fails only costs a render
        logger.warning("Summary PDF cache unavailable", exc_info=True)
        kept = None
    if kept is not None:
        return kept
    pdf = render_summary_pdf(assessment)
    try:
        cache.set(key, pdf, timeout=KEPT_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("Summary PDF not kept in the cache", exc_info=True)
    return pdf
