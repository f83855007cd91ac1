"""How one strategy run is scored: image-level metrics and the rare class they watch.

:func:`image_metrics` gives macro F1, balanced accuracy, worst-class recall, the rare
class's average precision and accuracy (scikit-learn) from class codes and scores;
:func:`_rarest` picks the rare class, the one with the fewest training images.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from workbench.errors import Lacks


def image_metrics(y_true: np.ndarray, scores: np.ndarray, *, rare: int) -> dict[str, float]:
    """The comparison's metrics from class codes and (n x K) scores (argmax decisions).

    Macro F1 and the worst recall run over the classes present in ``y_true``; the rare
    class's AP is NaN when it has no test image.

    Parameters
    ----------
    y_true : numpy.ndarray of int
        True class code per image.
    scores : numpy.ndarray
        (n, K) scores.
    rare : int
        Code of the rare class.

    Returns
    -------
    dict of str to float
        macro_f1, balanced_accuracy, worst_class_recall, rare_class_ap, accuracy
        (fractions).

    Examples
    --------
    >>> image_metrics(np.array([0, 0, 0, 1]), np.array([[.9, .1], [.8, .2], [.4, .6],
    ...                                                 [.3, .7]]), rare=1)["worst_class_recall"]
    0.6666666666666666
    """
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        balanced_accuracy_score,
        f1_score,
        recall_score,
    )

    y_pred = scores.argmax(axis=1)
    present = np.unique(y_true)
    with warnings.catch_warnings():  # predicted classes absent from the test images
        warnings.simplefilter("ignore", UserWarning)
        balanced = balanced_accuracy_score(y_true, y_pred)
    positive = y_true == rare
    return {
        "macro_f1": f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0),
        "balanced_accuracy": balanced,
        "worst_class_recall": float(recall_score(y_true, y_pred, labels=present, average=None,
                                                 zero_division=0).min()),
        "rare_class_ap": (average_precision_score(positive, scores[:, rare])
                          if positive.any() else float("nan")),
        "accuracy": accuracy_score(y_true, y_pred),
    }


def _rarest(counts: pd.Series, background: str | None) -> str:
    """The class with the fewest training images, the background left out."""
    counts = counts[(counts > 0) & (counts.index.astype(str) != str(background))]
    if not len(counts):
        raise Lacks("No class but the background has both training and test images, so "
                        "there is no rare class to score. Use a larger sample.")
    return str(counts.idxmin())
