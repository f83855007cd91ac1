"""Reading image files: finding them, their headers and pixels, and what went wrong.

Every loader goes through these functions, so every format gets the same answers:

- :func:`find_images` walks a folder once (symlinks followed, loops and second paths
  to the same file not), and returns the image files and the files it skipped;
- :func:`image_info` reads each image's header (size as displayed after EXIF rotation,
  truncated files, missing files) without decoding the pixels;
- :func:`read_image` decodes an image as the user sees it: EXIF rotation applied,
  16-bit and float images scaled to 8 bits instead of clipped to white;
- :class:`Problems` collects what a loader skipped, clipped or merged, file by file: a
  Catalog keeps the table and one warning per kind says it at load time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.errors import DataError
from workbench.sources.problems import Problems

# Formats Pillow decodes itself (no external program), intersected with the plugins
# this Pillow has; the suffix is compared in lower case (.JPG, .Jfif).
_COMMON_SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".dib", ".tif", ".tiff",
                    ".webp", ".gif", ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".avif", ".jp2",
                    ".j2k", ".qoi", ".pcx", ".sgi", ".ras", ".ico")


def _decodable_suffixes() -> frozenset[str]:
    Image.init()
    known = {ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}
    return frozenset(s for s in _COMMON_SUFFIXES if s in known)


IMAGE_SUFFIXES = _decodable_suffixes()
SPLIT_FOLDERS = {"train": "train", "training": "train", "val": "val", "valid": "val",
                 "validation": "val", "test": "test", "testing": "test"}
EXIF_ORIENTATION = 0x0112
ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
PROBLEM_COLUMNS = ("file", "item", "problem", "action")


def is_image_file(path: Path) -> bool:
    """Whether the suffix is one Pillow reads (any case).

    Parameters
    ----------
    path : Path
        A file.

    Returns
    -------
    bool
        True for an image suffix.
    """
    return path.suffix.lower() in IMAGE_SUFFIXES


# -- what went wrong, file by file -------------------------------------------------------


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


def find_images(root: Path, problems: Problems | None = None) -> list[Path]:
    """Image files below ``root``, sorted; hidden folders skipped.

    Symlinked folders are followed once: a link back to a folder already walked (a loop)
    is not followed again, and a file reached by a second path counts once. Both, and
    files that are not images Pillow reads, are recorded in ``problems``.

    Parameters
    ----------
    root : Path
        The folder to walk.
    problems : Problems, optional
        Where skipped files and folders are recorded.

    Returns
    -------
    list of Path
        The image files.
    """
    root = Path(root)
    images, others, seen_files = [], [], {}
    seen_dirs = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen_dirs:
            if problems is not None:
                problems.add("folders reached twice through a symlink", "skipped",
                             [folder], fix="Remove the link or point it outside the dataset.")
            dirs[:] = []
            continue
        seen_dirs.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith("."):
                continue
            if not is_image_file(path):
                others.append(path)
                continue
            key = os.path.realpath(path)
            if key in seen_files:
                if problems is not None:
                    problems.add("files that are the same image as another path", "counted once",
                                 [path], [f"= {seen_files[key].relative_to(root)}"])
                continue
            seen_files[key] = path
            images.append(path)
    if others and problems is not None:
        problems.add("files that are not images Pillow reads", "skipped", others,
                     fix=f"Readable suffixes: {', '.join(sorted(IMAGE_SUFFIXES))}.")
    return sorted(images)


def split_of_folder(name: str) -> str | None:
    """The split a folder name stands for (``valid`` -> ``val``), or None.

    Parameters
    ----------
    name : str
        A folder name (any case).

    Returns
    -------
    str or None
        "train", "val" or "test".
    """
    return SPLIT_FOLDERS.get(name.lower())


def relative_ids(paths: Sequence[Path], root: Path) -> list[str]:
    """Sample ids: each path relative to ``root`` without its suffix (``cls/img``).

    Two files that differ only by suffix (``x.png`` and ``x.jpg``) keep their suffixes,
    so both load.

    Parameters
    ----------
    paths : sequence of Path
        The image files.
    root : Path
        The folder ids are relative to.

    Returns
    -------
    list of str
        One id per path, with ``/`` separators.
    """
    stems = [Path(os.path.relpath(p, root)).with_suffix("").as_posix() for p in paths]
    full = [Path(os.path.relpath(p, root)).as_posix() for p in paths]
    clash = pd.Series(stems).duplicated(keep=False).to_numpy()
    return [f if c else s for s, f, c in zip(stems, full, clash, strict=True)]


# -- headers -------------------------------------------------------------------------------


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


# -- masks ---------------------------------------------------------------------------------


def tidy_labels(values: pd.Series, problems: Problems, *, file: str, what: str = "labels"
                ) -> pd.Series:
    """Labels with surrounding whitespace removed (``' car'`` and ``'car'`` are one class).

    Each changed label is recorded once in ``problems``.

    Parameters
    ----------
    values : pandas.Series
        The labels; values that are not text are kept as they are.
    problems : Problems
        Where changed labels are recorded.
    file : str
        The file they came from.
    what : str
        What they are, in the record.

    Returns
    -------
    pandas.Series
        The labels, stripped.
    """
    text = values.astype(object)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_text.any():
        return values
    stripped = text.copy()
    stripped[is_text] = text[is_text].str.strip()
    changed = is_text & (stripped != text).to_numpy()
    if changed.any():
        found = pd.unique(text[changed])
        problems.add(f"{what} with spaces around the name", "stripped", [file] * len(found),
                     [repr(v) for v in found])
    return stripped


def file_safe(text: str, *, limit: int = 120) -> str:
    """``text`` shortened for a file name: past ``limit`` characters, cut and given a hash
    of the whole, so long names stay distinct.

    Parameters
    ----------
    text : str
        The name.
    limit : int
        Most characters kept.

    Returns
    -------
    str
        At most ``limit`` characters.

    Examples
    --------
    >>> len(file_safe("a" * 300)), file_safe("b" * 300) != file_safe("b" * 299 + "c")
    (120, True)
    """
    if len(text) <= limit:
        return text
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    return text[: limit - 7] + "_" + digest
