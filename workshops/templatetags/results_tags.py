"""Template helpers for the results page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from questions.models import Item
from workshops.models import AgendaItem, Basis
from workshops.services.benchmarks import GapTable, benchmark_tables
from workshops.services.chart_inputs import basis_words
from workshops.services.results import Results

register = template.Library()

BAND_TAGS = {
    "strength": "govuk-tag--green",
    "needs_attention": "govuk-tag--yellow",
    "concern": "govuk-tag--red",
}


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.filter
def score(value) -> str:
    return "–" if value is None else f"{value:.1f}"


@register.filter
def percent(fraction: float) -> str:
    return f"{100 * fraction:.0f}%"


@register.filter
def share(fraction: float | None) -> str:
    """A share of answers as a whole percentage, or a dash when nobody rated."""
    return "–" if fraction is None else f"{100 * fraction:.0f}%"


@register.filter
def basis_label(basis: str) -> str:
    return Basis.column(basis)


# A question's words longer than this are cut at a word boundary where space is short.
SHORT_WORDS = 70


def shortened(text: str, limit: int = SHORT_WORDS) -> str:
    """The words as they are when short enough, else cut at the last whole word that fits,
    with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


@register.simple_tag(takes_context=True)
def item_name(context, item: Item, basis: str = "", full: bool = False):
    """A question wherever results list it: its key and its words, and its basis when the
    assessment asks two. On the page long words are shortened, the whole of them a click
    away, unless ``full``; the PDF (``in_pdf``) prints them in full."""
    results = context.get("results")
    bases = getattr(results, "bases", None) or [basis]
    named = format_html(" ({})", Basis.column(basis)) if basis and len(bases) > 1 else ""
    if item.local:
        # Said in words, not by colour alone: it is never compared with other partnerships.
        named = format_html(
            '{} <strong class="govuk-tag govuk-tag--blue">Local question</strong>', named
        )
    if context.get("in_pdf"):
        return format_html(
            '<span class="item-name"><span class="item-name__key">{}</span> {}{}</span>',
            item.key,
            item.text,
            named,
        )
    short = item.text if full else shortened(item.text)
    if short == item.text:
        return format_html(
            '<span class="lsp-item-name"><span class="lsp-item-name__key">{}</span> {}{}</span>',
            item.key,
            item.text,
            named,
        )
    return format_html(
        '<details class="lsp-item-name"><summary class="lsp-item-name__summary">'
        '<span class="lsp-item-name__key">{}</span> {}{}</summary>'
        '<span class="lsp-item-name__words">{}</span></details>',
        item.key,
        short,
        named,
        item.text,
    )


@register.filter
def chart_basis(basis: str) -> str:
    """Which basis the charts show, in words."""
    return basis_words(basis)


# What a workshop wrote down on an item, as the plan's appendix heads each.
OUTCOME_LABELS = {
    "rationale": "Why",
    "strengths": "Strengths",
    "improvements": "Areas for improvement",
    "evidence": "Evidence",
}


@register.filter
def agreed_outcome(entry: AgendaItem, bases: list[str]) -> list[tuple[str, str]]:
    """What a workshop recorded on an agenda item, as (label, words) pairs in the order the
    console asks them; nothing when it recorded nothing."""
    if not entry.is_agreed:
        return []
    pairs = []
    for basis in bases:
        value = getattr(entry, f"agreed_{basis}", None)
        if value is not None:
            label = f"Agreed rating ({Basis.column(basis)})" if len(bases) > 1 else "Agreed rating"
            pairs.append((label, str(value)))
    if entry.agreed_choice:
        pairs.append(("Agreed answer", entry.get_agreed_choice_display()))
    for name, label in OUTCOME_LABELS.items():
        if text := getattr(entry, name):
            pairs.append((label, text))
    if entry.investigate:
        pairs.append(("Next", "To investigate further"))
    return pairs


@register.filter
def band_colour(key: str) -> str:
    return BAND_TAGS.get(key, "govuk-tag--grey")


@register.filter
def count_of(counts: dict, value) -> int:
    return counts.get(str(value), 0)


@register.filter
def gap_tables(results: Results) -> list[tuple]:
    return [
        ("Ratings: gap in points on the 1 to 4 scale", results.rating_gaps, "points", 1),
        ("Yes or no: gap in percentage points", results.yes_no_gaps, "percentage points", 0),
    ]


@register.filter
def benchmark_gap_tables(results: Results) -> list[GapTable]:
    return benchmark_tables(results.benchmark_gaps)


@register.filter
def seven_s_alt(results: Results) -> str:
    """The 7S chart in words, for its text alternative."""
    parts = []
    for element in results.elements:
        if not element.section.is_element:
            continue
        value, band = element.headline
        name = element.section.name or element.section.heading
        if value is None:
            parts.append(f"{name}: no ratings")
        else:
            parts.append(f"{name}: {value:.1f}" + (f", {band['label'].lower()}" if band else ""))
    basis = basis_words(results.bases[0])
    return "7S chart of element scores. " + "; ".join(parts) + f". {basis}."


# Two groups side by side: each element, question and answer once, with each group's figures.


@register.filter
def paired_elements(views: list[tuple[Results, str]]) -> list[tuple]:
    """(section, [each view's ElementResult or None]) for every element any view has."""
    paired: dict[int, tuple] = {}
    for n, (view, _) in enumerate(views):
        for element in view.elements:
            entry = paired.setdefault(element.section.pk, (element.section, [None] * len(views)))
            entry[1][n] = element
    return list(paired.values())


@register.filter
def paired_ratings(elements: list) -> list[tuple]:
    """(item, basis, [each view's Rating or None]) for an element's rating questions."""
    paired: dict[tuple[int, str], tuple] = {}
    for n, element in enumerate(elements):
        for r in element.ratings if element else []:
            entry = paired.setdefault((r.item.pk, r.basis), (r.item, r.basis, [None] * 2))
            entry[2][n] = r
    return list(paired.values())


@register.filter
def paired_yes_no(elements: list) -> list[tuple]:
    """(item, [each view's YesNo or None]) for an element's yes or no questions."""
    paired: dict[int, tuple] = {}
    for n, element in enumerate(elements):
        for y in element.yes_no if element else []:
            paired.setdefault(y.item.pk, (y.item, [None] * 2))[1][n] = y
    return list(paired.values())
