"""What WeasyPrint 70's tagged PDF leaves undone for PDF/UA-1, finished with pikepdf.

WeasyPrint tags each page on its own, from that page's boxes. Four things follow that no
template or stylesheet can change, so ``finish_tags`` mends them in the written file:

- Running heads and page numbers (CSS margin boxes) are marked content whose elements are
  left out of the tree: neither content nor artifact. They become pagination artifacts.
- A table split across pages is one Table element per page, and the header row repeated
  on each later page is tagged again. The pieces are joined into the first, and the
  repeated header rows become artifacts (a caption-only piece, left at the foot of a page,
  is joined the same way, so no Table is left without rows).
- A link within the document is described (its annotation's Contents, which assistive
  technology may give for the link) by the name of the anchor it leads to ("summary"); it
  becomes the heading there, as the PDF's bookmarks name it.
- Header cells have no Scope. WeasyPrint reads each <th>'s scope attribute to link the
  data cells to their headers (a cell's Headers lists its row's scope="row" headers and
  its column's others), so that link says which each header is: a Row header is named
  by data cells of its own row, any other by cells of its column.

Every change is to the structure tree and the marks in the page content; nothing
a sighted reader sees moves.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from functools import partial

import pikepdf
from pikepdf import Array, Dictionary, Name

# WeasyPrint (through pydyf) opens each piece of tagged content as "/Span <</MCID 7>> BDC".
# Matching that with a pattern, rather than parsing and writing every operator of every
# page, keeps the finishing a small part of the render.
MARK = re.compile(rb"/[A-Za-z0-9]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def finish_tags(data: bytes) -> bytes:
    """The PDF ``data`` (a tagged PDF written by WeasyPrint) with its tags finished."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        if tree is None:
            return data
        pages = {page.objgen: n for n, page in enumerate(pdf.pages)}
        marks = _ParentTree(pdf, tree)
        document = _kids(tree)[0]
        _join_split_tables(document, pages, marks)
        everything = _elements(document)
        marks.make_artifacts(_untreed(everything, marks))
        for table in everything:
            if table.S == "/Table":
                _scope_headers(table)
        _write_id_tree(pdf, tree, everything)
        _describe_links(pdf)
        marks.rewrite_pages()
        out = io.BytesIO()
        # The file's ID from its content, not the clock: the same document, the same bytes.
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


class _ParentTree:
    """The ParentTree's page arrays (MCID to element), and the MCIDs to turn into artifacts."""

    def __init__(self, pdf: pikepdf.Pdf, tree) -> None:
        self.pdf = pdf
        parent_tree = pikepdf.NumberTree(tree.ParentTree)
        self.pages = {
            page.objgen: (page, parent_tree[int(page.StructParents)])
            for page in pdf.pages
            if "/StructParents" in page
        }
        self.artifacts: dict[tuple, set[int]] = defaultdict(set)

    def make_artifacts(self, marked: list[tuple[tuple, int]]) -> None:
        """Take these (page, MCID) out of the tree's reach and mark them as artifacts."""
        for page, mcid in marked:
            self.pages[page][1][mcid] = None
            self.artifacts[page].add(mcid)

    def point(self, page: tuple, mcid: int, element) -> None:
        self.pages[page][1][mcid] = element

    def rewrite_pages(self) -> None:
        for objgen, mcids in self.artifacts.items():
            page = self.pages[objgen][0]
            content = MARK.sub(partial(_artifact, mcids), page.Contents.read_bytes())
            page.Contents = self.pdf.make_stream(content)


def _artifact(mcids: set[int], mark: re.Match) -> bytes:
    return ARTIFACT if int(mark[1]) in mcids else mark[0]


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def _elements(element) -> list:
    """The element and every element under it, in reading order."""
    found, stack = [], [element]
    while stack:
        each = stack.pop()
        found.append(each)
        stack += reversed([kid for kid in _kids(each) if _is_element(kid)])
    return found


def _rows(table) -> list:
    """A table's rows, in its head, bodies and foot or directly in it."""
    rows = []
    for kid in _kids(table):
        if _is_element(kid) and kid.S == "/TR":
            rows.append(kid)
        elif _is_element(kid) and kid.S in ("/THead", "/TBody", "/TFoot"):
            rows += [row for row in _kids(kid) if _is_element(row) and row.S == "/TR"]
    return rows


def _find(element, kind: str) -> list:
    return [e for e in _elements(element) if e.get("/S") == kind]


def _marked(element) -> list[tuple[tuple, int]]:
    """Every (page, MCID) the element and its descendants hold."""
    found = []
    for each in _elements(element):
        for kid in _kids(each):
            if isinstance(kid, int):
                found.append((each.Pg.objgen, kid))
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                found.append((kid.get("/Pg", each.get("/Pg")).objgen, int(kid.MCID)))
    return found


def _untreed(everything: list, marks: _ParentTree) -> list[tuple[tuple, int]]:
    """Marked content whose element is outside the tree: the margin boxes."""
    in_tree = {element.objgen for element in everything}
    return [
        (objgen, mcid)
        for objgen, (_, elements) in marks.pages.items()
        for mcid, element in enumerate(elements)
        if isinstance(element, Dictionary) and element.objgen not in in_tree
    ]


def _first(element):
    kids = [kid for kid in _kids(element) if _is_element(kid)]
    return kids[0] if kids else None


