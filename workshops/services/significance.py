"""Whether a difference between groups of respondents is likely to be chance, and how large
it is: the test suited to each kind of answer, an effect size, and the false-discovery rate
held across every comparison a page makes.

The tests are SciPy's. Ratings are ordinal (a 3 is better than a 2, but not by a known
amount), so they are compared by rank: Mann–Whitney U for two groups, Kruskal–Wallis for
three or more (Kruskal–Wallis on two groups is Mann–Whitney's large-sample form). Yes/no
answers are counts in a table: Fisher's exact test for two groups, which stays right for
the small groups partnerships have; a chi-square test of independence for three or more,
where Fisher's exact test would have to enumerate every table.

Each whole dimension is tested (every shown group at once), never only its highest and
lowest group: picking the two furthest apart and then testing them would find "differences"
in pure chance.

docs/results-method.md says all this for an analyst.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

# The share of clear differences that may be chance, held across every comparison on the
# results page (Benjamini–Hochberg).
FALSE_DISCOVERY_RATE = 0.05
# A difference is large when the highest and lowest group's shares (saying yes, or rating
# "performs well" or better) are this many percentage points apart...
LARGE_PERCENTAGE_POINTS = 10.0
# ...or, for ratings, when Cliff's delta is at least this: Romano and others' "medium"
# effect, about a quarter of a scale's answers moved one step.
LARGE_DELTA = 0.33

MANN_WHITNEY = "Mann–Whitney U"
KRUSKAL_WALLIS = "Kruskal–Wallis"
FISHER = "Fisher's exact"
CHI_SQUARE = "Chi-square"


@dataclass(frozen=True)
class Tested:
    """A test's name and its p-value: how often chance alone would give a difference at
    least this large between groups that truly see it alike."""

    test: str
    p: float


def rating_test(groups: Sequence[Sequence[int]]) -> Tested:
    """Ratings of two or more groups compared by rank."""
    name = MANN_WHITNEY if len(groups) == 2 else KRUSKAL_WALLIS
    if len({v for group in groups for v in group}) < 2:
        # Everyone gave the same rating: no difference at all (SciPy's tests divide by the
        # spread of ranks, which is zero here).
        return Tested(name, 1.0)
    if len(groups) == 2:
        result = stats.mannwhitneyu(groups[0], groups[1], alternative="two-sided")
    else:
        result = stats.kruskal(*groups)
    return Tested(name, float(result.pvalue))


def yes_no_test(counts: Sequence[tuple[int, int]]) -> Tested:
    """Yes/no answers of two or more groups, each group's (yes, no)."""
    name = FISHER if len(counts) == 2 else CHI_SQUARE
    if sum(yes for yes, _ in counts) in (0, sum(yes + no for yes, no in counts)):
        return Tested(name, 1.0)  # all yes or all no: no difference (and no expected counts)
    if len(counts) == 2:
        return Tested(name, float(stats.fisher_exact(counts).pvalue))
    return Tested(name, float(stats.chi2_contingency(counts).pvalue))


def cliffs_delta(high: Sequence[int], low: Sequence[int]) -> float:
    """How often a rating from ``high`` is above one from ``low``, less how often it is
    below (−1 to 1): Mann–Whitney's U rescaled, 2U / (n·m) − 1. Counted over the few scale
    values rather than every pair, so it costs nothing for big groups."""
    if not high or not low:
        return 0.0
    above = below = 0
    lows = Counter(low)
    for value, n in Counter(high).items():
        for other, m in lows.items():
            if value > other:
                above += n * m
            elif value < other:
                below += n * m
    return (above - below) / (len(high) * len(low))


def adjusted(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values: a difference is clear when its adjusted p-value
    is below ``FALSE_DISCOVERY_RATE``, and then at most that share of clear differences is
    expected to be chance."""
    if not p_values:
        return []
    return [float(q) for q in stats.false_discovery_control(p_values, method="bh")]
