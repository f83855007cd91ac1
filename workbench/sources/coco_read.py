"""COCO detection JSON into a Catalog: one file, or one per split from a template.

The reader puts the file's parts (:mod:`workbench.sources.coco`) and its boxes
(:mod:`workbench.sources.coco_objects`) together: image entries naming the same file
merged into one, the samples table with the extra fields :func:`write_coco` writes read
back, the declared sizes checked against the files, masks read into pixels. A panoptic
JSON (annotations with ``segments_info``) is recognised and read by
:mod:`workbench.sources.panoptic`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.sources.boxes import check_declared_sizes
from workbench.sources.coco import categories, images_table, is_panoptic, read_json, sample_ids
from workbench.sources.coco_objects import _objects_table
from workbench.sources.files import existing_path
from workbench.sources.pixels import pixels_from_masks
from workbench.sources.problems import Problems

STANDARD_IMAGE_KEYS = frozenset(
    {"id", "file_name", "width", "height", "license", "flickr_url", "coco_url",
     "date_captured"}
)

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
