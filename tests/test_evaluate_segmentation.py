"""Segmentation metrics: hand-computed confusions, scikit-learn as the reference, errors."""

from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.metrics import confusion_matrix, jaccard_score

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks
from workbench.evaluate.intervals import bootstrap_counts
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.segmentation import (
    dice_from_confusion,
    iou_from_confusion,
    pixel_confusion,
    segmentation_report,
)


def masks_catalog(tmp_path, truths, preds, classes, *, mask_values=None, split=None):
    """A segmentation Catalog and Predictions from mask arrays (stored values), as PNGs."""
    ids = [f"im{i}" for i in range(len(truths))]
    true_paths, pred_paths = [], []
    for sid, truth, pred in zip(ids, truths, preds, strict=True):
        for array, paths, kind in ((truth, true_paths, "true"), (pred, pred_paths, "pred")):
            path = tmp_path / f"{sid}_{kind}.png"
            Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)
            paths.append(str(path))
    samples = pd.DataFrame({"filepath": [f"{s}.png" for s in ids],
                            "width": [np.shape(t)[1] for t in truths],
                            "height": [np.shape(t)[0] for t in truths],
                            "mask_path": true_paths}, index=ids)
    if split is not None:
        samples["split"] = split
    catalog = Catalog(samples, classes=classes, task="segmentation", mask_values=mask_values)
    predictions = Predictions(classes=tuple(classes), masks=pd.Series(pred_paths, index=ids),
                              source="model")
    return catalog, predictions


# -- the pure functions -----------------------------------------------------------------------

TRUE_3 = np.array([[0, 0, 1], [1, 1, 2], [2, 2, 2]])
PRED_3 = np.array([[0, 1, 1], [1, 2, 2], [2, 2, 0]])
CM_3 = [[1, 1, 0],   # class 0: 2 pixels, 1 right, 1 called 1
        [0, 2, 1],   # class 1: 3 pixels, 2 right, 1 called 2
        [1, 0, 3]]   # class 2: 4 pixels, 3 right, 1 called 0


def test_pixel_confusion_by_hand():
    assert pixel_confusion(TRUE_3, PRED_3, 3).tolist() == CM_3
    # rows are the truth: a true-0 pixel predicted 1 lands in row 0, column 1
    assert pixel_confusion(np.array([0]), np.array([1]), 2).tolist() == [[0, 1], [0, 0]]
    ignored = np.where(TRUE_3 == 2, -1, TRUE_3)  # ignored true pixels count nowhere
    assert pixel_confusion(ignored, PRED_3, 3).tolist() == [[1, 1, 0], [0, 2, 1], [0, 0, 0]]
    with pytest.raises(ValueError, match="class codes 0..2 .* found 3"):
        pixel_confusion(TRUE_3, np.full((3, 3), 3), 3)


def test_iou_and_dice_by_hand():
    # IoU = TP / (TP + FP + FN): 1 / 3, 2 / 4, 3 / 5; Dice = 2 TP / (2 TP + FP + FN)
    assert iou_from_confusion(np.array(CM_3)).tolist() == pytest.approx([1 / 3, 1 / 2, 3 / 5])
    assert dice_from_confusion(np.array(CM_3)).tolist() == pytest.approx([1 / 2, 2 / 3, 3 / 4])
    absent = iou_from_confusion(np.array([[2, 0], [0, 0]]))
    assert absent[0] == 1 and np.isnan(absent[1])  # a class in neither mask has no IoU
    stacked = iou_from_confusion(np.stack([CM_3, np.eye(3, dtype=int)]))
    np.testing.assert_allclose(stacked, [[1 / 3, 1 / 2, 3 / 5], [1, 1, 1]])


# -- the report --------------------------------------------------------------------------------


def test_hand_report(tmp_path):
    catalog, predictions = masks_catalog(tmp_path, [TRUE_3], [PRED_3], ["a", "b", "c"])
    report = segmentation_report(catalog, predictions, split=None, n_boot=0)
    table = report.to_frame()
    assert table["iou"].tolist() == pytest.approx([1 / 3, 1 / 2, 3 / 5])
    assert table["dice"].tolist() == pytest.approx([1 / 2, 2 / 3, 3 / 4])
    assert report.confusion.to_numpy().tolist() == CM_3
    mean = (F(1, 3) + F(1, 2) + F(3, 5)) / 3
    weighted = (2 * F(1, 3) + 3 * F(1, 2) + 4 * F(3, 5)) / 9
    assert report.summary["mean_iou"] == pytest.approx(float(mean))  # 43 / 90
    assert report.summary["fw_iou"] == pytest.approx(float(weighted))  # 137 / 270
    assert report.summary["pixel_accuracy"] == pytest.approx(6 / 9)
    assert repr(report) == ("SegmentationReport(model on all images: 1 images, 3 classes, "
                            "mean IoU 0.478, pixel accuracy 0.667)")


