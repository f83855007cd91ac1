import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DataError
from workbench.sample import (
    ResamplingPlan,
    class_weights,
    epoch_from_factors,
    epoch_indices,
    imblearn_strategies,
    lvis_factor,
    plan_resampling,
    repeat_factors,
    resample_features,
    save_epoch,
    tile_plan,
)
from workbench.sources import load

EXERCISE_1 = {"Car": 6000, "Pedestrian": 2500, "Bicycle": 1200, "Wheelchair": 300}


def test_exercise_1_wheelchair_capped_others_share_the_rest():
    plan = plan_resampling(EXERCISE_1, total=8000, max_oversample=5)
    frame = plan.to_frame()
    assert frame.loc["Wheelchair", "effective"] == 1500
    assert frame.loc["Wheelchair", "binding"] == "cap"
    others = frame.drop("Wheelchair")["effective"]
    assert others.sum() == 6500 and others.max() - others.min() <= 1
    assert list(frame.columns[:4]) == ["count", "effective", "multiplier", "binding"]


def test_worked_example_1():
    plan = plan_resampling({"Background": 50000, "Crack": 1500}, total=32500,
                           max_oversample=5, min_keep=0.5)
    assert plan.effective.to_dict() == {"Background": 25000, "Crack": 7500}
    assert plan.binding.to_dict() == {"Background": "floor", "Crack": "cap"}
    assert plan.multiplier["Crack"] == 5.0


def test_priority_gives_critical_classes_more():
    plan = plan_resampling({"a": 1000, "b": 1000, "c": 1000}, total=3000,
                           priority={"c": 2.0})
    assert plan.effective.to_dict() == {"a": 750, "b": 750, "c": 1500}


def test_plan_from_labels_and_json_round_trip(tmp_path):
    labels = pd.Series(["x"] * 30 + ["y"] * 10)
    plan = plan_resampling(labels, max_oversample=2)
    assert plan.effective.to_dict() == {"x": 20, "y": 20}
    text = plan.to_json(tmp_path / "plan.json")
    assert ResamplingPlan.from_json(text).to_frame().equals(plan.to_frame())
    assert ResamplingPlan.read_json(tmp_path / "plan.json").to_frame().equals(plan.to_frame())
    plan.to_frame().to_csv(tmp_path / "plan.csv")
    assert pd.read_csv(tmp_path / "plan.csv", index_col=0)["effective"].tolist() == [20, 20]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(max_oversample=0.5), ValueError, r"'max_oversample' parameter .* finite number >= 1"),
    (dict(min_keep=1.5), ValueError, r"'min_keep' parameter .* must be in \[0, 1\]"),
    (dict(total=0), ValueError, r"'total' parameter .* integer >= 1"),
    (dict(total=-5), ValueError, r"must be an integer >= 1. Got -5"),
    (dict(priority={"Bus": 2}), DataError, "Priority for unknown classes 'Bus'"),
    (dict(total=50000, max_oversample=2), DataError,
     r"feasible totals are 0 to 20,000"),
    (dict(total=100, min_keep=0.5), DataError, r"feasible totals are 5,000 to 50,000"),
])
def test_bad_plans(kwargs, error, message):
    with pytest.raises(error, match=message):
        plan_resampling(EXERCISE_1, **kwargs)


def test_class_with_zero_samples():
    with pytest.raises(DataError, match="Classes 'b' have no samples"):
        plan_resampling({"a": 10, "b": 0})


counts_strategy = st.dictionaries(st.sampled_from(list("abcdefgh")), st.integers(1, 3000),
                                  min_size=2, max_size=8)


