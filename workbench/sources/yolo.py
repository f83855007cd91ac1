"""YOLO detection datasets: data.yaml with ``names`` plus labels/*.txt with centre boxes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.sources.boxes import check_boxes, flag_duplicate_boxes
from workbench.sources.discover import find_images, is_image_file, relative_ids
from workbench.sources.files import existing_path, usable_images
from workbench.sources.output import link_media, new_output_dir, unique_file_names
from workbench.sources.problems import Problems

SPLIT_KEYS = ("train", "val", "test")
BOX_TOLERANCE = 1e-4  # YOLO files are written with ~6 decimals


def read_yolo(data_yaml) -> Catalog:
    """Read a YOLO detection dataset described by ``data.yaml``.

    The YAML gives ``names`` (a list, or a mapping id -> name), an optional ``path``
    (the root; default the YAML's folder) and ``train``/``val``/``test``: image folders
    or text files listing images, relative to the root. Each image's labels are in the
    parallel ``labels`` folder (``.../images/x.jpg`` -> ``.../labels/x.txt``), one box a
    line: ``class x_center y_center width height``, normalised to [0, 1]; a sixth value
    is read as a confidence, and a polygon line (``class x1 y1 x2 y2 ...``) as its
    bounding box. An image without a label file has no boxes (a negative). The split
    each image came from is kept.

    Skipped and listed in ``catalog.problems``: label files with no image (with how many
    boxes they hold), empty boxes and boxes outside the image; boxes that overhang the
    image are clipped. An image listed under two splits stays in the first.

    Parameters
    ----------
    data_yaml : str or Path
        The ``data.yaml``.

    Returns
    -------
    Catalog
        Boxes as relative (0-1) x, y, w, h (top-left corner), with a ``split`` per image.
    """
    data_yaml = existing_path(data_yaml, what="YOLO data.yaml")
    config = _read_config(data_yaml)
    classes = _names(config, data_yaml)
    root = Path(config.get("path") or data_yaml.parent)
    if not root.is_absolute():
        root = (data_yaml.parent / root).absolute()
    problems = Problems()
    images, splits, label_dirs = [], [], set()
    for key in SPLIT_KEYS:
        if config.get(key):
            found, dirs = _split_images(root, config[key], key, data_yaml, problems)
            images += found
            splits += [key] * len(found)
            label_dirs |= dirs
    if not images:
        raise DataError(
            f"{str(data_yaml)!r} names no images: give 'train' (and 'val', 'test') as image "
            "folders or lists, relative to 'path'."
        )
    images, splits = _once_each(images, splits, data_yaml, problems)
    info = usable_images(images, problems)
    keep = (info["status"] == "ok").to_numpy()
    sample_ids = relative_ids(images, root)
    samples = pd.DataFrame(
        {"filepath": [str(p) for p in images], "width": info["width"].to_numpy(),
         "height": info["height"].to_numpy(), "split": splits},
        index=pd.Index(sample_ids, name="sample_id"),
    )
    label_files = [label_path(p) for p in images]
    has_labels = np.array([f.is_file() for f in label_files])
    if not has_labels.any():
        looked = sorted({str(f.parent) for f in label_files})
        raise DataError(
            f"No label file was found for any of the {len(images)} images of "
            f"{str(data_yaml)!r}. Looked in {some(looked, n=3)} (e.g. "
            f"{str(label_files[0])!r}). YOLO keeps each image's boxes in a 'labels' folder "
            "beside 'images' with the same sub-folders (images/train/x.jpg -> "
            "labels/train/x.txt); check that folder's name."
        )
    _orphan_labels(label_dirs, set(label_files), problems)
    objects = _read_labels(
        [f for f, k, h in zip(label_files, keep, has_labels, strict=True) if k and h],
        [s for s, k, h in zip(sample_ids, keep, has_labels, strict=True) if k and h],
        classes, problems)
    problems.warn()
    return Catalog(samples[keep], classes=classes, task="detection", objects=objects,
                   source=str(root), problems=problems.frame())


def _read_config(path: Path) -> dict:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as err:
        raise DataError(f"{str(path)!r} is not valid YAML: {err}") from None
    if not isinstance(config, dict):
        raise DataError(f"{str(path)!r} should be a YAML mapping with 'names' and 'train'.")
    return config


def _names(config: dict, path: Path) -> tuple[str, ...]:
    names = config.get("names")
    if isinstance(names, dict):
        try:
            by_id = {int(str(k).strip()): v for k, v in names.items()}
        except ValueError:
            raise DataError(
                f"The 'names' of {str(path)!r} are a mapping whose keys are not class ids: "
                f"{some(names)}. Write names: {{0: first, 1: second, ...}} or a list."
            ) from None
        ids = sorted(by_id)
        if ids != list(range(len(ids))):
            missing = sorted(set(range(max(ids) + 1)) - set(ids))
            raise DataError(
                f"The 'names' ids in {str(path)!r} are {some(ids)}; YOLO class ids are 0..N-1 "
                f"with no gap (missing: {some(missing)}). Renumber the names and the label "
                "files together."
            )
        return tuple(str(by_id[i]) for i in ids)
    if isinstance(names, list) and names:
        return tuple(str(n) for n in names)
    raise DataError(
        f"{str(path)!r} has no class 'names' (found {names!r}). Add names: [class0, class1, ...]."
    )


def _split_images(root: Path, entry, key: str, path: Path, problems: Problems
                  ) -> tuple[list[Path], set[Path]]:
    """The images of one split entry, and the label folders that go with its folders."""
    entries = entry if isinstance(entry, list) else [entry]
    images, label_dirs = [], set()
    for item in entries:
        location = Path(item) if Path(item).is_absolute() else root / item
        if location.is_dir():
            images += find_images(location, problems)
            label_dirs.add(label_path(location / "x.jpg").parent)
        elif location.is_file() and location.suffix == ".txt":
            text = location.read_text(encoding="utf-8-sig")
            listed = [line.strip() for line in text.splitlines() if line.strip()]
            images += [Path(p) if Path(p).is_absolute() else (root / p) for p in listed]
        else:
            raise DataError(
                f"The {key!r} entry {str(item)!r} of {str(path)!r} is not a folder or a .txt "
                f"list under {str(root)!r}."
            )
    others = [p for p in images if not is_image_file(p)]
    problems.add(f"entries of '{key}' that are not images Pillow reads", "skipped", others)
    return [p.absolute() for p in images if is_image_file(p)], label_dirs


def _once_each(images: list[Path], splits: list[str], data_yaml: Path, problems: Problems):
    """Each image once, in the first split that lists it (an image in two splits leaks)."""
    keys = pd.Series([os.path.realpath(p) for p in images])
    twice = keys.duplicated().to_numpy()
    if twice.any():
        first = dict(zip(keys[~twice], np.asarray(splits)[~twice], strict=True))
        pairs = sorted({(first[k], s) for k, s in zip(keys[twice], np.asarray(splits)[twice],
                                                      strict=True)})
        problems.add(f"images listed under two splits of {data_yaml.name} "
                     f"({', '.join(f'{a} and {b}' for a, b in pairs)})", "kept in the first",
                     np.asarray(images, dtype=object)[twice],
                     fix="A split evaluated on training images measures nothing; notebook "
                     "02 makes a proper split.")
    return [p for p, t in zip(images, twice, strict=True) if not t], \
        [s for s, t in zip(splits, twice, strict=True) if not t]


def label_path(image: Path) -> Path:
    """The YOLO label file of an image: the last 'images' folder becomes 'labels'.

    Parameters
    ----------
    image : Path
        The image file.

    Returns
    -------
    Path
        The ``.txt`` label file (which may not exist).
    """
    parts = list(image.parts)
    if "images" in parts:
        i = len(parts) - 1 - parts[::-1].index("images")
        parts[i] = "labels"
    return Path(*parts).with_suffix(".txt")


def _orphan_labels(label_dirs: set[Path], used: set[Path], problems: Problems) -> None:
    """Label files in the label folders with no image: their boxes would vanish."""
    orphans = sorted(f for d in label_dirs if d.is_dir() for f in d.rglob("*.txt")
                     if f not in used and f.name != "classes.txt")
    if orphans:
        boxes = [sum(1 for ln in f.read_text(encoding="utf-8-sig").splitlines() if ln.strip())
                 for f in orphans]
        problems.add("label files with no image", "skipped", orphans,
                     [f"({n} boxes)" for n in boxes],
                     fix="Restore the images (same name, any image suffix) or delete the labels.")


def _read_labels(label_files: list[Path], sample_ids: list[str], classes, problems: Problems
                 ) -> pd.DataFrame | None:
    """Every box line of the label files, parsed per line width (5, 6 or a polygon)."""
    owner, line_no, tokens = [], [], []
    for k, label_file in enumerate(label_files):  # one read per label file
        for n, line in enumerate(label_file.read_text(encoding="utf-8-sig").splitlines(), 1):
            if line.strip():
                owner.append(k)
                line_no.append(n)
                tokens.append(line.split())
    if not tokens:
        return None
    owner, line_no = np.array(owner), np.array(line_no)
    width = np.array([len(t) for t in tokens])
    files = np.asarray([str(f) for f in label_files], dtype=object)[owner]
    odd = ~((width == 5) | (width == 6) | ((width >= 7) & (width % 2 == 1)))
    if odd.any():
        i = int(np.flatnonzero(odd)[0])
        raise DataError(
            f"{files[i]!r} line {line_no[i]} has {width[i]} values ({' '.join(tokens[i])!r}); "
            "YOLO detection lines are 'class x_center y_center width height' (a sixth value "
            f"is a confidence; polygons have an odd count). {int(odd.sum())} lines are like this."
        )
    values = np.full((len(tokens), 6), np.nan)
    for w in np.unique(width):  # one vectorised parse per line width
        rows = np.flatnonzero(width == w)
        flat = _numbers([tokens[r] for r in rows], files[rows], line_no[rows])
        flat = flat.reshape(len(rows), w)
        if w in (5, 6):
            values[rows, :w] = flat
        else:  # a polygon: its bounding box
            xs, ys = flat[:, 1::2], flat[:, 2::2]
            x0, x1, y0, y1 = xs.min(1), xs.max(1), ys.min(1), ys.max(1)
            values[rows, :5] = np.column_stack([flat[:, 0], (x0 + x1) / 2, (y0 + y1) / 2,
                                                x1 - x0, y1 - y0])
    class_id, cx, cy, w, h, confidence = values.T
    bad_class = (class_id != np.round(class_id)) | (class_id < 0) | (class_id >= len(classes))
    if bad_class.any():
        raise DataError(
            f"{int(bad_class.sum())} boxes have class ids outside 'names' (0..{len(classes) - 1}"
            f"): ids {some(np.unique(class_id[bad_class]))} in "
            f"{some(np.unique(files[bad_class]), n=3)}. Add the missing names to data.yaml "
            "or fix the label files."
        )
    where = [f"line {n}" for n in line_no]
    x, y = cx - w / 2, cy - h / 2
    boxes = np.column_stack([x, y, x + w, y + h])
    keep = check_boxes(boxes, files, where, problems, tolerance=BOX_TOLERANCE,
                       fix="YOLO lines are normalised centre boxes inside [0, 1].")
    x0, y0, x1, y1 = np.clip(boxes[keep], 0, 1).T
    objects = pd.DataFrame({
        "sample_id": np.asarray(sample_ids, dtype=object)[owner[keep]],
        "label": np.asarray(classes, dtype=object)[class_id[keep].astype(int)],
        "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0,
    })
    polygons = width[keep] >= 7
    if polygons.any():
        problems.add("polygon lines (segmentation labels) read as their bounding box", "kept",
                     files[keep][polygons], np.asarray(where, dtype=object)[keep][polygons])
    if (width == 6).any():
        objects["confidence"] = confidence[keep]
    flag_duplicate_boxes(objects, files[keep], np.asarray(where, dtype=object)[keep], problems)
    return objects


def _numbers(token_rows: list[list[str]], files: np.ndarray, line_no: np.ndarray) -> np.ndarray:
    flat = [t for row in token_rows for t in row]
    try:
        return np.array(flat, dtype=float)
    except ValueError:
        for row, f, n in zip(token_rows, files, line_no, strict=True):
            try:
                np.array(row, dtype=float)
            except ValueError:
                raise DataError(
                    f"{f!r} line {n} holds values that are not numbers: {' '.join(row)!r}. "
                    "YOLO lines are 'class x_center y_center width height', all numbers."
                ) from None
        raise


def write_yolo(catalog: Catalog, out_dir, *, split: str | None = None, media: str = "symlink",
               overwrite: bool = False) -> Path:
    """Write ``catalog`` as a YOLO dataset: ``data.yaml``, ``images/<split>``, ``labels/<split>``.

    Labels are relative (0-1) centre x, centre y, width, height. Without a split column
    every image goes to ``train``.

    Parameters
    ----------
    catalog : Catalog
        A detection Catalog.
    out_dir : str or Path
        A new folder outside the dataset.
    split : str, optional
        Write only this split.
    media : {"symlink", "copy"}
        Link or copy the images; each is named after its sample id (made unique where two
        ids clean to the same name).
    overwrite : bool
        Write into a folder that is not empty.

    Returns
    -------
    Path
        The ``data.yaml``.
    """
    if media == "reference":
        raise ValueError("YOLO needs its images beside its labels: use media='symlink' or 'copy'.")
    if split is not None:
        catalog = catalog.split_subset(split)
    samples = catalog.samples
    if "split" in samples.columns:
        unsplit = samples.index[samples["split"].isna()]
        if len(unsplit):
            raise DataError(
                f"{len(unsplit)} images have no split (e.g. {some(unsplit, n=3)}), and YOLO "
                "files every image under a split. Give them one (split.stratified_split) or "
                "export one split with split=..."
            )
        splits = samples["split"].astype(str)
    else:
        splits = pd.Series("train", index=samples.index)
    unknown = sorted(set(splits) - set(SPLIT_KEYS))
    if unknown:
        raise DataError(
            f"YOLO knows the splits {SPLIT_KEYS}; this Catalog has {some(unknown)}. Rename them "
            "or export one split at a time with split=..."
        )
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    objects = catalog.objects
    names = pd.Series(unique_file_names(samples.index), index=samples.index)
    config = {"path": ".", "names": dict(enumerate(catalog.classes))}
    for name, ids in splits.groupby(splits, sort=False).groups.items():
        part = samples.loc[ids]
        link_media(part["filepath"], names[ids], out / "images" / name, media=media)
        labels = out / "labels" / name
        labels.mkdir(parents=True, exist_ok=True)
        boxes = objects[objects["sample_id"].isin(ids)]
        cx, cy = boxes["x"] + boxes["w"] / 2, boxes["y"] + boxes["h"] / 2
        lines = pd.Series([
            f"{c} {a:.6f} {b:.6f} {w:.6f} {h:.6f}"
            for c, a, b, w, h in zip(boxes["label"].cat.codes, cx, cy, boxes["w"], boxes["h"],
                                     strict=True)
        ], dtype=object)
        by_sample = lines.groupby(boxes["sample_id"].astype(str).to_numpy()).agg(
            "\n".join) if len(lines) else pd.Series(dtype=object)
        for sample_id in ids:  # one label file per image, empty for images without boxes
            text = by_sample.get(sample_id, "")
            (labels / f"{names[sample_id]}.txt").write_text(text + ("\n" if text else ""))
        config[name] = f"images/{name}"
    target = out / "data.yaml"
    target.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return target
