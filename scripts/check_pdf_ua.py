"""Check a PDF against the PDF/UA-1 rules (Matterhorn protocol) that matter for our reports.

    .venv/bin/python scripts/check_pdf_ua.py FILE.pdf [FILE.pdf ...]

Prints each failed rule, one a line, and exits 1 if any failed (0 if none). It reads the
file's structure with pikepdf; it is no full validator. Where veraPDF is installed, run
it too: ``verapdf --flavour ua1 FILE.pdf``.

What it checks (Matterhorn checkpoint in brackets):
- the document is marked tagged, has a structure tree and a title the viewer shows
  (01-001, 06-001, 06-003, 07-001); its language is set (11-001);
- every piece of text, path and image in a page is either tagged (marked content with
  an MCID that the ParentTree maps to an element in the structure tree) or an artifact:
  no untagged content (01-005), no artifact inside the structure tree (01-001), and the
  ParentTree and the tree agree both ways, and each element names its holder as parent (P);
- tables are well formed: Table > (Caption,) (THead | TBody | TFoot >) TR > TH | TD, and
  no Table without a row (15-001); every TH has a Scope (15-003);
- figures have alternative text (13-004);
- every link annotation has a Link element that holds it through an OBJR, and a
  description in Contents (28-011, 28-004); every Link element has content;
- headings start at H1 and skip no level (14-002, 14-003).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary

# Operators that put something on the page: it must be tagged or an artifact.
PAINTING = {"Tj", "TJ", "'", '"', "Do", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh"}
TABLE_PARTS = {"/THead", "/TBody", "/TFoot"}
HEADINGS = {f"/H{n}": n for n in range(1, 7)}


def _is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj and obj.get("/Type") != "/OBJR"


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _walk(element, parent) -> Iterator[tuple[Dictionary, Dictionary]]:
    """Every structure element under ``element``, in reading order, with its parent."""
    yield element, parent
    for kid in _kids(element):
        if _is_element(kid):
            yield from _walk(kid, element)


def _is_mcid(obj) -> bool:
    return isinstance(obj, int) or (
        isinstance(obj, pikepdf.Object) and obj._type_code == pikepdf.ObjectType.integer
    )


def _is_content(kid) -> bool:
    """A marked-content sequence or an element: what an element holds besides annotations."""
    if _is_mcid(kid) or _is_element(kid):
        return True
    return isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR"


def _attribute(element, key: str):
    attributes = element.get("/A")
    if attributes is None:
        return None
    for group in attributes if isinstance(attributes, Array) else [attributes]:
        if isinstance(group, Dictionary) and key in group:
            return group[key]
    return None


def _page_marks(page) -> tuple[dict[int, bool], list[str]]:
    """A page's marked content: {MCID: inside an artifact}, and its untagged painting."""
    marks: dict[int, bool] = {}
    untagged: list[str] = []
    stack: list[tuple[str, int | None]] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            in_artifact = any(t == "/Artifact" for t, _ in stack) or tag == "/Artifact"
            if mcid is not None:
                marks[mcid] = in_artifact
            stack.append((tag, mcid))
        elif op == "EMC" and stack:
            stack.pop()
        elif op in PAINTING:
            covered = any(t == "/Artifact" or m is not None for t, m in stack)
            if not covered:
                untagged.append(op)
    return marks, untagged


