"""Which images an evaluation covers, the sentence that says so, and the decisions a
threshold makes, on hand-made catalogs."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.truth import (
    Truth,
    aligned_scores,
    decide,
    evaluated_on,
    evaluation_note,
    held_out_split,
    image_truth,
    split_ids,
)


def labelled(splits, labels=None) -> Catalog:
    ids = [f"s{i}" for i in range(len(splits))]
    samples = pd.DataFrame({"filepath": ids, "width": 4, "height": 4, "split": splits},
                           index=ids)
    samples["label"] = ["a"] * len(splits) if labels is None else labels
    return Catalog(samples, classes=["a", "b", "c"])


def test_the_note_names_the_split_its_size_and_what_is_flattered():
    cat = labelled(["train"] * 3 + ["val"] * 1200 + ["test"] * 2)
    assert evaluation_note(cat, "test") == (
        "The numbers below come from the 2 images of the test split.")
    assert evaluation_note(cat, "val") == (
        "The numbers below come from the 1,200 images of the validation split (there is no "
        "test split; thresholds are then tuned and judged on the same images, which flatters "
        "them).")
    assert evaluation_note(cat, "train").startswith(
        "The numbers below come from the 3 images of the train split (there is no test")
    assert evaluation_note(cat, None) == (
        "This dataset has no test or validation split, so the numbers below come from every "
        "image, the training images included: they are optimistic. Split it (notebook 02) to "
        "get honest ones.")
    assert (evaluated_on("val"), evaluated_on(None)) == ("val split", "all images")


def test_the_held_out_split_is_test_else_val_else_none():
    assert held_out_split(labelled(["train", "val", "test"])) == "test"
    assert held_out_split(labelled(["train", "val", None])) == "val"
    assert held_out_split(labelled(["train", "train"])) is None
    no_split = labelled(["train"]).replace(samples=labelled(["train"]).samples.drop(
        columns="split"))
    assert held_out_split(no_split) is None
    assert split_ids(no_split, None).tolist() == ["s0"]
    with pytest.raises(Lacks, match="no 'test' split to evaluate"):
        split_ids(no_split, "test")
    with pytest.raises(DataError, match="There is no 'test' split; the splits are 'train'"):
        split_ids(labelled(["train", None]), "test")
    assert split_ids(labelled(["val", "test", "val"]), "val").tolist() == ["s0", "s2"]


def test_truth_is_the_label_else_the_classes_an_image_holds():
    cat = labelled(["test"] * 3, labels=["c", "a", "c"])
    truth = image_truth(cat, pd.Index(["s2", "s1"]))  # in the Catalog's order
    assert truth.single_label and truth.codes.tolist() == [0, 2]
    assert truth.matrix.tolist() == [[True, False, False], [False, False, True]]
    assert truth.sample_ids.tolist() == ["s1", "s2"]
    boxes = pd.DataFrame({"sample_id": ["s0", "s0", "s2"], "label": ["a", "c", "b"],
                          "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    det = Catalog(labelled(["test"] * 3).samples.drop(columns="label"),
                  classes=["a", "b", "c"], task="detection", objects=boxes)
    multi = image_truth(det, det.samples.index)
    assert not multi.single_label
    assert multi.matrix.tolist() == [[True, False, True], [False, False, False],
                                     [False, True, False]]
    with pytest.raises(DataError, match="1 images of the evaluated split have no label"):
        image_truth(labelled(["test"] * 2, labels=["a", None]), pd.Index(["s0", "s1"]))


def test_scores_are_lined_up_by_image_and_class():
    cat = labelled(["test"] * 2, labels=["a", "b"])
    truth = image_truth(cat, pd.Index(["s1", "s0"]))
    # the score table's own order (s1 first, classes c b a) does not matter
    scores = pd.DataFrame({"c": [0.2, 0.1], "b": [0.4, 0.3], "a": [0.4, 0.6]},
                          index=["s1", "s0"])
    lined = aligned_scores(Predictions(classes=("a", "b", "c"), scores=scores), truth)
    assert lined.dtype == float and lined.tolist() == [[0.6, 0.3, 0.1], [0.4, 0.4, 0.2]]
    with pytest.raises(DataError, match="no scores for 'c'"):
        aligned_scores(Predictions(classes=("a", "b", "c"), scores=scores[["a", "b"]]), truth)


def test_decisions_divide_by_the_thresholds_or_compare_with_them():
    single = Truth(pd.Index(["x", "y"]), ("a", "b"), np.eye(2, dtype=bool), np.array([0, 1]))
    scores = np.array([[0.6, 0.4], [0.45, 0.55]])
    assert decide(scores, single).tolist() == [[True, False], [False, True]]
    # b's threshold 0.2: 0.4 / 0.2 beats 0.6 / 1 in the first image
    assert decide(scores, single, [1.0, 0.2]).tolist() == [[False, True], [False, True]]
    # a threshold of 0 is as good as the smallest positive one, not a division by zero
    assert decide(scores, single, [0.0, 1.0]).tolist() == [[True, False], [True, False]]
    multi = Truth(pd.Index(["x", "y"]), ("a", "b"), np.eye(2, dtype=bool), None)
    assert decide(scores, multi).tolist() == [[True, False], [False, True]]  # >= 0.5
    assert decide(np.array([[0.5, 0.49]]), multi).tolist() == [[True, False]]
    assert decide(scores, multi, [0.6, 0.3]).tolist() == [[True, True], [False, True]]
