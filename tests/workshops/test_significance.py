"""The tests behind "unlikely to be chance": which test each kind of answer gets, the effect
size, and the false-discovery rate across a page."""

from __future__ import annotations

import random

import pytest
from scipy import stats

from workshops.services import significance
from workshops.services.significance import (
    CHI_SQUARE,
    FISHER,
    KRUSKAL_WALLIS,
    MANN_WHITNEY,
    adjusted,
    cliffs_delta,
    rating_test,
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
