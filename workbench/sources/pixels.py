"""Class-index masks: reading them, mapping stored values to classes, counting pixels."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from workbench.errors import DataError, some
from workbench.mask_values import mask_class_codes, mask_lookup  # noqa: F401

MASK_MODES = ("L", "P", "I", "I;16", "I;16B", "I;16L", "1")


def read_mask(path) -> np.ndarray:
    """A class-index mask as a 2-D integer array (the stored values, not class codes).

    Parameters
    ----------
    path : str or Path
        A single-channel (L or P) image.

    Returns
    -------
    numpy.ndarray of int64
        Shape (height, width).
    """
    try:
        with Image.open(path) as im:
            if im.mode not in MASK_MODES:
                raise DataError(
                    f"The mask {str(path)!r} is a {im.mode} image; class-index masks are "
                    "single-channel (mode L or P) with one class id per pixel. Convert colour "
                    "masks to class ids first."
                )
            mask = np.asarray(im)
    except FileNotFoundError:
        raise DataError(f"The mask {str(path)!r} does not exist.") from None
    except (UnidentifiedImageError, OSError) as err:
        raise DataError(f"The mask {str(path)!r} cannot be decoded ({err}).") from None
    return mask.astype(np.int64, copy=False)


def count_mask_pixels(
    mask_paths: Sequence[Path],
    mask_values: Sequence[int],
    *,
    sizes: Sequence[tuple[int, int]] | None = None,
    ignore_index: int | None = 255,
    classes: Sequence[str] | None = None,
) -> np.ndarray:
    """Pixels per class in each class-index mask.

    A mask of another size than its image is an error, as is a value that is neither a
    class nor ``ignore_index``.

    Parameters
    ----------
    mask_paths : sequence of Path
        The masks.
    mask_values : sequence of int
        The stored values of the classes, in class order (0..k-1 for the usual contiguous
        masks).
    sizes : sequence of (int, int), optional
        Each image's (width, height) in pixels.
    ignore_index : int, optional
        The value of unlabelled pixels, not counted.
    classes : sequence of str, optional
        Class names, for the error message.

    Returns
    -------
    numpy.ndarray of int64
        Shape (n_masks, n_classes).
    """
    k = len(mask_values)
    counts = np.zeros((len(mask_paths), k), dtype=np.int64)
    for i, path in enumerate(mask_paths):  # one file per mask; the counting is bincount
        mask = read_mask(path)
        if sizes is not None and (mask.shape[1], mask.shape[0]) != tuple(sizes[i]):
            raise DataError(
                f"The mask {str(path)!r} is {mask.shape[1]}x{mask.shape[0]} but its image is "
                f"{sizes[i][0]}x{sizes[i][1]}. Masks must have their image's size; re-export "
                "the mask at the image's resolution."
            )
        table = mask_lookup(mask_values, ignore_index, int(mask.max(initial=0)))
        codes = table[mask.ravel()]
        if (codes == -2).any():
            bad = np.unique(mask.ravel()[codes == -2])
            names = f" ({some(classes, n=20)})" if classes is not None else ""
            raise DataError(
                f"The mask {str(path)!r} has values {some(bad)} that are not class ids: the "
                f"{k} classes{names} have the ids {some(mask_values, n=20)}"
                f"{f' and {ignore_index} is ignored' if ignore_index is not None else ''}. "
                "Name every id in the class map (classes.txt, classes.yaml or classes.json) "
                "or fix the mask."
            )
        counts[i] = np.bincount(codes[codes >= 0], minlength=k)
    return counts


def pixels_table(sample_ids, counts: np.ndarray, classes: Sequence[str]):
    """Long table (sample_id, label, count) from a sample x class count matrix, zeros dropped.

    Parameters
    ----------
    sample_ids : array-like
        One per row of ``counts``.
    counts : numpy.ndarray
        Pixels, sample x class.
    classes : sequence of str
        One per column of ``counts``.

    Returns
    -------
    pandas.DataFrame
        One row per (sample, class) with pixels.
    """
    rows, cols = np.nonzero(counts)
    return pd.DataFrame({
        "sample_id": np.asarray(sample_ids)[rows],
        "label": np.asarray(classes, dtype=object)[cols],
        "count": counts[rows, cols],
    })


def pixels_from_masks(samples, classes: Sequence[str], *, mask_values: Sequence[int] | None = None,
                      ignore_index: int | None = 255):
    """Pixel counts of the masks named in ``samples['mask_path']`` (images without one skip).

    Parameters
    ----------
    samples : pandas.DataFrame
        With ``mask_path``, ``width`` and ``height``.
    classes : sequence of str
        Class names.
    mask_values : sequence of int, optional
        Stored value of each class; default 0..k-1.
    ignore_index : int, optional
        The value of unlabelled pixels.

    Returns
    -------
    pandas.DataFrame
        As :func:`pixels_table`.
    """
    mask_values = list(range(len(classes))) if mask_values is None else list(mask_values)
    has_mask = samples["mask_path"].notna().to_numpy()
    subset = samples.loc[has_mask]
    paths = [Path(p) for p in subset["mask_path"]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise DataError(
            f"{len(missing)} masks named in mask_path do not exist: {some(missing)}. Fix the "
            "paths or remove the mask_path entries of those images."
        )
    sizes = list(zip(subset["width"], subset["height"], strict=True))
    counts = count_mask_pixels(paths, mask_values, sizes=sizes, ignore_index=ignore_index,
                               classes=classes)
    return pixels_table(subset.index, counts, classes)
