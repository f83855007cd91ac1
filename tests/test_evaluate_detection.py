"""Detection metrics: a hand-computed case, pycocotools as the reference, the bootstrap."""

import contextlib
import io

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks
from workbench.evaluate.detection import detection_counts, detection_pr, detection_report
from workbench.evaluate.detection_curves import interpolated_precision
from workbench.evaluate.intervals import bootstrap_counts, examples_needed
from workbench.evaluate.predictions import Predictions


def boxes_catalog(sizes, truth, classes, *, background=None, split=None):
    """A detection Catalog from absolute pixel boxes: ``truth`` rows are
    (sample_id, label, x, y, w, h[, iscrowd])."""
    samples = pd.DataFrame(sizes, columns=["sample_id", "width", "height"]).set_index("sample_id")
    samples["filepath"] = samples.index + ".png"
    if split is not None:
        samples["split"] = split
    objects = pd.DataFrame([list(t) + [False] * (7 - len(t)) for t in truth],
                           columns=["sample_id", "label", "x", "y", "w", "h", "iscrowd"])
    return Catalog(samples, classes=classes, task="detection", background=background,
                   objects=_relative(objects, samples))


def _relative(table, samples):
    table = table.copy()
    width = samples.loc[table["sample_id"], "width"].to_numpy(float)
    height = samples.loc[table["sample_id"], "height"].to_numpy(float)
    table[["x", "w"]] = table[["x", "w"]].to_numpy(float) / width[:, None]
    table[["y", "h"]] = table[["y", "h"]].to_numpy(float) / height[:, None]
    return table


def scored(catalog, rows, classes):
    """Predictions from absolute pixel boxes: rows are (sample_id, label, x, y, w, h, score)."""
    table = pd.DataFrame(rows, columns=["sample_id", "label", "x", "y", "w", "h", "score"])
    table = _relative(table, catalog.samples)
    table["label"] = pd.Categorical(table["label"], categories=classes)
    return Predictions(classes=tuple(classes), objects=table, source="model")


# -- a case computed by hand ------------------------------------------------------------------

SIZES = [("a", 200, 100), ("b", 300, 120), ("c", 50, 80)]
TRUTH = [("a", "dent", 20, 10, 100, 50), ("b", "dent", 10, 10, 40, 40),
         ("b", "dent", 200, 20, 60, 60, True)]  # a crowd box: never missed, never a hit
PREDS = [("a", "dent", 20, 10, 100, 36, 0.9),   # IoU 3600 / 5000 = 0.72 with a's box
         ("b", "dent", 205, 25, 50, 50, 0.85),  # on the crowd box: ignored
         ("b", "dent", 100, 60, 30, 30, 0.8)]   # nothing there: a false alarm; b's box missed


@pytest.fixture
def hand():
    catalog = boxes_catalog(SIZES, TRUTH, ["intact", "dent", "hole"], background="intact")
    return catalog, scored(catalog, PREDS, ["intact", "dent", "hole"])


def test_hand_computed_ap(hand):
    # Ranked: hit (0.9), false alarm (0.8); 2 counted boxes (the crowd box is not one).
    # Recall 0.5 at precision 1, then 0.5 at 0.5: the interpolated precision is 1 at the
    # 51 recall points 0.00..0.50 and 0 at the 50 above, so AP50 = 51 / 101. The hit has
    # IoU 0.72: a hit at the 5 thresholds 0.50..0.70, a false alarm at 0.75..0.95 (AP 0):
    # AP@[.5:.95] = 5 / 10 * 51 / 101, AR = 5 / 10 * 0.5.
    table = detection_report(*hand, split=None, n_boot=0).to_frame()
    assert list(table.index) == ["dent", "hole"]  # the background is no box class
    dent = table.loc["dent"]
    assert dent["ap50"] == pytest.approx(51 / 101)
    assert dent["ap"] == pytest.approx(51 / 202)
    assert dent["ar"] == pytest.approx(0.25)
    assert (dent["n_true"], dent["n_pred"], dent["n_images"]) == (2, 3, 2)
    # AP50 read as a proportion of the 2 counted boxes (not of the 3 predicted, not AP)
    for half, column in ((0.05, "examples_needed_05"), (0.10, "examples_needed_10")):
        assert dent[column] == examples_needed([51 / 101], [2], halfwidth=half)[0]
        assert dent[column] != examples_needed([51 / 101], [3], halfwidth=half)[0]
        assert dent[column] != examples_needed([51 / 202], [2], halfwidth=half)[0]
    assert np.isnan(table.loc["hole", ["ap", "ap50", "ar"]].astype(float)).all()
    assert table.loc["hole", "n_true"] == 0


