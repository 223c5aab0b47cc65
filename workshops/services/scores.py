"""Scores shared by an assessment's results, its exports and benchmarks: means, element
scores from aggregate rows, and the band a score falls in."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Avg, Count, Q

from questions.models import BankVersion

# "Performs well or better": ratings at this point of the scale or above.
WELL = 3


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def share_well(ratings: list[int]) -> float | None:
    """The share of ``ratings`` at 3 or 4, "performs well or better", from 0 to 1."""
    return sum(1 for r in ratings if r >= WELL) / len(ratings) if ratings else None


def well_words(bank: BankVersion) -> str:
    """What a share counts, in the bank's own scale words: "performs well or better"."""
    label = dict(bank.scale_choices()).get(WELL, "")
    return f"{label[:1].lower()}{label[1:]} or better"


def band_for(bank: BankVersion, score: float | None) -> dict | None:
    """The interpretation band a score falls in, as the question bank defines them."""
    if score is None:
        return None
    for band in bank.bands:  # highest first; each minimum is inclusive
        if score >= band["min"]:
            return band
    return None


def scores_by_element(aggregates) -> tuple[dict[int, float | None], dict]:
    """Element scores (rating-weighted) and item means from (section, key, basis, avg, n)
    rows (``rating_aggregates``' own, whose count at 3 or 4 may follow), on the headline
    basis: internal where asked, else external."""
    totals: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    items: dict[tuple[str, str], float | None] = {}
    for section, key, basis, avg, n, *_ in aggregates:
        totals[section][basis][0] += avg * n
        totals[section][basis][1] += n
        items[(key, basis)] = avg
    return _headline(totals), items


def shares_by_element(aggregates) -> dict[int, float | None]:
    """Each element's share of ratings at 3 or 4 ("performs well or better", from 0 to 1)
    from ``rating_aggregates``' rows (section, key, basis, avg, n, well), on the headline
    basis as ``scores_by_element``: ``share_well`` of the element's ratings, counted by the
    database."""
    totals: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for section, _, basis, _, n, well in aggregates:
        totals[section][basis][0] += well
        totals[section][basis][1] += n
    return _headline(totals)


def _headline(totals: dict[int, dict[str, list[float]]]) -> dict[int, float | None]:
    """Each section's total over its count, on the headline basis: internal where asked,
    else external."""
    elements: dict[int, float | None] = {}
    for section, by_basis in totals.items():
        total, n = by_basis.get("internal") or by_basis.get("external") or (0.0, 0)
        elements[section] = total / n if n else None
    return elements


def rating_aggregates(answers):
    """Each question's mean, count and count at 3 or 4 (``well``) on each basis.

    The instrument's ratings only: a local question is no part of an element's score,
    so scores stay comparable with other partnerships and with earlier rounds."""
    return (
        answers.filter(rating__isnull=False, item__local=False)
        .values_list("item__section__number", "item__key", "basis")
        .annotate(avg=Avg("rating"), n=Count("id"), well=Count("id", filter=Q(rating__gte=WELL)))
        .order_by()
    )