@settings(max_examples=150, deadline=None)
@given(counts_strategy, st.floats(1, 10), st.floats(0, 1), st.floats(0.01, 1))
def test_plan_properties(counts, cap, floor, where):
    n = pd.Series(counts, dtype=float)
    lo, hi = int(np.ceil(n * floor - 1e-9).sum()), int(np.floor(n * cap + 1e-9).sum())
    total = max(1, lo + int(round(where * (hi - lo))))
    if not lo <= total <= hi:
        return
    plan = plan_resampling(counts, total=total, max_oversample=cap, min_keep=floor)
    eff = plan.effective.astype(float)
    assert plan.total == total                                   # exact total
    assert (eff <= n * cap + 1e-6).all()                         # caps never violated
    assert (eff >= n * floor - 1e-6).all()                       # floors never violated
    free = plan.binding == "none"                                # as balanced as allowed:
    if free.any():                                               # free classes level (+-1),
        level = eff[free]
        assert level.max() - level.min() <= 1
        assert (eff[plan.binding == "cap"] <= level.max() + 1).all()    # capped ones below,
        assert (eff[plan.binding == "floor"] >= level.min() - 1).all()  # floored ones above


@settings(max_examples=40, deadline=None)
@given(counts_strategy, st.floats(1, 6), st.integers(0, 5), st.integers(0, 10**6))
def test_sampler_matches_the_plan_every_epoch(counts, cap, epoch, seed):
    labels = pd.Series([c for c, k in counts.items() for _ in range(k)])
    plan = plan_resampling(labels, max_oversample=cap)
    idx = epoch_indices(plan, labels, epoch=epoch, seed=seed)
    drawn = labels.iloc[idx].value_counts().reindex(plan.count.index, fill_value=0)
    assert drawn.to_dict() == plan.effective.to_dict()
    per_image = np.bincount(idx, minlength=len(labels))
    for c in plan.count.index:  # every image floor(m) or floor(m) + 1 times: no image skipped
        m = plan.effective[c] / plan.count[c]
        seen = per_image[(labels == c).to_numpy()]
        assert seen.min() >= np.floor(m) and seen.max() <= np.floor(m) + 1


def test_sampler_is_deterministic_and_varies_by_epoch():
    labels = pd.Series(["a"] * 50 + ["b"] * 5)
    plan = plan_resampling(labels, max_oversample=4)
    one = epoch_indices(plan, labels, epoch=1, seed=3)
    assert np.array_equal(one, epoch_indices(plan, labels, epoch=1, seed=3))
    assert not np.array_equal(one, epoch_indices(plan, labels, epoch=2, seed=3))


def test_epoch_from_factors_size_and_floor():
    r = np.array([1.0, 2.5, 1.5, 3.0, 1.0])
    idx = epoch_from_factors(r, epoch=0, seed=0)
    assert len(idx) == 9  # 1 + 2 + 1 + 3 + 1 whole, plus round(0.5 + 0.5) = 1
    counts = np.bincount(idx, minlength=5)
    assert (counts >= np.floor(r)).all() and (counts <= np.ceil(r)).all()


def test_save_epoch(tmp_path):
    idx = np.array([3, 1, 2])
    assert np.load(save_epoch(idx, tmp_path / "e.npy")).tolist() == [3, 1, 2]
    assert np.loadtxt(save_epoch(idx, tmp_path / "e.csv"), dtype=int).tolist() == [3, 1, 2]


def test_lvis_values():
    assert lvis_factor(0.00025) == pytest.approx(2.0)
    assert lvis_factor(1e-4) == pytest.approx(3.162278, abs=1e-6)
    assert lvis_factor(0.5) == 1.0


