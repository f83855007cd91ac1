"""The tables and files a user reads, pinned to the column, the order and the digit.

A renamed column, a reversed sort or a lost field is a change a notebook, a report or a
training script sees; these tests say which (from the mutants `make mutants` left alive).
"""

import json

import numpy as np
import pandas as pd
import pytest

from workbench.apportion import water_level
from workbench.errors import DataError, DataWarning
from workbench.measure import long_tail
from workbench.sample import ResamplingPlan, plan_resampling

COUNTS = {"a": 10, "b": 40, "c": 2}


def test_a_plan_table_is_by_class_largest_first_with_every_column():
    plan = plan_resampling(COUNTS, total=60, max_oversample=3, min_keep=0.5, priority={"a": 2})
    frame = plan.to_frame()
    assert frame.index.name == "class" and list(frame.index) == ["b", "a", "c"]
    assert list(frame.columns) == ["count", "effective", "multiplier", "binding", "priority"]
    assert frame["effective"].tolist() == [24, 30, 6]      # a and c at their 3x cap
    assert frame["binding"].tolist() == ["none", "cap", "cap"]
    assert frame["priority"].tolist() == [1.0, 2.0, 1.0]
    assert (plan.count.name, plan.effective.name, plan.binding.name, plan.priority.name) == (
        "count", "effective", "binding", "priority")
    assert (plan.max_oversample, plan.min_keep) == (3.0, 0.5)


def test_a_floor_binds_where_the_epoch_is_too_small_for_the_large_class():
    # big may drop to half (50), small rise to 3x (30); 60 per epoch: big stays at its
    # floor and small gets the rest
    plan = plan_resampling({"big": 100, "small": 10}, total=60, max_oversample=3, min_keep=0.5)
    assert plan.effective.to_dict() == {"big": 50, "small": 10}
    assert plan.binding.to_dict() == {"big": "floor", "small": "none"}


def test_a_plan_file_is_indented_json_and_reads_back_the_same():
    plan = plan_resampling(COUNTS, total=60, max_oversample=3, min_keep=0.5, priority={"a": 2})
    text = plan.to_json()
    assert text.startswith('{\n "max_oversample": 3.0,\n "min_keep": 0.5,\n "classes": {\n')
    assert json.loads(text)["classes"]["a"] == {"count": 10, "effective": 30, "binding": "cap",
                                                "priority": 2.0}
    again = ResamplingPlan.from_json(text)
    assert (again.max_oversample, again.min_keep) == (3.0, 0.5)
    assert again.priority.dtype == float and again.priority.to_dict() == {
        "a": 2.0, "b": 1.0, "c": 1.0}
    pd.testing.assert_frame_equal(again.to_frame(), plan.to_frame())


def test_a_priority_must_be_positive():
    with pytest.raises(ValueError, match=r"Priorities must be positive; got \{.a.: 0\}"):
        plan_resampling(COUNTS, priority={"a": 0})
    assert plan_resampling(COUNTS, priority={"a": 0.5}).priority["a"] == 0.5


def test_the_long_tail_summary_and_table():
    t = long_tail({"a": 1, "b": 3})
    assert t.summary() == {"classes": 2, "total": 4, "imbalance_ratio": 3.0, "gini": 0.25,
                           "evenness": pytest.approx(0.811278, abs=1e-6), "head_share": 0.75,
                           "n_classes_50": 1, "n_classes_80": 2}
    frame = t.to_frame()
    assert list(frame.columns) == ["count", "share", "cumulative_share", "effective_number"]
    assert list(frame.index) == ["b", "a"]
    assert frame["share"].tolist() == [0.75, 0.25]
    assert frame["cumulative_share"].tolist() == [0.75, 1.0]
    assert t.counts.dtype == np.int64 and t.effective_numbers.name == "effective_number"
    assert (t.beta, t.unit) == (0.999, "examples")


def test_the_long_tail_at_its_edges():
    flat = long_tail({"a": 2, "b": 2}, beta=0)  # beta 0: the first example is all that counts
    assert flat.effective_numbers.tolist() == [1.0, 1.0]
    with pytest.warns(DataWarning):  # an empty class has an effective number of 0, not 1
        assert long_tail({"a": 2, "b": 0}, beta=0).effective_numbers.tolist() == [1.0, 0.0]
    # 80% exactly: a holds 0.8, so one class suffices (not two)
    assert long_tail({"a": 8, "b": 2}).n_classes_80 == 1
    assert long_tail({"a": 0.5, "b": 1.5}).counts.tolist() == [1, 0]  # fractional allowed
    with pytest.raises(DataError, match="Every class has zero examples"):
        long_tail({"a": 0, "b": 0})
    assert long_tail({"a": 1, "b": 0}).imbalance_ratio == 1.0  # over the non-empty


def test_the_water_level_with_weights_and_floors():
    # fill(L) = clip(2L, 4, 10) + clip(L, 0, 10) = 6 at L = 2 (4 + 2)
    assert water_level(np.array([2.0, 1.0]), np.array([4.0, 0.0]),
                       np.array([10.0, 10.0]), 6.0) == pytest.approx(2.0)
    # asked for more than the caps allow: the level at which every entry is capped
    assert water_level(np.array([1.0, 2.0]), np.array([1.0, 0.0]),
                       np.array([3.0, 100.0]), 500.0) == 50.0
    # asked for less than the floors: the first break
    assert water_level(np.array([1.0, 1.0]), np.array([2.0, 3.0]),
                       np.array([5.0, 5.0]), 1.0) == 2.0
