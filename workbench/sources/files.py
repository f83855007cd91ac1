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
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.errors import DataError, DataWarning, some, warn_data

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
    return path.suffix.lower() in IMAGE_SUFFIXES


# -- what went wrong, file by file -------------------------------------------------------


class Problems:
    """What a loader found wrong, one row per file and item, and the warnings to say it.

    ``add`` takes a problem (what was found), an action (what the loader did:
    "skipped", "kept", "clipped", "merged", ...) and the files and items concerned;
    ``warn`` gives one DataWarning per (problem, action) naming the first few; ``frame``
    is the table a Catalog keeps in ``catalog.problems``.
    """

    def __init__(self):
        self._parts: list[pd.DataFrame] = []
        self._fixes: dict[tuple[str, str], str] = {}

    def add(self, problem: str, action: str, files: Iterable, items: Iterable | None = None,
            *, fix: str = "") -> None:
        files = [str(f) for f in files]
        if not files:
            return
        items = [""] * len(files) if items is None else [str(i) for i in items]
        self._parts.append(pd.DataFrame({"file": files, "item": items, "problem": problem,
                                         "action": action}))
        if fix:
            self._fixes[(problem, action)] = fix

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
        return pd.concat(self._parts, ignore_index=True)

    def warn(self) -> None:
        table = self.frame()
        for (problem, action), rows in table.groupby(["problem", "action"], sort=False):
            where = [f"{Path(f).name} {i}".strip() for f, i in zip(rows["file"], rows["item"],
                                                                  strict=True)]
            fix = self._fixes.get((problem, action), "")
            warn_data(f"{len(rows)} {problem} ({action}): {some(where)}."
                      + (f" {fix}" if fix else ""))


# -- finding files -------------------------------------------------------------------------


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


def find_images(root: Path, problems: Problems | None = None) -> list[Path]:
    """Image files below ``root``, sorted; hidden folders skipped.

    Symlinked folders are followed once: a link back to a folder already walked (a loop)
    is not followed again, and a file reached by a second path counts once. Both, and
    files that are not images Pillow reads, are recorded in ``problems``.
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
    """The split a folder name stands for (``valid`` -> ``val``), or None."""
    return SPLIT_FOLDERS.get(name.lower())


def relative_ids(paths: Sequence[Path], root: Path) -> list[str]:
    """Sample ids: each path relative to ``root`` without its suffix (``cls/img``).

    Two files that differ only by suffix (``x.png`` and ``x.jpg``) keep their suffixes,
    so both load.
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

    Returns the info table; rows whose ``status`` is not "ok" are the ones to drop.
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


def clip_boxes(corners: np.ndarray, xywh: np.ndarray) -> np.ndarray:
    """Relative (x, y, w, h): ``xywh`` as given where the box lies inside the image, the
    clipped ``corners`` where it reaches outside (so exact values survive a round trip)."""
    inside = ((corners >= 0) & (corners <= 1)).all(axis=1)
    x0, y0, x1, y1 = np.clip(corners, 0, 1).T
    clipped = np.column_stack([x0, y0, x1 - x0, y1 - y0])
    return np.where(inside[:, None], xywh, clipped)


def check_boxes(boxes: np.ndarray, files, items, problems: Problems, *, tolerance: float,
                fix: str = "") -> np.ndarray:
    """Which relative corner boxes (x0, y0, x1, y1) to keep; the others are recorded.

    Skipped: empty boxes (no width or height, or NaN) and boxes wholly outside the
    image. Recorded as clipped: boxes reaching outside [0, 1] by more than
    ``tolerance``, which the caller clips. Returns the boolean mask of boxes kept.
    """
    x0, y0, x1, y1 = np.asarray(boxes, dtype=float).T
    files, items = np.asarray(files, dtype=object), np.asarray(items, dtype=object)
    with np.errstate(invalid="ignore"):
        empty = ~((x1 > x0) & (y1 > y0))
        outside = ~empty & ((x1 <= 0) | (y1 <= 0) | (x0 >= 1) | (y0 >= 1))
        overhang = ~empty & ~outside & ((x0 < -tolerance) | (y0 < -tolerance)
                                        | (x1 > 1 + tolerance) | (y1 > 1 + tolerance))
    problems.add("boxes with no width or height", "skipped", files[empty], items[empty], fix=fix)
    problems.add("boxes wholly outside their image", "skipped", files[outside], items[outside],
                 fix=fix)
    problems.add("boxes reaching outside their image", "clipped to the image", files[overhang],
                 items[overhang])
    return ~(empty | outside)


