"""The one largest-remainder rounding: sums, bounds, ties and direction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.apportion import largest_remainder, round_to_total, water_level


def test_the_demo_shares_sum_exactly():
    for total in (7, 100, 2001):
        parts = largest_remainder(np.array([0.825, 0.075, 0.045, 0.03, 0.025]), total)
        assert parts.sum() == total
    # 7 x shares = 5.775, 0.525, 0.315, 0.21, 0.175: floors 5, 0, 0, 0, 0; the two missing
    # units go to the largest remainders, 0.775 and 0.525
    assert largest_remainder([0.825, 0.075, 0.045, 0.03, 0.025], 7).tolist() == [6, 1, 0, 0, 0]


def test_ties_go_to_the_tiebreak_then_the_leftmost():
    assert round_to_total([1.5, 1.5, 1.5], 5).tolist() == [2, 2, 1]
    assert round_to_total([1.5, 1.5, 1.5], 5, tiebreak=[0, 0, 1]).tolist() == [2, 1, 2]
    # the remainder decides before the tiebreak: 0.6 beats 0.5 whatever its priority
    assert round_to_total([1.5, 1.6], 3, tiebreak=[9, 0]).tolist() == [1, 2]


def test_excess_comes_off_the_smallest_remainders_within_the_floors():
    # floors of 2 raise the first two over their targets; 1 unit too many comes off the
    # entry with the smallest remainder that is above its floor: the third (0.2)
    assert round_to_total([0.5, 1.0, 3.2, 3.9], 8, lo=[2, 2, 0, 0]).tolist() == [2, 2, 2, 2]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 100), min_size=1, max_size=8), st.integers(0, 500))
def test_each_entry_is_its_target_rounded_down_or_up(weights, total):
    w = np.array(weights)
    out = largest_remainder(w, total)
    if w.sum() == 0 or total == 0:
        return
    exact = w / w.sum() * total
    assert out.sum() == total
    assert (out >= np.floor(exact - 1e-9)).all() and (out <= np.ceil(exact + 1e-9)).all()
    up = out > np.floor(exact + 1e-9)  # rounded up: no remainder left behind is larger
    left = np.round(exact - np.floor(exact + 1e-9), 9)
    if up.any() and (~up).any():
        assert left[up].min() >= left[~up].max()


def test_water_level_fills_to_the_total():
    w, lo, hi = np.array([1.0, 2.0]), np.array([0.0, 0.0]), np.array([3.0, 100.0])
    level = water_level(w, lo, hi, 9.0)  # 1 x L capped at 3, 2 x L: 3 + 2L = 9 at L = 3
    assert level == pytest.approx(3.0)
    assert np.clip(w * level, lo, hi).sum() == pytest.approx(9.0)


def test_bounds_floors_and_float_noise():
    # the largest remainder (0.8) is at its cap: the two units go to the next (0.6, 0.6)
    assert round_to_total([1.6, 1.6, 1.8], 5, hi=[2, 2, 1]).tolist() == [2, 2, 1]
    # a target far above its cap cannot be rounded to the total: said, not a wrong sum
    with pytest.raises(ValueError, match="summing to 6 cannot be rounded to 6 within"):
        round_to_total([5.5, 0.5], 6, hi=[3, 10])
    # 2.9999999999 is 3 in float noise, not 2 with a remainder of one
    assert round_to_total([2.9999999999, 1.0000000001], 4).tolist() == [3, 1]
    # remainders equal to 9 decimals tie, and the tie goes left, not to the float noise
    assert round_to_total([0.5, 0.5 + 3e-10], 1).tolist() == [1, 0]


def test_largest_remainder_passes_its_tiebreak_and_handles_no_weight():
    assert largest_remainder([1, 1, 1], 4, tiebreak=[0, 0, 5]).tolist() == [1, 1, 2]
    assert largest_remainder([2, 3], 0).tolist() == [0, 0]
    assert largest_remainder([0, 0, 0], 3).tolist() == [1, 1, 1]  # no weight: equal shares
    assert largest_remainder([-1, 1], 2).tolist() == [0, 2]  # a negative weight counts as 0


def test_largest_remainder_at_the_smallest_totals_and_with_no_weight():
    assert largest_remainder([1, 3], 1).tolist() == [0, 1]  # a total of one is apportioned
    nothing = largest_remainder([1, 3], 0)
    assert nothing.dtype == np.int64 and nothing.tolist() == [0, 0]
    assert largest_remainder([0, 0, 0], 4).tolist() == [2, 1, 1]  # no weight: equal shares
