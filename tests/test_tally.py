"""One reading of "counts": every function that takes them accepts and refuses the same."""

import numpy as np
import pandas as pd
import pytest

from workbench.errors import DataError
from workbench.tally import per_class


def test_every_shape_of_counts_reads_the_same():
    want = {"car": 2.0, "bus": 1.0}
    assert per_class({"car": 2, "bus": 1}, func="f").to_dict() == want
    assert per_class(pd.Series({"car": 2, "bus": 1}), func="f").to_dict() == want
    assert per_class(["car", "bus", "car"], func="f").to_dict() == want
    assert per_class(np.array(["car", "bus", "car"]), func="f").to_dict() == want
    labels = pd.Categorical(["car", "car", "bus"], categories=["car", "bus", "van"])
    assert per_class(pd.Series(labels), func="f").to_dict() == {**want, "van": 0.0}
    assert list(per_class(["bus", "car", "car"], func="f").index) == ["bus", "car"]  # as given


@pytest.mark.parametrize("call, message", [
    ("workbench.augment:class_strengths", r"class_strengths got \{'a': -5.0\}"),
    ("workbench.measure:long_tail", r"long_tail got \{'a': -5.0\}"),
    ("workbench.sample:plan_resampling", r"plan_resampling got \{'a': -5.0\}"),
    ("workbench.sample:class_weights", r"class_weights got \{'a': -5.0\}"),
])
def test_a_negative_count_is_refused_everywhere(call, message):
    import importlib

    module, name = call.split(":")
    func = getattr(importlib.import_module(module), name)
    with pytest.raises(DataError, match="Counts must be numbers >= 0; " + message):
        func({"a": -5, "b": 3})


def test_fractional_empty_and_missing_counts_say_which_class():
    from workbench.sample import plan_resampling

    with pytest.raises(DataError, match=r"whole numbers of samples; 'a' have 2.5"):
        plan_resampling({"a": 2.5, "b": 4})
    with pytest.raises(DataError, match=r"Classes 'a' have no samples; plan_resampling cannot"):
        plan_resampling({"a": 0, "b": 4})
    with pytest.raises(DataError, match=r"got \{'a': nan\}"):
        per_class({"a": float("nan"), "b": 1}, func="f")
    with pytest.raises(DataError, match="no classes in the counts given to f"):
        per_class({}, func="f")
    with pytest.raises(TypeError, match="counts given to f must be a mapping .* Got int"):
        per_class(5, func="f")
    assert per_class({"a": 0, "b": 4}, func="f", empty="drop").to_dict() == {"b": 4.0}
    assert per_class({"a": 0.5}, func="f", whole=False).to_dict() == {"a": 0.5}


def test_an_unknown_empty_option_is_named_with_the_function():
    with pytest.raises(ValueError) as caught:
        per_class({"a": 1}, func="plan_resampling", empty="skip")
    assert str(caught.value) == ("The 'empty' parameter of per_class must be one of 'keep', "
                                 "'drop', 'error'. Got 'skip' instead.")


def test_drop_leaves_out_only_the_empty_classes_and_error_passes_when_none_is_empty():
    counts = {"a": 1, "b": 0, "c": 2}
    assert per_class(counts, func="f", empty="drop").to_dict() == {"a": 1.0, "c": 2.0}
    assert per_class({"a": 1, "c": 2}, func="f", empty="error").to_dict() == {
        "a": 1.0, "c": 2.0}


def test_a_class_named_unit_is_a_class_not_a_class_counts_result():
    # a Series answers attribute access with its index labels: hasattr(s, "unit") is True
    counts = pd.Series({"unit": 3, "b": 1})
    assert per_class(counts, func="f").to_dict() == {"unit": 3.0, "b": 1.0}
