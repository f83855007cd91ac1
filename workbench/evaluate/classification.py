"""Per-class classification metrics with intervals, from image scores.

Two kinds of truth: an image ``label`` (one class per image: argmax decisions, a
confusion matrix), or, for detection and segmentation data without image labels, which
classes an image contains (one yes/no question per class, answered at a threshold).
Precision and recall get Wilson intervals; F1, AP and the macro averages a seeded
bootstrap over images. Following the lesson on class imbalance in computer vision: read
per-class recall and F1, macro averages and PR AUC, not accuracy. Balanced accuracy and
MCC are in :mod:`workbench.evaluate.summary_metrics`; one class against the rest at a
threshold in :mod:`workbench.evaluate.one_vs_rest`; the accuracy paradox in
:mod:`workbench.evaluate.accuracy_paradox`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, passes_missing
from workbench.evaluate.intervals import (
    CONFIDENCE,
    N_BOOT,
    bootstrap_counts,
    examples_needed,
    percentile_interval,
    wilson_interval,
)
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.ranking import weighted_average_precision
from workbench.evaluate.summary_metrics import balanced_accuracy, mcc, mcc_of_confusions
from workbench.evaluate.truth import Truth, aligned_scores, decide, image_truth, split_ids


@dataclass(frozen=True, eq=False)
class ClassificationReport:
    """Per-class metrics of image scores on one split, with their intervals.

    ``to_frame()``: one row per class (rarest first), the columns ``support`` (images
    of the class), ``precision``, ``recall``, ``f1``, ``ap`` (PR AUC), each with
    ``_low`` / ``_high``, ``prevalence`` (AP of a no-skill model), ``specificity``,
    ``g_mean``, ``iba``, and ``recall_more_05`` / ``recall_more_10``: how many more
    images of the class would bring the recall interval to +-0.05 / +-0.10.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    confusion: pd.DataFrame | None
    truth: Truth
    scores: np.ndarray
    decisions: np.ndarray
    split: str | None
    source: str
    confidence: float

    def __repr__(self) -> str:
        s = self.summary["value"]
        kind = "single label" if self.truth.single_label else "labels per class"
        return (f"ClassificationReport({self.split or 'all'} split, {len(self.truth.sample_ids)}"
                f" images, {kind}: macro F1 {s['macro_f1']:.3f}, balanced accuracy "
                f"{s['balanced_accuracy']:.3f}, worst-class recall {s['worst_class_recall']:.3f})")

    def to_frame(self) -> pd.DataFrame:
        """The per-class table.

        Returns
        -------
        pandas.DataFrame
            One row per class, rarest first: support in images, metrics and their intervals as
            fractions.
        """
        return self.table

    def uncertain(self, *, halfwidth: float = 0.1) -> pd.Index:
        """Classes whose recall interval is wider than +-``halfwidth``: their numbers mean
        little until the test split has more of them.

        Parameters
        ----------
        halfwidth : float
            Largest half-width of the recall interval, a fraction.

        Returns
        -------
        pandas.Index
            The classes (those without a recall too).
        """
        width = (self.table["recall_high"] - self.table["recall_low"]) / 2
        return self.table.index[(width > halfwidth) | self.table["recall"].isna()]

    def pr_curves(self) -> pd.DataFrame:
        """Per class: precision and recall at each distinct score (tidy: class, recall,
        precision, threshold), and the no-skill precision (the class's prevalence).

        Returns
        -------
        pandas.DataFrame
            Columns class, recall, precision, threshold, no_skill; classes with no positive
            image left out.
        """
        from workbench.evaluate.ranking import pr_curve

        parts = []
        for k, name in enumerate(self.truth.classes):
            y = self.truth.matrix[:, k]
            if not y.any():
                continue
            precision, recall, threshold = pr_curve(y, self.scores[:, k])
            parts.append(pd.DataFrame({"class": name, "recall": recall, "precision": precision,
                                       "threshold": threshold, "no_skill": y.mean()}))
        return pd.concat(parts, ignore_index=True)


