"""The plan PDF (standard and large print) and the paper questionnaire as PDF/UA-1: what a
screen reader gets from the structure tree, read back with pikepdf and pypdf, for a
partnership with a history (tests/full_partnership.py) and a network, and
scripts/check_pdf_ua.py's rules on all three."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass

import pikepdf
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import TableBox

from questions.bank_file import read_bank
from questions.loader import load_bank
from scripts.check_pdf_ua import main, problems
from tests.conftest import make_cast
from tests.full_partnership import build_full_partnership
from tests.workshops.network_shapes import clusters
from workshops.reporting import plan_pdf, questionnaire_pdf
from workshops.reporting.pdf import laid_out, render_pdf
from workshops.reporting.pdf_tags import finish_tags


@dataclass
class Rendered:
    pdf: bytes
    html: str


@pytest.fixture(scope="module")
def _rendered_once() -> dict[str, Rendered]:
    return {}


@pytest.fixture
def rendered(_rendered_once, db) -> dict[str, Rendered]:
    """The three PDFs of one realistic partnership, rendered by the module's first test."""
    if not _rendered_once:
        bank = load_bank(read_bank(settings.QUESTION_BANK_PATH)).version
        assessment = build_full_partnership(make_cast(), bank)
        clusters(assessment)  # the plan's network section, with its map, table and ties
        questionnaire = render_to_string(
            "workshops/print/questionnaire.html",
            questionnaire_pdf.questionnaire_context(assessment),
        )
        _rendered_once["plan"] = Rendered(
            plan_pdf.render_plan_pdf(assessment), plan_pdf.plan_html(assessment)
        )
        _rendered_once["large print plan"] = Rendered(
            plan_pdf.render_plan_pdf(assessment, large=True),
            plan_pdf.plan_html(assessment, large=True),
        )
        _rendered_once["questionnaire"] = Rendered(
            questionnaire_pdf.render_questionnaire_pdf(assessment), questionnaire
        )
    return _rendered_once


DOCUMENTS = ["plan", "large print plan", "questionnaire"]


# Reading the PDF back: each piece of text with the marked content it is drawn in.


@dataclass
class Run:
    mcid: int | None  # None: an artifact (or untagged)
    text: str
    size: float  # as printed, in points
    y: float


def runs(reader: PdfReader, number: int) -> list[Run]:
    marks: list = []
    found: list[Run] = []

    def before(operator, operands, cm, tm):
        if operator == b"BDC":
            properties = operands[1]
            marks.append(int(properties["/MCID"]) if "/MCID" in properties else None)
        elif operator == b"BMC":
            marks.append(None)
        elif operator == b"EMC" and marks:
            marks.pop()

    def text(text, cm, tm, font, size):
        if text.strip():
            mcid = next((m for m in reversed(marks) if m is not None), None)
            scale = abs(tm[3] * cm[3])
            found.append(Run(mcid, text, size * scale, tm[5] * cm[3] + cm[5]))

    reader.pages[number].extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def elements(element):
    yield element
    for kid in kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield from elements(kid)


class Tree:
    """The structure tree, and the text a screen reader reads from each element."""

    def __init__(self, pdf: bytes):
        self.pdf = pikepdf.open(io.BytesIO(pdf))
        self.reader = PdfReader(io.BytesIO(pdf))
        self.document = kids(self.pdf.Root.StructTreeRoot)[0]
        self.page_numbers = {page.objgen: n for n, page in enumerate(self.pdf.pages)}
        self._runs: dict[int, list[Run]] = {}

    def elements(self, kind: str | None = None) -> list:
        return [e for e in elements(self.document) if kind is None or e.get("/S") == kind]

    def page_runs(self, number: int) -> list[Run]:
        if number not in self._runs:
            self._runs[number] = runs(self.reader, number)
        return self._runs[number]

    def text(self, element) -> str:
        """The element's text, in the tree's order: what assistive technology reads."""
        parts = []
        for each in elements(element):
            for kid in kids(each):
                if isinstance(kid, int):
                    page = self.page_numbers[each.Pg.objgen]
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    page, kid = self.page_numbers[kid.Pg.objgen], int(kid.MCID)
                else:
                    continue
                parts += [run.text for run in self.page_runs(page) if run.mcid == kid]
        return " ".join(" ".join(parts).split())

    def artifacts(self, number: int) -> list[Run]:
        return [run for run in self.page_runs(number) if run.mcid is None]