def test_non_square_masks_keep_truth_and_prediction_apart(tmp_path):
    # 2 x 5 masks: 7 true 0s and 3 true 1s; 4 predicted 0s and 6 predicted 1s.
    truth = [[0, 0, 0, 0, 1], [0, 0, 0, 1, 1]]
    pred = [[0, 0, 1, 1, 1], [0, 0, 1, 1, 1]]
    catalog, predictions = masks_catalog(tmp_path, [truth], [pred], ["road", "car"])
    report = segmentation_report(catalog, predictions, split=None, n_boot=0)
    table = report.to_frame()
    assert report.confusion.loc["road"].tolist() == [4, 3]  # true road called car 3 times
    assert report.confusion.loc["car"].tolist() == [0, 3]
    assert table["n_true_pixels"].tolist() == [7, 3]
    assert table["n_pred_pixels"].tolist() == [4, 6]
    assert table["iou"].tolist() == pytest.approx([4 / 7, 3 / 6])
    # weighted by the TRUE frequencies (a swapped confusion weighs by 4 and 6 instead)
    assert report.summary["fw_iou"] == pytest.approx((7 * 4 / 7 + 3 * 3 / 6) / 10)


def test_ignored_pixels_count_nowhere(tmp_path):
    truth = np.array([[0, 0, 1, 255], [255, 1, 1, 0]])
    pred = np.array([[0, 1, 1, 1], [1, 1, 1, 0]])  # both ignored pixels predicted 'car'
    catalog, predictions = masks_catalog(tmp_path, [truth], [pred], ["road", "car"])
    table = segmentation_report(catalog, predictions, split=None, n_boot=0).to_frame()
    # counted, the two ignored pixels would make car's IoU 3 / 6 instead of 3 / 4
    assert table["iou"].tolist() == pytest.approx([2 / 3, 3 / 4])
    assert table["n_true_pixels"].tolist() == [3, 3]
    assert table["n_pred_pixels"].tolist() == [2, 4]


def test_mask_values_with_gaps(tmp_path):
    values = np.array([0, 7, 9])
    catalog, predictions = masks_catalog(tmp_path, [values[TRUE_3]], [values[PRED_3]],
                                         ["a", "b", "c"], mask_values=(0, 7, 9))
    report = segmentation_report(catalog, predictions, split=None, n_boot=0)
    assert report.confusion.to_numpy().tolist() == CM_3
    assert report.to_frame()["iou"].tolist() == pytest.approx([1 / 3, 1 / 2, 3 / 5])


def random_masks(tmp_path, n_images=30, seed=0):
    rng = np.random.default_rng(seed)
    truths, preds = [], []
    for _ in range(n_images):
        h, w = rng.integers(4, 12, 2)
        truth = rng.choice(4, size=(h, w), p=[0.6, 0.25, 0.1, 0.05])
        wrong = rng.random((h, w)) < 0.3
        pred = np.where(wrong, rng.integers(0, 4, (h, w)), truth)
        truth[rng.random((h, w)) < 0.05] = 255
        truths.append(truth)
        preds.append(pred)
    classes = ["background", "lane", "car", "sign"]
    return masks_catalog(tmp_path, truths, preds, classes), truths, preds


def test_matches_scikit_learn(tmp_path):
    (catalog, predictions), truths, preds = random_masks(tmp_path)
    report = segmentation_report(catalog, predictions, split=None, n_boot=0)
    true = np.concatenate([t.ravel() for t in truths])
    pred = np.concatenate([p.ravel() for p in preds])
    labelled = true != 255
    expected = jaccard_score(true[labelled], pred[labelled], average=None, labels=range(4))
    assert report.to_frame()["iou"].to_numpy() == pytest.approx(expected)
    assert report.summary["mean_iou"] == pytest.approx(expected.mean())
    reference = confusion_matrix(true[labelled], pred[labelled], labels=range(4))
    assert report.confusion.to_numpy().tolist() == reference.tolist()
    images = [np.isin(np.arange(4), t[t != 255]) for t in truths]
    assert report.to_frame()["n_images"].tolist() == np.sum(images, axis=0).tolist()