@passes_missing
def classification_report(catalog: Catalog, predictions: Predictions, *,
                          split: str | None = "test", thresholds=None, n_boot: int = N_BOOT,
                          seed: int = 0, confidence: float = CONFIDENCE) -> ClassificationReport:
    """Per-class precision, recall, F1, AP (each with an interval), specificity, G-mean and
    IBA, the macro and weighted averages, balanced accuracy, MCC and the confusion matrix
    normalised by the true class, rarest class first.

    Parameters
    ----------
    catalog : Catalog
        The truth; one image is one example.
    predictions : Predictions
        Image-level scores per class.
    split : str, optional
        The split to evaluate; None: every image.
    thresholds : pandas.Series or sequence of float, optional
        One per class (a Series by class or a sequence), see :func:`decide`.
    n_boot : int
        Bootstrap replicates for the intervals.
    seed : int
        Seed of the bootstrap.
    confidence : float
        Coverage of the intervals (0.95: 95%).

    Returns
    -------
    ClassificationReport
        Per-class table, summary, confusion matrix (single-label data) and the aligned
        truth, scores and decisions.
    """
    ids = split_ids(catalog, split)
    if not len(ids):
        raise DataError(f"The {split!r} split has no images.")
    truth = image_truth(catalog, ids)
    scores = aligned_scores(predictions, truth)
    if isinstance(thresholds, pd.Series):
        thresholds = thresholds.reindex(list(truth.classes)).fillna(
            1.0 if truth.single_label else 0.5).to_numpy(float)
    decisions = decide(scores, truth, thresholds)
    table = _per_class(truth, scores, decisions, n_boot=n_boot, seed=seed,
                       confidence=confidence)
    summary = _summary(truth, decisions, table, n_boot=n_boot, seed=seed,
                       confidence=confidence)
    order = table.sort_values(["support", "recall"], kind="stable").index
    confusion = None
    if truth.single_label:
        from sklearn.metrics import confusion_matrix

        codes = [truth.classes.index(c) for c in order]
        cm = confusion_matrix(truth.codes, decisions.argmax(axis=1), labels=codes)
        with np.errstate(invalid="ignore", divide="ignore"):
            normalised = cm / cm.sum(axis=1, keepdims=True)
        confusion = pd.DataFrame(normalised, index=pd.Index(order, name="true"),
                                 columns=pd.Index(order, name="predicted"))
    return ClassificationReport(table=table.loc[order], summary=summary, confusion=confusion,
                                truth=truth, scores=scores, decisions=decisions, split=split,
                                source=predictions.source, confidence=confidence)


def _per_class(truth: Truth, scores, decisions, *, n_boot, seed, confidence) -> pd.DataFrame:
    y, d = truth.matrix, decisions
    tp = (y & d).sum(axis=0)
    support, predicted, n = y.sum(axis=0), d.sum(axis=0), len(y)
    tn = ((~y) & (~d)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / predicted, np.nan)
        recall = np.where(support > 0, tp / support, np.nan)
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), np.nan)
        specificity = np.where(n - support > 0, tn / (n - support), np.nan)
    g_mean = np.sqrt(recall * specificity)
    iba = (1 + 0.1 * (recall - specificity)) * g_mean**2  # imbalanced-learn's alpha = 0.1
    p_low, p_high = wilson_interval(tp, predicted, confidence=confidence)
    r_low, r_high = wilson_interval(tp, support, confidence=confidence)
    counts = bootstrap_counts(n, n_boot=n_boot, seed=seed)
    tp_b, sup_b, pred_b = counts @ (y & d), counts @ y, counts @ d
    with np.errstate(invalid="ignore", divide="ignore"):
        f1_b = np.where(sup_b + pred_b > 0, 2 * tp_b / (sup_b + pred_b), np.nan)
        f1_b = np.where(sup_b > 0, f1_b, np.nan)  # a replicate without the class says nothing
    f1_low, f1_high = percentile_interval(f1_b, confidence=confidence)
    ap = np.full(len(truth.classes), np.nan)
    ap_low, ap_high = ap.copy(), ap.copy()
    for k in np.flatnonzero(support > 0):
        ap[k] = weighted_average_precision(y[:, k], scores[:, k], np.ones(n))
        replicates = weighted_average_precision(y[:, k], scores[:, k], counts)
        low, high = percentile_interval(replicates[:, None], confidence=confidence)
        ap_low[k], ap_high[k] = low[0], high[0]
    return pd.DataFrame({
        "support": support, "precision": precision, "precision_low": p_low,
        "precision_high": p_high, "recall": recall, "recall_low": r_low, "recall_high": r_high,
        "f1": f1, "f1_low": f1_low, "f1_high": f1_high, "ap": ap, "ap_low": ap_low,
        "ap_high": ap_high, "prevalence": support / n, "specificity": specificity,
        "g_mean": g_mean, "iba": iba,
        "recall_more_05": examples_needed(recall, support, halfwidth=0.05),
        "recall_more_10": examples_needed(recall, support, halfwidth=0.10),
    }, index=pd.Index(truth.classes, name="class"))


