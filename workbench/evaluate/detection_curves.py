"""Precision and recall of ranked detections, accumulated for many weightings of the
images at once.

Once COCO's matching has said which detections hit at each IoU threshold
(:mod:`workbench.evaluate.coco_matching`), the accumulation into precision and recall is
done here, vectorised and weighted by image, so that a bootstrap over images costs a few
array passes: an image drawn c times in a replicate weighs c in the cumulative TP / FP
sums and in the count of ground truths. With every weight 1 it is
``COCOeval.accumulate`` to the last digit: AP is the mean over the 101 recall points of
the interpolated precision (the highest precision at any recall at least as large).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECALL_THRESHOLDS = np.linspace(0.0, 1.0, 101)
_CHUNK = 250_000  # array elements per block of replicates: a block stays in cache


@dataclass(frozen=True)
class ClassMatches:
    """One class's detections in COCO's accumulation order (score descending, ties by
    image then by rank in the image): ``tp`` / ``fp`` are ``(n_iou, n)`` flags,
    ``n_true`` the counted (non-crowd) ground truths of each image."""

    image: np.ndarray
    score: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_true: np.ndarray


def interpolated_precision(tp, fp, n_true):
    """COCO's interpolated precision at the 101 recall points and the final recall, for
    many weightings of the same ranked detections at once.

    Parameters
    ----------
    tp, fp : array of shape (n_weightings, n_detections)
        TP and FP weight of each detection, in descending score order (the weight is how
        often its image is drawn; 1 for the data as it is).
    n_true : array of shape (n_weightings,)
        Weighted count of the ground truths a detection may hit.

    Returns
    -------
    precision : numpy.ndarray
        (n_weightings, 101); NaN where ``n_true`` is 0.
    recall : numpy.ndarray
        (n_weightings,); NaN where ``n_true`` is 0.

    Examples
    --------
    One hit at the top score, one false alarm, one of two boxes missed: precision 1 up to
    recall 0.5 (51 of the 101 points), 0 beyond.

    >>> p, r = interpolated_precision([[1, 0]], [[0, 1]], [2])
    >>> round(float(p.mean()), 4), r.tolist()
    (0.505, [0.5])
    """
    cumulative = [np.cumsum(np.asarray(v, dtype=float), axis=1) for v in (tp, fp)]
    return _sampled_precision(*cumulative, np.asarray(n_true))


def _sampled_precision(tp_sum, fp_sum, n_true):
    """:func:`interpolated_precision` from the cumulative weights ``(n_weightings,
    n_points)`` at the ranked points. Only the points just after a hit matter (a false
    alarm lowers precision without raising recall): a caller may pass those alone."""
    n_rows, n = tp_sum.shape
    n_points = len(RECALL_THRESHOLDS)
    precision = np.zeros((n_rows, n_points))
    recall = np.zeros(n_rows)
    if n:
        with np.errstate(invalid="ignore", divide="ignore"):
            rc = tp_sum / n_true[:, None]
        pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
        envelope = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]
        # the first point reaching each recall threshold, for every row at once
        # (searchsorted 'left'): count, per row, the points below each threshold
        below = np.searchsorted(RECALL_THRESHOLDS, rc, side="right")
        below += np.arange(n_rows)[:, None] * (n_points + 1)
        counts = np.bincount(below.ravel(), minlength=n_rows * (n_points + 1))
        first = np.cumsum(counts.reshape(n_rows, n_points + 1), axis=1)[:, :n_points]
        taken = np.take_along_axis(envelope, np.minimum(first, n - 1), axis=1)
        precision = np.where(first < n, taken, 0.0)
        recall = rc[:, -1]
    absent = n_true == 0
    precision[absent], recall[absent] = np.nan, np.nan
    return precision, recall


def class_curves(matches: ClassMatches, weights: np.ndarray):
    """Precision ``(n_weightings, n_iou, 101)`` and recall ``(n_weightings, n_iou)`` of
    one class under each row of image ``weights`` (``(n_weightings, n_images)``).

    Parameters
    ----------
    matches : ClassMatches
        One class's detections matched at each IoU threshold.
    weights : numpy.ndarray
        How often each image counts, (n_weightings, n_images).

    Returns
    -------
    precision : numpy.ndarray
        (n_weightings, n_iou, 101).
    recall : numpy.ndarray
        (n_weightings, n_iou).
    """
    weights = np.asarray(weights, dtype=float)  # integer counts: float sums stay exact
    n_rows, n_iou = len(weights), len(matches.tp)
    precision = np.empty((n_rows, n_iou, len(RECALL_THRESHOLDS)))
    recall = np.empty((n_rows, n_iou))
    n_true = weights @ matches.n_true
    hits = [matches.image[matches.tp[t]] for t in range(n_iou)]
    misses = [matches.image[matches.fp[t]] for t in range(n_iou)]
    # false alarms ranked above each hit: the cumulative FP weight is read there
    above = [np.cumsum(matches.fp[t])[matches.tp[t]] for t in range(n_iou)]
    step = max(1, _CHUNK // max(len(matches.score), 1))
    for lo in range(0, n_rows, step):
        block = weights[lo:lo + step]
        for t in range(n_iou):
            fp_sum = np.zeros((len(block), len(misses[t]) + 1))
            np.cumsum(block[:, misses[t]], axis=1, out=fp_sum[:, 1:])
            precision[lo:lo + step, t], recall[lo:lo + step, t] = _sampled_precision(
                np.cumsum(block[:, hits[t]], axis=1), fp_sum[:, above[t]], n_true[lo:lo + step])
    return precision, recall
