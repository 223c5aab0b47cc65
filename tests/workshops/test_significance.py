"""The tests behind "unlikely to be chance": which test each kind of answer gets, the effect
size, and the false-discovery rate across a page; and the test of this partnership against
others."""

from __future__ import annotations

import random
import statistics

import pytest
from scipy import stats

from workshops.services import significance
from workshops.services.significance import (
    CHI_SQUARE,
    FALSE_DISCOVERY_RATE,
    FISHER,
    KRUSKAL_WALLIS,
    LARGE_STANDARDISED,
    MANN_WHITNEY,
    PREDICTION_T,
    Spread,
    adjusted,
    cliffs_delta,
    rating_test,
    unusual,
    yes_no_test,
)


def test_ratings_are_compared_by_rank_two_groups_or_more():
    high, low = [4, 4, 3, 4, 3, 4, 4, 3], [2, 1, 2, 2, 3, 1, 2, 2]
    two = rating_test([high, low])
    assert two.test == MANN_WHITNEY
    assert two.p == pytest.approx(stats.mannwhitneyu(high, low).pvalue)
    assert two.p < 0.01
    three = rating_test([high, low, [2, 3, 3]])
    assert three.test == KRUSKAL_WALLIS
    assert three.p == pytest.approx(stats.kruskal(high, low, [2, 3, 3]).pvalue)


def test_yes_no_answers_get_fishers_exact_test_or_a_chi_square_test():
    two = yes_no_test([(8, 2), (2, 8)])
    assert two.test == FISHER
    assert two.p == pytest.approx(stats.fisher_exact([[8, 2], [2, 8]]).pvalue)
    three = yes_no_test([(8, 2), (2, 8), (5, 5)])
    assert three.test == CHI_SQUARE
    assert three.p < 0.05


def test_groups_answering_alike_are_no_difference_at_all():
    assert rating_test([[3, 3, 3], [3, 3]]).p == 1.0
    assert rating_test([[2, 2], [2, 2], [2, 2, 2]]).p == 1.0
    assert yes_no_test([(3, 0), (4, 0), (5, 0)]).p == 1.0
    assert yes_no_test([(0, 3), (0, 4)]).p == 1.0


def test_cliffs_delta_is_mann_whitneys_u_rescaled():
    rng = random.Random(7)
    high = [rng.randint(1, 4) for _ in range(23)]
    low = [rng.randint(1, 3) for _ in range(17)]
    u = stats.mannwhitneyu(high, low).statistic
    assert cliffs_delta(high, low) == pytest.approx(2 * u / (23 * 17) - 1)
    assert cliffs_delta([4, 4], [1, 1]) == 1.0
    assert cliffs_delta([1, 1], [4, 4]) == -1.0


def test_benjamini_hochberg_keeps_the_small_p_values_of_many():
    q = adjusted([0.001, 0.01, 0.03, 0.04, 0.5])
    # p × m / rank, made monotone: 0.005, 0.025, 0.05, 0.05, 0.5.
    assert q == pytest.approx([0.005, 0.025, 0.05, 0.05, 0.5])
    clear = [v < significance.FALSE_DISCOVERY_RATE for v in q]
    assert clear == [True, True, False, False, False]
    assert adjusted([]) == []


# --- This partnership against others ------------------------------------------------------------


def test_a_partnership_is_set_against_the_others_spread_by_a_prediction_interval():
    others = [2.8, 3.1, 2.6, 3.3, 2.9, 3.0, 2.7]
    spread = Spread.of(others)
    assert spread.mean == pytest.approx(stats.tmean(others))
    assert spread.sd == pytest.approx(stats.tstd(others))
    (tested,) = unusual([(1.9, spread)])
    t = (1.9 - spread.mean) / (spread.sd * (1 + 1 / 7) ** 0.5)
    assert tested.test == PREDICTION_T
    assert tested.p == pytest.approx(2 * stats.t.sf(abs(t), 6))
    assert tested.p < 0.01
    # Within the others' spread: nothing unusual at all.
    assert unusual([(2.95, spread)])[0].p > 0.8
    assert unusual([]) == []


def test_others_all_alike_make_any_other_figure_unusual_and_the_same_figure_not():
    spread = Spread.of([100.0] * 6)
    assert spread.sd == 0
    assert [t.p for t in unusual([(100.0, spread), (90.0, spread)])] == [1.0, 0.0]
    # Means of thirds, which floating point may leave a last digit apart, are alike too.
    thirds = Spread.of([2 / 3 + 2, 8 / 3, 1 / 3 + 7 / 3, 8 / 3, 8 / 3])
    assert [t.p for t in unusual([(8 / 3, thirds), (2.5, thirds)])] == [1.0, 0.0]


def test_a_partnership_drawn_like_the_others_is_called_unusual_one_time_in_twenty():
    # The test's own promise, checked by drawing: ours and k others from one distribution.
    rng = random.Random(21)
    draws = []
    for n in range(4000):
        k = 5 + n % 20
        figures = [rng.gauss(2.8, 0.4) for _ in range(k + 1)]
        draws.append((figures[0], Spread.of(figures[1:])))
    rate = sum(t.p < 0.05 for t in unusual(draws)) / len(draws)
    assert 0.04 < rate < 0.06


def test_across_many_pages_few_gaps_from_other_partnerships_called_clear_are_chance():
    # Pages of 100 comparisons with others, 8 of them truly far off: the share of gaps
    # called clear that are chance, averaged over pages, stays within the rate (give or take
    # twice its standard error: a thousand pages are a sample too).
    rng = random.Random(22)
    shares, found = [], []
    for _ in range(1000):
        pairs, true = [], []
        for n in range(100):
            k = rng.choice([6, 12])
            others = [rng.gauss(60, 12) for _ in range(k)]
            far = n < 8
            pairs.append((rng.gauss(60, 12) - (72 if far else 0), Spread.of(others)))
            true.append(far)
        q = adjusted([t.p for t in unusual(pairs)])
        clear = [far for far, v in zip(true, q, strict=True) if v < FALSE_DISCOVERY_RATE]
        shares.append(clear.count(False) / len(clear) if clear else 0.0)
        found.append(clear.count(True) / 8)
    error = statistics.stdev(shares) / len(shares) ** 0.5
    assert statistics.fmean(shares) <= FALSE_DISCOVERY_RATE + 2 * error
    # Most of the true ones, six of the spread away, are found; with six others, not all.
    assert statistics.fmean(found) > 0.7


def test_any_rating_gap_unlikely_to_be_chance_is_large():
    # The page shows only whether a gap is clear: were "large" to say more about the others'
    # spread it would give it away. A clear gap has p below the rate, so t beyond the
    # critical value; its standardised size is then always beyond LARGE_STANDARDISED.
    for k in range(5, 2000):
        smallest_clear = stats.t.isf(FALSE_DISCOVERY_RATE / 2, k - 1) * (1 + 1 / k) ** 0.5
        assert smallest_clear > 3 * LARGE_STANDARDISED
