"""Results as files: answers, item and element aggregates and gaps, in CSV and XLSX.

Files follow the same rules as the page: in an anonymous assessment nobody is
named and no group smaller than the minimum group size is shown, and no
aggregate cell stands for a group that small.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import replace

from django.http import Http404, HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from workshops.models import Basis, Comparison
from workshops.services.answer_rows import (
    DESCRIBED,
    AnswerRow,
    answer_rows,
    described_groups,
    group_sizes,
    kept_dimensions,
)
from workshops.services.comments import note_rows
from workshops.services.groups import who_gave
from workshops.services.results import Results

# Spreadsheets treat a leading =, +, - or @ as a formula (and openpyxl stores such a
# string as one). Any text cell may hold something people typed: an answer, an
# organisation's name in a group, an earlier assessment's title in a heading.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """Text that would start a formula, quoted as text; numbers and other text as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def answers_table(results: Results) -> tuple[list[str], list[list]]:
    """Every answer, one row each, with who gave it as far as the rules allow, and the
    comment or evidence note its writer added to the question, once, on their first row
    for it (or a row of its own when they gave no answer there).

    Respondents are numbered in a random order, new with each download, so a
    number says nothing of when someone answered. In an anonymous assessment
    the columns describing them are only those whose every combination holds
    at least the minimum group size (see ``kept_dimensions``), and open answers
    and notes are left out until enough people have answered for comments to be shown.
    """
    assessment = results.assessment
    anonymous = assessment.anonymous
    rows: list[AnswerRow] = [] if results.withheld else answer_rows(assessment, results.channel)
    # A group's file keeps the columns everyone's keeps, so that the two set side by side
    # describe nobody more closely than either does.
    group = results.group
    texts = not results.comments_withheld
    notes = _notes(rows, results) if texts else {}
    answered = {(row.respondent, row.item) for row in rows}
    writers = {row.respondent: row for row in rows}
    rows += [
        replace(writers[respondent], item=item, basis="", rating=None, choice="", text="")
        for respondent, item in notes
        if (respondent, item) not in answered
    ]
    items = {item.pk: item for item in assessment.items.select_related("section")}
    bases = {basis: n for n, basis in enumerate(assessment.bases)}
    written = ["Comment or evidence", "Text"] if texts else []
    if anonymous:
        people = {row.respondent: {**row.groups, "Channel": _channel(row)} for row in rows}
        shown = kept_dimensions(people, ["Channel", *DESCRIBED], results.min_group)
        header = ["Respondent", *shown, "Element", "Item", "Basis", "Answer", *written]
    else:
        sizes = group_sizes(rows)
        header = ["Respondent", "Channel", *DESCRIBED, Comparison.ORGANISATION]
        header += ["Element", "Item", "Basis", "Answer", *written]
    if group:
        rows = [row for row in rows if group.holds(who_gave(row))]
    order = list({row.respondent: None for row in rows})
    secrets.SystemRandom().shuffle(order)
    numbers = {respondent: n for n, respondent in enumerate(order, start=1)}
    table = []
    for row in sorted(
        rows, key=lambda r: (numbers[r.respondent], items[r.item].position, bases.get(r.basis, 0))
    ):
        item = items[row.item]
        answer = str(row.rating) if row.rating is not None else row.choice
        what = [item.section.number, item.key, Basis.column(row.basis), answer]
        if texts:
            what += [notes.pop((row.respondent, row.item), ""), row.text]
        if anonymous:
            if not texts and not answer:
                continue  # an open answer, which is text only
            who = [people[row.respondent][d] for d in shown]
        else:
            groups = described_groups(row, sizes, results.min_group, anonymous)
            who = [_channel(row), *groups, row.groups[Comparison.ORGANISATION]]
        table.append([f"R{numbers[row.respondent]}", *who, *what])
    return header, table


def _notes(rows: list[AnswerRow], results: Results) -> dict[tuple[int, int], str]:
    """(respondent, item) -> the evidence note, for writers whose answers are in ``rows``."""
    writers = {row.respondent for row in rows}
    return {
        (respondent, item): text
        for respondent, item, text in note_rows(results.assessment, results.channel)
        if respondent in writers
    }


def _channel(row: AnswerRow) -> str:
    return "Workshop" if row.channel == "workshop" else "Questionnaire"


def items_table(results: Results) -> tuple[list[str], list[list]]:
    header = [
        "Element",
        "Item",
        "Question",
        "Basis",
        "Answers",
        "Mean",
        "Median",
        "Spread (SD)",
        "Split",
        "Don't know %",
        "Yes %",
    ]
    scale = [str(value) for value, _ in results.assessment.bank.scale_choices()]
    header += [f"Rated {value}" for value in scale] + ["Don't know", "Not applicable"]
    header += [f"{results.well_words.capitalize()} %"]
    # Last, so the columns before it stay where analysts' sheets expect them.
    header += ["Local question"]
    table = []
    for element in results.elements:
        for r in element.ratings:
            table.append(
                [element.section.number, r.item.key, r.item.text, Basis.column(r.basis), r.n]
                + [_round(r.mean), _round(r.median), _round(r.spread), "yes" if r.split else ""]
                + [_round(100 * r.dont_know_rate), ""]
                + [r.counts.get(value, 0) for value in scale]
                + [r.dont_know, r.not_applicable, _percent(r.share), _local(r.item)]
            )
        for y in element.yes_no:
            table.append(
                [element.section.number, y.item.key, y.item.text, "", y.n, "", "", "", ""]
                + [_round(100 * y.dont_know_rate), _round(y.yes_percent)]
                + [""] * len(scale)
                + [y.dont_know, y.not_applicable, "", _local(y.item)]
            )
    return header, table


