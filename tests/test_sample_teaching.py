"""The teaching tables of notebook 03, worked out by hand: what a majority-class model
scores (the accuracy paradox), what each strategy costs, and the plan at several caps."""

import pytest

from workbench.errors import DataError
from workbench.measure import ClassCounts, class_counts
from workbench.sample.teaching import accuracy_paradox, plan_sweep, strategy_costs

COUNTS = {"a": 60, "b": 30, "c": 10}


def test_the_accuracy_paradox_of_an_always_majority_model():
    table = accuracy_paradox({"b": 20, "a": 70, "c": 10, "empty": 0})
    assert table.index.name == "always 'a' (per image)"
    assert table.index.tolist() == ["accuracy", "balanced accuracy", "macro F1",
                                    "worst-class recall"]
    assert table.columns.tolist() == ["value"]
    # a: precision 0.7, recall 1, F1 = 1.4 / 1.7; b and c: F1 0; the empty class is left out
    assert table["value"].tolist() == pytest.approx([0.7, 1 / 3, 1.4 / 1.7 / 3, 0.0])


def test_the_accuracy_paradox_from_labels_and_in_the_unit_asked_for():
    table = accuracy_paradox(["x", "y", "y", "y"])
    assert table.index.name == "always 'y' (per image)"
    assert table["value"].tolist() == pytest.approx([0.75, 0.5, 1.5 / 1.75 / 2, 0.0])
    assert accuracy_paradox(COUNTS, unit="pixels").index.name == "always 'a' (per pixel)"
    assert accuracy_paradox(COUNTS, unit="boxes").index.name == "always 'a' (per boxe)"


def test_the_accuracy_paradox_takes_the_unit_of_class_counts(small_detection):
    counts = class_counts(small_detection, unit="instances")
    assert isinstance(counts, ClassCounts)
    assert accuracy_paradox(counts).index.name.endswith("(per instance)")
    # an explicit unit wins over the counts' own
    assert accuracy_paradox(counts, unit="pixels").index.name.endswith("(per pixel)")


def test_the_accuracy_paradox_names_itself_in_bad_input():
    with pytest.raises(DataError, match="; accuracy_paradox got"):
        accuracy_paradox({"a": -1, "b": 3})


def test_what_each_strategy_costs_by_hand():
    table = strategy_costs(COUNTS, max_oversample=2)
    assert table.index.tolist() == ["all data, balanced class weights",
                                    "undersample to the smallest class",
                                    "capped plan (max 2x)"]
    assert table.columns.tolist() == ["samples_per_epoch", "share_of_data_used",
                                      "majority_images_per_epoch", "rare_class_weight_share"]
    # all data: 100 images; balanced weights give each class a third of the total weight
    assert table.iloc[0].tolist() == pytest.approx([100, 1.0, 60, 1 / 3])
    # undersampling: 3 classes x 10 = 30 images, 10 of the 60 a's
    assert table.iloc[1].tolist() == pytest.approx([30, 0.3, 10, 1 / 3])
    # capped at 2x: c 20 (twice its 10), a and b 40 each; 40 + 30 + 10 distinct = 80%
    assert table.iloc[2].tolist() == pytest.approx([100, 0.8, 40, 0.2])


def test_strategy_costs_default_cap_is_5x_and_empty_classes_are_an_error():
    table = strategy_costs(COUNTS)
    assert table.index[2] == "capped plan (max 5x)"
    assert table.loc["capped plan (max 5x)", "rare_class_weight_share"] == pytest.approx(0.33)
    with pytest.raises(DataError, match="; strategy_costs cannot draw"):
        strategy_costs({"a": 5, "b": 0})


def test_the_plan_at_several_caps():
    sweep = plan_sweep(COUNTS, caps=(1, 3))
    assert sweep.columns.tolist() == ["1x", "3x"]
    assert sweep.index.tolist() == ["a", "b", "c"]
    assert sweep["1x"].tolist() == [60, 30, 10]
    assert sweep["3x"].tolist() == [35, 35, 30]  # c at its 3x cap, a and b share the rest
    assert plan_sweep(COUNTS).columns.tolist() == ["1x", "2x", "5x", "10x"]
    assert plan_sweep(COUNTS, caps=(3,), total=50)["3x"].tolist() == [17, 17, 16]
    # min_keep: a may not fall under half its 60
    assert plan_sweep(COUNTS, caps=(3,), min_keep=0.5)["3x"].tolist() == [35, 35, 30]
    # floors a 30, b 15, c 5 (50); the 5 more go to the lowest: c up to 10
    assert plan_sweep(COUNTS, caps=(3,), total=55, min_keep=0.5)["3x"].tolist() == [30, 15, 10]