def test_bootstrap_is_seeded_and_brackets_the_estimate(tmp_path):
    (catalog, predictions), _, _ = random_masks(tmp_path, n_images=40)
    first = segmentation_report(catalog, predictions, split=None, n_boot=200, seed=1)
    again = segmentation_report(catalog, predictions, split=None, n_boot=200, seed=1)
    other = segmentation_report(catalog, predictions, split=None, n_boot=200, seed=2)
    pd.testing.assert_frame_equal(first.to_frame(), again.to_frame())
    assert not np.allclose(first.to_frame()["iou_low"], other.to_frame()["iou_low"])
    table = first.to_frame()
    for name in ("iou", "dice"):
        assert (table[f"{name}_low"] < table[name]).all()
        assert (table[name] < table[f"{name}_high"]).all()
    for name in ("mean_iou", "fw_iou", "pixel_accuracy"):
        assert first.summary[f"{name}_low"] < first.summary[name] < first.summary[f"{name}_high"]
    assert first.replicates.shape == (200, 4)


def test_a_replicate_is_the_report_on_the_resampled_images(tmp_path):
    (catalog, predictions), _, _ = random_masks(tmp_path, n_images=12)
    report = segmentation_report(catalog, predictions, split=None, n_boot=3, seed=5)
    counts = bootstrap_counts(len(catalog), n_boot=3, seed=5)
    for r in range(3):
        drawn = np.repeat(np.arange(len(catalog)), counts[r])
        copies = pd.Index([f"copy{n}" for n in range(len(drawn))], name="sample_id")
        resampled = catalog.replace(samples=catalog.samples.iloc[drawn].set_axis(copies))
        masks = pd.Series(predictions.masks.iloc[drawn].to_numpy(), index=copies)
        direct = segmentation_report(resampled, Predictions(classes=predictions.classes,
                                                            masks=masks), split=None, n_boot=0)
        np.testing.assert_allclose(report.replicates[r], direct.to_frame()["iou"])


def test_split_restricts_the_images(tmp_path):
    truths = [TRUE_3, np.zeros((3, 3), int)]
    preds = [PRED_3, np.full((3, 3), 2)]  # the train image is all wrong
    catalog, predictions = masks_catalog(tmp_path, truths, preds, ["a", "b", "c"],
                                         split=["test", "train"])
    report = segmentation_report(catalog, predictions, n_boot=0)  # split='test'
    assert report.n_images == 1 and report.confusion.to_numpy().tolist() == CM_3
    with pytest.raises(DataError, match="no 'val' split; the splits are 'test', 'train'"):
        segmentation_report(catalog, predictions, split="val")


# -- errors -------------------------------------------------------------------------------------


def test_wrong_predicted_masks_are_named(tmp_path):
    truth = [[0, 1], [1, 1]]
    catalog, predictions = masks_catalog(tmp_path, [truth], [[[0, 1, 1], [1, 1, 1]]],
                                         ["road", "car"])
    with pytest.raises(DataError, match=r"im0_pred.png' is 3x2 but the true mask .*im0_true"
                                        r".png' is 2x2"):
        segmentation_report(catalog, predictions, split=None)
    catalog, predictions = masks_catalog(tmp_path, [truth], [[[0, 5], [1, 1]]], ["road", "car"])
    with pytest.raises(DataError, match=r"im0_pred.png' has the values 5, which are no class"):
        segmentation_report(catalog, predictions, split=None)
    catalog, predictions = masks_catalog(tmp_path, [truth], [[[0, 255], [1, 1]]],
                                         ["road", "car"])
    with pytest.raises(DataError, match=r"1 pixels of the predicted mask .* ignore value 255"):
        segmentation_report(catalog, predictions, split=None)


def test_missing_parts(tmp_path):
    catalog, predictions = masks_catalog(tmp_path, [TRUE_3, TRUE_3], [PRED_3, PRED_3],
                                         ["a", "b", "c"])
    with pytest.raises(DataError, match="1 of the 2 images evaluated have no predicted "
                                        "mask: 'im1'"):
        segmentation_report(catalog, split=None, predictions=Predictions(
            classes=("a", "b", "c"), masks=predictions.masks.iloc[:1]))
    with pytest.raises(Lacks, match="predictions have no masks"):
        segmentation_report(catalog, Predictions(classes=("a", "b", "c")))
    with pytest.raises(Lacks, match="This dataset has no masks"):
        segmentation_report(catalog.replace(samples=catalog.samples.drop(columns="mask_path")),
                            predictions)


