"""Reading image files: finding them, their sizes, and the pixels of class-index masks."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from workbench.errors import DataError, DataWarning, some

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"})


def existing_path(path, *, what: str = "path", spec: str | None = None) -> Path:
    """``path`` as an absolute Path, or a DataError saying it does not exist."""
    resolved = Path(path).expanduser().absolute()
    if not resolved.exists():
        origin = f" (from {spec!r})" if spec else ""
        raise DataError(
            f"The {what} {str(path)!r}{origin} does not exist. Relative paths are read from "
            f"the current directory, {str(Path.cwd())!r}; check the spelling or give an "
            "absolute path."
        )
    return resolved


def find_images(root: Path) -> list[Path]:
    """Image files below ``root``, sorted, hidden folders skipped."""
    return sorted(
        p for p in root.rglob("*")
        if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def image_sizes(paths: Sequence[Path]) -> tuple[np.ndarray, np.ndarray, list[Path]]:
    """Width and height of each image from its header; unreadable images are listed.

    Returns ``widths, heights, unreadable``: sizes of unreadable images are 0, and a
    DataWarning names them, so the caller can drop them and keep going.
    """
    widths = np.zeros(len(paths), dtype=np.int64)
    heights = np.zeros(len(paths), dtype=np.int64)
    unreadable = []
    for i, path in enumerate(paths):  # file I/O: one header read per image
        try:
            with Image.open(path) as im:
                widths[i], heights[i] = im.size
        except (UnidentifiedImageError, OSError):
            unreadable.append(Path(path))
    if unreadable:
        warnings.warn(
            f"{len(unreadable)} of {len(paths)} images could not be decoded and were "
            f"skipped: {some(map(str, unreadable))}. Re-export or delete them.",
            DataWarning,
            stacklevel=3,
        )
    return widths, heights, unreadable


def count_mask_pixels(
    mask_paths: Sequence[Path],
    n_classes: int,
    *,
    sizes: Sequence[tuple[int, int]] | None = None,
    ignore_index: int | None = 255,
    classes: Sequence[str] | None = None,
) -> np.ndarray:
    """Pixels per class in each class-index mask: an ``(n_masks, n_classes)`` int64 array.

    ``sizes`` holds each image's (width, height); a mask of another size is an error, as
    is a value that is neither a class index nor ``ignore_index``.
    """
    counts = np.zeros((len(mask_paths), n_classes), dtype=np.int64)
    for i, path in enumerate(mask_paths):  # one file per mask; the counting is bincount
        mask = read_mask(path)
        if sizes is not None and (mask.shape[1], mask.shape[0]) != tuple(sizes[i]):
            raise DataError(
                f"The mask {str(path)!r} is {mask.shape[1]}x{mask.shape[0]} but its image is "
                f"{sizes[i][0]}x{sizes[i][1]}. Masks must have their image's size; re-export "
                "the mask at the image's resolution."
            )
        values = mask.ravel()
        if ignore_index is not None:
            values = values[values != ignore_index]
        binned = np.bincount(values, minlength=n_classes)
        if len(binned) > n_classes:
            bad = np.flatnonzero(binned[n_classes:]) + n_classes
            names = f" ({some(classes, n=20)})" if classes is not None else ""
            raise DataError(
                f"The mask {str(path)!r} has values {some(bad)} but there are only "
                f"{n_classes} classes{names}, so values must be 0..{n_classes - 1}"
                f"{f' or {ignore_index} (ignored)' if ignore_index is not None else ''}. "
                "List every class (in index order) or fix the mask."
            )
        counts[i] = binned
    return counts


def read_mask(path: Path) -> np.ndarray:
    """A class-index mask as a 2-D integer array."""
    try:
        with Image.open(path) as im:
            if im.mode not in ("L", "P", "I", "I;16", "1"):
                raise DataError(
                    f"The mask {str(path)!r} is a {im.mode} image; class-index masks are "
                    "single-channel (mode L or P) with one class id per pixel. Convert colour "
                    "masks to class ids first."
                )
            mask = np.asarray(im)
    except (UnidentifiedImageError, OSError) as err:
        raise DataError(f"The mask {str(path)!r} cannot be decoded ({err}).") from None
    return mask.astype(np.int64, copy=False)


def pixels_table(sample_ids, counts: np.ndarray, classes: Sequence[str]):
    """Long table (sample_id, label, count) from a sample x class count matrix, zeros dropped."""
    import pandas as pd

    rows, cols = np.nonzero(counts)
    return pd.DataFrame({
        "sample_id": np.asarray(sample_ids)[rows],
        "label": np.asarray(classes, dtype=object)[cols],
        "count": counts[rows, cols],
    })


def pixels_from_masks(samples, classes: Sequence[str], *, ignore_index: int | None = 255):
    """Pixel counts of the masks named in ``samples['mask_path']`` (missing masks skipped)."""
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
    counts = count_mask_pixels(paths, len(classes), sizes=sizes, ignore_index=ignore_index,
                               classes=classes)
    return pixels_table(subset.index, counts, classes)


def warn_missing_files(filepaths, *, hint: str) -> None:
    """A DataWarning naming the image files that do not exist (the rows are kept)."""
    filepaths = list(filepaths)
    missing = [p for p in filepaths if not Path(p).is_file()]
    if missing:
        warnings.warn(
            f"{len(missing)} of {len(filepaths)} image files do not exist: {some(missing)}. "
            f"{hint}.", DataWarning, stacklevel=4,
        )