def test_repeat_factors_hand_computed(small_detection):
    # images: a {cat}, b {cat, dog}, c {}; f(cat) = 2/3, f(dog) = 1/3; t = 1:
    # r(cat) = sqrt(1.5) = 1.2247, r(dog) = sqrt(3) = 1.7321; b takes the max.
    rf = repeat_factors(small_detection, threshold=1.0)
    assert rf.image_factors.round(4).tolist() == [1.2247, 1.7321, 1.0]
    table = rf.class_table
    # instances: cat has 2 boxes in a and 1 in b; after = 2 * 1.2247 + 1 * 1.7321
    assert table.loc["cat", "instances_after"] == pytest.approx(2 * 1.5 ** 0.5 + 3 ** 0.5)
    assert table.loc["dog", "instances_after"] == pytest.approx(3 ** 0.5)
    capped = repeat_factors(small_detection, threshold=1.0, max_repeat=1.5)
    assert capped.image_factors.max() == 1.5
    with pytest.raises(ValueError, match="'threshold' parameter of repeat_factors"):
        repeat_factors(small_detection, threshold=0)


def test_repeat_factors_side_effect_on_the_demo():
    rf = repeat_factors(load("demo:surfaces"), threshold=0.1)
    table = rf.class_table
    assert "intact" not in table.index  # the background class has no boxes
    assert (table["gain"] >= 1).all()
    assert table.loc["crack", "gain"] > table.loc["scratch", "gain"]  # rarer: repeated more


def test_tile_plan_on_a_hand_made_mask(tmp_path):
    from conftest import write_image, write_mask

    from workbench.sources import read_masks

    write_image(tmp_path / "img" / "a.png", 4, 4)
    mask = np.zeros((4, 4), np.uint8)
    mask[0, 0] = 1  # one lane pixel in the top-left tile
    write_mask(tmp_path / "msk" / "a.png", mask)
    cat = read_masks(tmp_path / "img", tmp_path / "msk", classes=["road", "lane"])
    plan = tile_plan(cat, tile_size=2, threshold=1.0, max_weight=10)
    assert plan.pixels.tolist() == [[3, 1], [4, 0], [4, 0], [4, 0]]
    # lane in 1 of 4 tiles: f = 0.25, r = sqrt(1 / 0.25) = 2
    assert plan.tiles["weight"].tolist() == [2.0, 1.0, 1.0, 1.0]
    shares = plan.shares()
    assert shares.loc["lane", "share_before"] == pytest.approx(1 / 16)
    assert shares.loc["lane", "share_after"] == pytest.approx(2 / (8 + 12))


def test_class_weights_against_scikit_learn_and_cui():
    from sklearn.utils.class_weight import compute_class_weight

    y = np.repeat(["a", "b", "c"], [70, 20, 10])
    ours = class_weights(pd.Series(y), method="balanced")
    ref = compute_class_weight("balanced", classes=np.array(["a", "b", "c"]), y=y)
    np.testing.assert_allclose(ours.to_numpy(), ref)
    eff = class_weights({"a": 5000, "b": 500, "c": 50, "d": 5}, method="effective", beta=0.999)
    np.testing.assert_allclose(eff.to_numpy(), [0.0179, 0.0453, 0.3652, 3.5715], atol=1e-4)
    inv = class_weights({"a": 10, "b": 30}, method="inverse")
    np.testing.assert_allclose(inv.to_numpy(), [1.5, 0.5])
    with pytest.raises(ValueError, match="'beta' parameter of class_weights"):
        class_weights({"a": 1, "b": 2}, method="effective", beta=1.0)
    with pytest.raises(ValueError, match="'method' parameter of class_weights"):
        class_weights({"a": 1, "b": 2}, method="focal")


def test_imblearn_bridge_reaches_the_plan():
    rng = np.random.default_rng(0)
    y = np.repeat(["a", "b", "c"], [300, 60, 20])
    X = rng.normal(size=(len(y), 4))
    plan = plan_resampling(pd.Series(y), total=300, max_oversample=5)
    over, under = imblearn_strategies(plan)
    assert under == {"a": 100} and over == {"b": 100, "c": 100}  # 300/60/20 -> 100 each
    for method in ("random", "smote"):
        _, y_new = resample_features(X, y, plan, method=method)
        assert pd.Series(y_new).value_counts().to_dict() == plan.effective.to_dict()


