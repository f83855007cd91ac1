"""COCO detection JSON: read into a Catalog, write a Catalog out."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog, rows_of
from workbench.errors import DataError, DataWarning, some
from workbench.sources.files import existing_path, pixels_from_masks, warn_missing_files
from workbench.sources.output import link_media, new_output_dir

REQUIRED_KEYS = ("images", "annotations", "categories")
STANDARD_IMAGE_KEYS = frozenset(
    {"id", "file_name", "width", "height", "license", "flickr_url", "coco_url",
     "date_captured"}
)
PIXEL_TOLERANCE = 1.0  # COCO boxes may overhang the image by rounding; clip up to one pixel


def read_coco(path, images_dir=None, *, check_files: bool = True) -> Catalog:
    """Read a COCO detection file (``images``, ``annotations``, ``categories``).

    Parameters
    ----------
    path : path to the annotation JSON.
    images_dir : where ``file_name`` is relative to; default: the JSON's folder.
    check_files : warn about image files that do not exist.

    Classes are the categories in id order. Crowd annotations (``iscrowd=1``) are kept
    and flagged in ``objects['iscrowd']`` (COCO evaluation ignores them). Extra image
    fields written by :func:`write_coco` (``sample_id``, ``label``, ``split``, ``group``,
    ``mask_path`` and the conditions) are read back.
    """
    path = existing_path(path, what="COCO annotation file")
    images_dir = existing_path(images_dir, what="images folder") if images_dir else path.parent
    data = _read_json(path)
    images = _images_table(data["images"], path)
    classes, category_names = _categories(data["categories"], path)
    objects = _objects_table(data["annotations"], images, category_names, path)

    meta = (data.get("info") or {}).get("workbench", {}) if isinstance(data.get("info"), dict) \
        else {}
    samples = _samples_table(images, images_dir, check_files=check_files)
    conditions = tuple(meta.get("conditions", ()))
    task = meta.get("task", "detection")
    pixels = None
    if "mask_path" in samples.columns:
        pixels = pixels_from_masks(samples, classes)
    return Catalog(samples, classes=classes, task=task, objects=objects, pixels=pixels,
                   conditions=conditions, background=meta.get("background"),
                   source=str(path.parent))


def _read_json(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
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
        found = list(data)[:10] if isinstance(data, dict) else type(data).__name__
        raise DataError(
            f"{str(path)!r} lacks the COCO keys {some(missing)} (found {found}). A COCO "
            "detection file has 'images', 'annotations' and 'categories' lists."
        )
    return data


def _images_table(images: list, path: Path) -> pd.DataFrame:
    table = pd.DataFrame(images)
    missing = [c for c in ("id", "file_name", "width", "height") if c not in table.columns]
    if missing and len(table):
        raise DataError(f"The images in {str(path)!r} lack the fields {some(missing)}.")
    if not len(table):
        raise DataError(f"{str(path)!r} lists no images.")
    dup = table.loc[table["id"].duplicated(), "id"].unique()
    if len(dup):
        raise DataError(
            f"{str(path)!r} has {len(dup)} duplicate image ids: {some(dup)}. Each image needs "
            "its own id; renumber the duplicates (and their annotations)."
        )
    return table


def _categories(categories: list, path: Path) -> tuple[tuple[str, ...], pd.Series]:
    table = pd.DataFrame(categories)
    if not len(table) or not {"id", "name"} <= set(table.columns):
        raise DataError(f"The categories in {str(path)!r} need 'id' and 'name' fields.")
    dup = table.loc[table["id"].duplicated(), "id"].unique()
    if len(dup):
        raise DataError(f"{str(path)!r} has duplicate category ids {some(dup)}.")
    table = table.sort_values("id")
    names = pd.Series(table["name"].astype(str).to_numpy(), index=table["id"].to_numpy())
    return tuple(names), names


def _objects_table(annotations: list, images: pd.DataFrame, names: pd.Series,
                   path: Path) -> pd.DataFrame:
    if not annotations:
        return None
    ann = pd.DataFrame(annotations)
    missing = [c for c in ("image_id", "category_id", "bbox") if c not in ann.columns]
    if missing:
        raise DataError(f"The annotations in {str(path)!r} lack the fields {some(missing)}.")
    image_row = pd.Index(images["id"]).get_indexer(ann["image_id"])
    for unknown, what, fix in [
        (image_row < 0, "image ids", "listed in 'images'"),
        (~ann["category_id"].isin(names.index), "category ids", "listed in 'categories'"),
    ]:
        if unknown.any():
            column = "image_id" if what == "image ids" else "category_id"
            values = ann.loc[unknown, column].unique()
            raise DataError(
                f"{int(unknown.sum())} annotations in {str(path)!r} point at unknown {what}: "
                f"{some(values)}. Every annotation's {column} must be {fix}; drop or fix them."
            )
    try:
        box = np.array(ann["bbox"].tolist(), dtype=float)
    except ValueError:
        box = np.empty((0,))
    if box.ndim != 2 or box.shape[1] != 4:
        raise DataError(
            f"Some bboxes in {str(path)!r} are not [x, y, width, height] lists of 4 numbers."
        )
    width = images["width"].to_numpy(float)[image_row]
    height = images["height"].to_numpy(float)[image_row]
    x, y, w, h = box.T
    ids = ann.get("id", pd.Series(np.arange(len(ann)))).to_numpy()
    for bad, what in [
        (~((w > 0) & (h > 0)), "a non-positive width or height"),
        ((x < -PIXEL_TOLERANCE) | (y < -PIXEL_TOLERANCE) | (x + w > width + PIXEL_TOLERANCE)
         | (y + h > height + PIXEL_TOLERANCE), "a part outside their image"),
    ]:
        if bad.any():
            raise DataError(
                f"{int(bad.sum())} boxes in {str(path)!r} have {what}, e.g. annotation ids "
                f"{some(ids[bad])} (bbox {box[bad][0].tolist()} in a "
                f"{width[bad][0]:.0f}x{height[bad][0]:.0f} image). COCO boxes are "
                "[x, y, width, height] in pixels inside the image; fix or drop them."
            )
    x0, y0 = np.clip(x, 0, width), np.clip(y, 0, height)
    x1, y1 = np.clip(x + w, 0, width), np.clip(y + h, 0, height)
    sample_ids = _sample_ids(images).to_numpy()[image_row]
    objects = pd.DataFrame({
        "sample_id": sample_ids,
        "label": names.loc[ann["category_id"]].to_numpy(),
        "x": x0 / width, "y": y0 / height, "w": (x1 - x0) / width, "h": (y1 - y0) / height,
    })
    if "score" in ann.columns:
        objects["confidence"] = ann["score"].to_numpy(float)
    if "iscrowd" in ann.columns:
        objects["iscrowd"] = ann["iscrowd"].fillna(0).astype(bool).to_numpy()
        n_crowd = int(objects["iscrowd"].sum())
        if n_crowd:
            warnings.warn(
                f"{n_crowd} crowd annotations (iscrowd=1) in {str(path)!r} are kept and "
                "flagged in objects['iscrowd']; a crowd box stands for many instances, so "
                "per-instance counts leave them out.",
                DataWarning, stacklevel=3,
            )
    return objects


def _sample_ids(images: pd.DataFrame) -> pd.Series:
    if "sample_id" in images.columns:
        return images["sample_id"].astype(str)
    return images["id"].astype(str)


def _samples_table(images: pd.DataFrame, images_dir: Path, *, check_files: bool):
    names = images["file_name"].astype(str).to_numpy(dtype=object)
    absolute = np.char.startswith(names.astype(str), "/")  # absolute file names stay absolute
    filepath = np.where(absolute, names, str(images_dir) + "/" + names).tolist()
    samples = pd.DataFrame(
        {"filepath": filepath, "width": images["width"], "height": images["height"]}
    )
    extra = [c for c in images.columns if c not in STANDARD_IMAGE_KEYS and c != "sample_id"]
    for column in extra:
        samples[column] = images[column].to_numpy()
    samples.index = pd.Index(_sample_ids(images).to_numpy(), name="sample_id")
    if "mask_path" in samples.columns:
        samples["mask_path"] = [str(images_dir / m) if isinstance(m, str) else None
                                for m in samples["mask_path"]]
    if check_files:
        warn_missing_files(filepath, hint="Pass the images folder as "
                           "coco:ANNOTATIONS.json:IMAGES_DIR (counts still work without them)")
    return samples


def write_coco(catalog: Catalog, out_dir, *, split: str | None = None, media: str = "reference",
               overwrite: bool = False) -> Path:
    """Write ``catalog`` (or one ``split``) as ``out_dir/annotations.json``.

    ``media="reference"`` points ``file_name`` at the original images (absolute paths);
    ``"symlink"`` or ``"copy"`` put them in ``out_dir/images``. Sample ids, labels,
    splits, groups, masks and conditions travel as extra image fields, so
    :func:`read_coco` gives the same Catalog back.
    """
    if split is not None:
        catalog = catalog.split_subset(split)
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    samples = catalog.samples
    file_names = link_media(samples["filepath"], samples.index, out / "images", media=media)
    image_ids = np.arange(1, len(samples) + 1)
    images = pd.DataFrame({"id": image_ids, "file_name": file_names,
                           "width": samples["width"], "height": samples["height"]})
    images["sample_id"] = samples.index
    for column in samples.columns.drop(["filepath", "width", "height"]):
        values = samples[column].astype(object)
        images[column] = values.where(values.notna(), None).to_numpy()
    objects = catalog.objects
    rows = rows_of(objects)
    w, h = samples["width"].to_numpy(float)[rows], samples["height"].to_numpy(float)[rows]
    bbox = np.stack([objects["x"] * w, objects["y"] * h, objects["w"] * w, objects["h"] * h], 1)
    annotations = pd.DataFrame({
        "id": np.arange(1, len(objects) + 1),
        "image_id": image_ids[rows],
        "category_id": objects["label"].cat.codes.to_numpy() + 1,
        "bbox": bbox.tolist(),
        "area": (bbox[:, 2] * bbox[:, 3]),
        "iscrowd": objects.get("iscrowd", pd.Series(False, index=objects.index)).astype(int),
    })
    if "confidence" in objects.columns:
        annotations["score"] = objects["confidence"].to_numpy()
    data = {
        "info": {"description": "written by workbench",
                 "workbench": {"task": catalog.task, "conditions": list(catalog.conditions),
                               "background": catalog.background}},
        "images": images.to_dict("records"),
        "annotations": annotations.to_dict("records"),
        "categories": [{"id": i + 1, "name": c} for i, c in enumerate(catalog.classes)],
    }
    target = out / "annotations.json"
    target.write_text(json.dumps(data, default=_json_default))
    return target


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