def test_a_report_pinned_names_confidence_and_default_seed(tmp_path):
    (catalog, predictions), _, _ = random_masks(tmp_path, n_images=15)
    report = segmentation_report(catalog, predictions, split=None, n_boot=60, confidence=0.8)
    table = report.to_frame()
    assert table.index.name == "class"
    assert table.columns.tolist() == ["iou", "iou_low", "iou_high", "dice", "dice_low",
                                      "dice_high", "n_true_pixels", "n_pred_pixels", "n_images"]
    assert (report.confusion.index.name, report.confusion.columns.name) == ("true",
                                                                           "predicted")
    assert report.confusion.index.tolist() == list(catalog.classes)
    assert (report.split, report.confidence, report.n_images) == (None, 0.8, 15)
    # the 80% interval is the 10th and 90th percentile of the replicates (the default seed 0)
    same = segmentation_report(catalog, predictions, split=None, n_boot=60, seed=0,
                               confidence=0.8)
    np.testing.assert_array_equal(report.replicates, same.replicates)
    iou = report.replicates
    assert table["iou_low"].tolist() == pytest.approx(np.percentile(iou, 10, axis=0).tolist())
    assert table["iou_high"].tolist() == pytest.approx(np.percentile(iou, 90, axis=0).tolist())
    dice = 2 * iou / (1 + iou)
    assert table["dice_low"].tolist() == pytest.approx(np.percentile(dice, 10, axis=0).tolist())
    mean_iou = np.percentile(iou.mean(axis=1), [10, 90])
    assert [report.summary["mean_iou_low"], report.summary["mean_iou_high"]] == pytest.approx(
        mean_iou.tolist())
    assert list(report.summary.index) == [
        "mean_iou", "mean_iou_low", "mean_iou_high", "fw_iou", "fw_iou_low", "fw_iou_high",
        "pixel_accuracy", "pixel_accuracy_low", "pixel_accuracy_high"]
    with pytest.raises(ValueError, match="'n_boot' parameter of segmentation_report"):
        segmentation_report(catalog, predictions, split=None, n_boot=-1)


def test_no_mask_in_the_split_names_it(tmp_path):
    catalog, predictions = masks_catalog(tmp_path, [TRUE_3, TRUE_3], [PRED_3, PRED_3],
                                         ["a", "b", "c"], split=["train", "test"])
    no_test_mask = catalog.replace(samples=catalog.samples.assign(
        mask_path=[catalog.samples["mask_path"].iloc[0], None]))
    with pytest.raises(Lacks, match="No image of the test split has a mask"):
        segmentation_report(no_test_mask, predictions)
    assert segmentation_report(no_test_mask, predictions, split=None, n_boot=0).n_images == 1


def test_pixel_confusion_at_its_edges():
    from workbench.evaluate.segmentation import pixel_confusion

    # 200 classes: 40,000 cells, past int16; uint8 masks must not overflow
    big = pixel_confusion(np.array([199, 0, 5], np.uint8), np.array([199, 3, 5], np.uint8),
                          200)
    assert big.shape == (200, 200) and big.sum() == 3
    assert (big[199, 199], big[0, 3], big[5, 5]) == (1, 1, 1)
    # a prediction outside the classes is fine where the truth is ignored, even with code 0
    assert pixel_confusion(np.array([0, -1]), np.array([0, 5]), 2).tolist() == [[1, 0],
                                                                               [0, 0]]
    with pytest.raises(ValueError, match=r"class codes 0..1 where the truth is labelled; "
                                         r"found 5"):
        pixel_confusion(np.array([0, 1]), np.array([0, 5]), 2)
    with pytest.raises(ValueError, match="found -1"):
        pixel_confusion(np.array([0, 1]), np.array([-1, 1]), 2)
    empty = pixel_confusion(np.array([], int), np.array([], int), 3)
    assert empty.tolist() == [[0] * 3] * 3