def _local(item) -> str:
    """A partnership's own question, never compared with other partnerships."""
    return "yes" if item.local else ""


def elements_table(results: Results) -> tuple[list[str], list[list]]:
    header = ["Element", "Heading", "7S", "Aspect", "Basis", "Score", "Band"]
    header += [f"{results.well_words.capitalize()} %"]
    table = []
    for element in results.elements:
        section = element.section
        for basis in results.bases:
            band = element.bands.get(basis)
            table.append(
                [section.number, section.heading, section.name, section.get_aspect_display()]
                + [Basis.column(basis), _round(element.scores.get(basis))]
                + [band["label"] if band else "", _percent(element.shares.get(basis))]
            )
    return header, table


def gaps_table(results: Results) -> tuple[list[str], list[list]]:
    header = ["Item", "Basis", "Compared by", "Higher group", "Value", "Respondents"]
    header += ["Lower group", "Value", "Respondents", "Gap", "Unit", "In words"]
    header += ["Share gap (percentage points)", "Cliff's delta", "Groups compared", "Test"]
    header += ["Adjusted p", "Chance", "Large", "Question"]
    table = [
        [gap.item.key, Basis.column(gap.basis), gap.dimension]
        + [gap.high[0], _round(gap.high[1]), gap.high[2]]
        + [gap.low[0], _round(gap.low[1]), gap.low[2]]
        + [_round(gap.size), gap.kind, gap.plain]
        + [_round(gap.share_gap), _round(gap.delta), gap.groups, gap.test]
        + [float(f"{gap.q:.4g}"), gap.verdict, "Yes" if gap.large else "No"]
        + [gap.item.text]
        for gap in results.rating_gaps + results.yes_no_gaps
    ]
    return header, table


def trends_table(results: Results) -> tuple[list[str], list[list]]:
    header = ["Item", "Basis"] + [trend.label for trend in results.trends] + ["This assessment"]
    table = [
        [r.item.key, Basis.column(r.basis)] + [_round(v) for v in earlier] + [_round(r.mean)]
        for r, earlier in results.trend_rows
    ]
    return header, table


def benchmarks_table(results: Results) -> tuple[list[str], list[list]]:
    # The verdict only: a p-value here, or the others' spread, would narrow down other
    # partnerships' figures (see services/benchmarks.py).
    header = ["Item", "Basis", "Compared with", "Here", "Their average", "Difference", "Unit"]
    header += ["Chance", "Question"]
    table = [
        [gap.item.key, Basis.column(gap.basis), gap.group, _round(gap.ours), _round(gap.theirs)]
        + [_round(gap.size), gap.unit, gap.verdict, gap.item.text]
        for gap in results.benchmark_gaps
    ]
    return header, table


def _round(value, places: int = 2):
    return None if value is None else round(value, places)


def _percent(share: float | None):
    return None if share is None else round(100 * share, 1)


EXPORTS = {
    "answers": [answers_table],
    "items": [items_table],
    "elements": [elements_table],
    "gaps": [gaps_table],
    "trends": [trends_table],
    "benchmarks": [benchmarks_table],
    # A workbook only: every aggregate table on its own sheet.
    "aggregates": [elements_table, items_table, gaps_table, trends_table, benchmarks_table],
}
SHEET_NAMES = {
    answers_table: "Answers",
    elements_table: "Elements",
    items_table: "Items",
    gaps_table: "Where views differ",
    trends_table: "Trends",
    benchmarks_table: "Other partnerships",
}


def download(results: Results, what: str, kind: str) -> HttpResponse:
    builders = EXPORTS.get(what)
    if not builders or kind not in ("csv", "xlsx") or (kind == "csv" and len(builders) > 1):
        raise Http404("No such export.")
    name = f"{slugify(results.assessment.title)}-{what}"
    if kind == "csv":
        header, table = builders[0](results)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_safe(v) for v in header])
        writer.writerows(["" if v is None else _safe(v) for v in row] for row in table)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        # Write-only: rows stream out, which is several times faster for every answer.
        workbook = Workbook(write_only=True)
        for builder in builders:
            header, table = builder(results)
            sheet = workbook.create_sheet(SHEET_NAMES[builder])
            sheet.freeze_panes = "A2"
            bold = []
            for value in header:
                cell = WriteOnlyCell(sheet, value=_safe(value))
                cell.font = Font(bold=True)
                bold.append(cell)
            sheet.append(bold)
            for row in table:
                sheet.append([_safe(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
