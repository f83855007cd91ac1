"""Average precision and PR curves for many bootstrap replicates at once.

scikit-learn's ``average_precision_score`` takes one weighting per call; a bootstrap of
400 replicates over 5 classes would be 2,000 calls, each sorting the scores again. Here
the scores are sorted once per class and every replicate is a row of weights (how often
each image was drawn), so all replicates come from one weighted cumulative sum. The
definition is scikit-learn's: AP = sum over score thresholds of (R_n - R_(n-1)) * P_n,
tied scores forming one threshold.
"""

from __future__ import annotations

import numpy as np


def weighted_average_precision(y_true, scores, weights) -> np.ndarray:
    """AP of one class under each row of ``weights`` (shape ``(n_boot, n)``, or ``(n,)``).

    Equals ``sklearn.metrics.average_precision_score(y_true, scores,
    sample_weight=w)`` for each row ``w``; NaN where a row gives the positives no weight.

    Parameters
    ----------
    y_true : array of {0, 1}
        Whether each image is a positive.
    scores : array of float
        Score per image.
    weights : numpy.ndarray
        How often each image counts: (n,) or (n_boot, n).

    Returns
    -------
    float or numpy.ndarray
        One AP (a fraction) per row of ``weights``; a scalar for 1-D weights.

    Examples
    --------
    >>> y, s = np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1])
    >>> weighted_average_precision(y, s, np.ones(4)).round(4).tolist()
    0.8333
    """
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(scores, dtype=float)
    w = np.asarray(weights, dtype=float)
    single = w.ndim == 1
    w = np.atleast_2d(w)
    order = np.argsort(-s, kind="stable")
    s, y, w = s[order], y[order], w[:, order]
    ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # last index of each tied group
    tp = np.cumsum(w * y, axis=1)[:, ends]
    seen = np.cumsum(w, axis=1)[:, ends]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(seen > 0, tp / seen, 0.0)
        gained = np.diff(tp, axis=1, prepend=0.0)
        ap = (gained * precision).sum(axis=1) / tp[:, -1]
    ap = np.where(tp[:, -1] > 0, ap, np.nan)
    return ap[0] if single else ap


def pr_curve(y_true, scores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and the threshold of each distinct score (highest first); the
    same points as ``sklearn.metrics.precision_recall_curve`` without its end point.

    Parameters
    ----------
    y_true : array of {0, 1}
        Whether each image is a positive.
    scores : array of float
        Score per image.

    Returns
    -------
    precision, recall, threshold : numpy.ndarray
        One entry per distinct score, highest first.
    """
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    return precision[:-1][::-1], recall[:-1][::-1], thresholds[::-1]
