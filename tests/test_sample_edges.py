"""The sampling core at its edges: defaults, input shapes, messages, and the keys' order.

Written against the mutants `make mutants` found alive in workbench/sample: each test
names the mistake it catches.
"""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.sample import (
    NO_OBJECT,
    class_weights,
    epoch_from_factors,
    epoch_indices,
    plan_resampling,
    rarity_rank,
    sampling_keys,
    save_epoch,
    weights_table,
)

LABELS = pd.Series(["a"] * 6 + ["b"] * 2)


def test_the_default_epoch_and_seed_are_zero():
    plan = plan_resampling(LABELS, max_oversample=3)
    default = epoch_indices(plan, LABELS)
    assert np.array_equal(default, epoch_indices(plan, LABELS, epoch=0, seed=0))
    assert not np.array_equal(default, epoch_indices(plan, LABELS, epoch=1, seed=0))
    assert not np.array_equal(default, epoch_indices(plan, LABELS, epoch=0, seed=1))
    r = np.r_[np.full(6, 1.5), 0.5]
    base = epoch_from_factors(r)
    assert np.array_equal(base, epoch_from_factors(r, epoch=0, seed=0))
    assert not np.array_equal(base, epoch_from_factors(r, epoch=1, seed=0))
    assert not np.array_equal(base, epoch_from_factors(r, epoch=0, seed=1))


def test_labels_as_a_list_or_a_categorical_of_numbers_give_the_same_epoch():
    plan = plan_resampling(LABELS, max_oversample=3)
    want = epoch_indices(plan, LABELS, seed=4)
    assert np.array_equal(epoch_indices(plan, LABELS.tolist(), seed=4), want)
    digits = pd.Series([7] * 6 + [3] * 2)
    by_digit = plan_resampling(digits.astype(str), max_oversample=3)
    as_category = pd.Series(pd.Categorical(digits, categories=[3, 7]))  # ints, other order
    assert np.array_equal(epoch_indices(by_digit, as_category, seed=4),
                          epoch_indices(by_digit, digits.astype(str), seed=4))


def test_labels_that_do_not_match_the_plan_say_what_each_class_has():
    plan = plan_resampling(LABELS, max_oversample=3)
    with pytest.raises(DataError, match=r"per class \{'a': 6, 'b': 0\} vs planned from "
                                        r"\{'a': 6, 'b': 2\}"):
        epoch_indices(plan, pd.Series(["a"] * 6))
    with pytest.raises(DataError, match="Labels 'c' are not in the plan"):
        epoch_indices(plan, pd.Series(["a"] * 6 + ["c"] * 2))


def test_factors_may_be_zero_but_not_negative_or_infinite():
    idx = epoch_from_factors([0.0, 1.0, 2.0])
    assert sorted(idx.tolist()) == [1, 2, 2]  # the image with factor 0 is never drawn
    for bad in ([1.0, -0.5], [1.0, np.inf], [np.nan, 1.0]):
        with pytest.raises(ValueError, match="finite and non-negative"):
            epoch_from_factors(bad)


def test_one_extra_draw_goes_to_the_largest_key():
    # One extra draw (0.9 + 0.05 + 0.05 = 1): image 0 wins it in most epochs. A partition
    # around the wrong position hands the draw to whichever image lands first instead.
    r = [0.9, 0.05, 0.05]
    wins = sum(epoch_from_factors(r, epoch=e, seed=2).tolist() == [0] for e in range(200))
    assert wins > 150


def test_the_extra_draws_are_the_largest_efraimidis_spirakis_keys():
    # The reference: with the epoch's random stream, key_i = log(u_i) / frac_i; the
    # round(sum of fractions) largest keys get one draw more (Efraimidis & Spirakis 2006).
    r = 1 + np.linspace(0.01, 0.99, 3001)  # 1,500 extra draws among 3,001 images
    for epoch in range(5):
        rng = np.random.default_rng(np.random.SeedSequence([3, epoch]))
        frac = r - np.floor(r)
        keys = np.log(rng.random(len(r))) / frac
        top = set(np.argsort(-keys)[:int(round(frac.sum()))].tolist())
        drawn = np.bincount(epoch_from_factors(r, epoch=epoch, seed=3), minlength=len(r))
        assert set(np.flatnonzero(drawn == 2).tolist()) == top