@pytest.mark.parametrize("method", ["random", "smote"])
def test_imblearn_bridge_returns_exactly_imblearns_rows(method):
    """An undersampling plan with a class left as it is: the same rows, in the same order,
    as imbalanced-learn's samplers given the plan's strategies and random_state."""
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    rng = np.random.default_rng(1)
    y = np.repeat(["a", "b", "c", "d"], [300, 100, 60, 20])
    X = rng.normal(size=(len(y), 3))
    plan = plan_resampling(pd.Series(y), total=400, max_oversample=5)  # 100 each: b as it is
    over, under = imblearn_strategies(plan)
    assert under and over and set(plan.count.index) - set(over) - set(under)  # one untouched
    Xu, yu = RandomUnderSampler(sampling_strategy=under, random_state=7).fit_resample(X, y)
    sampler = (SMOTE(sampling_strategy=over, random_state=7) if method == "smote"
               else RandomOverSampler(sampling_strategy=over, random_state=7))
    X_ref, y_ref = sampler.fit_resample(Xu, yu)
    X_new, y_new = resample_features(X, y, plan, method=method, seed=7)
    np.testing.assert_array_equal(y_new, y_ref)
    np.testing.assert_array_equal(X_new, X_ref)


def test_smote_on_a_class_smaller_than_k_says_which_and_what_k():
    from workbench.errors import DataError

    y = np.repeat(["a", "b", "c"], [50, 4, 12])
    X = np.random.default_rng(0).normal(size=(len(y), 2))
    plan = plan_resampling(pd.Series(y), max_oversample=3)
    with pytest.raises(DataError, match=r"k_neighbors=5 needs more than 5 samples .*"
                                        r"'b' has 4\. Pass k_neighbors=3"):
        resample_features(X, y, plan, method="smote")
    _, y_new = resample_features(X, y, plan, method="smote", k_neighbors=3)
    assert pd.Series(y_new).value_counts().to_dict() == plan.effective.to_dict()


def test_teaching_helpers_on_hand_counts():
    from workbench.sample import accuracy_paradox, plan_sweep, strategy_costs, weights_table

    paradox = accuracy_paradox(["a"] * 97 + ["b"] * 3)["value"]
    assert paradox["accuracy"] == 0.97 and paradox["balanced accuracy"] == 0.5
    assert paradox["worst-class recall"] == 0.0
    costs = strategy_costs({"a": 900, "b": 100}, max_oversample=2)
    assert costs.loc["undersample to the smallest class", "share_of_data_used"] == 0.2
    assert costs.loc["all data, balanced class weights", "rare_class_weight_share"] == 0.5
    assert costs.loc["capped plan (max 2x)", "majority_images_per_epoch"] == 800
    assert plan_sweep({"a": 900, "b": 100}, caps=(1, 2)).to_dict() == {
        "1x": {"a": 900, "b": 100}, "2x": {"a": 800, "b": 200}}
    table = weights_table({"a": 9, "b": 1})
    assert list(table.columns) == ["balanced", "inverse", "sqrt", "effective"]
    # balanced 10 / (2 x 9), 10 / 2; inverse 1/9 : 1 and sqrt 1/3 : 1, each scaled to sum to 2
    np.testing.assert_allclose(table.loc["b"].iloc[:3], [5.0, 1.8, 1.5])
    np.testing.assert_allclose(table.loc["a"].iloc[:3], [5 / 9, 0.2, 0.5])


# -- order, direction and weights: the kinds of test a wrong sampler passed before ------------


def _runs(values) -> int:
    """How many runs of equal values a sequence has: aaabba has 3."""
    values = np.asarray(values)
    return int(1 + (values[1:] != values[:-1]).sum())


