"""Stored mask values to class codes: the lookup every mask reader and the Catalog share.

A class-index mask stores one value per class (0..k-1 usually, any ids with a class map)
and an ignore value (255 by default). Class code -1 marks ignored pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def mask_lookup(mask_values: Sequence[int], ignore_index: int | None, top: int) -> np.ndarray:
    """A table from stored mask value to class code, for values 0..``top``.

    ``-1`` marks the ignore index, ``-2`` a value that is neither a class nor ignored.

    Parameters
    ----------
    mask_values : sequence of int
        Stored value of each class, in class order.
    ignore_index : int or None
        The stored value of unlabelled pixels.
    top : int
        The largest stored value to cover.

    Returns
    -------
    numpy.ndarray of int64
        Indexed by stored value.

    Examples
    --------
    >>> mask_lookup([0, 7], 3, 8).tolist()
    [0, -2, -2, -1, -2, -2, -2, 1, -2]
    """
    table = np.full(max(top, *mask_values, ignore_index or 0) + 1, -2, dtype=np.int64)
    table[np.asarray(mask_values, dtype=np.int64)] = np.arange(len(mask_values))
    if ignore_index is not None:
        table[ignore_index] = -1
    return table


def mask_class_codes(mask: np.ndarray, mask_values: Sequence[int], ignore_index: int | None
                     ) -> np.ndarray:
    """Class codes of a mask's pixels: ``-1`` for ignored pixels and unknown values.

    Parameters
    ----------
    mask : numpy.ndarray
        Stored values.
    mask_values : sequence of int
        Stored value of each class, in class order.
    ignore_index : int or None
        The stored value of unlabelled pixels.

    Returns
    -------
    numpy.ndarray of int64
        Same shape.
    """
    mask = np.asarray(mask, dtype=np.int64)
    table = mask_lookup(mask_values, ignore_index, int(mask.max(initial=0)))
    codes = table[np.clip(mask, 0, len(table) - 1)]
    codes[(codes < 0) | (mask < 0)] = -1
    return codes
