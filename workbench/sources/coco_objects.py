"""COCO annotations into the objects table: one checked, relative box per annotation.

COCO boxes are pixel ``[x, y, width, height]``; an annotation with a polygon and no
``bbox`` gets the polygon's box. Annotations are matched to their image and category (ids
as given or as text), boxes outside their image are skipped and the ones overhanging it by
rounding clipped, crowd annotations flagged, and the boxes an image listed twice repeats
counted once; what is skipped, clipped or merged goes to the reader's problems.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.bulk import gc_paused
from workbench.errors import DataError, some
from workbench.sources.boxes import check_boxes, clip_boxes, flag_duplicate_boxes
from workbench.sources.coco import match_ids, sample_ids
from workbench.sources.problems import ItemNames, Problems

PIXEL_TOLERANCE = 1.0  # COCO boxes may overhang the image by rounding; clip up to one pixel

ANNOTATION_KEYS = ("id", "image_id", "category_id", "bbox", "iscrowd", "score", "segmentation")


def _annotation_columns(annotations: list) -> pd.DataFrame:
    """The fields the workbench reads, one list each (faster than a frame of every key)."""
    present = set().union(*(a.keys() for a in annotations[:1000]))
    keys = [k for k in ANNOTATION_KEYS if k in present or k in ("image_id", "category_id")]
    with gc_paused():
        return pd.DataFrame({k: [a.get(k) for a in annotations] for k in keys})


def _objects_table(annotations: list, images: pd.DataFrame, same_as: pd.Series,
                   names: pd.Series, path: Path, problems: Problems) -> pd.DataFrame | None:
    if not annotations:
        return None
    if not all(isinstance(a, dict) for a in annotations[:1000]):
        raise DataError(f"The annotations in {str(path)!r} should be JSON objects with "
                        "image_id, category_id and bbox.")
    ann = _annotation_columns(annotations)
    for column in ("image_id", "category_id"):
        if ann[column].isna().all():
            raise DataError(f"The annotations in {str(path)!r} lack the field {column!r}.")
    ann_ids = ann["id"].to_numpy() if "id" in ann.columns else np.arange(len(ann))
    items = ItemNames("annotation ", ann_ids)
    image_key = ann["image_id"]
    if len(same_as):  # a file listed twice: its later ids point at the first
        text = image_key.astype(str)
        image_key = text.where(~text.isin(same_as.index), text.map(same_as.to_dict()))
    image_row = match_ids(images["id"], image_key)
    category_row = match_ids(names.index, ann["category_id"])
    for unknown, what, column, fix in [
        (image_row < 0, "image ids", "image_id", "listed in 'images'"),
        (category_row < 0, "category ids", "category_id", "listed in 'categories'"),
    ]:
        if unknown.any():
            values = ann.loc[unknown, column].unique()
            raise DataError(
                f"{int(unknown.sum())} annotations in {str(path)!r} (ids "
                f"{some(ann_ids[unknown])}) point at unknown {what}: {some(values)}. Every "
                f"annotation's {column} must be {fix}; drop or fix them."
            )
    box = _bboxes(ann, ann_ids, path, problems)
    width = images["width"].to_numpy(float)[image_row]
    height = images["height"].to_numpy(float)[image_row]
    x, y, w, h = box.T
    corners = np.column_stack([x / width, y / height, (x + w) / width, (y + h) / height])
    keep = check_boxes(corners, str(path), items, problems,
                       tolerance=PIXEL_TOLERANCE / np.minimum(width, height),
                       fix="COCO boxes are [x, y, width, height] in pixels inside the image.")
    rel = np.column_stack([x / width, y / height, w / width, h / height])
    x0, y0, bw, bh = clip_boxes(corners[keep], rel[keep]).T
    objects = pd.DataFrame({
        "sample_id": sample_ids(images).to_numpy()[image_row[keep]],
        "label": pd.Categorical.from_codes(category_row[keep], categories=list(names)),
        "x": x0, "y": y0, "w": bw, "h": bh,
    })
    kept_items = items[keep]
    if "score" in ann.columns:
        objects["confidence"] = ann["score"].to_numpy(float)[keep]
    if "iscrowd" in ann.columns:
        objects["iscrowd"] = ann["iscrowd"].fillna(0).astype(bool).to_numpy()[keep]
        crowd = objects["iscrowd"].to_numpy()
        if crowd.any():
            problems.add("crowd annotations (iscrowd=1): one box for many instances",
                         "kept, flagged, left out of instance counts",
                         [str(path)] * int(crowd.sum()), kept_items[crowd])
    if len(same_as):
        twice = objects.duplicated(["sample_id", "label", "x", "y", "w", "h"]).to_numpy()
        problems.add("boxes repeated by an image listed twice", "counted once",
                     [str(path)] * int(twice.sum()), kept_items[twice])
        objects = objects.loc[~twice].reset_index(drop=True)
        kept_items = kept_items[~twice]
    flag_duplicate_boxes(objects, str(path), kept_items, problems)
    return objects


def _bboxes(ann: pd.DataFrame, ann_ids: np.ndarray, path: Path, problems: Problems
            ) -> np.ndarray:
    """Every annotation's [x, y, w, h]; a polygon stands in for a missing bbox."""
    raw = ann["bbox"] if "bbox" in ann.columns else pd.Series([None] * len(ann))
    try:  # the fast path: every bbox is 4 numbers
        box = np.array(raw.tolist(), dtype=float)
        if box.ndim == 2 and box.shape[1] == 4 and np.isfinite(box).all():
            return box
    except (ValueError, TypeError):
        pass
    box = np.full((len(ann), 4), np.nan)
    well_formed = np.array([_is_box(b) for b in raw])
    if well_formed.any():
        box[well_formed] = np.array(raw[well_formed].tolist(), dtype=float)
    absent = np.array([b is None or (isinstance(b, float) and np.isnan(b)) for b in raw])
    polygons = ann["segmentation"] if "segmentation" in ann.columns else pd.Series(
        [None] * len(ann))
    from_polygon = absent & np.array([_is_polygon(s) for s in polygons])
    for i in np.flatnonzero(from_polygon):  # the rare annotations without a box
        xy = np.concatenate([np.asarray(p, float) for p in polygons.iloc[i]]).reshape(-1, 2)
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        box[i] = (x0, y0, x1 - x0, y1 - y0)
    problems.add("annotations with a polygon and no bbox", "box taken from the polygon",
                 [str(path)] * int(from_polygon.sum()),
                 ItemNames("annotation ", ann_ids[from_polygon]))
    bad = ~well_formed & ~from_polygon
    if bad.any():
        first = raw[bad].iloc[0]
        raise DataError(
            f"{int(bad.sum())} annotations in {str(path)!r} have no usable bbox, e.g. "
            f"annotation ids {some(map(str, ann_ids[bad]))} (bbox {first!r}). COCO boxes are "
            "[x, y, width, height]: a list of 4 numbers in pixels; an annotation with a "
            "polygon 'segmentation' and no bbox gets the polygon's box. Fix or drop these."
        )
    return box


def _is_box(value) -> bool:
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
               for v in value)


def _is_polygon(value) -> bool:
    return (isinstance(value, list) and len(value) > 0
            and all(isinstance(p, list) and len(p) >= 6 and len(p) % 2 == 0 for p in value))
