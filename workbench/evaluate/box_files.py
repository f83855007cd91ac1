"""Scored boxes from the files detectors write: a COCO results list, or YOLO label files
with a confidence.

``coco-results:RESULTS.json[:GT.json]`` holds ``image_id, category_id, bbox, score`` in
pixels, its category ids named by the ground-truth JSON or else 1..K in class order;
``yolo-pred:DIR`` holds one label file per image, named like it, with a sixth value, the
confidence. Boxes end as relative (0-1) x, y, w, h, checked against their image.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.evaluate.predictions import OBJECT_COLUMNS, Predictions
from workbench.evaluate.reader_parts import (
    _check_scores,
    _existing,
    _images_named_like,
    _scored_boxes,
)


def read_coco_results(path, catalog: Catalog, *, gt_annotations=None) -> Predictions:
    """Scored boxes from a COCO results list (``image_id, category_id, bbox, score``).

    Parameters
    ----------
    path : str or Path
        The results JSON; ``bbox`` in pixel x, y, w, h.
    catalog : Catalog
        The dataset.
    gt_annotations : str or Path, optional
        The ground-truth JSON whose categories name the category ids.

    Returns
    -------
    Predictions
        Scored boxes as relative (0-1) x, y, w, h.
    """
    from workbench.sources.coco import match_ids

    path = _existing(path, "COCO results file")
    try:
        results = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{str(path)!r} is not valid JSON ({error}).") from None
    if isinstance(results, dict) and "annotations" in results:
        results = results["annotations"]
    if not isinstance(results, list):
        raise DataError(f"{str(path)!r} is not a COCO results list: write a JSON list of "
                        "{image_id, category_id, bbox, score}.")
    table = pd.DataFrame(results, columns=["image_id", "category_id", "bbox", "score"])
    lacking = table[["image_id", "category_id", "bbox", "score"]].isna().any(axis=1)
    if lacking.any():
        raise DataError(f"{str(path)!r}: {int(lacking.sum())} results lack one of image_id, "
                        f"category_id, bbox, score (entries {some(np.flatnonzero(lacking))}).")
    names = _category_names(catalog, gt_annotations)
    label_pos = match_ids(names.index, table["category_id"])
    if (label_pos < 0).any():
        bad = table["category_id"][label_pos < 0].unique()
        raise DataError(f"{str(path)!r} has category ids {some(bad)} that name no class here "
                        f"(known ids: {some(names.index, n=10)}). Pass the ground-truth JSON "
                        "as coco-results:RESULTS.json:GT.json so its categories name them.")
    rows = match_ids(catalog.samples.index, table["image_id"])
    if (rows < 0).any():
        bad = table["image_id"][rows < 0].unique()
        raise DataError(f"{str(path)!r} has results for image ids {some(bad)} that this "
                        "dataset does not have. Evaluate on the dataset the model was run on.")
    boxes = np.array(table["bbox"].tolist(), dtype=float).reshape(len(table), -1)
    if boxes.shape[1] != 4:
        raise DataError(f"{str(path)!r}: bbox must be [x, y, width, height] in pixels.")
    item = [f"entry {i}" for i in range(len(table))]
    return _scored_boxes(catalog, rows, names.to_numpy()[label_pos], boxes, table["score"],
                         path, item, pixels=True)


def _category_names(catalog: Catalog, gt_annotations) -> pd.Series:
    """Class name per category id: from the ground-truth JSON, else 1..K in class order
    (how :func:`workbench.sources.write_coco` numbers them)."""
    if gt_annotations is None:
        return pd.Series(list(catalog.classes), index=range(1, len(catalog.classes) + 1))
    from workbench.sources.coco import categories, read_json
    from workbench.sources.problems import Problems

    gt = _existing(gt_annotations, "ground-truth annotations file")
    _, names = categories(read_json(gt).get("categories", []), gt, Problems())
    unknown = sorted(set(names) - set(catalog.classes))
    if unknown:
        raise DataError(f"{str(gt)!r} names categories this dataset does not have: "
                        f"{some(unknown)}. Use the annotations the dataset was loaded from.")
    return names


def read_yolo_predictions(folder, catalog: Catalog) -> Predictions:
    """Scored boxes from YOLO label files with a sixth value, the confidence, matched to
    the images by file name (``img_17.txt`` is ``img_17.jpg``). An image with no file has
    no detections.

    Parameters
    ----------
    folder : str or Path
        YOLO label files with a confidence (relative centre x, y, w, h).
    catalog : Catalog
        The dataset.

    Returns
    -------
    Predictions
        Scored boxes as relative (0-1) x, y, w, h.
    """
    from workbench.sources.problems import Problems
    from workbench.sources.yolo import _read_labels

    folder = _existing(folder, "YOLO predictions folder")
    files = sorted(folder.rglob("*.txt"))
    ids = _images_named_like(files, catalog, what="YOLO prediction files",
                             fix="Run the model on this dataset's images, or remove them.")
    problems = Problems()
    objects = _read_labels(files, list(ids), catalog.classes, problems)
    if objects is None:
        objects = pd.DataFrame(columns=[*OBJECT_COLUMNS[:-1], "confidence"])
    elif "confidence" not in objects or objects["confidence"].isna().any():
        raise DataError(f"Some files in {str(folder)!r} have no confidence (5 values per line). "
                        "Save predictions with confidences (e.g. save_conf=True).")
    if len(problems):
        first = problems.frame().iloc[0]
        raise DataError(f"{len(problems)} predicted boxes are not usable, e.g. {first['file']!r} "
                        f"{first['item']}: {first['problem']}. Predicted boxes must lie inside "
                        "their image; clip them when the model writes them.")
    objects = objects.rename(columns={"confidence": "score"})
    _check_scores(objects[["score"]].to_numpy(float), folder, line_offset=1)
    objects["label"] = pd.Categorical(objects["label"], categories=list(catalog.classes))
    return Predictions(classes=tuple(catalog.classes), objects=objects[list(OBJECT_COLUMNS)]
                       .reset_index(drop=True), source=f"your model ({folder.name})")