def test_a_shuffled_epoch_is_not_grouped_by_class_and_epochs_differ_in_order():
    # 40 a and 10 b, 80 per epoch at cap 4: a 40 -> 40 and b 10 -> 40. Both multipliers are
    # whole, so two epochs hold exactly the same indices and can differ only in order.
    labels = pd.Series(["a"] * 40 + ["b"] * 10)
    plan = plan_resampling(labels, total=80, max_oversample=4)
    assert plan.effective.to_dict() == {"a": 40, "b": 40}
    one, two = (epoch_indices(plan, labels, epoch=e, seed=0) for e in (0, 1))
    assert sorted(one) == sorted(two)            # the same draws (whole multipliers) ...
    assert not np.array_equal(one, two)          # ... in another order
    # Unshuffled, the labels run aaaa...bbbb: 2 runs. Shuffled 40/40: about 41 expected.
    assert _runs(labels.to_numpy()[one]) > 20
    assert _runs(labels.to_numpy()[two]) > 20


def test_the_factor_epoch_is_shuffled():
    idx = epoch_from_factors(np.r_[np.full(30, 1.0), np.full(10, 3.0)], seed=0)
    assert _runs(idx >= 30) > 10  # repeated images not all at the end


def test_extra_draws_follow_the_fractional_parts():
    # Efraimidis-Spirakis: image 0 (fraction 0.9) is drawn far more often than the nine
    # images of fraction 0.1. round(0.9 + 9 x 0.1) = 2 extra draws per epoch. Were the keys
    # not weighted, each image would be drawn in 2/10 of the epochs. Weighted draws without
    # replacement are not exactly proportional: measured 0.75 for image 0, 0.11-0.16 for
    # the others.
    r = np.r_[0.9, np.full(9, 0.1)]
    seen = np.zeros(10)
    for epoch in range(400):
        seen += np.bincount(epoch_from_factors(r, epoch=epoch, seed=1), minlength=10)
    share = seen / 400
    assert share.sum() == pytest.approx(2.0)
    assert share[0] > 0.6
    assert share[1:].mean() < 0.16


@pytest.mark.parametrize("method", ["balanced", "inverse", "sqrt", "effective"])
def test_the_rarer_class_always_gets_the_larger_weight(method):
    w = class_weights({"common": 900, "middle": 90, "rare": 9}, method=method)
    assert w["rare"] > w["middle"] > w["common"]
    if method != "balanced":  # the others are normalised to sum to the number of classes
        assert w.sum() == pytest.approx(3.0)


def test_sqrt_weights_hand_computed():
    # 1/sqrt(100) = 0.1 and 1/sqrt(25) = 0.2, normalised to sum to 2 classes: 2/3 and 4/3.
    w = class_weights({"a": 100, "b": 25}, method="sqrt")
    np.testing.assert_allclose(w.to_numpy(), [2 / 3, 4 / 3])


def test_imblearn_bridge_stops_a_capped_class_at_its_cap():
    y = np.repeat(["a", "b", "c"], [30, 12, 4])
    X = np.arange(len(y), dtype=float)[:, None]
    plan = plan_resampling(pd.Series(y), max_oversample=2)  # c stops at 8, under a's level
    assert plan.effective["c"] == 8 and plan.effective["c"] < plan.effective["a"]
    X_new, y_new = resample_features(X, y, plan)
    assert pd.Series(y_new).value_counts().to_dict() == plan.effective.to_dict()
    # the default seed is 0
    X_zero, y_zero = resample_features(X, y, plan, method="random", seed=0)
    np.testing.assert_array_equal(X_new, X_zero)
    np.testing.assert_array_equal(y_new, y_zero)
    assert not np.array_equal(X_new, resample_features(X, y, plan, seed=1)[0])
    with pytest.raises(ValueError, match="'method' parameter of resample_features"):
        resample_features(X, y, plan, method="adasyn")


