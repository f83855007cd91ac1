"""Segmentation: class-index mask images beside the images, and the class map.

``masks:IMAGES_DIR:MASKS_DIR[:CLASS_MAP]``. A mask belongs to the image with the same
relative path and stem (``images/a/x.jpg`` <-> ``masks/a/x.png``). The class map names
the stored values:

- ``classes.txt``: one name a line (value = line number), or ``ID: NAME`` lines
  (COCO-stuff's ``labels.txt`` style);
- ``classes.yaml`` / ``classes.json``: a list of names, a mapping ``id: name`` (ids may
  have gaps, as COCO-stuff's 0..200), or ``{"classes": ..., "ignore_index": N}``.

Pixels with the ignore index (255 unless the map says otherwise) count in no class; a
class named "unlabeled" (or "unlabelled") in the map is the ignore index. Images in
``train``/``val``/``test`` folders get that split.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.sources.discover import find_images, relative_ids, split_of_folder
from workbench.sources.files import existing_path, usable_images
from workbench.sources.pixels import pixels_from_masks, read_mask
from workbench.sources.problems import Problems

CLASS_MAP_NAMES = ("classes.yaml", "classes.yml", "classes.json", "classes.txt", "labels.txt")
UNLABELED = ("unlabeled", "unlabelled")
LOSSY = (".jpg", ".jpeg", ".jpe", ".jfif", ".webp")


def read_masks(images_dir, masks_dir, class_map=None, *, classes=None,
               ignore_index: int | None = 255) -> Catalog:
    """Read images and their class-index masks.

    Parameters
    ----------
    images_dir, masks_dir : str or Path
        The two folders (with the same sub-folders).
    class_map : str or Path, optional
        A class map file; default the first of ``classes.yaml``, ``classes.yml``,
        ``classes.json``, ``classes.txt``, ``labels.txt`` in ``masks_dir``, else the values
        found, named '0', '1', ...
    classes : sequence of str, optional
        Class names in value order (0, 1, ...), instead of a map file.
    ignore_index : int, optional
        The value of unlabelled pixels (None: every value is a class); a map file's
        ``ignore_index`` or "unlabeled" class takes precedence.

    Returns
    -------
    Catalog
        A segmentation Catalog with pixel counts per class.
    """
    images_dir = existing_path(images_dir, what="images folder")
    masks_dir = existing_path(masks_dir, what="masks folder")
    if images_dir.resolve() == masks_dir.resolve():
        raise DataError(
            f"The images folder and the masks folder are the same ({str(images_dir)!r}): the "
            "masks would be read as images. Keep the masks in a folder of their own, with the "
            "same sub-folders and file names as the images."
        )
    problems = Problems()
    images = [p for p in find_images(images_dir, problems)
              if masks_dir.resolve() not in p.resolve().parents]
    if not images:
        raise DataError(f"Found no images under {str(images_dir)!r}.")
    masks = {p.relative_to(masks_dir).with_suffix(""): p for p in find_images(masks_dir)}
    lossy = [p for p in masks.values() if p.suffix.lower() in LOSSY]
    if lossy:
        raise DataError(
            f"{len(lossy)} masks are saved in a lossy format ({some(p.name for p in lossy)}): "
            "compression changes the class ids along every edge, so pixel counts would be "
            "wrong. Re-export the masks as PNG (class ids unchanged)."
        )
    keys = [p.relative_to(images_dir).with_suffix("") for p in images]
    problems.add("images with no mask", "kept; they count no pixels",
                 [images[i] for i, k in enumerate(keys) if k not in masks])
    orphans = sorted(set(masks) - set(keys))
    problems.add("masks with no image", "skipped", [masks[k] for k in orphans])
    names, values, ignore_index = _class_names(classes, class_map, masks_dir,
                                               [masks[k] for k in keys if k in masks],
                                               ignore_index, problems)
    info = usable_images(images, problems)
    samples = pd.DataFrame({
        "filepath": [str(p) for p in images], "width": info["width"].to_numpy(),
        "height": info["height"].to_numpy(),
        "mask_path": [str(masks[k]) if k in masks else None for k in keys],
    }, index=pd.Index(relative_ids(images, images_dir), name="sample_id"))
    first = [k.parts[0] if len(k.parts) > 1 else "" for k in keys]
    if all(split_of_folder(f) for f in first):
        samples["split"] = [split_of_folder(f) for f in first]
    samples = samples[(info["status"] == "ok").to_numpy()]
    pixels = pixels_from_masks(samples, names, mask_values=values, ignore_index=ignore_index)
    problems.warn()
    return Catalog(samples, classes=names, task="segmentation", pixels=pixels,
                   mask_values=values, ignore_index=ignore_index,
                   source=str(Path(images_dir).parent), problems=problems.frame())


def _class_names(classes, class_map, masks_dir: Path, mask_paths, ignore_index,
                 problems: Problems):
    """(names, stored values, ignore index) from ``classes``, a map file or the masks."""
    if classes is not None:
        return tuple(str(c) for c in classes), tuple(range(len(classes))), ignore_index
    if class_map is None:
        found = [masks_dir / n for n in CLASS_MAP_NAMES if (masks_dir / n).is_file()]
        class_map = found[0] if found else None
    if class_map is not None:
        mapping, ignore_index = read_class_map(existing_path(class_map, what="class map"),
                                               ignore_index)
        unlabeled = [v for v, n in mapping.items() if n.lower() in UNLABELED]
        if unlabeled:
            ignore_index = unlabeled[0]
        if ignore_index in mapping:  # the map names the ignore index: it is not a class
            problems.add(f"classes named '{mapping[ignore_index]}' in the class map",
                         "used as the ignore index", [class_map], [f"value {ignore_index}"])
            mapping = {v: n for v, n in mapping.items() if v != ignore_index}
        return tuple(mapping.values()), tuple(mapping), ignore_index
    top = max((_top_value(read_mask(p), ignore_index) for p in mask_paths), default=0)
    problems.add(f"no class names (no class map in {masks_dir.name}): classes named by "
                 f"their value '0'..'{top}'", "named by value", [masks_dir],
                 fix="Pass classes=[...] or write classes.yaml (id: name) beside the masks.")
    return tuple(str(i) for i in range(top + 1)), tuple(range(top + 1)), ignore_index


def _top_value(mask: np.ndarray, ignore_index: int | None) -> int:
    return int(mask[mask != ignore_index].max(initial=0))


def read_class_map(path: Path, ignore_index: int | None) -> tuple[dict[int, str], int | None]:
    """A class map file as ``{value: name}`` (in value order) and its ignore index.

    Parameters
    ----------
    path : Path
        YAML, JSON or text (one name a line, or ``id name``).
    ignore_index : int or None
        Kept unless the file gives its own.

    Returns
    -------
    mapping : dict of int to str
        Mask value -> class name.
    ignore_index : int or None
        The ignore index.
    """
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = _text_map(text)
    except (yaml.YAMLError, json.JSONDecodeError) as err:
        raise DataError(f"The class map {str(path)!r} cannot be read: {err}") from None
    if isinstance(data, dict) and "classes" in data:
        if data.get("ignore_index", "absent") != "absent":
            ignore_index = data["ignore_index"]
        data = data["classes"]
    if isinstance(data, list):
        data = dict(enumerate(data))
    if not isinstance(data, dict) or not data:
        raise DataError(
            f"The class map {str(path)!r} should be a list of names or a mapping id: name "
            f"(found {type(data).__name__}). Example (YAML): {{0: road, 1: lane, 7: car}}."
        )
    try:
        mapping = {int(str(k).strip()): str(v).strip() for k, v in data.items()}
    except ValueError:
        raise DataError(f"The ids of the class map {str(path)!r} must be integers; found "
                        f"{some(data)}.") from None
    names = pd.Series(mapping)
    if names.duplicated().any():
        raise DataError(f"The class map {str(path)!r} names two ids the same: "
                        f"{some(names[names.duplicated(keep=False)].to_dict().items())}.")
    return dict(sorted(mapping.items())), ignore_index


def _text_map(text: str):
    """``ID: NAME`` lines (or ``ID NAME``) as a dict; plain names as a list."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    pairs = [re.fullmatch(r"(\d+)\s*[:\s]\s*(.+)", ln) for ln in lines]
    if lines and all(pairs):
        return {int(m.group(1)): m.group(2) for m in pairs}
    return lines

