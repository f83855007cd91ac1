"""Boxes as loaders read them: checked against the image, clipped, flagged when doubled,
and placed on the pixels the user sees (declared sizes, EXIF rotation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.sources.files import ROTATED, image_info
from workbench.sources.problems import Problems


def _pick(values, where) -> list:
    """The entries of an array at ``where`` (a mask or positions), of item names made on
    demand, or of one file name that stands for every box (no 500k-long array of one
    path)."""
    if isinstance(values, str):
        where = np.asarray(where)
        return [values] * (int(np.count_nonzero(where)) if where.dtype == bool else len(where))
    return list(values[where])


def check_boxes(boxes: np.ndarray, files, items, problems: Problems, *, tolerance,
                fix: str = "") -> np.ndarray:
    """Which relative corner boxes (x0, y0, x1, y1) to keep; the others are recorded.

    Skipped: empty boxes (no width or height, or NaN) and boxes wholly outside the
    image. Recorded as clipped: boxes reaching outside [0, 1] by more than
    ``tolerance``, which the caller clips.

    Parameters
    ----------
    boxes : numpy.ndarray
        Relative (0-1) x0, y0, x1, y1, one row per box.
    files : str or array
        One path for every box, or one per box.
    items : array or ItemNames
        A name per box for the problems listed.
    problems : Problems
        Where skipped and clipped boxes are recorded.
    tolerance : float
        Overhang (relative) allowed without a record.
    fix : str
        Advice recorded with skipped boxes.

    Returns
    -------
    numpy.ndarray of bool
        The boxes kept.
    """
    x0, y0, x1, y1 = np.asarray(boxes, dtype=float).T
    if isinstance(items, list):
        items = np.asarray(items, dtype=object)
    if not isinstance(files, str):
        files = np.asarray(files, dtype=object)
    with np.errstate(invalid="ignore"):
        empty = ~((x1 > x0) & (y1 > y0))
        outside = ~empty & ((x1 <= 0) | (y1 <= 0) | (x0 >= 1) | (y0 >= 1))
        overhang = ~empty & ~outside & ((x0 < -tolerance) | (y0 < -tolerance)
                                        | (x1 > 1 + tolerance) | (y1 > 1 + tolerance))
    for mask, problem, action, advice in [
            (empty, "boxes with no width or height", "skipped", fix),
            (outside, "boxes wholly outside their image", "skipped", fix),
            (overhang, "boxes reaching outside their image", "clipped to the image", "")]:
        if mask.any():
            problems.add(problem, action, _pick(files, mask), _pick(items, mask), fix=advice)
    return ~(empty | outside)


def clip_boxes(corners: np.ndarray, xywh: np.ndarray) -> np.ndarray:
    """Relative (x, y, w, h): ``xywh`` as given where the box lies inside the image, the
    clipped ``corners`` where it reaches outside (so exact values survive a round trip).

    Parameters
    ----------
    corners : numpy.ndarray
        Relative (0-1) x0, y0, x1, y1 per box.
    xywh : numpy.ndarray
        The same boxes as relative x, y, w, h.

    Returns
    -------
    numpy.ndarray
        Relative x, y, w, h per box.
    """
    inside = ((corners >= 0) & (corners <= 1)).all(axis=1)
    x0, y0, x1, y1 = np.clip(corners, 0, 1).T
    clipped = np.column_stack([x0, y0, x1 - x0, y1 - y0])
    return np.where(inside[:, None], xywh, clipped)


DUPLICATE_IOU = 0.9  # two boxes of one class overlapping this much are one object twice


def box_pairs(objects: pd.DataFrame, *, same_class: bool = True
              ) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (a, b), a < b, of rows of ``objects`` in the same image (and of the same
    class with ``same_class``). Vectorised: rows are sorted by (image, class) codes and
    each group's pairs are formed with numpy, no join of tables.

    Parameters
    ----------
    objects : pandas.DataFrame
        The boxes, with ``sample_id`` and ``label``.
    same_class : bool
        Pair only boxes of the same class.

    Returns
    -------
    a, b : numpy.ndarray of int64
        Row positions in ``objects``, ``a < b``.
    """
    n = len(objects)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    image, _ = pd.factorize(objects["sample_id"].astype(str))
    key = image.astype(np.int64)
    if same_class:
        label, labels = pd.factorize(objects["label"].astype(str))
        key = key * (len(labels) + 1) + label
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ends = np.r_[starts[1:], n]
    after = np.repeat(ends, ends - starts) - np.arange(n) - 1  # partners later in the group
    left = np.repeat(np.arange(n), after)
    step = np.arange(len(left)) - np.repeat(np.cumsum(after) - after, after) + 1
    a, b = order[left], order[left + step]
    return np.minimum(a, b), np.maximum(a, b)


