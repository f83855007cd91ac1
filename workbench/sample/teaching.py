"""Why accuracy lies on imbalanced data, and what each strategy costs (the teaching helpers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.sample.plan import plan_resampling
from workbench.sample.weights import class_weights
from workbench.tally import per_class


def accuracy_paradox(labels_or_counts, *, unit: str | None = None) -> pd.DataFrame:
    """What a model that always answers the majority class scores (scikit-learn metrics).

    High accuracy, and a recall of 0 on every other class: the reason to read per-class
    and macro metrics on imbalanced data.

    Parameters
    ----------
    labels_or_counts : labels, mapping, Series or ClassCounts
        Labels or counts per class (classes with 0 are dropped).
    unit : str, optional
        What one count is, for the index name (per image, per box for a box classifier, per
        pixel for a segmenter); default the ClassCounts' unit, else "images".

    Returns
    -------
    pandas.DataFrame
        Column ``value``: accuracy, balanced accuracy, macro F1 and worst-class recall, as
        fractions.

    Examples
    --------
    >>> accuracy_paradox({"intact": 90, "crack": 10})["value"].round(3).tolist()
    [0.9, 0.5, 0.474, 0.0]
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, recall_score

    unit = unit or getattr(labels_or_counts, "unit", None) or "images"
    counts = per_class(labels_or_counts, func="accuracy_paradox", empty="drop")
    classes = counts.index.to_numpy(dtype=object)
    majority = str(counts.idxmax())
    pred = np.full(len(classes), majority, dtype=object)
    weight = counts.to_numpy(float)  # one row per class, weighted by its count
    recall = recall_score(classes, pred, labels=classes, average=None, sample_weight=weight,
                          zero_division=0)
    return pd.DataFrame({
        "value": [accuracy_score(classes, pred, sample_weight=weight),
                  balanced_accuracy_score(classes, pred, sample_weight=weight),
                  f1_score(classes, pred, labels=classes, average="macro", sample_weight=weight,
                           zero_division=0),
                  float(recall.min())],
    }, index=pd.Index(["accuracy", "balanced accuracy", "macro F1", "worst-class recall"],
                      name=f"always '{majority}' (per {unit.rstrip('s')})"))


def strategy_costs(counts, *, max_oversample: float = 5.0) -> pd.DataFrame:
    """Per strategy: samples per epoch, share of the data used, rarest class's exposure.

    Compares training on everything with balanced class weights, undersampling every
    class to the smallest, and a capped resampling plan with the original epoch size.

    Parameters
    ----------
    counts : mapping, Series, labels or ClassCounts
        Samples (images) per class; none may be 0.
    max_oversample : float
        The cap of the resampling plan.

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``samples_per_epoch`` and ``majority_images_per_epoch``
        (counts), ``share_of_data_used`` and ``rare_class_weight_share`` (fractions).
    """
    counts = per_class(counts, func="strategy_costs", empty="error")
    n, k, smallest = counts.sum(), len(counts), counts.min()
    weights = class_weights(counts, method="balanced")
    plan = plan_resampling(counts.to_dict(), max_oversample=max_oversample)
    rare, common = counts.idxmin(), counts.idxmax()
    rows = {
        "all data, balanced class weights": {
            "samples_per_epoch": n, "share_of_data_used": 1.0,
            "majority_images_per_epoch": counts[common],
            "rare_class_weight_share": float(weights[rare] * counts[rare] /
                                             (weights * counts).sum())},
        "undersample to the smallest class": {
            "samples_per_epoch": smallest * k, "share_of_data_used": smallest * k / n,
            "majority_images_per_epoch": smallest, "rare_class_weight_share": 1 / k},
        f"capped plan (max {max_oversample:g}x)": {
            "samples_per_epoch": plan.total,
            "share_of_data_used": float(np.minimum(plan.effective, counts).sum() / n),
            "majority_images_per_epoch": int(min(plan.effective[common], counts[common])),
            "rare_class_weight_share": float(plan.effective[rare] / plan.total)},
    }
    return pd.DataFrame(rows).T




def plan_sweep(labels_or_counts, *, caps=(1, 2, 5, 10), total: int | None = None,
               min_keep: float = 0.0) -> pd.DataFrame:
    """Effective count per class (rows) for each oversampling cap (columns).

    Parameters
    ----------
    labels_or_counts : labels, mapping, Series or ClassCounts
        As for :func:`plan_resampling`.
    caps : sequence of float
        The ``max_oversample`` values, one column each.
    total : int, optional
        Samples per epoch; default the number of samples.
    min_keep : float
        The floor of every plan, a fraction of a class's samples.

    Returns
    -------
    pandas.DataFrame
        Samples per epoch of each class, columns named "1x", "2x", ...
    """
    return pd.DataFrame({f"{c:g}x": plan_resampling(labels_or_counts, total=total,
                                                     max_oversample=c, min_keep=min_keep
                                                     ).effective for c in caps})
