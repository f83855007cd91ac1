"""The counting primitives every table rests on: a bincount that does not widen small
codes all at once, and the distinct (image, class) pairs of boxes kept in image order.

numpy's ``bincount`` casts its input to 64-bit integers first. Class codes are 8 or 16
bits, so that cast writes 8 bytes for each byte read; done in chunks that stay in cache,
it costs about 1.2x a bincount of codes already 64-bit, against 2x for the whole array.
"""

from __future__ import annotations

import numpy as np

CHUNK = 1 << 18  # codes per bincount call: the 64-bit copy (2 MB) stays in cache
SCRATCH = 1 << 20  # (image, class) slots per batch of first_in_image (8 MB)


def bincount(values: np.ndarray, minlength: int, weights: np.ndarray | None = None
             ) -> np.ndarray:
    """``np.bincount(values, weights, minlength)``, in cache-sized chunks when ``values``
    are narrower than 64 bits.

    Parameters
    ----------
    values : numpy.ndarray
        Non-negative integer codes.
    minlength : int
        Length of the result (at least).
    weights : numpy.ndarray, optional
        One weight per value.

    Returns
    -------
    numpy.ndarray
        int64 counts per code (float with weights).

    Examples
    --------
    >>> bincount(np.array([2, 0, 2], dtype=np.int8), 4).tolist()
    [1, 0, 2, 0]
    """
    values = np.asarray(values)
    if values.dtype.itemsize >= 8 or len(values) <= CHUNK:
        return np.bincount(values, weights=weights, minlength=minlength)
    out = np.zeros(minlength, dtype=np.int64 if weights is None else float)
    for start in range(0, len(values), CHUNK):
        part = slice(start, start + CHUNK)
        out += np.bincount(values[part], weights=None if weights is None else weights[part],
                           minlength=minlength)
    return out


def first_in_image(rows: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
    """For boxes grouped by image (``rows`` non-decreasing): True for one box of each
    distinct (image, class) pair, False for the others (more boxes of a class an image
    already has). Linear in the boxes.

    Images are taken a few thousand at a time; in each batch every box writes its position
    into a scratch slot for its (image, class), and a box is kept if its own position is
    the one left there: exactly one survivor per pair. The writes go last box first, so
    the survivor is the first box of its pair (numpy does not promise the order of
    repeated writes; whichever wins, exactly one box of each pair is kept).

    Parameters
    ----------
    rows : numpy.ndarray
        Image row of each box, non-decreasing.
    codes : numpy.ndarray
        Class code of each box.
    n_classes : int
        Number of classes (codes are below it).

    Returns
    -------
    numpy.ndarray of bool
        One per box.

    Examples
    --------
    >>> first_in_image(np.array([0, 0, 0, 1]), np.array([1, 2, 1, 1]), 3).tolist()
    [True, True, False, True]
    """
    keep = np.ones(len(rows), dtype=bool)
    if len(rows) < 2:
        return keep
    span = max(1, SCRATCH // max(n_classes, 1))  # images per batch
    scratch = np.empty(span * n_classes, dtype=np.int64)
    starts = np.arange(int(rows[0]), int(rows[-1]) + span + 1, span)
    bounds = np.searchsorted(rows, starts).tolist()
    position = np.arange(max(np.diff(bounds).max(), 1))
    key = rows.astype(np.int64) * n_classes + codes
    for base, a, b in zip(starts[:-1].tolist(), bounds[:-1], bounds[1:], strict=True):
        if b - a > 1:
            local, here = key[a:b] - base * n_classes, position[:b - a]
            scratch[local[::-1]] = here[::-1]
            keep[a:b] = scratch[local] == here
    return keep
