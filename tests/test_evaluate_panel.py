"""The threshold panel recomputes what the pure functions say, for scores and for boxes."""

from __future__ import annotations

import pandas as pd

from workbench import widgets
from workbench.catalog import Catalog
from workbench.evaluate import (
    Predictions,
    at_threshold,
    classification_report,
    detection_at_threshold,
    detection_report,
)


def test_scores_panel_follows_class_and_threshold():
    ids = [f"s{i}" for i in range(6)]
    samples = pd.DataFrame({"filepath": ids, "width": 8, "height": 8, "split": "test",
                            "label": ["a", "a", "a", "b", "b", "c"]}, index=ids)
    cat = Catalog(samples, classes=["a", "b", "c"])
    scores = pd.DataFrame([[.8, .1, .1], [.6, .3, .1], [.3, .6, .1], [.2, .7, .1],
                           [.5, .4, .1], [.2, .2, .6]], index=ids, columns=["a", "b", "c"])
    report = classification_report(cat, Predictions(cat.classes, scores=scores), n_boot=20)
    panel = widgets.threshold_panel(report, threshold=0.5)
    first = panel.result.copy()
    assert panel.controls["cls"].value == "c"  # the rarest class with examples comes first
    panel.controls["cls"].value = "b"
    panel.controls["threshold"].value = 0.35
    expected, _ = at_threshold(report, "b", 0.35)
    pd.testing.assert_frame_equal(panel.result, expected)
    # b at 0.35: s2 (.6, FP), s3 (.7, TP), s4 (.4, TP): precision 2/3, recall 1
    assert panel.result.loc["precision", "value"] == 2 / 3
    assert panel.result.loc["recall", "value"] == 1.0
    assert not panel.result.equals(first)


def test_boxes_panel_has_an_iou_control():
    samples = pd.DataFrame({"filepath": ["a", "b"], "width": 100, "height": 50,
                            "split": "test"}, index=["a", "b"])
    truth = pd.DataFrame({"sample_id": ["a", "b"], "label": ["crack", "crack"],
                          "x": [0.1, 0.5], "y": [0.1, 0.2], "w": [0.2, 0.3], "h": [0.4, 0.5]})
    cat = Catalog(samples, classes=["crack"], task="detection", objects=truth)
    # a: a box shifted so that IoU is 0.6 (a hit at 0.5, a miss at 0.75); b: exact.
    pred = pd.DataFrame({"sample_id": ["a", "b"], "label": pd.Categorical(["crack"] * 2),
                         "x": [0.15, 0.5], "y": [0.1, 0.2], "w": [0.2, 0.3], "h": [0.4, 0.5],
                         "score": [0.9, 0.6]})
    report = detection_report(cat, Predictions(cat.classes, objects=pred), n_boot=10)
    panel = widgets.threshold_panel(report, threshold=0.0)
    assert panel.result.loc["recall", "value"] == 1.0
    panel.controls["iou"].value = 0.75
    assert panel.result.loc["recall", "value"] == 0.5
    panel.controls["threshold"].value = 0.7  # keeps only a's box, a miss at IoU 0.75
    expected, counts = detection_at_threshold(report, "crack", 0.7, iou=0.75)
    pd.testing.assert_frame_equal(panel.result, expected)
    assert counts["boxes"].tolist() == [0, 1, 2]
    assert panel.result.loc["precision", "value"] == 0.0  # one box kept, a false positive
