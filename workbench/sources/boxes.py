"""Boxes as loaders read them: checked against the image, clipped, flagged when doubled,
and placed on the pixels the user sees (declared sizes, EXIF rotation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.sources.files import ROTATED, image_info
from workbench.sources.problems import Problems


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


def clip_boxes(corners: np.ndarray, xywh: np.ndarray) -> np.ndarray:
    """Relative (x, y, w, h): ``xywh`` as given where the box lies inside the image, the
    clipped ``corners`` where it reaches outside (so exact values survive a round trip)."""
    inside = ((corners >= 0) & (corners <= 1)).all(axis=1)
    x0, y0, x1, y1 = np.clip(corners, 0, 1).T
    clipped = np.column_stack([x0, y0, x1 - x0, y1 - y0])
    return np.where(inside[:, None], xywh, clipped)


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
