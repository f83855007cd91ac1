"""One class against the rest at a chosen threshold, with intervals.

:func:`at_threshold` decides "is this class" wherever its score reaches the threshold,
and gives precision and recall with Wilson intervals, F1 with a bootstrap interval, and
the 2 x 2 confusion counts: the answer the threshold panel shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import passes_missing
from workbench.evaluate.classification import ClassificationReport
from workbench.evaluate.intervals import bootstrap_counts, percentile_interval, wilson_interval


@passes_missing
def at_threshold(report: ClassificationReport, cls: str, threshold: float, *,
                 n_boot: int = 200, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``cls`` against the rest, deciding "is ``cls``" when its score is ``threshold`` or
    more: precision, recall and F1 with intervals, and the 2 x 2 confusion counts.

    The answer the threshold panel shows; pure, so a test can check it.

    Parameters
    ----------
    report : ClassificationReport
        Holds the truth and scores.
    cls : str
        The class.
    threshold : float
        The score from which an image is called ``cls``.
    n_boot : int
        Bootstrap replicates for F1's interval.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    metrics : pandas.DataFrame
        precision, recall, f1 with ``value``, ``low``, ``high`` (fractions).
    confusion : pandas.DataFrame
        2 x 2 counts of images, true x predicted.
    """
    k = report.truth.classes.index(cls)
    y = report.truth.matrix[:, k]
    d = report.scores[:, k] >= threshold
    tp, fp, fn = int((y & d).sum()), int((~y & d).sum()), int((y & ~d).sum())
    tn = len(y) - tp - fp - fn
    p_low, p_high = wilson_interval(tp, tp + fp, confidence=report.confidence)
    r_low, r_high = wilson_interval(tp, tp + fn, confidence=report.confidence)
    counts = bootstrap_counts(len(y), n_boot=n_boot, seed=seed)
    tp_b, pos_b, pred_b = counts @ (y & d), counts @ y, counts @ d
    with np.errstate(invalid="ignore", divide="ignore"):
        f1_b = np.where(pos_b > 0, 2 * tp_b / (pos_b + pred_b), np.nan)
    f_low, f_high = percentile_interval(f1_b[:, None], confidence=report.confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        values = [tp / (tp + fp) if tp + fp else np.nan, tp / (tp + fn) if tp + fn else np.nan,
                  2 * tp / (2 * tp + fp + fn) if tp + fn else np.nan]
    metrics = pd.DataFrame({"value": values, "low": [float(p_low), float(r_low), f_low[0]],
                            "high": [float(p_high), float(r_high), f_high[0]]},
                           index=pd.Index(["precision", "recall", "f1"], name=cls))
    confusion = pd.DataFrame([[tp, fn], [fp, tn]],
                             index=pd.Index([cls, "rest"], name="true"),
                             columns=pd.Index([cls, "rest"], name="predicted"))
    return metrics, confusion
