"""Pascal VOC detection: one XML file per image (``<object>`` with ``<name>`` and
``<bndbox>``), images beside them, split files in ``ImageSets/Main``.

``voc:ROOT`` reads a VOC root (``Annotations/``, ``JPEGImages/``,
``ImageSets/Main/{train,val,test,trainval}.txt``); ``voc:ANNOTATIONS_DIR:IMAGES_DIR``
reads any folder of XML files with the images elsewhere (no split files).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.sources.boxes import check_boxes, check_declared_sizes, flag_duplicate_boxes
from workbench.sources.discover import find_images
from workbench.sources.files import existing_path
from workbench.sources.labels import tidy_labels
from workbench.sources.problems import Problems

SPLIT_FILES = ("train", "val", "test")
FLAGS = ("difficult", "truncated", "occluded")


def read_voc(root_or_annotations, images_dir=None, *, check_files: bool = True) -> Catalog:
    """Read Pascal VOC XML annotations into a detection Catalog.

    Boxes are ``xmin, ymin, xmax, ymax`` in pixels, read as FiftyOne's VOC importer
    reads them (``x = xmin / width``). Classes are the object names found, sorted;
    ``difficult``, ``truncated`` and ``occluded`` flags are kept as object columns. The
    split comes from ``ImageSets/Main/{train,val,test}.txt`` (``trainval`` counts as
    train when there is no train/val pair). Skipped and listed in ``catalog.problems``:
    XML files whose image is missing (with how many boxes they hold), boxes with no area
    and boxes outside the image; images without an XML file are kept as negatives.

    Parameters
    ----------
    root_or_annotations : str or Path
        A VOC root (with ``Annotations`` and ``JPEGImages``), or the folder of XML files
        when ``images_dir`` is given.
    images_dir : str or Path, optional
        The images' folder; default ``ROOT/JPEGImages``.
    check_files : bool
        Read each image's header and compare it with the declared size.

    Returns
    -------
    Catalog
        Boxes as relative (0-1) x, y, w, h.
    """
    base = existing_path(root_or_annotations, what="VOC folder")
    if images_dir is None:
        if not (base / "Annotations").is_dir():
            raise DataError(
                f"{str(base)!r} has no Annotations folder. voc:ROOT needs a VOC root with "
                "Annotations/ and JPEGImages/; for other layouts write "
                "voc:ANNOTATIONS_DIR:IMAGES_DIR."
            )
        annotations, images_dir = base / "Annotations", base / "JPEGImages"
        split_dir = base / "ImageSets" / "Main"
    else:
        annotations, split_dir = base, None
    images_dir = existing_path(images_dir, what="VOC images folder")
    xml_files = sorted(annotations.glob("*.xml"))
    if not xml_files:
        raise DataError(f"Found no .xml files in {str(annotations)!r}; a VOC annotation folder "
                        "holds one XML file per image.")
    problems = Problems()
    records, boxes = _parse_all(xml_files)
    images = {p.stem: p for p in find_images(images_dir, problems)}
    table = pd.DataFrame(records)
    table["image"] = [_image_for(r, images) for r in records]
    orphan = table["image"].isna().to_numpy()
    box_count = boxes.groupby("xml").size().reindex(table["xml"], fill_value=0).to_numpy()
    problems.add("annotation files with no image", "skipped", table.loc[orphan, "xml"],
                 [f"({n} boxes; image {f!r})" for n, f in zip(
                     box_count[orphan], table.loc[orphan, "filename"], strict=True)],
                 fix=f"Put the images in {str(images_dir)!r} or delete these XML files.")
    table = table.loc[~orphan]
    listed = {Path(p).stem for p in table["image"]}
    negatives = sorted(set(images) - listed)
    problems.add("images with no annotation file", "kept as negatives (no boxes)",
                 [images[s] for s in negatives])
    taken = set(table["sample_id"])  # a negative named like another XML keeps its file name
    negative_ids = [images[s].name if s in taken else s for s in negatives]
    samples = pd.DataFrame({
        "filepath": [str(p) for p in table["image"]] + [str(images[s]) for s in negatives],
        "width": np.concatenate([table["width"].to_numpy(float), np.zeros(len(negatives))]),
        "height": np.concatenate([table["height"].to_numpy(float), np.zeros(len(negatives))]),
    }, index=pd.Index(table["sample_id"].tolist() + negative_ids, name="sample_id"))
    samples = _sizes_from_headers(samples, problems)
    objects = _objects(boxes, samples, problems)
    split = _splits(split_dir, samples.index, problems) if split_dir is not None else None
    if split is not None:
        samples["split"] = split
    if check_files:
        samples, objects = check_declared_sizes(samples, objects, annotations, problems)
    classes = sorted(objects["label"].unique()) if len(objects) else []
    if not classes:
        raise DataError(f"The XML files in {str(annotations)!r} hold no <object> with a "
                        "<name>: there are no classes.")
    problems.warn()
    return Catalog(samples, classes=classes, task="detection", objects=objects,
                   source=str(base), problems=problems.frame())


def _parse_all(xml_files: list[Path]) -> tuple[list[dict], pd.DataFrame]:
    """Per XML file its image record, and every <object> as a row (strings kept)."""
    records, rows = [], []
    for path in xml_files:  # file I/O: one parse per annotation file
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as err:
            raise DataError(f"{str(path)!r} is not valid XML ({err}). Fix or delete it.") from None
        records.append({
            "xml": str(path), "sample_id": path.stem,
            "filename": (root.findtext("filename") or "").strip(),
            "width": _number(root.findtext("size/width")),
            "height": _number(root.findtext("size/height")),
        })
        for k, obj in enumerate(root.iter("object"), 1):
            box = obj.find("bndbox")
            rows.append({
                "xml": str(path), "sample_id": path.stem, "item": k,
                "label": obj.findtext("name"),
                **{c: (box.findtext(c) if box is not None else None)
                   for c in ("xmin", "ymin", "xmax", "ymax")},
                **{f: obj.findtext(f) for f in FLAGS},
            })
    columns = ["xml", "sample_id", "item", "label", "xmin", "ymin", "xmax", "ymax", *FLAGS]
    return records, pd.DataFrame(rows, columns=columns)


def _number(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def _image_for(record: dict, images: dict[str, Path]) -> Path | None:
    """The image of an XML file: its <filename>, else the image with the XML's stem."""
    named = Path(record["filename"]).stem if record["filename"] else None
    for stem in (named, record["sample_id"]):
        if stem and stem in images:
            return images[stem]
    return None


