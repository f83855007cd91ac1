"""Per-class IoU and Dice of predicted masks, with bootstrap intervals over images.

Each image gives one pixel confusion matrix (a ``bincount`` of ``true * K + pred`` over
its labelled pixels); the dataset's matrix is their sum, and a bootstrap replicate is a
weighted sum (an image drawn c times counts c times), so all replicates are one matrix
product. Pixels whose *true* value is the ignore index count nowhere. FiftyOne's
``evaluate_segmentations`` gives no per-class IoU, hence this module.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, check_integer, some
from workbench.evaluate.intervals import (
    CONFIDENCE,
    N_BOOT,
    bootstrap_counts,
    percentile_interval,
)
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.truth import evaluated_on, split_ids
from workbench.mask_values import mask_lookup
from workbench.sources.pixels import read_mask

SUMMARY = ("mean_iou", "fw_iou", "pixel_accuracy")


def pixel_confusion(true_codes, pred_codes, n_classes: int) -> np.ndarray:
    """Pixel counts per (true, predicted) class: rows true, columns predicted.

    Pixels whose true code is negative (ignored) are left out; every other pixel needs a
    predicted code in ``0..n_classes-1``.

    Parameters
    ----------
    true_codes, pred_codes : array of int
        Class codes per pixel, of one shape.
    n_classes : int
        Number of classes.

    Returns
    -------
    numpy.ndarray of int
        (n_classes, n_classes) pixel counts.

    Examples
    --------
    >>> pixel_confusion(np.array([[0, 1, 1, -1]]), np.array([[0, 1, 0, 1]]), 2)
    array([[1, 0],
           [1, 1]])
    """
    true = np.asarray(true_codes).ravel()
    pred = np.asarray(pred_codes).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"true_codes and pred_codes need the same number of pixels; got "
                         f"{np.shape(true_codes)} and {np.shape(pred_codes)}.")
    labelled = true >= 0
    if pred.min(initial=0) < 0 or pred.max(initial=0) >= n_classes:
        wrong = labelled & ((pred < 0) | (pred >= n_classes))
        if wrong.any():
            raise ValueError(f"pred_codes must be class codes 0..{n_classes - 1} where the "
                             f"truth is labelled; found {some(np.unique(pred[wrong]))}.")
    cells = n_classes * n_classes  # one more bin, the last, gathers the ignored pixels
    narrow = np.int16 if cells < np.iinfo(np.int16).max else np.intp  # for uint8 masks
    dtype = np.result_type(true.dtype, pred.dtype, narrow)
    flat = np.multiply(true, n_classes, dtype=dtype if dtype.kind == "i" else np.intp)
    flat += pred  # in place: fewer temporaries are faster on megapixel masks
    np.copyto(flat, cells, where=~labelled)
    return np.bincount(flat, minlength=cells + 1)[:cells].reshape(n_classes, n_classes)


def iou_from_confusion(confusion) -> np.ndarray:
    """Per-class IoU, TP / (TP + FP + FN), of confusion matrices ``(..., K, K)`` (rows
    true); NaN for a class neither in the truth nor in the prediction.

    Parameters
    ----------
    confusion : array of int
        Pixel counts, (..., K, K).

    Returns
    -------
    numpy.ndarray of float
        (..., K), fractions.

    Examples
    --------
    >>> iou_from_confusion(np.array([[1, 0], [1, 1]])).round(3).tolist()
    [0.5, 0.5]
    """
    tp, n_true, n_pred = _margins(confusion)
    return _iou(tp, n_true, n_pred)


def dice_from_confusion(confusion) -> np.ndarray:
    """Per-class Dice, 2 TP / (2 TP + FP + FN); NaN where the class is nowhere.

    Parameters
    ----------
    confusion : array of int
        Pixel counts, (..., K, K), rows true.

    Returns
    -------
    numpy.ndarray of float
        (..., K), fractions.

    Examples
    --------
    >>> dice_from_confusion(np.array([[1, 0], [1, 1]])).round(3).tolist()
    [0.667, 0.667]
    """
    tp, n_true, n_pred = _margins(confusion)
    return _dice(tp, n_true, n_pred)


def _margins(confusion):
    cm = np.asarray(confusion)
    return np.diagonal(cm, axis1=-2, axis2=-1), cm.sum(axis=-1), cm.sum(axis=-2)


def _iou(tp, n_true, n_pred):
    with np.errstate(invalid="ignore", divide="ignore"):
        return tp / (n_true + n_pred - tp)


def _dice(tp, n_true, n_pred):
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2 * tp / (n_true + n_pred)


def _summary(tp, n_true, n_pred) -> np.ndarray:
    """Mean IoU (over classes in truth or prediction), frequency-weighted IoU and pixel
    accuracy of margins ``(..., K)``: ``(..., 3)``."""
    iou = _iou(tp, n_true, n_pred)
    total = n_true.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a replicate with no class at all
        mean = np.nanmean(iou, axis=-1)
        weighted = (np.where(n_true > 0, iou, 0.0) * n_true).sum(axis=-1) / total
        accuracy = tp.sum(axis=-1) / total
    return np.stack([mean, weighted, accuracy], axis=-1)


@dataclass(frozen=True, eq=False)
class SegmentationReport:
    """Per-class IoU and Dice with bootstrap intervals; the summary; the confusion.

    ``summary`` holds ``mean_iou``, ``fw_iou``, ``pixel_accuracy`` (each with ``_low`` /
    ``_high``); ``confusion`` the pixel counts, rows true, columns predicted;
    ``replicates`` each bootstrap replicate's per-class IoU ``(n_boot, n_classes)``.
    """

    table: pd.DataFrame
    summary: pd.Series
    confusion: pd.DataFrame
    split: str | None
    n_images: int
    confidence: float
    source: str
    replicates: np.ndarray = field(repr=False)

    def __repr__(self) -> str:
        return (f"SegmentationReport({self.source} on {evaluated_on(self.split)}: "
                f"{self.n_images:,} images, {len(self.table)} classes, mean IoU "
                f"{self.summary['mean_iou']:.3f}, pixel accuracy "
                f"{self.summary['pixel_accuracy']:.3f})")

    def to_frame(self) -> pd.DataFrame:
        """A copy of the per-class table.

        Returns
        -------
        pandas.DataFrame
            One row per class; see :func:`segmentation_report`.
        """
        return self.table.copy()


def segmentation_report(catalog: Catalog, predictions: Predictions, *,
                        split: str | None = "test", n_boot: int = N_BOOT, seed: int = 0,
                        confidence: float = CONFIDENCE) -> SegmentationReport:
    """Per-class IoU and Dice of the predicted masks on the images of ``split``.

    Columns of ``.to_frame()`` (every class, the background too, in class order):
    ``iou``, ``dice`` (each with ``_low`` / ``_high``: percentile interval over
    ``n_boot`` seeded resamplings of the images), ``n_true_pixels``, ``n_pred_pixels``,
    ``n_images`` (images whose truth has the class). Only images with a true mask are
    evaluated; ``split=None`` takes every image.

    Parameters
    ----------
    catalog : Catalog
        With true masks.
    predictions : Predictions
        With a predicted mask per evaluated image.
    split : str, optional
        The split to evaluate; None: every image.
    n_boot : int
        Bootstrap replicates (resamplings of the images); 0: no intervals.
    seed : int
        Seed of the bootstrap.
    confidence : float
        Coverage of the intervals (0.95: 95%).

    Returns
    -------
    SegmentationReport
        The per-class table, summary and pixel confusion matrix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> Image.fromarray(np.array([[0, 1], [1, 1]], np.uint8)).save(d / "t.png")
    >>> Image.fromarray(np.array([[0, 1], [0, 1]], np.uint8)).save(d / "p.png")
    >>> s = pd.DataFrame({"filepath": ["a.png"], "width": 2, "height": 2,
    ...                   "mask_path": [str(d / "t.png")]}, index=["a"])
    >>> cat = Catalog(s, classes=["road", "car"], task="segmentation")
    >>> p = Predictions(classes=("road", "car"), masks=pd.Series({"a": str(d / "p.png")}))
    >>> report = segmentation_report(cat, p, split=None, n_boot=0)
    >>> report.to_frame()[["iou", "dice", "n_true_pixels"]].round(2)
           iou  dice  n_true_pixels
    class
    road  0.50  0.67              1
    car   0.67  0.80              3
    >>> import shutil; shutil.rmtree(d)
    """
    check_integer("n_boot", n_boot, func="segmentation_report")
    if not catalog.has_masks:
        raise Lacks("This dataset has no masks, so there are no segmentation metrics: they "
                    "need a class-index mask per image (a masks: or COCO panoptic dataset).")
    if predictions.masks is None:
        raise Lacks("The predictions have no masks: segmentation metrics need a predicted "
                    "class-index PNG per image, e.g. predictions=\"masks-pred:DIR\".")
    catalog = catalog.subset(split_ids(catalog, split))
    true_paths = catalog.samples["mask_path"].dropna()
    if not len(true_paths):
        where = f"the {split} split" if split is not None else "the Catalog"
        raise Lacks(f"No image of {where} has a mask to evaluate on.")
    masks = predictions.masks.copy()
    masks.index = masks.index.astype(str)
    twice = masks.index[masks.index.duplicated()].unique()
    if len(twice):
        raise DataError(f"The predictions give {len(twice)} images more than one mask: "
                        f"{some(twice)}. Give one predicted mask per image.")
    absent = true_paths.index.difference(masks.index, sort=False)
    if len(absent):
        raise DataError(f"{len(absent)} of the {len(true_paths)} images evaluated have no "
                        f"predicted mask: {some(absent)}. Predict a mask for every image with "
                        "a true mask, or evaluate a subset (catalog.subset(ids)).")
    n_classes = len(catalog.classes)
    jobs = list(zip(true_paths.tolist(), masks[true_paths.index].astype(str).tolist(),
                    strict=True))
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    per_image = np.empty((len(jobs), 3, n_classes), dtype=np.int64)  # tp, true, pred
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        # reading is the per-image part (I/O); each image's matrix is summed as it comes
        for i, cm in enumerate(pool.map(lambda job: _image_confusion(catalog, *job), jobs)):
            confusion += cm
            per_image[i] = _margins(cm)
    per_image = per_image.reshape(len(jobs), 3 * n_classes)
    tp, n_true, n_pred = per_image.sum(axis=0).reshape(3, n_classes)
    counts = bootstrap_counts(len(jobs), n_boot=n_boot, seed=seed)
    b_tp, b_true, b_pred = (counts @ per_image).reshape(n_boot, 3, n_classes).transpose(1, 0, 2)
    table = pd.DataFrame(index=pd.Index(catalog.classes, name="class"))
    replicates = _iou(b_tp, b_true, b_pred)
    for name, formula in (("iou", _iou), ("dice", _dice)):
        table[name] = formula(tp, n_true, n_pred)
        low, high = percentile_interval(formula(b_tp, b_true, b_pred), confidence=confidence)
        table[f"{name}_low"], table[f"{name}_high"] = low, high
    table["n_true_pixels"], table["n_pred_pixels"] = n_true, n_pred
    table["n_images"] = (per_image[:, n_classes:2 * n_classes] > 0).sum(axis=0)
    point = _summary(tp, n_true, n_pred)
    low, high = percentile_interval(_summary(b_tp, b_true, b_pred), confidence=confidence)
    summary = pd.Series({k: v for j, name in enumerate(SUMMARY) for k, v in [
        (name, point[j]), (f"{name}_low", low[j]), (f"{name}_high", high[j])]})
    confusion = pd.DataFrame(confusion,
                             index=pd.Index(catalog.classes, name="true"),
                             columns=pd.Index(catalog.classes, name="predicted"))
    return SegmentationReport(table, summary, confusion, split, len(jobs), confidence,
                              predictions.source, replicates)


def _image_confusion(catalog: Catalog, true_path: str, pred_path: str) -> np.ndarray:
    """The pixel confusion of one image, its predicted values checked."""
    truth, pred = read_mask(true_path), read_mask(pred_path)
    if truth.shape != pred.shape:
        raise DataError(f"The predicted mask {pred_path!r} is {pred.shape[1]}x{pred.shape[0]} "
                        f"but the true mask {true_path!r} is {truth.shape[1]}x{truth.shape[0]} "
                        "(width x height). Predict at the size of the true mask.")
    true_codes = catalog.mask_codes(truth)
    lookup = mask_lookup(catalog.mask_values, catalog.ignore_index, int(pred.max(initial=0)))
    pred_codes = lookup[np.clip(pred, 0, None)]
    unknown = (pred_codes == -2) | (pred < 0)
    if unknown.any():
        raise DataError(f"The predicted mask {pred_path!r} has the values "
                        f"{some(np.unique(pred[unknown]))}, which are no class's mask value. "
                        f"The classes {some(catalog.classes, n=10)} have the values "
                        f"{some(catalog.mask_values, n=10)}; write each pixel's class value.")
    unlabelled = (pred_codes < 0) & (true_codes >= 0)
    if unlabelled.any():
        raise DataError(f"{int(unlabelled.sum())} pixels of the predicted mask {pred_path!r} "
                        f"have the ignore value {catalog.ignore_index} where the true mask "
                        f"{true_path!r} has a class. Predict a class for every labelled pixel.")
    return pixel_confusion(true_codes, pred_codes, len(catalog.classes))