def _summary(truth: Truth, decisions, table, *, n_boot, seed, confidence) -> pd.DataFrame:
    y, d = truth.matrix, decisions
    present = table["support"].to_numpy() > 0
    weights = table["support"].to_numpy(float)
    values = {
        "accuracy": float((y == d).all(axis=1).mean()),
        "balanced_accuracy": float(balanced_accuracy(
            y, d, np.ones((1, len(y))), single_label=truth.single_label)[0]),
        "macro_f1": float(table["f1"][present].mean()),
        "weighted_f1": float(np.nansum(table["f1"] * weights) / weights.sum()),
        "worst_class_recall": float(table["recall"][present].min()),
    }
    if truth.single_label:
        values["mcc"] = mcc(truth.codes, d.argmax(axis=1), len(truth.classes))
    counts = bootstrap_counts(len(y), n_boot=n_boot, seed=seed)
    tp_b, sup_b, pred_b = counts @ (y & d), counts @ y, counts @ d
    with np.errstate(invalid="ignore", divide="ignore"):
        recall_b = np.where(sup_b > 0, tp_b / sup_b, np.nan)[:, present]
        f1_b = np.where(sup_b > 0, 2 * tp_b / (sup_b + pred_b), np.nan)[:, present]
    with warnings.catch_warnings():  # a replicate without any example of a class: NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        replicates = {
            "accuracy": counts @ (y == d).all(axis=1) / counts.sum(axis=1),
            "balanced_accuracy": balanced_accuracy(y, d, counts,
                                                   single_label=truth.single_label),
            "macro_f1": np.nanmean(f1_b, axis=1),
            "weighted_f1": np.nansum(f1_b * sup_b[:, present], axis=1)
            / sup_b[:, present].sum(axis=1),
            "worst_class_recall": np.nanmin(recall_b, axis=1),
        }
        if truth.single_label:
            k = len(truth.classes)
            pairs = sparse.csr_matrix((np.ones(len(y)), (np.arange(len(y)), truth.codes * k
                                                        + d.argmax(axis=1))),
                                      shape=(len(y), k * k))
            confusions = np.asarray((sparse.csr_matrix(counts) @ pairs).todense())
            replicates["mcc"] = mcc_of_confusions(confusions.reshape(-1, k, k))
    frame = pd.DataFrame({"value": pd.Series(values)})
    for name, reps in replicates.items():
        low, high = percentile_interval(reps[:, None], confidence=confidence)
        frame.loc[name, ["low", "high"]] = [low[0], high[0]]
    return frame.rename_axis("metric")


@passes_missing
def confusion(report: ClassificationReport) -> pd.DataFrame:
    """The row-normalised confusion matrix, rarest class first; single-label data only.

    Parameters
    ----------
    report : ClassificationReport
        A single-label report.

    Returns
    -------
    pandas.DataFrame
        Fractions of each true class's images, true x predicted.
    """
    if report.confusion is None:
        raise Lacks("A confusion matrix needs one label per image; these images carry "
                    "several classes each, so each class is judged on its own (its precision "
                    "and recall above).")
    return report.confusion


