"""Fixes that need no retraining: per-class thresholds, logit adjustment, calibration.

Resampling and class weights shift a model's probabilities towards the rare classes;
so does choosing thresholds. Thresholds are chosen on the validation split and judged
on the test split: choosing them on the test split would grade the model on the
answers it was tuned to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.ranking import pr_curve
from workbench.evaluate.truth import aligned_scores, image_truth, split_ids


def tune_thresholds(catalog: Catalog, predictions: Predictions, *, split: str | None = "val",
                    target_precision: float | None = None) -> pd.DataFrame:
    """Per class, the score threshold with the best F1 on ``split`` (one-vs-rest), and
    with ``target_precision`` the lowest threshold reaching it (highest recall at that
    precision; NaN if none does).

    Parameters
    ----------
    catalog : Catalog
        The truth.
    predictions : Predictions
        Image-level scores per class.
    split : str, optional
        The split to tune on; None: every image.
    target_precision : float, optional
        A precision (fraction) to reach.

    Returns
    -------
    pandas.DataFrame
        One row per class: ``threshold_best_f1``, ``f1``, and with a target
        ``threshold_at_precision``, ``recall_at_precision``.
    """
    ids = split_ids(catalog, split)
    truth = image_truth(catalog, ids)
    scores = aligned_scores(predictions, truth)
    rows = {}
    for k, name in enumerate(truth.classes):
        y = truth.matrix[:, k]
        row = {"threshold_best_f1": np.nan, "f1": np.nan}
        if target_precision is not None:
            row |= {"threshold_at_precision": np.nan, "recall_at_precision": np.nan}
        if y.any():
            precision, recall, threshold = pr_curve(y, scores[:, k])
            with np.errstate(invalid="ignore", divide="ignore"):
                f1 = np.where(precision + recall > 0,
                              2 * precision * recall / (precision + recall), 0)
            best = int(np.argmax(f1))
            row |= {"threshold_best_f1": threshold[best], "f1": f1[best]}
            if target_precision is not None:
                ok = np.flatnonzero(precision >= target_precision)
                if len(ok):
                    pick = ok[np.argmax(recall[ok])]
                    row |= {"threshold_at_precision": threshold[pick],
                            "recall_at_precision": recall[pick]}
        rows[name] = row
    return pd.DataFrame(rows).T.rename_axis("class")


def class_priors(catalog: Catalog, *, split: str | None = "train") -> pd.Series:
    """Share of the images of ``split`` with each image label (the training prior).

    Parameters
    ----------
    catalog : Catalog
        With one label per image.
    split : str, optional
        The split to count; None: every image.

    Returns
    -------
    pandas.Series
        Fractions summing to 1, named "prior".
    """
    ids = split_ids(catalog, split)
    truth = image_truth(catalog, ids)
    if not truth.single_label:
        raise Lacks("Logit adjustment needs one label per image; this dataset's images carry "
                    "several classes each (boxes or masks without image labels).")
    counts = np.bincount(truth.codes, minlength=len(truth.classes)).astype(float)
    return pd.Series(counts / counts.sum(), index=list(truth.classes), name="prior")


def logit_adjusted(predictions: Predictions, priors: pd.Series, *, tau: float = 1.0
                   ) -> Predictions:
    """Post-hoc logit adjustment (Menon et al. 2021, "Long-tail learning via logit
    adjustment"): ``softmax(log p(y|x) - tau * log prior(y))``. It trades majority
    precision for minority recall, aiming at the balanced error; a class absent from
    training (prior 0) is left unadjusted.

    Parameters
    ----------
    predictions : Predictions
        Image-level probabilities per class.
    priors : pandas.Series
        Training prior per class, as :func:`class_priors`.
    tau : float
        Strength of the adjustment; 0 leaves the scores as they are.

    Returns
    -------
    Predictions
        The same predictions with adjusted scores (rows sum to 1).

    Examples
    --------
    >>> p = Predictions(("a", "b"), scores=pd.DataFrame({"a": [0.8], "b": [0.2]}))
    >>> logit_adjusted(p, pd.Series({"a": 0.8, "b": 0.2})).scores.round(3).values.tolist()
    [[0.5, 0.5]]
    """
    scores = predictions.scores[list(priors.index)]
    prior = priors.to_numpy(float)
    shift = np.where(prior > 0, tau * np.log(np.where(prior > 0, prior, 1.0)), 0.0)
    logits = np.log(np.clip(scores.to_numpy(float), 1e-12, 1)) - shift
    logits -= logits.max(axis=1, keepdims=True)
    adjusted = np.exp(logits)
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    return Predictions(classes=predictions.classes,
                       scores=pd.DataFrame(adjusted, index=scores.index, columns=scores.columns),
                       objects=predictions.objects, masks=predictions.masks,
                       source=f"{predictions.source}, logit-adjusted (tau={tau:g})",
                       probe=predictions.probe)


def reliability(catalog: Catalog, predictions: Predictions, *, split: str | None = "test",
                n_bins: int = 10) -> pd.DataFrame:
    """The reliability diagram's table: the top-1 confidence in ``n_bins`` equal-width
    bins, with the mean confidence, the accuracy and the images of each bin; the
    expected calibration error (ECE) is ``(n / n.sum() * |accuracy - confidence|).sum()``.
    Single-label data only.

    Parameters
    ----------
    catalog : Catalog
        With one label per image.
    predictions : Predictions
        Image-level probabilities per class.
    split : str, optional
        The split to evaluate; None: every image.
    n_bins : int
        Bins of top-1 confidence.

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``low``, ``high``, mean ``confidence`` and ``accuracy``
        (fractions), ``n`` images.
    """
    ids = split_ids(catalog, split)
    truth = image_truth(catalog, ids)
    if not truth.single_label:
        raise Lacks("A reliability diagram of the top-1 answer needs one label per image; "
                    "this dataset has several classes per image.")
    scores = aligned_scores(predictions, truth)
    top = scores.argmax(axis=1)
    conf = scores.max(axis=1)
    correct = (top == truth.codes).astype(float)
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    n = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(bins, conf, n_bins) / n
        accuracy = np.bincount(bins, correct, n_bins) / n
    edges = np.linspace(0, 1, n_bins + 1)
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "confidence": mean_conf,
                         "accuracy": accuracy, "n": n})


def expected_calibration_error(table: pd.DataFrame) -> float:
    """ECE from a :func:`reliability` table.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`reliability` table.

    Returns
    -------
    float
        A fraction (0 is perfectly calibrated).
    """
    used = table["n"] > 0
    w = table.loc[used, "n"] / table.loc[used, "n"].sum()
    return float((w * (table.loc[used, "accuracy"] - table.loc[used, "confidence"]).abs()).sum())


def detection_at_threshold(report, cls: str, threshold: float, *, iou: float = 0.5
                           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precision and recall of ``cls``'s boxes scoring ``threshold`` or more, matched at
    ``iou`` (pycocotools' matching), with Wilson intervals, F1 (without an interval: the
    matching is not redone per bootstrap replicate here), and the TP / FP / FN counts.
    What the threshold panel shows for detection.

    Parameters
    ----------
    report : DetectionReport
        From :func:`workbench.evaluate.detection_report`.
    cls : str
        The class.
    threshold : float
        The lowest box score kept.
    iou : float
        The IoU a match needs.

    Returns
    -------
    metrics : pandas.DataFrame
        precision, recall, f1 with ``value``, ``low``, ``high`` (fractions).
    counts : pandas.DataFrame
        True positives, false positives and misses, in boxes.
    """
    from workbench.evaluate.detection import detection_counts
    from workbench.evaluate.intervals import wilson_interval

    row = detection_counts(report, iou=iou, min_score=threshold).loc[cls]
    tp, fp, fn = int(row["tp"]), int(row["fp"]), int(row["fn"])
    p_low, p_high = wilson_interval(tp, tp + fp, confidence=report.confidence)
    r_low, r_high = wilson_interval(tp, tp + fn, confidence=report.confidence)
    precision = tp / (tp + fp) if tp + fp else np.nan
    recall = tp / (tp + fn) if tp + fn else np.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else np.nan
    metrics = pd.DataFrame({"value": [precision, recall, f1],
                            "low": [float(p_low), float(r_low), np.nan],
                            "high": [float(p_high), float(r_high), np.nan]},
                           index=pd.Index(["precision", "recall", "f1"], name=cls))
    counts = pd.DataFrame({"boxes": [tp, fp, fn]},
                          index=pd.Index(["true positives", "false positives",
                                          "missed (false negatives)"], name=f"IoU {iou:g}"))
    return metrics, counts


def logit_comparison(catalog: Catalog, predictions: Predictions, *, split: str | None,
                     tau: float = 1.0, **options) -> pd.DataFrame:
    """Macro F1, balanced accuracy and per-class recall on ``split`` before and after
    :func:`logit_adjusted` with the train split's priors.

    Parameters
    ----------
    catalog : Catalog
        With one label per image.
    predictions : Predictions
        Image-level probabilities per class.
    split : str or None
        The split to evaluate; None: every image.
    tau : float
        Strength of the adjustment.
    **options
        Passed to :func:`classification_report`.

    Returns
    -------
    pandas.DataFrame
        One column per version; rows macro F1, balanced accuracy and recall per class
        (fractions, 3 decimals).
    """
    from workbench.evaluate.classification import classification_report

    priors = class_priors(catalog, split="train" if "split" in catalog.samples.columns
                          and (catalog.samples["split"] == "train").any() else None)
    before = classification_report(catalog, predictions, split=split, **options)
    after = classification_report(catalog, logit_adjusted(predictions, priors, tau=tau),
                                  split=split, **options)
    rows = {}
    for name, report in [("as predicted", before), (f"logit-adjusted (tau={tau:g})", after)]:
        s = report.summary["value"]
        rows[name] = {"macro_f1": s["macro_f1"], "balanced_accuracy": s["balanced_accuracy"],
                      **{f"recall {c}": r for c, r in report.to_frame()["recall"].items()
                         if report.to_frame().loc[c, "support"] > 0}}
    return pd.DataFrame(rows).round(3)


def calibration_pair(catalog: Catalog, predictions: Predictions, *, dataset: str = "",
                     seed: int = 0, split: str | None = "test") -> dict[str, pd.DataFrame]:
    """Reliability tables of the predictions and, on a demo, of the same model trained
    against the imbalance: the demo CNN with the capped resampling plan (5x) over the
    train split's sampling keys, logistic regression with balanced class weights. Your
    own model cannot be retrained here: its table stands alone.

    Parameters
    ----------
    catalog : Catalog
        With one label per image.
    predictions : Predictions
        Image-level probabilities per class.
    dataset : str
        The dataset spec; a demo gets the second model.
    seed : int
        Seed of the retrained model.
    split : str, optional
        The split to evaluate.

    Returns
    -------
    dict of str to pandas.DataFrame
        :func:`reliability` tables by model.
    """
    from workbench.evaluate import models
    from workbench.sample import plan_resampling, sampling_keys

    tables = {"as trained": reliability(catalog, predictions, split=split)}
    if dataset.startswith("demo:surfaces") and not predictions.probe:
        train = catalog.subset(models.train_ids_of(catalog))
        plan = plan_resampling(sampling_keys(train), max_oversample=5.0)
        other = models.demo_model_predictions(catalog, seed=seed, sampler_plan=plan)
        tables["trained with the capped resampling plan (5x)"] = reliability(
            catalog, other, split=split)
    elif dataset.startswith("demo:digits") and not predictions.probe:
        other = models.logistic_predictions(catalog, seed=seed, class_weight="balanced")
        tables["trained with balanced class weights"] = reliability(catalog, other, split=split)
    return tables