def _last(element):
    kids = [kid for kid in _kids(element) if _is_element(kid)]
    return kids[-1] if kids else None


def _join_split_tables(document, pages: dict, marks: _ParentTree) -> None:
    """Join each table's pieces, page by page, into its first piece.

    WeasyPrint adds each page's top-level elements to the Document in page order. A
    table goes on over a page break when the last thing on one page is a Table, the
    first on the next page is a Table at the same depth under elements of the same
    kinds (the same section, split too), and that second Table has no caption of its
    own (a table's caption is drawn once, with its first piece).
    """
    tops = [kid for kid in _kids(document) if _is_element(kid)]
    kept = tops[:1]
    for before, current in zip(tops, tops[1:], strict=False):
        if pages[before.Pg.objgen] != pages[current.Pg.objgen] and _join(kept[-1], current, marks):
            continue
        kept.append(current)
    document.K = Array(kept)


def _join(earlier, later, marks: _ParentTree) -> bool:
    pairs = []
    while earlier is not None and later is not None and earlier.S == later.S:
        pairs.append((earlier, later))
        if earlier.S == "/Table":
            break
        earlier, later = _last(earlier), _first(later)
    else:
        return False
    if any(kid.S == "/Caption" for kid in _kids(later) if _is_element(kid)):
        return False
    for (earlier, later), following in zip(pairs, pairs[1:] + [(None, None)], strict=True):
        moved = [kid for kid in _kids(later) if not _same(kid, following[1])]
        if earlier.S == "/Table":
            moved = _drop_repeated_header(earlier, moved, marks)
        for kid in moved:
            if _is_element(kid):
                kid.P = earlier
            elif isinstance(kid, int):
                # Content moved to an element of another page is named with its page.
                marks.point(later.Pg.objgen, kid, earlier)
                kid = Dictionary(Type=Name.MCR, Pg=later.Pg, MCID=kid)
            earlier.K = Array([*_kids(earlier), kid])
    return True


def _same(a, b) -> bool:
    return b is not None and isinstance(a, Dictionary) and a.objgen == b.objgen


def _drop_repeated_header(table, kids: list, marks: _ParentTree) -> list:
    """The later piece's kids without its header rows, if the first piece has them already
    (they are WeasyPrint's repeat of the header on a new page); its cells then name the
    first piece's header cells, the same column's."""
    heads = [kid for kid in _kids(table) if _is_element(kid) and kid.S == "/THead"]
    if not heads:
        return kids
    originals = [th for th in _find(heads[0], "/TH")]
    renamed = {}
    kept = []
    for kid in kids:
        if _is_element(kid) and kid.S == "/THead":
            for original, repeat in zip(originals, _find(kid, "/TH"), strict=False):
                if "/ID" in original and "/ID" in repeat:
                    renamed[bytes(repeat.ID)] = original.ID
            marks.make_artifacts(_marked(kid))
        else:
            kept.append(kid)
    for kid in kept:
        for cell in _find(kid, "/TD") if _is_element(kid) else []:
            headers = cell.get("/A", {}).get("/Headers")
            if headers is not None:
                cell.A.Headers = Array([renamed.get(bytes(h), h) for h in headers])
    return kept


def _scope_headers(table) -> None:
    for row in _rows(table):
        cells = [kid for kid in _kids(row) if _is_element(kid)]
        named_in_row = {
            bytes(name)
            for cell in cells
            if cell.S == "/TD"
            for name in cell.get("/A", {}).get("/Headers", [])
        }
        for header in (cell for cell in cells if cell.S == "/TH"):
            in_row = "/ID" in header and bytes(header.ID) in named_in_row
            if "/A" not in header:
                header.A = Dictionary(O=Name.Table)
            header.A.Scope = Name.Row if in_row else Name.Column


def _write_id_tree(pdf: pikepdf.Pdf, tree, everything: list) -> None:
    """Elements with an ID (WeasyPrint gives header cells one) must be in the IDTree."""
    named = sorted(((bytes(e.ID), e) for e in everything if "/ID" in e), key=lambda pair: pair[0])
    if named:
        names = Array()
        for key, element in named:
            names.append(pikepdf.String(key))
            names.append(element)
        tree.IDTree = pdf.make_indirect(Dictionary(Names=names))


def _describe_links(pdf: pikepdf.Pdf) -> None:
    """Describe each link to a named place by the heading there: the bookmark (outline
    item) that points at the same spot on the same page."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names or "/Outlines" not in pdf.Root:
        return
    places = pikepdf.NameTree(names.Dests)
    headings = {_spot(item.Dest): str(item.Title) for item in _outline(pdf.Root.Outlines)}
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            target = annotation.get("/Dest")
            if annotation.get("/Subtype") != "/Link" or not isinstance(target, pikepdf.String):
                continue
            place = places.get(str(target))
            heading = headings.get(_spot(place)) if place is not None else None
            if heading:
                annotation.Contents = pikepdf.String(heading)


def _outline(outlines) -> list:
    """Every bookmark, at every level."""
    found, item = [], outlines.get("/First")
    while item is not None:
        if "/Dest" in item:
            found.append(item)
        found += _outline(item)
        item = item.get("/Next")
    return found


def _spot(destination) -> tuple:
    """A destination's page and height ([page /XYZ left top zoom])."""
    return destination[0].objgen, round(float(destination[3]), 1)
