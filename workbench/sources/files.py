"""Reading image files: a path that must exist, their headers and their pixels.

Every loader goes through these functions, so every format gets the same answers:
:func:`existing_path` turns a path given into an absolute one or one clear error,
:func:`image_info` reads each image's header (size as displayed after EXIF rotation,
truncated files, missing files) without decoding the pixels, and :func:`usable_images`
records the ones to skip; :func:`read_image` decodes an image as the user sees it, EXIF
rotation applied, 16-bit and float images scaled to 8 bits instead of clipped to white.
Finding the files is :mod:`workbench.sources.discover`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.errors import DataError
from workbench.sources.problems import Problems

EXIF_ORIENTATION = 0x0112
ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def existing_path(path, *, what: str = "path", spec: str | None = None) -> Path:
    """``path`` as an absolute Path, or a DataError saying it does not exist.

    Parameters
    ----------
    path : str or Path
        The path given (``~`` expanded; relative to the current directory).
    what : str
        What it is, for the error.
    spec : str, optional
        The dataset spec it came from, for the error.

    Returns
    -------
    Path
        Absolute.
    """
    resolved = Path(path).expanduser().absolute()
    if not resolved.exists():
        origin = f" (from {spec!r})" if spec else ""
        raise DataError(
            f"The {what} {str(path)!r}{origin} does not exist. Relative paths are read from "
            f"the current directory, {str(Path.cwd())!r}; check the spelling or give an "
            "absolute path."
        )
    return resolved


def image_info(paths: Sequence[Path]) -> pd.DataFrame:
    """Per image, from its header only: ``width``, ``height`` (as displayed, after the EXIF
    rotation), ``orientation`` and ``status`` ("ok", "missing", "undecodable",
    "truncated").

    A truncated JPEG or PNG (a download or copy cut short) opens but fails on decoding;
    it is found by its missing end marker, one short read at the end of the file.

    Parameters
    ----------
    paths : sequence of Path
        The image files.

    Returns
    -------
    pandas.DataFrame
        One row per path, in order; width and height in pixels (0 when not "ok").
    """
    n = len(paths)
    width = np.zeros(n, dtype=np.int64)
    height = np.zeros(n, dtype=np.int64)
    orientation = np.ones(n, dtype=np.int64)
    status = np.full(n, "ok", dtype=object)
    for i, path in enumerate(paths):  # file I/O: one header read per image
        try:
            with Image.open(path) as im:
                w, h = im.size
                fmt = im.format
                turn = int(im.getexif().get(EXIF_ORIENTATION, 1) or 1) if fmt in (
                    "JPEG", "TIFF", "WEBP", "PNG", "MPO") else 1
        except FileNotFoundError:
            status[i] = "missing"
            continue
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            status[i] = "undecodable"
            continue
        if _truncated(path, fmt):
            status[i] = "truncated"
            continue
        orientation[i] = turn
        width[i], height[i] = (h, w) if turn in ROTATED else (w, h)
    return pd.DataFrame({"width": width, "height": height, "orientation": orientation,
                         "status": status})


def _truncated(path: Path, fmt: str | None) -> bool:
    if fmt not in ("JPEG", "MPO", "PNG"):
        return False
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 1024))
        tail = f.read()
    if fmt == "PNG":
        return b"IEND" not in tail
    return b"\xff\xd9" not in tail


def usable_images(paths: Sequence[Path], problems: Problems, *, what: str = "images"
                  ) -> pd.DataFrame:
    """:func:`image_info` with the unusable images recorded in ``problems``.

    Parameters
    ----------
    paths : sequence of Path
        The image files.
    problems : Problems
        Where missing, undecodable and truncated files are recorded as skipped.
    what : str
        What the files are, in the records.

    Returns
    -------
    pandas.DataFrame
        The info table; rows whose ``status`` is not "ok" are the ones to drop.
    """
    info = image_info(paths)
    fixes = {"missing": "Check the paths, or restore the files.",
             "undecodable": "Re-export them, or delete them.",
             "truncated": "The file ends early (a copy or download cut short); copy it again."}
    for status, fix in fixes.items():
        bad = info["status"].to_numpy() == status
        if bad.any():
            problems.add(f"{what} {status if status != 'missing' else 'that do not exist'}",
                         "skipped", np.asarray(paths, dtype=object)[bad], fix=fix)
    return info


def read_image(path) -> np.ndarray:
    """An image as the user sees it: RGB uint8, EXIF rotation applied.

    16-bit and float images (microscopy, thermal, depth) are stretched from their own
    minimum to their maximum; converting them the usual way clips everything above 255
    to white.

    Parameters
    ----------
    path : str or Path
        The image file.

    Returns
    -------
    numpy.ndarray of uint8
        Shape (height, width, 3).
    """
    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
                return grey_to_rgb(stretch(np.asarray(im)))
            return np.asarray(im.convert("RGB"))
    except FileNotFoundError:
        raise DataError(f"The image {str(path)!r} does not exist.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise DataError(f"The image {str(path)!r} cannot be decoded ({err}). Re-export it, or "
                        "drop it from the dataset.") from None


def stretch(values: np.ndarray) -> np.ndarray:
    """Any numeric array scaled linearly from its min..max to 0..255 (uint8).

    Parameters
    ----------
    values : numpy.ndarray
        Any numbers; NaN becomes the minimum.

    Returns
    -------
    numpy.ndarray of uint8
        Same shape; all 0 for a constant array.

    Examples
    --------
    >>> stretch(np.array([1000, 3000, 5000], dtype=np.uint16)).tolist()
    [0, 128, 255]
    """
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    if hi <= lo:
        return np.zeros(values.shape, dtype=np.uint8)
    scaled = (np.nan_to_num(values, nan=lo) - lo) / (hi - lo) * 255
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def grey_to_rgb(grey: np.ndarray) -> np.ndarray:
    """A grey (H, W) image as three equal channels; other images unchanged.

    Parameters
    ----------
    grey : numpy.ndarray
        Shape (H, W), or already (H, W, C).

    Returns
    -------
    numpy.ndarray
        Shape (H, W, 3) for a grey image.
    """
    return np.repeat(grey[..., None], 3, axis=2) if grey.ndim == 2 else grey