def check_declared_sizes(samples: pd.DataFrame, objects: pd.DataFrame | None, path: Path,
                         problems: Problems):
    """Sizes declared in the annotations against the image files' headers.

    Missing files are listed and their rows kept (counts work without pixels). A file
    of another size than declared gets the file's size: relative boxes stay on the same
    part of the picture. A JPEG whose EXIF rotation makes the declared size the size of
    the unrotated pixels was annotated on those pixels: its boxes are rotated with it.
    """
    info = image_info([Path(p) for p in samples["filepath"]])
    info.index = samples.index
    ok = info["status"] == "ok"
    for status, fix in [("missing", "Check the images folder (coco:ANNOTATIONS.json:IMAGES_DIR, "
                         "voc:ANNOTATIONS:IMAGES); counts still work without the files"),
                        ("undecodable", "Re-export them"), ("truncated", "Copy them again")]:
        bad = info["status"] == status
        problems.add(f"image files {'that do not exist' if status == 'missing' else status}",
                     "kept for counting; no pixels", samples.loc[bad, "filepath"], fix=fix)
    declared = samples[["width", "height"]].astype(int)
    raw = info[["width", "height"]].where(~info["orientation"].isin(ROTATED),
                                          info[["height", "width"]].to_numpy())
    shown_same = (info["width"] == declared["width"]) & (info["height"] == declared["height"])
    raw_same = (raw["width"] == declared["width"]) & (raw["height"] == declared["height"])
    rotated = ok & ~shown_same & raw_same & info["orientation"].isin(ROTATED)
    resized = ok & ~shown_same & ~rotated
    problems.add("images whose file size differs from the size declared in the annotations",
                 "file size used; relative boxes kept", samples.loc[resized, "filepath"],
                 [f"declared {w}x{h}, file {fw}x{fh}" for w, h, fw, fh in zip(
                     declared.loc[resized, "width"], declared.loc[resized, "height"],
                     info.loc[resized, "width"], info.loc[resized, "height"], strict=True)])
    problems.add("images annotated on their unrotated pixels (EXIF orientation)",
                 "boxes rotated with the picture", samples.loc[rotated, "filepath"],
                 [f"orientation {o}" for o in info.loc[rotated, "orientation"]])
    samples = samples.copy()
    fix_size = ok & ~shown_same
    samples.loc[fix_size, "width"] = info.loc[fix_size, "width"]
    samples.loc[fix_size, "height"] = info.loc[fix_size, "height"]
    if objects is not None and rotated.any():
        objects = rotate_boxes(objects, info.loc[rotated, "orientation"])
    return samples, objects


def rotate_boxes(objects: pd.DataFrame, orientation: pd.Series) -> pd.DataFrame:
    """Relative boxes of raw pixels moved to the displayed picture (EXIF orientations 1-8).

    >>> o = pd.DataFrame({"sample_id": ["a"], "label": ["x"], "x": [0.1], "y": [0.2],
    ...                   "w": [0.3], "h": [0.4]})
    >>> rotate_boxes(o, pd.Series({"a": 6}))[["x", "y", "w", "h"]].round(2).values.tolist()
    [[0.4, 0.1, 0.4, 0.3]]
    """
    objects = objects.copy()
    turn = objects["sample_id"].astype(str).map(orientation.to_dict()).fillna(1).to_numpy(int)
    x0, y0 = objects["x"].to_numpy(float), objects["y"].to_numpy(float)
    x1, y1 = x0 + objects["w"].to_numpy(float), y0 + objects["h"].to_numpy(float)
    # each orientation maps the raw corners to the displayed ones (PIL's exif_transpose)
    mapping = {
        2: (1 - x1, y0, 1 - x0, y1), 3: (1 - x1, 1 - y1, 1 - x0, 1 - y0),
        4: (x0, 1 - y1, x1, 1 - y0), 5: (y0, x0, y1, x1), 6: (1 - y1, x0, 1 - y0, x1),
        7: (1 - y1, 1 - x1, 1 - y0, 1 - x0), 8: (y0, 1 - x1, y1, 1 - x0),
    }
    nx0, ny0, nx1, ny1 = x0.copy(), y0.copy(), x1.copy(), y1.copy()
    for code, (a, b, c, d) in mapping.items():
        rows = turn == code
        nx0[rows], ny0[rows], nx1[rows], ny1[rows] = a[rows], b[rows], c[rows], d[rows]
    objects["x"], objects["y"], objects["w"], objects["h"] = nx0, ny0, nx1 - nx0, ny1 - ny0
    return objects


DUPLICATE_IOU = 0.9  # two boxes of one class overlapping this much are one object twice


