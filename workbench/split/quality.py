"""How good a split is, as numbers: the label distribution (LD) and examples
distribution (ED) of Sechidis et al. 2011."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from workbench.split.core import indicator_matrix


def label_distribution(Y, split: np.ndarray, n_splits: int | None = None) -> float:
    """Sechidis et al.'s LD: how far each label's ratio in each split is from the whole.

    ``LD = mean over labels of mean over splits of |S_j^l / (|S_j| - S_j^l) - D^l / (|D| - D^l)|``.
    0 is perfect. Labels present in every sample (ratio undefined) are left out. The
    ratio is an odds, so a label in nearly every image weighs heavily: with 6 images
    without it out of 364, one split at 86:1 against 60:1 overall adds 26. Read it beside
    :attr:`SplitReport.mean_share_gap`, a difference of shares (a fraction).

    Parameters
    ----------
    Y : array or sparse matrix
        Indicator (0/1) of shape (n_images, n_labels).
    split : array of int
        Each image's split index.
    n_splits : int, optional
        Number of splits; default the largest index plus one.

    Returns
    -------
    float
        LD of Sechidis et al. 2011: 0 when every split has each label in the same
        proportion.
    """
    Y = indicator_matrix(Y)
    k = n_splits or int(split.max()) + 1
    onehot = sparse.csr_matrix((np.ones(len(split)), (split, np.arange(len(split)))),
                               shape=(k, len(split)))
    per_split = np.asarray((onehot @ Y).todense(), dtype=float)  # split x label
    sizes = np.bincount(split, minlength=k).astype(float)[:, None]
    total = per_split.sum(axis=0)
    n = len(split)
    valid = (total < n) & (total > 0)
    if not valid.any():
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_split = per_split[:, valid] / (sizes - per_split[:, valid])
        ratio_all = total[valid] / (n - total[valid])
        diff = np.abs(ratio_split - ratio_all)
    diff[~np.isfinite(diff)] = np.nan  # a split made only of one label: ratio undefined
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = np.nanmean(np.nanmean(diff, axis=0))
    return float(value) if np.isfinite(value) else 0.0


def examples_distribution(split: np.ndarray, fractions: Sequence[float]) -> float:
    """Sechidis et al.'s ED: mean absolute difference between split sizes and their targets.

    Parameters
    ----------
    split : array of int
        Each image's split index.
    fractions : sequence of float
        The intended split sizes.

    Returns
    -------
    float
        ED of Sechidis et al. 2011: the mean absolute difference, in images, between
        each split's size and its target.
    """
    r = np.asarray(fractions, dtype=float)
    sizes = np.bincount(split, minlength=len(r))
    return float(np.abs(sizes - r * len(split)).mean())