def corners(objects: pd.DataFrame) -> np.ndarray:
    """Relative (x0, y0, x1, y1) of each box.

    Parameters
    ----------
    objects : pandas.DataFrame
        Boxes as relative x, y, w, h.

    Returns
    -------
    numpy.ndarray
        One row per box.
    """
    x0, y0 = objects["x"].to_numpy(float), objects["y"].to_numpy(float)
    return np.column_stack([x0, y0, x0 + objects["w"].to_numpy(float),
                            y0 + objects["h"].to_numpy(float)])


def pair_iou(boxes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of the box pairs (a[i], b[i]); boxes are corner rows.

    Parameters
    ----------
    boxes : numpy.ndarray
        x0, y0, x1, y1 per box (any unit, the same for all).
    a, b : numpy.ndarray of int
        Row positions of the pairs.

    Returns
    -------
    numpy.ndarray of float
        IoU per pair (NaN for two empty boxes).

    Examples
    --------
    >>> pair_iou(np.array([[0, 0, 2, 2], [1, 0, 3, 2.0]]), np.array([0]), np.array([1]))
    array([0.33333333])
    """
    x0, y0, x1, y1 = boxes.T
    inter = (np.clip(np.minimum(x1[a], x1[b]) - np.maximum(x0[a], x0[b]), 0, None)
             * np.clip(np.minimum(y1[a], y1[b]) - np.maximum(y0[a], y0[b]), 0, None))
    area = (x1 - x0) * (y1 - y0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return inter / (area[a] + area[b] - inter)


def flag_duplicate_boxes(objects: pd.DataFrame, files, items, problems: Problems, *,
                         iou: float = DUPLICATE_IOU) -> None:
    """Record pairs of same-class boxes in one image that overlap by ``iou`` or more.

    Such pairs are usually one object annotated twice, which inflates its class's
    instance count; they are kept (a crowd of touching objects can look the same) and
    listed for a person to decide.

    Parameters
    ----------
    objects : pandas.DataFrame
        The boxes, relative x, y, w, h with ``sample_id`` and ``label``.
    files : str or array
        One path for every box, or one per box.
    items : array or ItemNames
        A name per box.
    problems : Problems
        Where the pairs are recorded.
    iou : float
        The overlap (0-1) from which a pair is listed.
    """
    a, b = box_pairs(objects)
    overlap = pair_iou(corners(objects), a, b)
    close = overlap >= iou
    if close.any():
        a, b, overlap = a[close], b[close], overlap[close]
        problems.add(f"pairs of same-class boxes overlapping by IoU >= {iou:g} (one object "
                     "annotated twice?)", "kept", _pick(files, a),
                     [f"{x} ~ {y} (IoU {v:.2f})" for x, y, v in zip(
                         _pick(items, a), _pick(items, b), overlap, strict=True)],
                     fix="If they are one object, delete one box; each counts as an instance.")


def check_declared_sizes(samples: pd.DataFrame, objects: pd.DataFrame | None, path: Path,
                         problems: Problems):
    """Sizes declared in the annotations against the image files' headers.

    Missing files are listed and their rows kept (counts work without pixels). A file
    of another size than declared gets the file's size: relative boxes stay on the same
    part of the picture. A JPEG whose EXIF rotation makes the declared size the size of
    the unrotated pixels was annotated on those pixels: its boxes are rotated with it.

    Parameters
    ----------
    samples : pandas.DataFrame
        With ``filepath``, and the declared ``width`` and ``height`` in pixels.
    objects : pandas.DataFrame or None
        Relative boxes, rotated where needed.
    path : Path
        The annotation file; not used.
    problems : Problems
        Where missing, resized and rotated images are recorded.

    Returns
    -------
    samples, objects : pandas.DataFrame
        With the files' sizes, and the boxes on the displayed picture.
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

    Parameters
    ----------
    objects : pandas.DataFrame
        Relative (0-1) x, y, w, h per box, with ``sample_id``.
    orientation : pandas.Series
        EXIF orientation per sample id (missing: 1).

    Returns
    -------
    pandas.DataFrame
        A copy with the boxes moved.

    Examples
    --------
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