def flag_duplicate_boxes(objects: pd.DataFrame, files, items, problems: Problems, *,
                         iou: float = DUPLICATE_IOU) -> None:
    """Record pairs of same-class boxes in one image that overlap by ``iou`` or more.

    Such pairs are usually one object annotated twice, which inflates its class's
    instance count; they are kept (a crowd of touching objects can look the same) and
    listed for a person to decide.
    """
    if len(objects) < 2:
        return
    table = pd.DataFrame({"s": objects["sample_id"].astype(str).to_numpy(),
                          "c": objects["label"].astype(str).to_numpy(),
                          "x0": objects["x"].to_numpy(float), "y0": objects["y"].to_numpy(float),
                          "i": np.arange(len(objects))})
    table["x1"] = table["x0"] + objects["w"].to_numpy(float)
    table["y1"] = table["y0"] + objects["h"].to_numpy(float)
    pairs = table.merge(table, on=["s", "c"], suffixes=("", "_b"))
    pairs = pairs[pairs["i"] < pairs["i_b"]]
    if not len(pairs):
        return
    w = (np.minimum(pairs["x1"], pairs["x1_b"]) - np.maximum(pairs["x0"], pairs["x0_b"])).clip(0)
    h = (np.minimum(pairs["y1"], pairs["y1_b"]) - np.maximum(pairs["y0"], pairs["y0_b"])).clip(0)
    inter = w * h
    area = (pairs["x1"] - pairs["x0"]) * (pairs["y1"] - pairs["y0"])
    area_b = (pairs["x1_b"] - pairs["x0_b"]) * (pairs["y1_b"] - pairs["y0_b"])
    overlap = (inter / (area + area_b - inter)).to_numpy()
    close = pairs[overlap >= iou]
    if len(close):
        items = np.asarray(items, dtype=object)
        problems.add(f"pairs of same-class boxes overlapping by IoU >= {iou:g} (one object "
                     "annotated twice?)", "kept", np.asarray(files, dtype=object)[close["i"]],
                     [f"{a} ~ {b} (IoU {v:.2f})" for a, b, v in zip(
                         items[close["i"]], items[close["i_b"]], overlap[overlap >= iou],
                         strict=True)],
                     fix="If they are one object, delete one box; each counts as an instance.")


# -- pixels --------------------------------------------------------------------------------


def read_image(path) -> np.ndarray:
    """An image as the user sees it: RGB uint8, EXIF rotation applied.

    16-bit and float images (microscopy, thermal, depth) are stretched from their own
    minimum to their maximum; converting them the usual way clips everything above 255
    to white.
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
    return np.repeat(grey[..., None], 3, axis=2) if grey.ndim == 2 else grey


# -- masks ---------------------------------------------------------------------------------


MASK_MODES = ("L", "P", "I", "I;16", "I;16B", "I;16L", "1")


def read_mask(path) -> np.ndarray:
    """A class-index mask as a 2-D integer array (the stored values, not class codes)."""
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


def mask_lookup(mask_values: Sequence[int], ignore_index: int | None, top: int) -> np.ndarray:
    """A table from stored mask value to class code, for values 0..``top``.

    ``-1`` marks the ignore index, ``-2`` a value that is neither a class nor ignored.

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
    """Class codes of a mask's pixels: ``-1`` for ignored pixels and unknown values."""
    mask = np.asarray(mask, dtype=np.int64)
    table = mask_lookup(mask_values, ignore_index, int(mask.max(initial=0)))
    codes = table[np.clip(mask, 0, len(table) - 1)]
    codes[(codes < 0) | (mask < 0)] = -1
    return codes


def count_mask_pixels(
    mask_paths: Sequence[Path],
    mask_values: Sequence[int],
    *,
    sizes: Sequence[tuple[int, int]] | None = None,
    ignore_index: int | None = 255,
    classes: Sequence[str] | None = None,
) -> np.ndarray:
    """Pixels per class in each class-index mask: an ``(n_masks, n_classes)`` int64 array.

    ``mask_values`` are the stored values of the classes, in class order (0..k-1 for
    the usual contiguous masks). ``sizes`` holds each image's (width, height); a mask of
    another size is an error, as is a value that is neither a class nor ``ignore_index``.
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
    """Long table (sample_id, label, count) from a sample x class count matrix, zeros dropped."""
    rows, cols = np.nonzero(counts)
    return pd.DataFrame({
        "sample_id": np.asarray(sample_ids)[rows],
        "label": np.asarray(classes, dtype=object)[cols],
        "count": counts[rows, cols],
    })


def pixels_from_masks(samples, classes: Sequence[str], *, mask_values: Sequence[int] | None = None,
                      ignore_index: int | None = 255):
    """Pixel counts of the masks named in ``samples['mask_path']`` (images without one skip)."""
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


def warn_missing_files(filepaths, *, hint: str) -> None:
    """A DataWarning naming the image files that do not exist (the rows are kept)."""
    filepaths = list(filepaths)
    missing = [p for p in filepaths if not Path(p).is_file()]
    if missing:
        warnings.warn(
            f"{len(missing)} of {len(filepaths)} image files do not exist: {some(missing)}. "
            f"{hint}.", DataWarning, stacklevel=4,
        )


# -- labels --------------------------------------------------------------------------------


def tidy_labels(values: pd.Series, problems: Problems, *, file: str, what: str = "labels"
                ) -> pd.Series:
    """Labels with surrounding whitespace removed (``' car'`` and ``'car'`` are one class).

    Each changed label is recorded once in ``problems``.
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

    >>> len(file_safe("a" * 300)), file_safe("b" * 300) != file_safe("b" * 299 + "c")
    (120, True)
    """
    if len(text) <= limit:
        return text
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    return text[: limit - 7] + "_" + digest