@pytest.fixture(scope="module")
def _trees_once() -> dict[str, Tree]:
    return {}


@pytest.fixture
def trees(rendered, _trees_once) -> dict[str, Tree]:
    if not _trees_once:
        _trees_once.update({name: Tree(document.pdf) for name, document in rendered.items()})
    return _trees_once


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_passes_the_pdf_ua_checks(rendered, tmp_path, name):
    path = tmp_path / "document.pdf"
    path.write_bytes(rendered[name].pdf)
    assert problems(path) == []


@pytest.mark.parametrize("name", DOCUMENTS)
def test_running_heads_and_page_numbers_are_artifacts_not_read_as_content(trees, name):
    tree = trees[name]
    read = tree.text(tree.document)
    pages = len(tree.pdf.pages)
    assert "Page 2 of" not in read and f"of {pages}" not in read
    # Still printed on every page after the first, for sighted readers.
    for number in range(1, pages):
        printed = " ".join(run.text for run in tree.artifacts(number))
        assert f"Page {number + 1} of {pages}" in printed
    if name != "questionnaire":
        assert "Improvement plan · " not in read
        assert "Improvement plan · Eastvale LSP" in " ".join(r.text for r in tree.artifacts(2))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_header_cell_has_the_scope_its_html_gives_it(rendered, trees, name):
    headers = trees[name].elements("/TH")
    scopes = [str(th.get("/A", {}).get("/Scope", "none")) for th in headers]
    html = rendered[name].html
    assert scopes.count("/Row") == html.count('scope="row"')
    assert scopes.count("/Column") == html.count('scope="col"')
    assert len(headers) == html.count('scope="row"') + html.count('scope="col"')


@pytest.mark.parametrize("name", DOCUMENTS)
def test_one_table_in_the_html_is_one_table_in_the_pdf_without_repeated_rows(rendered, trees, name):
    tree, html = trees[name], rendered[name].html
    tables = tree.elements("/Table")
    assert len(tables) == html.count("<table")
    assert all(any(e.S == "/TR" for e in elements(table)) for table in tables)
    # The header row WeasyPrint repeats on each later page is drawn, not read again.
    assert len(tree.elements("/TR")) == len(re.findall(r"<tr[\s>]", html))
    assert len(tree.elements("/THead")) == html.count("<thead")


@pytest.mark.parametrize("name", ["plan", "large print plan"])
def test_each_contents_link_reads_as_its_heading_and_page_number(trees, name):
    tree = trees[name]
    contents = next(e for e in tree.elements() if tree.text(e).startswith("Contents"))
    links = [e for e in elements(contents) if e.S == "/Link"]
    texts = [tree.text(link) for link in links]
    # One Link per entry, none inside another (the plan's targets have one of their own);
    # the partnership network has an entry of its own.
    assert len(texts) == 11
    assert texts[0].startswith("Executive summary")
    for text in texts:
        assert re.fullmatch(r"[A-Z][\w ,:'-]+?( \d+)?", text), text
    # The dots still lead the eye to each page number, but no text draws them.
    page = tree.page_numbers[contents.Pg.objgen]
    assert not any(set(run.text.strip()) == {"."} for run in tree.page_runs(page))
    # Each link's description (what a screen reader may give for the link itself) is the
    # heading it leads to, not the name of the anchor in the HTML ("summary").
    described = [
        str(annotation.Contents)
        for annotation in tree.pdf.pages[page].get("/Annots", [])
        if annotation.get("/Subtype") == "/Link"
    ]
    assert described == [re.sub(r" \d+$", "", text) for text in texts]


def test_large_print_chart_labels_are_as_large_as_its_body_text(trees):
    tree = trees["large print plan"]
    figures = [e for e in tree.elements("/Figure")]
    assert figures
    body = 17
    for figure in figures:
        page = tree.page_numbers[figure.Pg.objgen]
        mcids = [kid for kid in kids(figure) if isinstance(kid, int)]
        labels = [run for run in tree.page_runs(page) if run.mcid in mcids]
        assert labels, "a chart's labels are text"
        small = sorted({(round(run.size, 1), run.text) for run in labels if run.size < body})
        assert not small, small


