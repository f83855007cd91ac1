"""Hard negatives: ranked false alarms of a class, by image and by box, and their boost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.evaluate import Predictions, confused_pairs, hard_negatives


def boxes_case():
    ids = ["a", "b", "c"]
    samples = pd.DataFrame({"filepath": ids, "width": 100, "height": 50, "split": "test"},
                           index=pd.Index(ids, name="sample_id"))
    truth = pd.DataFrame({"sample_id": ["a", "b", "c"], "label": ["crack", "scratch", "crack"],
                          "x": [0.1, 0.5, 0.0], "y": [0.1, 0.5, 0.0], "w": [0.2, 0.4, 0.1],
                          "h": [0.4, 0.4, 0.1]})
    cat = Catalog(samples, classes=["crack", "scratch"], task="detection", objects=truth)
    pred = pd.DataFrame({
        "sample_id": ["a", "b", "c", "a", "b"],
        "label": pd.Categorical(["crack"] * 4 + ["scratch"], ["crack", "scratch"]),
        # a: on the true crack (a hit); b: on the scratch (a false crack); c: in empty space;
        # a: a second, weak box far from the crack; b: a scratch box (another class).
        "x": [0.1, 0.52, 0.6, 0.7, 0.5], "y": [0.1, 0.5, 0.0, 0.6, 0.5],
        "w": [0.2, 0.4, 0.2, 0.2, 0.4], "h": [0.4, 0.4, 0.2, 0.2, 0.4],
        "score": [0.95, 0.9, 0.6, 0.2, 0.8]})
    return cat, Predictions(cat.classes, objects=pred)


def test_false_boxes_ranked_with_what_they_overlap():
    cat, pred = boxes_case()
    hard = hard_negatives(cat, pred, cls="crack")
    table = hard.to_frame()
    assert table["sample_id"].tolist() == ["b", "c", "a"]  # the hit on a is not a negative
    assert table["score"].tolist() == [0.9, 0.6, 0.2]
    assert table["overlaps_most"].tolist() == ["scratch", "(background)", "(background)"]
    assert hard.sample_ids == ["b", "c", "a"]


def test_images_ranked_by_the_class_score():
    samples = pd.DataFrame({"filepath": list("wxyz"), "width": 8, "height": 8,
                            "label": ["intact", "crack", "intact", "intact"], "split": "train"},
                           index=list("wxyz"))
    cat = Catalog(samples, classes=["intact", "crack"])
    scores = pd.DataFrame({"intact": [0.3, 0.2, 0.9, 0.6], "crack": [0.7, 0.8, 0.1, 0.4]},
                          index=list("wxyz"))
    hard = hard_negatives(cat, Predictions(cat.classes, scores=scores), cls="crack",
                          split="train", n=2)
    assert hard.to_frame()["sample_id"].tolist() == ["w", "z"]  # x is a crack: not negative
    factors = hard.boost(cat, factor=3.0)
    assert factors.to_dict() == {"w": 3.0, "x": 1.0, "y": 1.0, "z": 3.0}
    test_hard = hard_negatives(cat.replace(samples=samples.assign(split="test")),
                               Predictions(cat.classes, scores=scores), cls="crack")
    with pytest.raises(DataError, match="leak the test into training"):
        test_hard.boost(cat)


def test_default_class_is_the_rarest_and_never_the_background():
    samples = pd.DataFrame({"filepath": list("abcde"), "width": 8, "height": 8,
                            "label": ["intact", "intact", "crack", "dent", "dent"],
                            "split": "test"}, index=list("abcde"))
    cat = Catalog(samples, classes=["intact", "crack", "dent"], background="intact")
    scores = pd.DataFrame(np.full((5, 3), 1 / 3), index=list("abcde"),
                          columns=["intact", "crack", "dent"])
    assert hard_negatives(cat, Predictions(cat.classes, scores=scores)).cls == "crack"


def test_confused_pairs_largest_first():
    confusion = pd.DataFrame([[0.5, 0.4, 0.1], [0.0, 1.0, 0.0], [0.3, 0.0, 0.7]],
                             index=["rare", "mid", "common"], columns=["rare", "mid", "common"])
    pairs = confused_pairs(confusion, n=2)
    assert pairs[["true", "predicted"]].values.tolist() == [["rare", "mid"], ["common", "rare"]]


def test_no_background_and_pictures_of_false_boxes():
    cat, pred = boxes_case()
    assert cat.background is None
    hard = hard_negatives(cat, pred)  # the rarest class by images: scratch (1) < crack (2)
    assert hard.cls == "scratch"
    crack = hard_negatives(cat, pred, cls="crack")
    pictured = crack.picture_catalog(cat)
    assert pictured.classes == ("crack", "scratch", "false crack")
    false = pictured.objects[pictured.objects["label"] == "false crack"]
    assert sorted(false["sample_id"]) == ["a", "b", "c"] and len(pictured.objects) == 6