def _sizes_from_headers(samples: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Images whose XML gives no size (0 or missing) get it from the file header."""
    from workbench.sources.files import image_info

    unknown = ~((samples["width"] > 0) & (samples["height"] > 0))
    if unknown.any():
        info = image_info([Path(p) for p in samples.loc[unknown, "filepath"]])
        samples.loc[unknown, "width"] = info["width"].to_numpy()
        samples.loc[unknown, "height"] = info["height"].to_numpy()
        bad = samples.index[unknown][info["status"].to_numpy() != "ok"]
        problems.add("images with no size in their XML and an unreadable file", "skipped",
                     samples.loc[bad, "filepath"])
        samples = samples.drop(index=bad)
    return samples


def _objects(boxes: pd.DataFrame, samples: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    boxes = boxes[boxes["sample_id"].isin(samples.index)].reset_index(drop=True)
    items = [f"object {k} ({name})" for k, name in zip(boxes["item"], boxes["label"],
                                                        strict=True)]
    nameless = boxes["label"].isna() | (boxes["label"].astype(str).str.strip() == "")
    problems.add("objects with no <name>", "skipped", boxes.loc[nameless, "xml"],
                 np.asarray(items, dtype=object)[nameless.to_numpy()])
    coords = boxes[["xmin", "ymin", "xmax", "ymax"]].apply(pd.to_numeric, errors="coerce")
    unreadable = coords.isna().any(axis=1) & ~nameless
    if unreadable.any():
        i = int(np.flatnonzero(unreadable)[0])
        raise DataError(
            f"{int(unreadable.sum())} objects have a <bndbox> that is missing or not numbers, "
            f"e.g. {boxes.loc[i, 'xml']!r} {items[i]}: "
            f"{boxes.loc[i, ['xmin', 'ymin', 'xmax', 'ymax']].tolist()}. Each object needs "
            "<bndbox> with numeric xmin, ymin, xmax, ymax; fix or delete those objects."
        )
    keep_named = ~nameless.to_numpy()
    boxes, coords = boxes[keep_named], coords[keep_named]
    items = np.asarray(items, dtype=object)[keep_named]
    boxes = boxes.assign(label=tidy_labels(boxes["label"], problems, file="(object names)",
                                           what="object names"))
    size = samples.loc[boxes["sample_id"], ["width", "height"]].to_numpy(float)
    corners = coords.to_numpy(float) / np.column_stack([size, size])
    keep = check_boxes(corners, boxes["xml"].to_numpy(dtype=object), items, problems,
                       tolerance=1.0 / size.min(axis=1),
                       fix="VOC boxes are xmin < xmax and ymin < ymax in pixels inside the image.")
    x0, y0, x1, y1 = np.clip(corners[keep], 0, 1).T
    objects = pd.DataFrame({"sample_id": boxes["sample_id"].to_numpy()[keep],
                            "label": boxes["label"].to_numpy()[keep],
                            "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0})
    for flag in FLAGS:
        values = pd.to_numeric(boxes[flag], errors="coerce").to_numpy()[keep]
        if np.nan_to_num(values).any():
            objects[flag] = np.nan_to_num(values).astype(bool)
    flag_duplicate_boxes(objects, boxes["xml"].to_numpy(dtype=object)[keep], items[keep],
                         problems)
    return objects


def _splits(split_dir: Path, sample_ids: pd.Index, problems: Problems) -> pd.Series | None:
    """Each image's split from the split files (the first file listing it wins); None
    without split files."""
    listed = {name: split_dir / f"{name}.txt" for name in (*SPLIT_FILES, "trainval")}
    present = {name: p for name, p in listed.items() if p.is_file()}
    if "train" not in present and "val" not in present and "trainval" in present:
        present["train"] = present.pop("trainval")
    present.pop("trainval", None)
    if not present:
        return None
    split = pd.Series(pd.NA, index=sample_ids, dtype=object)
    for name in SPLIT_FILES:
        if name not in present:
            continue
        ids = [line.split()[0] for line in present[name].read_text(encoding="utf-8-sig")
               .splitlines() if line.strip()]
        unknown = sorted(set(ids) - set(sample_ids))
        problems.add(f"ids in {present[name].name} with no annotated image", "ignored",
                     [present[name]] * len(unknown), unknown)
        ids = [i for i in ids if i in split.index]
        again = [i for i in ids if pd.notna(split[i])]
        problems.add(f"images listed in {present[name].name} and an earlier split file",
                     "kept in the first", [present[name]] * len(again), again)
        fresh = [i for i in ids if pd.isna(split[i])]
        split[fresh] = name
    unlisted = split.index[split.isna()]
    problems.add("images in no split file", "kept with no split", [split_dir] * len(unlisted),
                 list(unlisted), fix="Notebook 02 reports the split and offers a stratified one.")
    return split