def test_hand_computed_counts_and_threshold_table(hand):
    report = detection_report(*hand, split=None, n_boot=0)
    pr = detection_pr(report, "dent", iou=0.5)
    assert pr[["score", "tp", "fp", "fn"]].to_numpy().tolist() == [[0.9, 1, 0, 1],
                                                                     [0.8, 1, 1, 1]]
    assert pr["precision"].tolist() == [1.0, 0.5] and pr["recall"].tolist() == [0.5, 0.5]
    strict = detection_counts(report, iou=0.75).loc["dent"]
    assert strict[["tp", "fp", "fn"]].tolist() == [0, 2, 2]
    confident = detection_counts(report, iou=0.5, min_score=0.85).loc["dent"]
    assert confident[["tp", "fp", "fn"]].tolist() == [1, 0, 1]
    catalog, predictions = hand
    tied = scored(catalog, [PREDS[0][:-1] + (0.8,), *PREDS[1:]], ["intact", "dent", "hole"])
    one_row = detection_pr(detection_report(catalog, tied, split=None, n_boot=0), "dent")
    assert one_row[["score", "tp", "fp"]].to_numpy().tolist() == [[0.8, 1, 1]]  # one threshold
    with pytest.raises(ValueError, match="'iou' parameter of detection_pr"):
        detection_pr(report, "dent", iou=0.3)


def test_boxes_on_other_images_are_left_out(hand):
    catalog, predictions = hand
    part = catalog.subset(["a", "c"])  # b's false alarm and its crowd box go with it
    dent = detection_report(part, predictions, split=None, n_boot=0).to_frame().loc["dent"]
    assert (dent["ap50"], dent["ar"]) == (pytest.approx(1.0), pytest.approx(0.5))
    assert (dent["n_true"], dent["n_pred"]) == (1, 1)


def test_max_dets_is_per_image_and_class(hand):
    catalog, predictions = hand
    # with one detection per image, b keeps only the one on the crowd box: no false alarm
    dent = detection_report(catalog, predictions, split=None, n_boot=0, max_dets=1
                            ).to_frame().loc["dent"]
    assert dent["ap50"] == pytest.approx(51 / 101)
    assert dent["ar"] == pytest.approx(0.25)
    assert detection_counts(detection_report(catalog, predictions, split=None, n_boot=0,
                                             max_dets=1)).loc["dent", "fp"] == 0


def test_interpolated_precision_takes_the_best_precision_to_the_right():
    # ranked: miss-hit-hit of 2 boxes: recall 0, .5, 1 at precision 0, .5, .67
    p, r = interpolated_precision([[0, 1, 1]], [[1, 0, 0]], [2])
    assert p[0].tolist() == pytest.approx([2 / 3] * 101)
    assert r.tolist() == [1.0]
    p, r = interpolated_precision(np.zeros((1, 0)), np.zeros((1, 0)), [0])
    assert np.isnan(p).all() and np.isnan(r).all()


# -- pycocotools as the reference -------------------------------------------------------------

CLASSES = ["intact", "crack", "dent", "rust", "scratch", "hole"]


