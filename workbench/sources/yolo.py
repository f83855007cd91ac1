"""YOLO detection datasets: data.yaml with ``names`` plus labels/*.txt with centre boxes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.sources.files import IMAGE_SUFFIXES, existing_path, find_images, image_sizes
from workbench.sources.output import link_media, new_output_dir, safe_name

SPLIT_KEYS = ("train", "val", "test")
BOX_TOLERANCE = 1e-4  # YOLO files are written with ~6 decimals


def read_yolo(data_yaml) -> Catalog:
    """Read a YOLO detection dataset described by ``data.yaml``.

    The YAML gives ``names`` (a list, or a mapping id -> name), an optional ``path``
    (the root; default the YAML's folder) and ``train``/``val``/``test``: image folders
    or text files listing images, relative to the root. Each image's labels are in the
    parallel ``labels`` folder (``.../images/x.jpg`` -> ``.../labels/x.txt``), one box a
    line: ``class x_center y_center width height``, normalised to [0, 1]. An image
    without a label file has no boxes. The split each image came from is kept.
    """
    data_yaml = existing_path(data_yaml, what="YOLO data.yaml")
    config = _read_config(data_yaml)
    classes = _names(config, data_yaml)
    root = Path(config.get("path") or data_yaml.parent)
    if not root.is_absolute():
        root = (data_yaml.parent / root).absolute()
    images, splits = [], []
    for key in SPLIT_KEYS:
        if config.get(key):
            found = _split_images(root, config[key], key, data_yaml)
            images += found
            splits += [key] * len(found)
    if not images:
        raise DataError(
            f"{str(data_yaml)!r} names no images: give 'train' (and 'val', 'test') as image "
            "folders or lists, relative to 'path'."
        )
    widths, heights, unreadable = image_sizes(images)
    keep = widths > 0
    images = [p for p, k in zip(images, keep, strict=True) if k]
    sample_ids = [str(p.relative_to(root).with_suffix("")) if root in p.parents else
                  str(p.with_suffix("")) for p in images]
    samples = pd.DataFrame(
        {"filepath": [str(p) for p in images], "width": widths[keep],
         "height": heights[keep], "split": np.asarray(splits)[keep]},
        index=pd.Index(sample_ids, name="sample_id"),
    )
    objects = _read_labels(images, sample_ids, classes)
    return Catalog(samples, classes=classes, task="detection", objects=objects,
                   source=str(root))


def _read_config(path: Path) -> dict:
    try:
        config = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise DataError(f"{str(path)!r} is not valid YAML: {err}") from None
    if not isinstance(config, dict):
        raise DataError(f"{str(path)!r} should be a YAML mapping with 'names' and 'train'.")
    return config


def _names(config: dict, path: Path) -> tuple[str, ...]:
    names = config.get("names")
    if isinstance(names, dict):
        ids = sorted(names)
        if ids != list(range(len(ids))):
            raise DataError(
                f"The 'names' ids in {str(path)!r} are {some(ids)}; they must be 0..N-1."
            )
        return tuple(str(names[i]) for i in ids)
    if isinstance(names, list) and names:
        return tuple(str(n) for n in names)
    raise DataError(
        f"{str(path)!r} has no class 'names' (found {names!r}). Add names: [class0, class1, ...]."
    )


def _split_images(root: Path, entry, key: str, path: Path) -> list[Path]:
    entries = entry if isinstance(entry, list) else [entry]
    images = []
    for item in entries:
        location = Path(item) if Path(item).is_absolute() else root / item
        if location.is_dir():
            images += find_images(location)
        elif location.is_file() and location.suffix == ".txt":
            listed = [line.strip() for line in location.read_text().splitlines() if line.strip()]
            images += [Path(p) if Path(p).is_absolute() else (root / p) for p in listed]
        else:
            raise DataError(
                f"The {key!r} entry {str(item)!r} of {str(path)!r} is not a folder or a .txt "
                f"list under {str(root)!r}."
            )
    return [p.absolute() for p in images if p.suffix.lower() in IMAGE_SUFFIXES]


def label_path(image: Path) -> Path:
    """The YOLO label file of an image: the last 'images' folder becomes 'labels'."""
    parts = list(image.parts)
    if "images" in parts:
        i = len(parts) - 1 - parts[::-1].index("images")
        parts[i] = "labels"
    return Path(*parts).with_suffix(".txt")


def _read_labels(images: list[Path], sample_ids: list[str], classes) -> pd.DataFrame:
    texts, owners = [], []
    for image, sample_id in zip(images, sample_ids, strict=True):  # one read per label file
        label_file = label_path(image)
        if label_file.is_file():
            lines = [ln for ln in label_file.read_text().splitlines() if ln.strip()]
            texts += lines
            owners += [(sample_id, str(label_file))] * len(lines)
    if not texts:
        return None
    widths = np.array([len(t.split()) for t in texts])
    if (widths != 5).any():
        i = int(np.flatnonzero(widths != 5)[0])
        raise DataError(
            f"{owners[i][1]!r} has a line with {widths[i]} values ({texts[i]!r}); YOLO "
            "detection lines are 'class x_center y_center width height'. (Segmentation "
            "polygons are not read here; use masks:IMAGES:MASKS.)"
        )
    try:
        values = np.array(" ".join(texts).split(), dtype=float).reshape(-1, 5)
    except ValueError:
        raise DataError("Some YOLO label lines hold values that are not numbers.") from None
    class_id, cx, cy, w, h = values.T
    files = np.array([o[1] for o in owners])
    bad_class = (class_id != np.round(class_id)) | (class_id < 0) | (class_id >= len(classes))
    if bad_class.any():
        raise DataError(
            f"{int(bad_class.sum())} boxes have class ids outside 'names' (0..{len(classes) - 1}"
            f"): ids {some(np.unique(class_id[bad_class]).astype(int))} in "
            f"{some(np.unique(files[bad_class]), n=3)}. Add the missing names to data.yaml "
            "or fix the label files."
        )
    x, y = cx - w / 2, cy - h / 2
    tol = BOX_TOLERANCE
    bad_box = ~((w > 0) & (h > 0)) | (x < -tol) | (y < -tol) | (x + w > 1 + tol) | (
        y + h > 1 + tol)
    if bad_box.any():
        raise DataError(
            f"{int(bad_box.sum())} boxes are empty or outside the image (normalised centre "
            f"boxes must lie in [0, 1]), e.g. {texts[int(np.flatnonzero(bad_box)[0])]!r} in "
            f"{some(np.unique(files[bad_box]), n=3)}. Fix or drop those lines."
        )
    x0, y0 = np.clip(x, 0, 1), np.clip(y, 0, 1)
    return pd.DataFrame({
        "sample_id": [o[0] for o in owners],
        "label": np.asarray(classes, dtype=object)[class_id.astype(int)],
        "x": x0, "y": y0, "w": np.clip(x + w, 0, 1) - x0, "h": np.clip(y + h, 0, 1) - y0,
    })


def write_yolo(catalog: Catalog, out_dir, *, split: str | None = None, media: str = "symlink",
               overwrite: bool = False) -> Path:
    """Write ``catalog`` as a YOLO dataset: ``data.yaml``, ``images/<split>``, ``labels/<split>``.

    Images are linked (``media="symlink"``, the default) or copied (``"copy"``); each is
    named after its sample id. Without a split column every image goes to ``train``.
    """
    if media == "reference":
        raise ValueError("YOLO needs its images beside its labels: use media='symlink' or 'copy'.")
    if split is not None:
        catalog = catalog.split_subset(split)
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    samples = catalog.samples
    splits = (samples["split"].astype(str) if "split" in samples.columns
              else pd.Series("train", index=samples.index))
    objects = catalog.objects
    names = pd.Series([safe_name(s) for s in samples.index], index=samples.index)
    config = {"path": ".", "names": dict(enumerate(catalog.classes))}
    unknown = sorted(set(splits) - set(SPLIT_KEYS))
    if unknown:
        raise DataError(
            f"YOLO knows the splits {SPLIT_KEYS}; this Catalog has {some(unknown)}. Rename them "
            "or export one split at a time with split=..."
        )
    for name, ids in splits.groupby(splits, sort=False).groups.items():
        part = samples.loc[ids]
        link_media(part["filepath"], part.index, out / "images" / name, media=media)
        labels = out / "labels" / name
        labels.mkdir(parents=True, exist_ok=True)
        boxes = objects[objects["sample_id"].isin(ids)]
        cx, cy = boxes["x"] + boxes["w"] / 2, boxes["y"] + boxes["h"] / 2
        lines = pd.Series([
            f"{c} {a:.6f} {b:.6f} {w:.6f} {h:.6f}"
            for c, a, b, w, h in zip(boxes["label"].cat.codes, cx, cy, boxes["w"], boxes["h"],
                                     strict=True)
        ], dtype=object)
        by_sample = lines.groupby(boxes["sample_id"].to_numpy()).agg("\n".join) if len(
            lines) else pd.Series(dtype=object)
        for sample_id in ids:  # one label file per image, empty for images without boxes
            text = by_sample.get(sample_id, "")
            (labels / f"{names[sample_id]}.txt").write_text(text + ("\n" if text else ""))
        config[name] = f"images/{name}"
    target = out / "data.yaml"
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target
