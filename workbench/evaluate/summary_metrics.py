"""Two single numbers that stay honest under imbalance, for many bootstrap replicates at
once: balanced accuracy and the Matthews correlation coefficient.

:func:`balanced_accuracy` is the mean recall over the classes present (one label per
image) or the mean of each class's true positive and true negative rates (several);
:func:`mcc` and :func:`mcc_of_confusions` are Gorodkin's multi-class MCC, from codes or
from a stack of confusion matrices.
"""

from __future__ import annotations

import warnings

import numpy as np


def balanced_accuracy(y: np.ndarray, d: np.ndarray, counts: np.ndarray, *,
                      single_label: bool) -> np.ndarray:
    """Balanced accuracy under each row of resampling ``counts`` ``(n_boot, n)``.

    One label per image: the mean recall over the classes present (scikit-learn's
    ``balanced_accuracy_score``). Several labels: per class the mean of its true positive
    and true negative rates (the ones defined), then the mean over classes; so a model
    that says "present" for everything scores 0.5, not 1.

    Parameters
    ----------
    y : numpy.ndarray of bool
        Truth, (n, n_classes).
    d : numpy.ndarray of bool
        Decisions, (n, n_classes).
    counts : numpy.ndarray
        How often each image is drawn in each replicate, (n_boot, n).
    single_label : bool
        One label per image.

    Returns
    -------
    numpy.ndarray of float
        One balanced accuracy (fraction) per replicate.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pos, neg = counts @ y, counts @ ~y
        tpr = np.where(pos > 0, (counts @ (y & d)) / pos, np.nan)
        tnr = np.where(neg > 0, (counts @ (~y & ~d)) / neg, np.nan)
    with warnings.catch_warnings():  # a class absent from a replicate has no rate
        warnings.simplefilter("ignore", RuntimeWarning)
        per_class = tpr if single_label else np.nanmean(np.stack([tpr, tnr]), axis=0)
        return np.nanmean(per_class, axis=1)


def mcc(true_codes: np.ndarray, pred_codes: np.ndarray, n_classes: int) -> float:
    """Matthews correlation coefficient, multi-class (Gorodkin's R_K), from the confusion
    matrix over all ``n_classes``; scikit-learn's ``matthews_corrcoef`` without its warning
    when a slice holds a single class. 0 where it is undefined.

    Parameters
    ----------
    true_codes, pred_codes : numpy.ndarray of int
        True and predicted class code per image.
    n_classes : int
        Number of classes.

    Returns
    -------
    float
        In [-1, 1].

    Examples
    --------
    >>> round(mcc(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2), 4)
    0.5774
    """
    pairs = true_codes * n_classes + pred_codes
    weights = np.bincount(pairs, minlength=n_classes**2)[None, :]
    return float(mcc_of_confusions(weights.reshape(1, n_classes, n_classes))[0])


def mcc_of_confusions(cm: np.ndarray) -> np.ndarray:
    """Gorodkin's multi-class MCC of each confusion matrix in ``cm`` ``(B, K, K)`` (rows
    true); 0 where it is undefined.

    Parameters
    ----------
    cm : numpy.ndarray
        Confusion counts of shape (B, K, K).

    Returns
    -------
    numpy.ndarray of float
        One MCC per matrix.
    """
    cm = np.asarray(cm, dtype=float)
    t, p = cm.sum(axis=2), cm.sum(axis=1)
    c, s = np.trace(cm, axis1=1, axis2=2), cm.sum(axis=(1, 2))
    tp = (t * p).sum(axis=1)
    denominator = np.sqrt((s**2 - (p * p).sum(axis=1)) * (s**2 - (t * t).sum(axis=1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (c * s - tp) / denominator, 0.0)
