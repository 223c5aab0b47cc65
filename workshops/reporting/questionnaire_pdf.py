"""The paper questionnaire of an assessment, as a PDF for people who answer on paper.

The same template (templates/workshops/print/questionnaire.html) is the printable
web page; the PDF goes through the safe renderer in reporting.pdf.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from workshops.models import Assessment, Basis, Person, Sector
from workshops.models.network_slots import FREQUENCY_CHOICES
from workshops.reporting.pdf import render_pdf
from workshops.services import network_answers
from workshops.services.questionnaire import outline


def questionnaire_context(assessment: Assessment) -> dict:
    """What templates/workshops/print/questionnaire.html needs, for the web page and the PDF."""
    return {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "bank": assessment.bank,
        "sections": outline(assessment),
        # label "Internal: against the LSP's own plans and goals", short "Internal"
        "bases": [
            {"value": basis, "label": Basis(basis).label, "short": Basis(basis).word}
            for basis in assessment.bases
        ],
        "both_bases": len(assessment.bases) > 1,
        "roles": Person.Role.choices,
        "sectors": Sector.choices,
        "layers": Person.Layer.choices,
        # The network section, when asked: a grid of boxes for each organisation.
        "network": network_answers.on_paper(assessment),
        "network_title": network_answers.TITLE,
        "frequencies": [label for _, label in FREQUENCY_CHOICES],
    }


def render_questionnaire_pdf(assessment: Assessment) -> bytes:
    """The paper questionnaire of an assessment, for people who answer on paper."""
    html = render_to_string("workshops/print/questionnaire.html", questionnaire_context(assessment))
    return render_pdf(html)