def test_large_print_running_head_keeps_its_two_parts_apart(trees):
    tree = trees["large print plan"]
    for number in range(2, len(tree.pdf.pages)):
        # In the top margin (22 mm of the A4 page's 842 points), not a repeated table header.
        top = float(tree.pdf.pages[number].MediaBox[3]) - 62
        head = [run for run in tree.artifacts(number) if run.y > top]
        lines = defaultdict(list)
        for run in head:
            lines[round(run.y)].append(run.text)
        # The title and partnership on one line, the section's name on its own.
        assert len(lines) == 2, lines
        text = tree.reader.pages[number].extract_text()
        assert any(line.strip() == "Improvement plan · Eastvale LSP" for line in text.splitlines())


# The checker and the finishing on a small document: a running head and a long table.

LONG_TABLE = (
    """<!DOCTYPE html><html lang="en-GB"><head><title>Long table</title><style>
@page { @top-left { content: "Running head" } @bottom-center { content: counter(page) } }
</style></head><body><h1>Long table</h1><table><caption>Rows</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Value</th></tr></thead><tbody>
"""
    + "".join(f'<tr><th scope="row">Row {n}</th><td>{n * 7}</td></tr>' for n in range(120))
    + "</tbody></table></body></html>"
)


def test_the_checker_finds_what_weasyprint_leaves_undone_and_the_finishing_mends_it(tmp_path):
    raw = tmp_path / "raw.pdf"
    raw.write_bytes(HTML(string=LONG_TABLE).write_pdf(pdf_variant="pdf/ua-1"))
    found = " ".join(problems(raw))
    assert "01-005" in found  # the running head, neither content nor artifact
    assert "15-003" in found  # header cells without a Scope

    finished = tmp_path / "finished.pdf"
    finished.write_bytes(finish_tags(raw.read_bytes()))
    assert problems(finished) == []
    tree = Tree(finished.read_bytes())
    assert len(tree.pdf.pages) > 2
    assert len(tree.elements("/Table")) == 1 and len(tree.elements("/THead")) == 1
    assert len(tree.elements("/TR")) == 121
    rows = [tree.text(th) for th in tree.elements("/TH")]
    assert rows[:3] == ["Name", "Value", "Row 0"] and rows[-1] == "Row 119"
    # Data cells still name their headers: the first piece's, for the rows on later pages.
    ids = {bytes(th.ID) for th in tree.elements("/TH")}
    for cell in tree.elements("/TD"):
        assert {bytes(h) for h in cell.A.Headers} <= ids
        assert len(cell.A.Headers) == 2


def test_render_pdf_finishes_the_tags(tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(render_pdf(LONG_TABLE))
    assert problems(path) == []


def test_the_checker_says_so_when_a_file_is_no_pdf(tmp_path, capsys):
    path = tmp_path / "not.pdf"
    path.write_text("Not a PDF")
    assert main([str(path)]) == 1
    assert "cannot be read as a PDF" in capsys.readouterr().out


def tables_past_the_margin(html: str) -> list[tuple[int, float]]:
    """Each table, by page, that WeasyPrint lays out wider than the page's text area
    (and by how many points): its right-hand column runs into the margin or off the page."""
    found = []
    for number, page in enumerate(laid_out(html).pages, start=1):
        box = page._page_box
        right = box.content_box_x() + box.width
        for each in box.descendants():
            if isinstance(each, TableBox) and each.position_x + each.margin_width() > right + 0.5:
                found.append((number, round(each.position_x + each.margin_width() - right, 1)))
    return found


@pytest.mark.parametrize("name", ["plan", "large print plan"])
def test_every_table_fits_the_page(rendered, name):
    # At 17 pt, long headings and words once pushed the element scores and the appendix
    # 30 to 60 points past the right-hand margin, their last column partly off the page.
    assert tables_past_the_margin(rendered[name].html) == []
