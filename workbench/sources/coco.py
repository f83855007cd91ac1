"""COCO detection JSON: read into a Catalog, write a Catalog out.

A panoptic JSON (annotations with ``segments_info``) is recognised and read by
:mod:`workbench.sources.panoptic`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from workbench.bulk import gc_paused
from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.sources.boxes import (
    check_boxes,
    check_declared_sizes,
    clip_boxes,
    flag_duplicate_boxes,
)
from workbench.sources.files import existing_path, tidy_labels
from workbench.sources.pixels import pixels_from_masks
from workbench.sources.problems import ItemNames, Problems

REQUIRED_KEYS = ("images", "annotations", "categories")
STANDARD_IMAGE_KEYS = frozenset(
    {"id", "file_name", "width", "height", "license", "flickr_url", "coco_url",
     "date_captured"}
)
PIXEL_TOLERANCE = 1.0  # COCO boxes may overhang the image by rounding; clip up to one pixel


SPLIT_WORDS = ("train", "val", "test")


def read_coco_splits(path, images_dir=None, *, check_files: bool = True) -> Catalog:
    """Read one COCO file per split from a template with ``{split}``.

    ``read_coco_splits("ann/instances_{split}2017.json", "images/{split}2017")`` reads
    the train, val and test files that exist (with their images folders), and gives
    each image its split.

    Parameters
    ----------
    path : str or Path
        Annotation file template with ``{split}``.
    images_dir : str or Path, optional
        Images folder, with ``{split}`` where it differs; default each JSON's folder.
    check_files : bool
        As in :func:`read_coco`.

    Returns
    -------
    Catalog
        Every split found, each image with its ``split``.
    """
    from workbench.catalog import concat

    path, images_dir = str(path), (str(images_dir) if images_dir else None)
    found = {split: path.replace("{split}", split) for split in SPLIT_WORDS
             if Path(path.replace("{split}", split)).expanduser().is_file()}
    if not found:
        tried = [path.replace("{split}", s) for s in SPLIT_WORDS]
        raise DataError(f"No file matches {path!r}: tried {some(tried)}. Write the template "
                        "with {split} where the file names differ, e.g. "
                        "coco:annotations/instances_{split}2017.json:images/{split}2017.")
    parts = {split: read_coco(file, images_dir.replace("{split}", split) if images_dir
                              else None, check_files=check_files)
             for split, file in found.items()}
    return concat(parts)


def read_coco(path, images_dir=None, *, check_files: bool = True) -> Catalog:
    """Read a COCO detection file (``images``, ``annotations``, ``categories``).

    Classes are the categories in id order. Crowd annotations (``iscrowd=1``) are kept
    and flagged in ``objects['iscrowd']`` (COCO evaluation ignores them). An annotation
    with a polygon but no ``bbox`` gets the polygon's box. Two image entries with the
    same ``file_name`` become one image with the boxes of both (exact duplicates once).
    Empty boxes and boxes outside their image are skipped; what is skipped, clipped or
    merged is listed in ``catalog.problems``. Extra image fields written by
    :func:`write_coco` (``sample_id``, ``label``, ``split``, ``group``, ``mask_path`` and
    the conditions) are read back. A path with ``{split}`` goes to
    :func:`read_coco_splits`; a panoptic file to :func:`read_panoptic`.

    Parameters
    ----------
    path : str or Path
        The annotation JSON.
    images_dir : str or Path, optional
        Where ``file_name`` is relative to; default: the JSON's folder.
    check_files : bool
        Read each image's header: missing files and sizes that differ from the declared
        ones (a resized copy, an EXIF rotation) are reported. Counts work without the
        images; pictures and augmentation need them.

    Returns
    -------
    Catalog
        Boxes as relative (0-1) x, y, w, h (COCO's are pixel x, y, w, h).
    """
    if "{split}" in str(path):
        return read_coco_splits(path, images_dir, check_files=check_files)
    path = existing_path(path, what="COCO annotation file")
    images_dir = existing_path(images_dir, what="images folder") if images_dir else path.parent
    data = read_json(path)
    if is_panoptic(data):
        from workbench.sources.panoptic import read_panoptic

        return read_panoptic(path, images_dir, data=data, check_files=check_files)
    problems = Problems()
    images = images_table(data["images"], path)
    classes, category_names = categories(data["categories"], path, problems)
    images, same_as = _merge_same_files(images, path, problems)
    objects = _objects_table(data["annotations"], images, same_as, category_names, path,
                             problems)
    meta = (data.get("info") or {}).get("workbench", {}) if isinstance(data.get("info"), dict) \
        else {}
    samples = _samples_table(images, images_dir)
    if check_files:
        samples, objects = check_declared_sizes(samples, objects, path, problems)
    task = meta.get("task", "detection")
    pixels = None
    has_masks = "mask_path" in samples.columns and samples["mask_path"].notna().any()
    if has_masks:
        pixels = pixels_from_masks(samples, classes, mask_values=meta.get("mask_values"),
                                   ignore_index=meta.get("ignore_index", 255))
    elif task == "segmentation":
        problems.add("a segmentation task named in 'info' without masks (no mask_path)",
                     "read as detection", [path])
        task = "detection"
    problems.warn()
    return Catalog(samples, classes=classes, task=task, objects=objects, pixels=pixels,
                   conditions=tuple(meta.get("conditions", ())),
                   background=meta.get("background"), mask_values=meta.get("mask_values"),
                   ignore_index=meta.get("ignore_index", 255), source=str(path.parent),
                   problems=problems.frame())


def _parse(text: str):
    """orjson; json where orjson refuses what Python writes and reads (NaN, Infinity), and
    for json's own error messages."""
    with gc_paused():
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return json.loads(text)


def read_json(path: Path) -> dict:
    """The COCO JSON as a dict with its three required lists, or one clear error.

    Parameters
    ----------
    path : Path
        The annotation file.

    Returns
    -------
    dict
        The parsed JSON.
    """
    try:
        data = _parse(path.read_bytes().decode("utf-8-sig"))
    except json.JSONDecodeError as err:
        raise DataError(
            f"{str(path)!r} is not valid JSON ({err.msg} at line {err.lineno}, column "
            f"{err.colno}). A COCO file is one JSON object with 'images', 'annotations' and "
            "'categories'."
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{str(path)!r} is not a text (JSON) file.") from None
    missing = [k for k in REQUIRED_KEYS if not isinstance(data, dict) or k not in data]
    if missing:
        if isinstance(data, list) and data and isinstance(data[0], dict) and "score" in data[0]:
            raise DataError(
                f"{str(path)!r} is a COCO results list (predictions with scores), not a "
                "dataset. Load the ground-truth annotations as the dataset."
            )
        found = list(data)[:10] if isinstance(data, dict) else type(data).__name__
        raise DataError(
            f"{str(path)!r} lacks the COCO keys {some(missing)} (found {found}). A COCO "
            "detection file has 'images', 'annotations' and 'categories' lists."
        )
    return data


def is_panoptic(data: dict) -> bool:
    """A COCO panoptic file: its annotations carry ``segments_info``.

    Parameters
    ----------
    data : dict
        A parsed COCO file.

    Returns
    -------
    bool
        True for a panoptic file.
    """
    first = data["annotations"][0] if data["annotations"] else {}
    return isinstance(first, dict) and "segments_info" in first


def images_table(images: list, path: Path) -> pd.DataFrame:
    """The ``images`` list as a table, checked for the required fields and unique ids.

    Parameters
    ----------
    images : list of dict
        COCO's ``images``.
    path : Path
        The annotation file, named in errors.

    Returns
    -------
    pandas.DataFrame
        One row per image entry.
    """
    table = pd.DataFrame(images)
    if not len(table):
        raise DataError(f"{str(path)!r} lists no images.")
    missing = [c for c in ("id", "file_name", "width", "height") if c not in table.columns]
    if missing:
        raise DataError(f"The images in {str(path)!r} lack the fields {some(missing)}.")
    dup = table.loc[table["id"].astype(str).duplicated(), "id"].unique()  # 1 and "1" clash
    if len(dup):
        raise DataError(
            f"{str(path)!r} has {len(dup)} duplicate image ids: {some(dup)}. Each image needs "
            "its own id; renumber the duplicates (and their annotations)."
        )
    return table


def categories(cats: list, path: Path, problems: Problems) -> tuple[tuple[str, ...], pd.Series]:
    """Class names in category id order, and the name of each category id (ids as given;
    :func:`match_ids` also matches them as text).

    Parameters
    ----------
    cats : list of dict
        COCO's ``categories``, with ``id`` and ``name``.
    path : Path
        The annotation file, named in errors.
    problems : Problems
        Where names with spaces around them are recorded.

    Returns
    -------
    classes : tuple of str
        Class names in category id order.
    names : pandas.Series
        Class name per category id.
    """
    table = pd.DataFrame(cats)
    if not len(table) or not {"id", "name"} <= set(table.columns):
        raise DataError(f"The categories in {str(path)!r} need 'id' and 'name' fields.")
    table["key"] = table["id"].astype(str)
    dup = table.loc[table["key"].duplicated(), "id"].unique()
    if len(dup):
        raise DataError(f"{str(path)!r} has duplicate category ids {some(dup)}; each category "
                        "needs its own id.")
    table["name"] = tidy_labels(table["name"].astype(str), problems, file=str(path),
                                what="category names")
    twice = table[table["name"].duplicated(keep=False)]
    if len(twice):
        name = twice["name"].iloc[0]
        ids = twice.loc[twice["name"] == name, "id"].tolist()
        raise DataError(
            f"{str(path)!r} has {twice['name'].nunique()} category names used by more than one "
            f"id, e.g. {name!r} for ids {some(ids)}. Give the annotations of one class a "
            "single category id, or rename one of them (e.g. 'mouse (animal)')."
        )
    numeric = pd.to_numeric(table["id"], errors="coerce")
    table = table.assign(order=numeric).sort_values(["order", "key"], na_position="last")
    names = pd.Series(table["name"].to_numpy(), index=table["id"].to_numpy())
    return tuple(names), names


def _merge_same_files(images: pd.DataFrame, path: Path, problems: Problems):
    """One row per file name: later ids that name the same file map to the first."""
    twice = images["file_name"].duplicated().to_numpy()
    first = images.loc[~twice].set_index("file_name")["id"]
    same_as = pd.Series(first.loc[images.loc[twice, "file_name"]].astype(str).to_numpy(),
                        index=images.loc[twice, "id"].astype(str).to_numpy())  # ids as text
    problems.add("image entries that name the same file as an earlier one", "merged into it",
                 images.loc[twice, "file_name"], [f"id {i} = id {j}" for i, j in same_as.items()],
                 fix="Their boxes are kept once; a file listed twice would count twice and "
                 "could land in two splits.")
    return images.loc[~twice].reset_index(drop=True), same_as


def match_ids(known, wanted) -> np.ndarray:
    """Positions of ``wanted`` ids among ``known`` (-1: not found). Ids are compared as
    they are, then, for the ones not found, as text: image id "1" matches annotation
    image_id 1. The common all-integer case costs one hash lookup.

    Parameters
    ----------
    known : array-like
        The ids to look in.
    wanted : array-like
        The ids to find.

    Returns
    -------
    numpy.ndarray of int
        One position per wanted id.
    """
    known, wanted = pd.Index(known), pd.Index(wanted)
    found = known.get_indexer(wanted)
    if (found < 0).any():
        missing = np.flatnonzero(found < 0)
        found[missing] = known.astype(str).get_indexer(wanted[missing].astype(str))
    return found


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


def sample_ids(images: pd.DataFrame) -> pd.Series:
    """Sample id of each image entry: its ``sample_id`` field if written, else its ``id``.

    Parameters
    ----------
    images : pandas.DataFrame
        The images table.

    Returns
    -------
    pandas.Series of str
        One id per row.
    """
    if "sample_id" in images.columns:
        return images["sample_id"].astype(str)
    return images["id"].astype(str)


def _samples_table(images: pd.DataFrame, images_dir: Path) -> pd.DataFrame:
    names = images["file_name"].astype(str).to_numpy(dtype=object)
    absolute = np.char.startswith(names.astype(str), "/")  # absolute file names stay absolute
    filepath = np.where(absolute, names, str(images_dir) + "/" + names).tolist()
    samples = pd.DataFrame(
        {"filepath": filepath, "width": images["width"].to_numpy(),
         "height": images["height"].to_numpy()}
    )
    extra = [c for c in images.columns if c not in STANDARD_IMAGE_KEYS and c != "sample_id"]
    for column in extra:
        samples[column] = images[column].to_numpy()
    samples.index = pd.Index(sample_ids(images).to_numpy(), name="sample_id")
    if "mask_path" in samples.columns:
        samples["mask_path"] = [str(images_dir / m) if isinstance(m, str) else None
                                for m in samples["mask_path"]]
    return samples