def test_metrics_of_a_stack_of_confusions_and_of_absent_classes_raise_no_warning():
    """Two replicates stacked: (2, 3, 3). Class 2 is nowhere in the first: NaN IoU and Dice,
    left out of the mean, weight 0 in the frequency-weighted IoU; no RuntimeWarning."""
    import warnings

    from workbench.evaluate.segmentation import _margins, _summary, dice_from_confusion

    stack = np.array([[[3, 1, 0], [2, 4, 0], [0, 0, 0]],
                      [[5, 0, 1], [0, 2, 0], [1, 0, 1]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        iou = iou_from_confusion(stack)
        dice = dice_from_confusion(stack)
        tp, n_true, n_pred = _margins(stack)
        summary = _summary(tp, n_true, n_pred)
        empty = _summary(*_margins(np.zeros((3, 3), dtype=int)))
    assert tp.tolist() == [[3, 4, 0], [5, 2, 1]]
    assert n_true.tolist() == [[4, 6, 0], [6, 2, 2]] and n_pred.tolist() == [[5, 5, 0], [6, 2, 2]]
    np.testing.assert_allclose(iou[0, :2], [3 / 6, 4 / 7])
    assert np.isnan(iou[0, 2]) and np.isnan(dice[0, 2])
    np.testing.assert_allclose(iou[1], [5 / 7, 1.0, 1 / 3])
    np.testing.assert_allclose(dice[0, :2], [6 / 9, 8 / 11])
    np.testing.assert_allclose(summary[0], [(3 / 6 + 4 / 7) / 2, (4 * 3 / 6 + 6 * 4 / 7) / 10,
                                            7 / 10])
    np.testing.assert_allclose(summary[1], [(5 / 7 + 1 + 1 / 3) / 3,
                                            (6 * 5 / 7 + 2 * 1 + 2 / 3) / 10, 8 / 10])
    assert np.isnan(empty).all()


def test_a_class_predicted_but_never_true_weighs_nothing_in_the_frequency_weighted_iou():
    from workbench.evaluate.segmentation import _margins, _summary

    cm = np.array([[4, 0, 2], [0, 4, 0], [0, 0, 0]])  # class 2 predicted 2x, never true
    summary = _summary(*_margins(cm))
    np.testing.assert_allclose(summary, [(4 / 6 + 1 + 0) / 3, (6 * 4 / 6 + 4 * 1) / 10, 0.8])


def test_the_ignore_value_predicted_on_the_first_class_is_named_too(tmp_path):
    """Class 0 ('road', code 0) is labelled like any class: predicting the ignore value
    there is the predictor's error, named, not a crash further down."""
    catalog, predictions = masks_catalog(tmp_path, [[[0, 1], [1, 1]]], [[[255, 1], [1, 1]]],
                                         ["road", "car"])
    with pytest.raises(DataError, match=r"1 pixels of the predicted mask .* ignore value 255"):
        segmentation_report(catalog, predictions, split=None)


def test_a_class_of_one_true_pixel_weighs_one_pixel_in_the_frequency_weighted_iou():
    from workbench.evaluate.segmentation import _margins, _summary

    cm = np.array([[5, 1], [0, 1]])  # class 1: one true pixel, found; one false positive
    summary = _summary(*_margins(cm))
    np.testing.assert_allclose(summary, [(5 / 6 + 1 / 2) / 2, (6 * 5 / 6 + 1 * 1 / 2) / 7,
                                         6 / 7])


def test_a_report_on_a_split_says_so(tmp_path):
    truths = [[[0, 1], [1, 1]], [[1, 1], [0, 0]]]
    catalog, predictions = masks_catalog(tmp_path, truths, truths, ["road", "car"],
                                         split=["train", "test"])
    report = segmentation_report(catalog, predictions, split="test", n_boot=10)
    assert report.split == "test" and report.n_images == 1
    assert "test" in repr(report).splitlines()[0]


def test_two_predicted_masks_for_one_image_are_refused_by_name(tmp_path):
    truths = [[[0, 1], [1, 1]], [[1, 1], [0, 0]]]
    catalog, predictions = masks_catalog(tmp_path, truths, truths, ["road", "car"])
    twice = pd.concat([predictions.masks, predictions.masks.iloc[:1]])
    doubled = Predictions(classes=predictions.classes, masks=twice)
    with pytest.raises(DataError, match=r"give 1 images more than one mask: 'im0'\. Give one"):
        segmentation_report(catalog, doubled, split=None)
