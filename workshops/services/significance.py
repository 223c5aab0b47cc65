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

This partnership against others is a different question, "is our figure unusual among
partnerships?": it is set against the spread of the other partnerships' figures by the
t test of a prediction interval (``Spread``).

docs/results-method.md says all this for an analyst.
"""

from __future__ import annotations

import math
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
# A partnership's rating is far from others' when it is at least this many of their standard
# deviations from their mean: Cohen's "medium" d, which Romano and others set beside a
# Cliff's delta of 0.33. Any rating gap unlikely to be chance is more than three times this.
LARGE_STANDARDISED = 0.5

MANN_WHITNEY = "Mann–Whitney U"
KRUSKAL_WALLIS = "Kruskal–Wallis"
FISHER = "Fisher's exact"
CHI_SQUARE = "Chi-square"
PREDICTION_T = "Prediction-interval t"


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


# Far below any difference a mean rating or a percentage can show, far above a float's error.
ROUNDING_ERROR = 1e-9


@dataclass(frozen=True)
class Spread:
    """How ``k`` partnerships' figures for one question spread: their mean and standard
    deviation, unrounded. Never shown or exported: beside the rounded mean a page gives,
    either would narrow down the partnerships' own figures (see benchmarks)."""

    mean: float
    sd: float
    k: int

    @classmethod
    def of(cls, figures: Sequence[float]) -> Spread:
        """The spread of two or more figures (the sample standard deviation, k − 1)."""
        k = len(figures)
        centre = math.fsum(figures) / k
        return cls(centre, math.sqrt(math.fsum((f - centre) ** 2 for f in figures) / (k - 1)), k)

    def standardised(self, ours: float) -> float:
        """How many of the partnerships' standard deviations ``ours`` is from their mean.
        Where every partnership gave the same figure any other figure is beyond them all.
        (Within rounding error: a mean of thirds, summed in another order, may differ from
        its equal in the last digit, which is no spread and no gap.)"""
        gap = ours - self.mean
        if self.sd < ROUNDING_ERROR:
            return 0.0 if abs(gap) < ROUNDING_ERROR else math.copysign(math.inf, gap)
        return gap / self.sd

    def t(self, ours: float) -> float:
        """The prediction interval's t: (ours − mean) / (sd·√(1 + 1/k)). The other
        partnerships' mean is itself only an estimate, hence the 1/k."""
        return self.standardised(ours) / math.sqrt(1 + 1 / self.k)


def unusual(pairs: Sequence[tuple[float, Spread]]) -> list[Tested]:
    """For each (our figure, the others' spread): how often a partnership drawn from the
    same spread would be at least this far from the others' mean (two-sided, on k − 1
    degrees of freedom). One call to SciPy for every pair: a page has hundreds."""
    if not pairs:
        return []
    t = [abs(spread.t(ours)) for ours, spread in pairs]
    p = 2 * stats.t.sf(t, [spread.k - 1 for _, spread in pairs])
    return [Tested(PREDICTION_T, float(v)) for v in p]