def test_a_saved_epoch_holds_integers(tmp_path):
    as_float = np.array([2.0, 0.0, 1.0])
    loaded = np.load(save_epoch(as_float, tmp_path / "e.npy"))
    assert loaded.dtype == np.int64 and loaded.tolist() == [2, 0, 1]
    assert (tmp_path / "e.csv").exists() is False
    assert save_epoch(as_float, tmp_path / "e.csv").read_text() == "2\n0\n1\n"
    with pytest.raises(ValueError, match="'suffix' parameter of save_epoch must be one of"):
        save_epoch(as_float, tmp_path / "e.txt")


def detection(boxes: dict, classes, background=None) -> Catalog:
    ids = list(boxes)
    samples = pd.DataFrame({"filepath": ids, "width": 10, "height": 10},
                           index=pd.Index(ids, name="sample_id"))
    rows = [(s, c) for s, labels in boxes.items() for c in labels]
    objects = pd.DataFrame({"sample_id": [s for s, _ in rows], "label": [c for _, c in rows],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    return Catalog(samples, classes=classes, task="detection", objects=objects,
                   background=background)


def test_rarity_ranks_count_boxes_and_put_empty_classes_and_the_background_last():
    # boxes: car 4, bus 1, van 2, truck 0; sky is the background (no boxes: it is what
    # lies outside them)
    cat = detection({"a": ["car", "car"], "b": ["car", "bus"], "c": ["car", "van", "van"]},
                    classes=["sky", "car", "bus", "van", "truck"], background="sky")
    # rarest first: bus (1), van (2), car (4); then truck (none) and sky (background),
    # in class-list order among themselves
    assert rarity_rank(cat).tolist() == [3, 2, 0, 1, 4]
    keys = sampling_keys(cat)
    assert keys.tolist() == ["car", "bus", "van"] and keys.name == "key"
    assert list(keys.cat.categories) == ["car", "bus", "van"]  # only the keys in use


def test_keys_of_images_with_no_box_and_of_labelled_classification_images():
    cat = detection({"a": ["bus"], "b": []}, classes=["car", "bus"])
    assert sampling_keys(cat).tolist() == ["bus", NO_OBJECT]
    samples = pd.DataFrame({"filepath": list("abc"), "width": 4, "height": 4,
                            "label": ["x", None, "y"]}, index=list("abc"))
    keys = sampling_keys(Catalog(samples, classes=["x", "y"]))
    assert keys.to_dict() == {"a": "x", "c": "y"}  # the unlabelled image is left out


def test_weights_refuse_an_empty_class_and_are_named_by_method():
    with pytest.raises(DataError, match="Classes 'a' have no samples; class_weights"):
        class_weights({"a": 0, "b": 5}, method="inverse")
    assert class_weights({"a": 1, "b": 4}, method="sqrt").name == "weight (sqrt)"
    # beta 0: every sample counts once, whatever the class size: equal weights
    assert class_weights({"a": 1, "b": 4}, method="effective", beta=0).tolist() == [1.0, 1.0]


def test_the_weights_table_lists_classes_largest_first_with_the_beta_asked():
    table = weights_table({"rare": 1, "common": 9})
    assert list(table.index) == ["common", "rare"]
    low = weights_table({"rare": 1, "common": 9}, beta=0.5)["effective"]
    # (1 - 0.5) / (1 - 0.5^n): common 0.5 / (1 - 1/512) = 0.500978, rare 0.5 / 0.5 = 1;
    # scaled to sum to 2 classes: 0.667536 and 1.332464 (at beta 0.999: 0.18 and 1.82)
    np.testing.assert_allclose(low.to_numpy(), [0.667536, 1.332464], atol=1e-6)