def random_fixture(seed=0, n_images=40, decimals=None):
    """Varied non-square images, non-square and crowd boxes, empty images with false
    alarms, 'rust' in a few images only, 'scratch' never predicted, 'hole' never boxed in
    the test split (only in train)."""
    rng = np.random.default_rng(seed)
    ids = [f"im{i:02d}" for i in range(n_images)]
    width, height = rng.integers(60, 400, n_images), rng.integers(60, 400, n_images)
    split = np.where(np.arange(n_images) < n_images - 5, "test", "train")
    truth, preds = [], []
    for i, sid in enumerate(ids):
        if i % 7 == 3:  # an empty image: no boxes, two false alarms
            n_true = 0
        else:
            n_true = rng.integers(1, 6)
        for _ in range(n_true):
            names = ["crack", "dent", "scratch"] + (["rust"] if i % 4 == 0 else [])
            label = "hole" if split[i] == "train" else str(rng.choice(names))
            w, h = rng.uniform(5, width[i] / 2), rng.uniform(5, height[i] / 2)
            x, y = rng.uniform(0, width[i] - w), rng.uniform(0, height[i] - h)
            truth.append((sid, label, x, y, w, h, bool(rng.random() < 0.1)))
            if label != "scratch" and rng.random() < 0.8:
                dx, dy = rng.normal(0, 0.15, 2) * (w, h)
                pw, ph = w * rng.uniform(0.7, 1.3), h * rng.uniform(0.7, 1.3)
                px, py = np.clip(x + dx, 0, width[i] - pw), np.clip(y + dy, 0, height[i] - ph)
                preds.append((sid, label, px, py, pw, ph, rng.random()))
        for _ in range(rng.integers(0, 3) + (2 if n_true == 0 else 0)):
            w, h = rng.uniform(5, width[i] / 2), rng.uniform(5, height[i] / 2)
            label = str(rng.choice(["crack", "dent", "rust"]))
            preds.append((sid, label, rng.uniform(0, width[i] - w),
                          rng.uniform(0, height[i] - h), w, h, rng.random()))
    if decimals is not None:  # tied scores: pycocotools breaks ties by image, then rank
        preds = [(*p[:-1], round(p[-1], decimals)) for p in preds]
    catalog = boxes_catalog(list(zip(ids, width, height, strict=True)), truth, CLASSES,
                            background="intact", split=split)
    return catalog, scored(catalog, preds, CLASSES), (ids, width, height, split, truth, preds)


