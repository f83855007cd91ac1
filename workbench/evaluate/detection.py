"""Per-class detection metrics with bootstrap intervals, and what the report reads out.

:func:`detection_report` matches the boxes as COCO does
(:mod:`workbench.evaluate.coco_matching`, by pycocotools) and accumulates precision and
recall for the data and every bootstrap replicate at once
(:mod:`workbench.evaluate.detection_curves`): AP@[.5:.95], AP@.5 and AR per class, with
percentile intervals over images. :func:`detection_pr` and :func:`detection_counts` read
one class's or every class's counts at a score threshold from the report.

COCO's conventions, kept: a crowd box (``iscrowd``) is never a miss, and a detection
matched to it is neither a hit nor a false alarm; ``max_dets`` is per image *and class*;
an IoU equal to the threshold matches; a class without ground truth has no AP (NaN here,
-1 in pycocotools), and a class never predicted has AP 0.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks, check_integer, check_option
from workbench.evaluate.coco_matching import _coco_matches, _predicted_boxes, _true_boxes
from workbench.evaluate.detection_curves import RECALL_THRESHOLDS, ClassMatches, class_curves
from workbench.evaluate.intervals import (
    CONFIDENCE,
    N_BOOT,
    bootstrap_counts,
    examples_needed,
    percentile_interval,
)
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.truth import evaluated_on, split_ids

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)   # pycocotools' Params: 0.50:0.05:0.95
METRICS = ("ap", "ap50", "ar")


@dataclass(frozen=True, eq=False)
class DetectionReport:
    """Per-class AP@[.5:.95], AP@.5 and AR with bootstrap intervals over images.

    ``replicates`` holds each bootstrap replicate's ``(ap, ap50, ar)`` per class,
    ``(n_boot, n_classes, 3)``; ``precision`` the 101-point curves ``(n_iou, 101,
    n_classes)``; ``matches`` each class's ranked hits, for :func:`detection_pr`.
    """

    table: pd.DataFrame
    macro: pd.Series
    split: str | None
    n_images: int
    confidence: float
    source: str
    precision: np.ndarray = field(repr=False)
    replicates: np.ndarray = field(repr=False)
    matches: tuple[ClassMatches, ...] = field(repr=False)

    def __repr__(self) -> str:
        return (f"DetectionReport({self.source} on {evaluated_on(self.split)}: "
                f"{self.n_images:,} images, {len(self.table)} classes, AP {self.macro['ap']:.3f}, "
                f"AP50 {self.macro['ap50']:.3f}, AR {self.macro['ar']:.3f})")

    def to_frame(self) -> pd.DataFrame:
        """A copy of the per-class table.

        Returns
        -------
        pandas.DataFrame
            One row per class; see :func:`detection_report`.
        """
        return self.table.copy()

    @property
    def rarest(self) -> dict:
        """The class with the fewest ground-truth boxes (at least one) and its AP50."""
        table = self.table[self.table["n_true"] > 0]
        name = table["n_true"].idxmin()
        row = table.loc[name]
        text = f"{name}: AP50 {row['ap50']:.2f}"
        if not np.isnan(row["ap50_low"]):
            text += (f" ({self.confidence:.0%} interval {row['ap50_low']:.2f} to "
                     f"{row['ap50_high']:.2f})")
        text += f" from {int(row['n_true'])} boxes"
        return {"class": name, "n_true": int(row["n_true"]), "ap50": row["ap50"],
                "ap50_low": row["ap50_low"], "ap50_high": row["ap50_high"], "text": text}

    def pr_curves(self, *, iou: float = 0.5) -> pd.DataFrame:
        """The 101-point interpolated precision-recall curve of each class with ground
        truth: a tidy table of ``class``, ``recall``, ``precision``.

        Parameters
        ----------
        iou : float
            One of the IoU thresholds 0.5, 0.55, ..., 0.95.

        Returns
        -------
        pandas.DataFrame
            101 rows per class.
        """
        curves = self.precision[_iou_index(iou, "DetectionReport.pr_curves")]
        keep = np.flatnonzero(self.table["n_true"].to_numpy() > 0)
        names = self.table.index[keep]
        return pd.DataFrame({
            "class": pd.Categorical(np.repeat(names, len(RECALL_THRESHOLDS)),
                                    categories=list(self.table.index)),
            "recall": np.tile(RECALL_THRESHOLDS, len(keep)),
            "precision": curves[:, keep].T.ravel(),
        })


def detection_report(catalog: Catalog, predictions: Predictions, *, split: str | None = "test",
                     n_boot: int = N_BOOT, seed: int = 0, confidence: float = CONFIDENCE,
                     max_dets: int = 100) -> DetectionReport:
    """COCO box metrics per class on the images of ``split``, with bootstrap intervals.

    Columns of ``.to_frame()`` (one row per class, background left out): ``ap``
    (AP@[.5:.95]), ``ap50``, ``ar`` (AR@``max_dets``), each with ``_low`` / ``_high``
    (percentile interval over ``n_boot`` resamplings of the images, seeded); ``n_true``
    (non-crowd boxes), ``n_pred``, ``n_images`` (images with a box of the class);
    ``examples_needed_05`` / ``_10``: how many more boxes would bring AP50's interval to
    +-0.05 / +-0.10, treating AP50 as a proportion of ``n_true`` boxes (an approximation:
    AP is not a proportion, but it scales like one). ``split=None`` takes every image;
    predicted boxes on other images, or of the background class, are left out.

    Parameters
    ----------
    catalog : Catalog
        With ground-truth boxes.
    predictions : Predictions
        Scored boxes.
    split : str, optional
        The split to evaluate; None: every image.
    n_boot : int
        Bootstrap replicates (resamplings of the images); 0: no intervals.
    seed : int
        Seed of the bootstrap.
    confidence : float
        Coverage of the intervals (0.95: 95%).
    max_dets : int
        Best-scoring boxes kept per image.

    Returns
    -------
    DetectionReport
        The per-class table, the macro averages and the matches behind them.

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": ["a", "b"], "width": 100, "height": 50},
    ...                  index=["a", "b"])
    >>> o = pd.DataFrame({"sample_id": ["a", "b"], "label": "dent", "x": 0.1, "y": 0.1,
    ...                   "w": 0.5, "h": 0.5})
    >>> cat = Catalog(s, classes=["dent"], task="detection", objects=o)
    >>> p = Predictions(classes=("dent",), objects=o.assign(score=[0.9, 0.2]))
    >>> detection_report(cat, p, split=None, n_boot=0).to_frame()[["ap", "ap50", "n_true"]]
            ap  ap50  n_true
    class
    dent   1.0   1.0       2
    """
    check_integer("n_boot", n_boot, func="detection_report")
    check_integer("max_dets", max_dets, least=1, func="detection_report")
    if not len(catalog.objects):
        raise Lacks("This dataset has no boxes, so there are no detection metrics: they need "
                    "ground-truth boxes (a COCO, VOC or YOLO dataset).")
    if predictions.objects is None:
        raise Lacks("The predictions have no boxes: detection metrics need scored boxes, "
                    "e.g. predictions=\"coco-results:RESULTS.json\" or \"yolo-pred:DIR\".")
    catalog = catalog.subset(split_ids(catalog, split))
    classes = tuple(c for c in catalog.classes if c != catalog.background)
    truth = _true_boxes(catalog, classes)
    if not (~truth["crowd"]).any():
        raise Lacks(f"The {split or 'whole'} split has no ground-truth boxes to evaluate on.")
    boxes = _predicted_boxes(catalog, predictions, classes)
    matches = _coco_matches(catalog, truth, boxes, len(classes), max_dets)
    counts = bootstrap_counts(len(catalog), n_boot=n_boot, seed=seed)
    ones = np.ones((1, len(catalog)), dtype=np.int64)
    point = np.empty((len(classes), 3))
    replicates = np.empty((n_boot, len(classes), 3))
    precision = np.empty((len(IOU_THRESHOLDS), len(RECALL_THRESHOLDS), len(classes)))
    for k, m in enumerate(matches):
        (p,), (r,) = class_curves(m, ones)
        precision[:, :, k] = p
        point[k] = p.mean(), p[0].mean(), r.mean()
        pb, rb = class_curves(m, counts)
        replicates[:, k] = np.stack([pb.mean(axis=(1, 2)), pb[:, 0].mean(axis=1),
                                     rb.mean(axis=1)], axis=1)
    low, high = percentile_interval(replicates, confidence=confidence)
    table = pd.DataFrame(index=pd.Index(classes, name="class"))
    for j, name in enumerate(METRICS):
        table[name] = point[:, j]
        table[f"{name}_low"], table[f"{name}_high"] = low[:, j], high[:, j]
    table["n_true"] = np.bincount(truth["label"][~truth["crowd"]], minlength=len(classes))
    table["n_pred"] = np.bincount(boxes["label"], minlength=len(classes))
    table["n_images"] = np.bincount(
        np.unique(truth["label"] * len(catalog) + truth["image"]) // len(catalog),
        minlength=len(classes))
    for half in (0.05, 0.10):
        table[f"examples_needed_{round(half * 100):02d}"] = examples_needed(
            table["ap50"], table["n_true"], halfwidth=half, confidence=confidence)
    with warnings.catch_warnings():  # a replicate may lack every class: its mean is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        macro_reps = np.nanmean(replicates, axis=1)
    m_low, m_high = percentile_interval(macro_reps, confidence=confidence)
    macro = pd.Series({k: v for j, name in enumerate(METRICS) for k, v in [
        (name, np.nanmean(point[:, j])), (f"{name}_low", m_low[j]), (f"{name}_high", m_high[j])]})
    return DetectionReport(table, macro, split, len(catalog), confidence, predictions.source,
                           precision, replicates, tuple(matches))


def detection_pr(report: DetectionReport, cls: str, *, iou: float = 0.5) -> pd.DataFrame:
    """Precision and recall of one class at every score threshold (keep the detections
    scoring at least ``score``): ``score``, ``tp``, ``fp``, ``fn``, ``precision``,
    ``recall``, highest threshold first. Detections on crowd boxes are left out.

    Parameters
    ----------
    report : DetectionReport
        From :func:`detection_report`.
    cls : str
        The class.
    iou : float
        One of the report's IoU thresholds.

    Returns
    -------
    pandas.DataFrame
        One row per distinct score; counts in boxes, precision and recall as fractions.
    """
    check_option("cls", cls, list(report.table.index), func="detection_pr")
    m = report.matches[report.table.index.get_loc(cls)]
    t = _iou_index(iou, "detection_pr")
    counted = m.tp[t] | m.fp[t]
    score, tp, fp = m.score[counted], np.cumsum(m.tp[t][counted]), np.cumsum(m.fp[t][counted])
    last = np.append(score[1:] != score[:-1], True)  # the last detection of each score
    n_true = int(m.n_true.sum())
    table = pd.DataFrame({"score": score[last], "tp": tp[last], "fp": fp[last]})
    table["fn"] = n_true - table["tp"]
    table["precision"] = table["tp"] / (table["tp"] + table["fp"])
    table["recall"] = table["tp"] / n_true if n_true else np.nan
    return table


def detection_counts(report: DetectionReport, *, iou: float = 0.5,
                     min_score: float = 0.0) -> pd.DataFrame:
    """TP, FP, FN, precision and recall per class at one IoU threshold, keeping the
    detections scoring at least ``min_score`` (the ``max_dets`` best per image).

    Parameters
    ----------
    report : DetectionReport
        From :func:`detection_report`.
    iou : float
        One of the report's IoU thresholds.
    min_score : float
        The lowest score kept.

    Returns
    -------
    pandas.DataFrame
        One row per class; counts in boxes, precision and recall as fractions.
    """
    t = _iou_index(iou, "detection_counts")
    rows = []
    for m in report.matches:
        kept = m.score >= min_score
        tp, fp = int(m.tp[t][kept].sum()), int(m.fp[t][kept].sum())
        rows.append((tp, fp, int(m.n_true.sum()) - tp))
    table = pd.DataFrame(rows, columns=["tp", "fp", "fn"], index=report.table.index)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["precision"] = table["tp"] / (table["tp"] + table["fp"])
        table["recall"] = table["tp"] / (table["tp"] + table["fn"])
    return table


def _iou_index(iou: float, func: str) -> int:
    hit = np.flatnonzero(np.isclose(IOU_THRESHOLDS, iou))
    if not len(hit):
        check_option("iou", iou, [round(float(t), 2) for t in IOU_THRESHOLDS], func=func)
    return int(hit[0])