@pytest.mark.parametrize("smallest, fix", [
    (3, "Pass k_neighbors=2 (the smallest count minus one)"),
    (2, "Pass k_neighbors=1 (the smallest count minus one)"),
    (1, "Use method='random'"),
])
def test_smote_says_which_k_would_do_down_to_none(smallest, fix):
    from workbench.errors import DataError

    y = np.repeat(["a", "b"], [40, smallest])
    X = np.random.default_rng(0).normal(size=(len(y), 2))
    plan = plan_resampling(pd.Series(y), max_oversample=3)
    with pytest.raises(DataError, match=re.escape(f"'b' has {smallest}. {fix}, or collect more")):
        resample_features(X, y, plan, method="smote", k_neighbors=smallest)
    if smallest > 1:  # exactly one more sample than neighbours: enough
        _, y_new = resample_features(X, y, plan, method="smote", k_neighbors=smallest - 1)
        assert (y_new == "b").sum() == plan.effective["b"]


def test_tiles_of_non_square_masks_edges_left_out_and_small_masks_skipped(tmp_path):
    from conftest import write_mask

    from workbench.catalog import Catalog

    small = np.zeros((2, 2), np.uint8)
    wide = np.zeros((5, 7), np.uint8)       # one row of two 3 x 3 tiles; the rest is edge
    wide[1, 4] = 1                           # a lane pixel in the second tile (x0 3)
    wide[0, 0] = 255                         # unlabelled: counted nowhere
    wide[4, 6] = 1                           # on the edge: left out
    tall = np.zeros((7, 4), np.uint8)       # two tiles, one above the other
    tall[5, 2] = 1                           # a lane pixel in the lower tile (y0 3)
    rows = []
    for name, mask in (("small", small), ("wide", wide), ("tall", tall)):
        rows.append({"filepath": f"{name}.png", "width": mask.shape[1],
                     "height": mask.shape[0],
                     "mask_path": str(write_mask(tmp_path / f"{name}.png", mask))})
    samples = pd.DataFrame(rows, index=["small", "wide", "tall"])
    cat = Catalog(samples, classes=["road", "lane"], task="segmentation")
    plan = tile_plan(cat, tile_size=3, threshold=1.0)
    tiles = plan.to_frame()
    assert tiles.columns.tolist() == ["sample_id", "row", "col", "x0", "y0", "weight"]
    assert tiles.index.tolist() == [0, 1, 2, 3]
    assert tiles[["sample_id", "row", "col", "x0", "y0"]].values.tolist() == [
        ["wide", 0, 0, 0, 0], ["wide", 0, 1, 3, 0], ["tall", 0, 0, 0, 0], ["tall", 1, 0, 0, 3]]
    assert plan.pixels.tolist() == [[8, 0], [8, 1], [9, 0], [8, 1]]
    # lane in 2 of 4 tiles: sqrt(1 / 0.5) = 1.41; road everywhere: 1
    assert tiles["weight"].tolist() == pytest.approx([1, 2 ** 0.5, 1, 2 ** 0.5])
    assert repr(plan) == "TilePlan(4 tiles of 3x3, 2 weighted up, largest 1.41)"
    capped = tile_plan(cat, tile_size=3, threshold=1.0, max_weight=1.2).tiles["weight"]
    assert capped.tolist() == [1, 1.2, 1, 1.2]
    assert tile_plan(cat, tile_size=3, threshold=1.0, max_weight=1).tiles["weight"].max() == 1
    assert tile_plan(cat, tile_size=3).tiles["weight"].tolist() == [1, 1, 1, 1]  # 0.1
    assert len(tile_plan(cat, tile_size=1).tiles) == 4 + 35 + 28
    with pytest.raises(ValueError, match="'tile_size' parameter of tile_plan"):
        tile_plan(cat, tile_size=0)
    with pytest.raises(ValueError, match="threshold must be > 0"):
        tile_plan(cat, tile_size=3, threshold=0)
    with pytest.raises(ValueError, match="max_weight >= 1"):
        tile_plan(cat, tile_size=3, max_weight=0.9)
    with pytest.raises(DataError, match="No mask is at least 8x8"):
        tile_plan(cat, tile_size=8)