def pycocotools_per_class(raw):
    """Stock COCOeval on COCO dicts written here from the absolute boxes (other image and
    category ids than the workbench's): per class AP, AP50, AR@100 ('all' areas)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    ids, width, height, split, truth, preds = raw
    test = [i for i, s in enumerate(split) if s == "test"]
    image_id = {ids[i]: 1000 + 3 * n for n, i in enumerate(test)}  # other ids, same order
    category_id = {c: 10 * (k + 3) for k, c in enumerate(CLASSES[1:])}
    images = [{"id": image_id[ids[i]], "width": int(width[i]), "height": int(height[i])}
              for i in test]
    categories = [{"id": v, "name": c} for c, v in category_id.items()]
    gt = [{"id": n + 1, "image_id": image_id[s], "category_id": category_id[c],
           "bbox": [x, y, w, h], "area": w * h, "iscrowd": int(crowd)}
          for n, (s, c, x, y, w, h, crowd) in enumerate(truth) if s in image_id]
    dt = [{"id": n + 1, "image_id": image_id[s], "category_id": category_id[c],
           "bbox": [x, y, w, h], "area": w * h, "score": score, "iscrowd": 0}
          for n, (s, c, x, y, w, h, score) in enumerate(preds) if s in image_id]
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt, coco_dt = COCO(), COCO()
        coco_gt.dataset = {"images": images, "categories": categories, "annotations": gt}
        coco_dt.dataset = {"images": images, "categories": categories, "annotations": dt}
        coco_gt.createIndex()
        coco_dt.createIndex()
        evaluator = COCOeval(coco_gt, coco_dt, iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
    precision = evaluator.eval["precision"][:, :, :, 0, -1]  # area 'all', maxDets 100
    recall = evaluator.eval["recall"][:, :, 0, -1]
    order = [evaluator.params.catIds.index(category_id[c]) for c in CLASSES[1:]]
    rows = {}
    for c, k in zip(CLASSES[1:], order, strict=True):
        p = precision[:, :, k]
        rows[c] = [p[p > -1].mean() if (p > -1).any() else np.nan,
                   p[0][p[0] > -1].mean() if (p[0] > -1).any() else np.nan,
                   recall[:, k][recall[:, k] > -1].mean() if (recall[:, k] > -1).any()
                   else np.nan]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["ap", "ap50", "ar"])


@pytest.mark.parametrize(("seed", "decimals"), [(0, None), (1, None), (2, 1), (3, 2)])
def test_equals_pycocotools(seed, decimals):
    catalog, predictions, raw = random_fixture(seed, decimals=decimals)
    ours = detection_report(catalog, predictions, split="test", n_boot=0).to_frame()
    reference = pycocotools_per_class(raw)
    assert list(ours.index) == CLASSES[1:]
    np.testing.assert_allclose(ours[["ap", "ap50", "ar"]].to_numpy(float),
                               reference.to_numpy(float), atol=1e-6, equal_nan=True)
    assert ours.loc["scratch", "ap"] == 0 and ours.loc["scratch", "n_pred"] == 0
    assert np.isnan(ours.loc["hole", "ap"])  # boxed only in train
    assert 0 < ours.loc["rust", "n_images"] < ours.loc["crack", "n_images"]


def test_report_summaries():
    catalog, predictions, _ = random_fixture(0)
    report = detection_report(catalog, predictions, n_boot=50)
    table = report.to_frame()
    assert report.macro["ap50"] == pytest.approx(table["ap50"].mean())  # NaN 'hole' skipped
    assert report.macro["ap_low"] <= report.macro["ap"] <= report.macro["ap_high"]
    has_truth = table[table["n_true"] > 0]
    assert report.rarest["class"] == has_truth["n_true"].idxmin()
    assert report.rarest["text"].startswith(f"{report.rarest['class']}: AP50 ")
    curves = report.pr_curves()
    assert set(curves["class"]) == set(has_truth.index)
    crack = curves[curves["class"] == "crack"]
    assert crack["precision"].mean() == pytest.approx(table.loc["crack", "ap50"])
    assert repr(report).startswith("DetectionReport(model on test split: 35 images, 5 classes")
    assert (table["examples_needed_05"] >= table["examples_needed_10"]).all()


# -- the bootstrap ----------------------------------------------------------------------------


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    catalog, predictions, _ = random_fixture(0, n_images=80)
    first = detection_report(catalog, predictions, n_boot=100, seed=3).to_frame()
    again = detection_report(catalog, predictions, n_boot=100, seed=3).to_frame()
    other = detection_report(catalog, predictions, n_boot=100, seed=4).to_frame()
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ap_low"].dropna(), other["ap_low"].dropna())
    rows = first[(first["n_true"] > 0) & (first["n_pred"] > 0)]  # 'scratch' is always 0
    assert first.loc["scratch", ["ap_low", "ap_high"]].tolist() == [0, 0]
    for name in ("ap", "ap50", "ar"):
        assert (rows[f"{name}_low"] <= rows[name]).all()
        assert (rows[name] <= rows[f"{name}_high"]).all()
        assert (rows[f"{name}_high"] - rows[f"{name}_low"] > 0).all()


def test_a_replicate_is_the_report_on_the_resampled_images():
    """Weighting an image by how often it is drawn equals drawing it that often."""
    catalog, predictions, _ = random_fixture(1)
    test = catalog.split_subset("test")
    report = detection_report(catalog, predictions, split="test", n_boot=3, seed=7)
    counts = bootstrap_counts(len(test), n_boot=3, seed=7)
    for r in range(3):
        drawn = np.repeat(np.arange(len(test)), counts[r])
        ids = test.samples.index[drawn]
        copies = [f"{sid}#{n}" for n, sid in enumerate(ids)]
        samples = test.samples.iloc[drawn].set_axis(pd.Index(copies, name="sample_id"))
        rename = {}
        for copy, sid in zip(copies, ids, strict=True):
            rename.setdefault(sid, []).append(copy)
        objects = _copies(test.objects, rename)
        boxes = _copies(predictions.objects[predictions.objects["sample_id"].isin(ids)], rename)
        resampled = Catalog(samples, classes=test.classes, task="detection", objects=objects,
                            background=test.background)
        direct = detection_report(resampled, Predictions(classes=predictions.classes,
                                                         objects=boxes),
                                    split=None, n_boot=0).to_frame()
        np.testing.assert_allclose(report.replicates[r], direct[["ap", "ap50", "ar"]],
                                   atol=1e-12, equal_nan=True)


def _copies(table, rename):
    table = table.assign(sample_id=table["sample_id"].astype(str).map(rename))
    return table.explode("sample_id").dropna(subset=["sample_id"]).reset_index(drop=True)


# -- errors -----------------------------------------------------------------------------------


def test_errors(hand):
    catalog, predictions = hand
    split = catalog.replace(samples=catalog.samples.assign(split="test"))
    with pytest.raises(DataError, match="no 'val' split; the splits are 'test'"):
        detection_report(split, predictions, split="val")
    with pytest.raises(Lacks, match="no split"):
        detection_report(catalog, predictions)  # split='test' on a dataset without splits
    with pytest.raises(Lacks, match="no boxes"):
        detection_report(catalog.replace(objects=None), predictions)
    with pytest.raises(Lacks, match="predictions have no boxes"):
        detection_report(catalog, Predictions(classes=("dent",)))
    renamed = predictions.objects.assign(label=["dent", "dnet", "dent"])
    with pytest.raises(DataError, match="1 predicted boxes have labels .* 'dnet'"):
        detection_report(catalog, Predictions(classes=("dent",), objects=renamed), split=None)
    with pytest.raises(ValueError, match="'n_boot' parameter"):
        detection_report(catalog, predictions, n_boot=-1)


def test_detection_slices_by_condition():
    """AP@0.5 per condition value: every box found by day, none at night."""
    from workbench.evaluate import slice_metrics

    ids = [f"i{k}" for k in range(8)]
    lighting = ["day"] * 4 + ["night"] * 4
    samples = pd.DataFrame({"filepath": ids, "width": 64, "height": 32, "split": "test",
                            "lighting": lighting}, index=pd.Index(ids, name="sample_id"))
    truth = pd.DataFrame({"sample_id": ids, "label": "crack", "x": 0.1, "y": 0.2, "w": 0.3,
                          "h": 0.4})
    catalog = Catalog(samples, classes=["crack"], task="detection", objects=truth,
                      conditions=["lighting"])
    shift = np.where(np.array(lighting) == "day", 0.0, 0.5)  # night boxes miss entirely
    pred = truth.assign(x=0.1 + shift, score=np.linspace(0.9, 0.2, 8),
                        label=pd.Categorical(["crack"] * 8, categories=["crack"]))
    table = slice_metrics(catalog, Predictions(("crack",), objects=pred), by="lighting",
                          kind="detection", n_boot=50).set_index("slice")
    assert table.loc["day", "value"] == pytest.approx(1.0)
    assert table.loc["night", "value"] == pytest.approx(0.0)
    assert table.loc["night", "rest"] == pytest.approx(1.0)
    assert bool(table.loc["night", "worse"]) and not bool(table.loc["day", "worse"])


def test_detection_slices_say_what_the_split_lacks():
    from workbench.errors import Lacks
    from workbench.evaluate import slice_metrics

    ids = ["a", "b", "c", "d"]
    samples = pd.DataFrame({"filepath": ids, "width": 40, "height": 20,
                            "split": ["train", "train", "test", "test"],
                            "lighting": ["day", "night", "day", "night"]},
                           index=pd.Index(ids, name="sample_id"))
    truth = pd.DataFrame({"sample_id": ["a", "b", "c"], "label": "crack", "x": 0.1, "y": 0.2,
                          "w": 0.3, "h": 0.4})
    catalog = Catalog(samples, classes=["crack"], task="detection", objects=truth,
                      conditions=["lighting"])
    pred = truth.assign(score=0.9, label=pd.Categorical(["crack"] * 3, categories=["crack"]))
    preds = Predictions(("crack",), objects=pred)
    table = slice_metrics(catalog, preds, by="lighting", kind="detection", n_boot=10)
    assert table["slice"].tolist() == ["day"]  # the night test image has no box: no row
    no_test_boxes = catalog.replace(objects=truth[truth["sample_id"] != "c"])
    with pytest.raises(Lacks, match="test split has no ground-truth boxes"):
        slice_metrics(no_test_boxes, preds, by="lighting", kind="detection")


def test_counts_give_precision_and_recall_and_keep_a_score_equal_to_the_minimum(hand):
    import warnings

    report = detection_report(*hand, split=None, n_boot=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # hole: 0 / 0 is NaN, silently
        counts = detection_counts(report)
    assert counts.columns.tolist() == ["tp", "fp", "fn", "precision", "recall"]
    assert counts.index.tolist() == ["dent", "hole"]
    # dent at IoU 0.5: the hit (0.9) and the false alarm (0.8); b's box missed
    assert counts.loc["dent"].tolist() == [1, 1, 1, 0.5, 0.5]
    assert counts.loc["hole", ["tp", "fp", "fn"]].tolist() == [0, 0, 0]
    assert counts.loc["hole", ["precision", "recall"]].isna().all()
    # a detection scoring exactly the minimum is kept
    at_hit = detection_counts(report, min_score=0.9).loc["dent"]
    assert at_hit.tolist() == [1, 0, 1, 1.0, 0.5]
    above = detection_counts(report, min_score=0.91).loc["dent"]
    assert above[["tp", "fp", "fn"]].tolist() == [0, 0, 2] and np.isnan(above["precision"])
    assert above["recall"] == 0.0
    with pytest.raises(ValueError, match="'iou' parameter of detection_counts"):
        detection_counts(report, iou=0.3)


def test_a_report_keeps_the_100_best_detections_per_image_by_default(hand):
    catalog, predictions = hand
    # 100 false alarms on image a, all scoring above its one hit (0.9): the hit is the 101st
    alarms = [("a", "dent", 150 + (k % 5), 60 + (k // 5) % 5, 10, 10, 0.95) for k in range(100)]
    crowded = scored(catalog, PREDS + alarms, ["intact", "dent", "hole"])
    report = detection_report(catalog, crowded, split=None, n_boot=0)
    assert detection_counts(report).loc["dent", ["tp", "fp"]].tolist() == [0, 101]
    wider = detection_report(catalog, crowded, split=None, n_boot=0, max_dets=101)
    assert detection_counts(wider).loc["dent", ["tp", "fp"]].tolist() == [1, 101]
    assert report.to_frame().index.name == "class"
    with pytest.raises(ValueError, match="'max_dets' parameter of detection_report"):
        detection_report(catalog, crowded, split=None, n_boot=0, max_dets=0)
    with pytest.raises(ValueError, match="'n_boot' parameter of detection_report"):
        detection_report(catalog, crowded, split=None, n_boot=-1)


def test_a_reports_intervals_are_percentiles_of_its_replicates_seeded_by_default():
    catalog, predictions, *_ = random_fixture(seed=3, n_images=30)
    report = detection_report(catalog, predictions, split=None, n_boot=40, confidence=0.8)
    again = detection_report(catalog, predictions, split=None, n_boot=40, seed=0,
                             confidence=0.8)
    pd.testing.assert_frame_equal(report.to_frame(), again.to_frame())
    table = report.to_frame()
    reps = report.replicates  # (replicate, class, [ap, ap50, ar])
    low = np.nanpercentile(reps, 10, axis=0)  # replicates without the class left out
    high = np.nanpercentile(reps, 90, axis=0)
    assert table["ap_low"].tolist() == pytest.approx(low[:, 0].tolist())
    assert table["ap50_high"].tolist() == pytest.approx(high[:, 1].tolist())
    assert table["ar_low"].tolist() == pytest.approx(low[:, 2].tolist())

