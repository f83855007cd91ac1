"""The sample indices of one epoch: exactly as planned, deterministic, vectorised."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.errors import DataError, check_integer, check_option, some
from workbench.sample.plan import ResamplingPlan


def _epoch_rng(seed: int, epoch: int) -> np.random.Generator:
    for name, value in (("seed", seed), ("epoch", epoch)):
        check_integer(name, value, why=" (the same seed and epoch give the same indices)")
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(epoch)]))


def epoch_indices(plan: ResamplingPlan, labels, *, epoch: int = 0, seed: int = 0) -> np.ndarray:
    """The sample indices (positions in ``labels``) of one epoch under ``plan``.

    Class ``c`` appears exactly ``plan.effective[c]`` times. With multiplier ``m``, every
    image of the class is taken ``floor(m)`` times and the rest is a draw *without*
    replacement, so no image is skipped while another repeats (as i.i.d. draws with
    replacement do). The result is shuffled; the same (seed, epoch) gives the same
    indices. Works past 2**24 samples (torch's WeightedRandomSampler does not).

    Parameters
    ----------
    plan : ResamplingPlan
        Made from these labels (the counts per class must match).
    labels : sequence or pandas Series
        One label (a sampling key) per sample, in the order of the training set.
    epoch, seed : int
        Non-negative; each (seed, epoch) pair gives its own order.

    Returns
    -------
    numpy.ndarray of int64
        Positions in ``labels``, ``plan.total`` of them.

    Examples
    --------
    Four ``a`` and one ``b`` at a 2x cap: ``a`` is seen 3 times, ``b`` twice (image 4
    both times), in a shuffled order.

    >>> from workbench.sample import plan_resampling
    >>> labels = pd.Series(["a", "a", "a", "a", "b"])
    >>> plan = plan_resampling(labels, max_oversample=2)
    >>> plan.effective.to_dict()
    {'a': 3, 'b': 2}
    >>> epoch_indices(plan, labels, seed=0).tolist()
    [2, 4, 1, 4, 3]
    """
    labels = pd.Series(labels) if not isinstance(labels, pd.Series) else labels
    classes = list(plan.count.index)
    if isinstance(labels.dtype, pd.CategoricalDtype):  # recode: no string per sample
        labels = labels.cat.rename_categories(lambda c: str(c))
        codes = labels.cat.set_categories(classes).cat.codes.to_numpy()
    else:
        codes = pd.Categorical(labels.astype(str), categories=classes).codes
    if (codes < 0).any():
        raise DataError(f"Labels {some(pd.unique(labels[codes < 0]))} are not in the plan.")
    have = np.bincount(codes, minlength=len(classes))
    if not np.array_equal(have, plan.count.to_numpy()):
        found = dict(zip(classes, have.tolist(), strict=True))
        raise DataError(
            f"The labels do not match the plan: per class {found} vs planned from "
            f"{plan.count.to_dict()}. Make the plan from these labels."
        )
    rng = _epoch_rng(seed, epoch)
    order = np.argsort(codes, kind="stable")  # radix sort for small integer codes
    bounds = np.concatenate([[0], np.cumsum(have)])
    parts = []
    for c, want in enumerate(plan.effective.to_numpy()):  # one step per class
        members = order[bounds[c]:bounds[c + 1]]
        full, extra = divmod(int(want), len(members))
        if full:
            parts.append(np.tile(members, full))
        if extra:  # a draw without replacement, not a permutation of the whole class
            parts.append(members[rng.choice(len(members), extra, replace=False)])
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return out[rng.permutation(len(out))]


def epoch_from_factors(factors, *, epoch: int = 0, seed: int = 0) -> np.ndarray:
    """The indices of one epoch from per-sample repeat factors (or weights as factors).

    Each sample appears ``floor(r)`` times plus once more for a subset drawn without
    replacement with probability proportional to the fractional parts, of size
    ``round(sum of fractional parts)``; so the epoch has ``round(sum(r))`` samples.

    Parameters
    ----------
    factors : array of float
        One repeat factor (or weight) per sample, finite and >= 0.
    epoch, seed : int
        Non-negative; each (seed, epoch) pair gives its own draw and order.

    Returns
    -------
    numpy.ndarray of int64
        Sample positions, ``round(sum(factors))`` of them, shuffled.
    """
    r = np.asarray(factors, dtype=float)
    if (r < 0).any() or not np.isfinite(r).all():
        raise ValueError("Repeat factors must be finite and non-negative.")
    rng = _epoch_rng(seed, epoch)
    whole = np.floor(r).astype(np.int64)
    frac = r - whole
    n_extra = int(round(frac.sum()))
    out = np.repeat(np.arange(len(r)), whole)
    if n_extra:
        keys = np.log(rng.random(len(r))) / np.where(frac > 0, frac, np.nan)  # Efraimidis-Spirakis
        keys = np.nan_to_num(keys, nan=-np.inf)
        extra = np.argpartition(-keys, n_extra - 1)[:n_extra]
        out = np.concatenate([out, extra])
    return out[rng.permutation(len(out))]


def save_epoch(indices: np.ndarray, path) -> Path:
    """Write one epoch's indices for a training script: ``.npy`` or ``.csv`` (one a line).

    Parameters
    ----------
    indices : numpy.ndarray
        Sample positions of one epoch, written as int64.
    path : str or Path
        Ending in ``.npy`` or ``.csv``.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    check_option("suffix", path.suffix, [".npy", ".csv"], func="save_epoch")
    if path.suffix == ".npy":
        np.save(path, np.asarray(indices, dtype=np.int64))
    else:
        np.savetxt(path, np.asarray(indices, dtype=np.int64), fmt="%d")
    return path