def problems(path: str | Path) -> list[str]:
    """The PDF/UA-1 rules that the file at ``path`` fails, each in a sentence."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if not root.get("/MarkInfo", {}).get("/Marked", False):
            found.append("01-001 the document is not marked as tagged (MarkInfo /Marked)")
        if not root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False):
            found.append("07-001 the viewer is not told to show the title (DisplayDocTitle)")
        with pdf.open_metadata() as meta:
            title = meta.get("dc:title")
        if not title:
            found.append("06-003 the document has no title in its metadata (dc:title)")
        if not str(root.get("/Lang", "")).strip():
            found.append("11-001 the document's language is not set (Lang)")
        tree = root.get("/StructTreeRoot")
        if tree is None:
            found.append("01-001 the document has no structure tree")
            return found
        found += _tree_problems(pdf, tree)
    return found


def _tree_problems(pdf: pikepdf.Pdf, tree) -> list[str]:
    found: list[str] = []
    page_numbers = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
    elements: list[tuple[Dictionary, Dictionary]] = []
    for top in _kids(tree):
        if _is_element(top):
            elements += list(_walk(top, tree))

    # What the tree claims: each MCID (page, mcid) and each annotation it holds.
    claimed: dict[tuple[int, int], Dictionary] = {}
    held_annotations: dict[tuple[int, int], Dictionary] = {}
    for element, _ in elements:
        page = element.get("/Pg")
        for kid in _kids(element):
            if _is_mcid(kid):
                if page is None:
                    found.append(f"{element.S} holds marked content but names no page (Pg)")
                    continue
                claimed[(page_numbers.get(page.objgen, 0), int(kid))] = element
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
                mcr_page = kid.get("/Pg", page)
                claimed[(page_numbers.get(mcr_page.objgen, 0), int(kid.MCID))] = element
            elif isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR":
                held_annotations[kid.Obj.objgen] = element

    parent_tree = _number_tree(tree.get("/ParentTree"))
    for number, page in enumerate(pdf.pages, 1):
        marks, untagged = _page_marks(page)
        if untagged:
            found.append(
                f"01-005 page {number}: {len(untagged)} painting operators are neither "
                "tagged nor an artifact"
            )
        mapped = parent_tree.get(int(page.get("/StructParents", -1)))
        mapped = list(mapped) if isinstance(mapped, Array) else []
        orphans = artifacts_in_tree = 0
        for mcid, in_artifact in marks.items():
            element = claimed.get((number, mcid))
            target = mapped[mcid] if mcid < len(mapped) else None
            if in_artifact:
                if element is not None:
                    artifacts_in_tree += 1
                continue
            if element is None:
                orphans += 1
            elif not isinstance(target, Dictionary) or target.objgen != element.objgen:
                found.append(
                    f"ParentTree: page {number} MCID {mcid} does not lead back to its element"
                )
        if orphans:
            found.append(
                f"01-005 page {number}: {orphans} marked-content sequences are tagged but in "
                "no element of the structure tree (neither content nor artifact)"
            )
        if artifacts_in_tree:
            found.append(
                f"01-001 page {number}: {artifacts_in_tree} artifacts are in the structure tree"
            )
        for key, element in claimed.items():
            if key[0] == number and key[1] not in marks:
                found.append(f"ParentTree: page {number} has no MCID {key[1]} for {element.S}")

        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            element = held_annotations.get(annotation.objgen)
            if element is None or element.S != "/Link":
                found.append(f"28-011 page {number}: a link annotation is in no Link element")
            elif not str(annotation.get("/Contents", "")).strip():
                found.append(f"28-004 page {number}: a link has no description (Contents)")
            target = parent_tree.get(int(annotation.get("/StructParent", -1)))
            if element is not None and (
                not isinstance(target, Dictionary) or target.objgen != element.objgen
            ):
                found.append(f"ParentTree: page {number} link annotation's StructParent is wrong")

    found += _element_problems(elements)
    return found


def _element_problems(elements: list[tuple[Dictionary, Dictionary]]) -> list[str]:
    found: list[str] = []
    previous_level = 0
    for element, holder in elements:
        kind = str(element.S)
        kids = [kid for kid in _kids(element) if _is_element(kid)]
        kid_kinds = [str(kid.S) for kid in kids]
        parent = element.get("/P")
        parent_kind = str(holder.get("/S", ""))
        if not isinstance(parent, Dictionary) or parent.objgen != holder.objgen:
            found.append(f"{kind}'s parent (P) is not the element that holds it")
        if kind == "/Artifact":
            found.append("01-001 an Artifact element is in the structure tree")
        if kind == "/Table":
            allowed = {"/Caption", "/TR"} | TABLE_PARTS
            if any(k not in allowed for k in kid_kinds):
                found.append(f"15-001 a Table holds {sorted(set(kid_kinds) - allowed)}")
            rows = [
                row
                for kid in kids
                for row in ([kid] if kid.S == "/TR" else [k for k in _kids(kid) if _is_element(k)])
                if kid.S != "/Caption" and row.S == "/TR"
            ]
            if not rows:
                found.append("15-001 a Table has no rows")
        elif kind in TABLE_PARTS:
            if parent_kind != "/Table":
                found.append(f"15-001 {kind} is not in a Table but in {parent_kind}")
            if any(k != "/TR" for k in kid_kinds):
                found.append(f"15-001 {kind} holds {sorted(set(kid_kinds) - {'/TR'})}")
        elif kind == "/TR":
            if parent_kind not in TABLE_PARTS | {"/Table"}:
                found.append(f"15-001 a TR is in {parent_kind}, not a table")
            if any(k not in ("/TH", "/TD") for k in kid_kinds):
                found.append(f"15-001 a TR holds {sorted(set(kid_kinds) - {'/TH', '/TD'})}")
        elif kind in ("/TH", "/TD") and parent_kind != "/TR":
            found.append(f"15-001 a {kind[1:]} is in {parent_kind}, not a TR")
        if kind == "/TH" and str(_attribute(element, "/Scope") or "") not in (
            "/Row",
            "/Column",
            "/Both",
        ):
            found.append("15-003 a table header cell (TH) has no Scope")
        if kind == "/Figure" and not (
            str(element.get("/Alt", "")).strip() or str(element.get("/ActualText", "")).strip()
        ):
            found.append("13-004 a Figure has no alternative text (Alt)")
        if kind == "/Link" and not any(_is_content(kid) for kid in _kids(element)):
            found.append("a Link element has no content besides its annotation")
        if kind in HEADINGS:
            level = HEADINGS[kind]
            if previous_level == 0 and level != 1:
                found.append(f"14-002 the first heading is {kind[1:]}, not H1")
            elif level > previous_level + 1:
                found.append(f"14-003 a heading skips from H{previous_level} to {kind[1:]}")
            previous_level = level
    return found


def _number_tree(node) -> dict[int, object]:
    """A number tree (the ParentTree) as a dict."""
    return {} if node is None else dict(pikepdf.NumberTree(node).items())


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[1].strip())
        return 2
    failed = False
    for name in argv:
        try:
            found = problems(name)
        except pikepdf.PdfError as error:
            found = [f"cannot be read as a PDF ({error})"]
        for problem in found:
            print(f"{name}: {problem}")
        if not found:
            print(f"{name}: no problems found")
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
