"""COCO's matching of predicted to ground-truth boxes, run by pycocotools.

A Catalog's ground-truth boxes and a model's predicted boxes become arrays, then COCO
annotations in pixels; ``COCOeval.evaluate`` decides, once, which detection matches which
ground-truth box at each IoU threshold, and each class's detections come back ranked as
COCO accumulates them (:class:`workbench.evaluate.detection_curves.ClassMatches`). A crowd
box (``iscrowd``) is never a miss, and a detection matched to it is neither a hit nor a
false alarm.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.errors import DataError, some
from workbench.evaluate.detection_curves import ClassMatches
from workbench.evaluate.predictions import Predictions


def _true_boxes(catalog: Catalog, classes) -> dict:
    obj = catalog.objects
    label = pd.Index(classes).get_indexer(obj["label"].astype(str))
    crowd = obj["iscrowd"].to_numpy(bool) if "iscrowd" in obj.columns else np.zeros(len(obj), bool)
    return {"image": rows_of(obj), "label": label, "crowd": crowd,
            "box": obj[["x", "y", "w", "h"]].to_numpy(float)}


def _predicted_boxes(catalog: Catalog, predictions: Predictions, classes) -> dict:
    """The boxes on the evaluated images, as arrays (boxes on other images are left out:
    predictions are made for a whole Catalog and evaluated on parts of it)."""
    obj = predictions.objects
    ids = obj["sample_id"].astype(str).to_numpy(object)
    label = pd.Index(classes).get_indexer(obj["label"].astype(str))
    names = obj["label"].astype(str).to_numpy(object)
    unknown = (label < 0) & (names != str(catalog.background))
    if unknown.any():
        raise DataError(f"{int(unknown.sum())} predicted boxes have labels that are not classes "
                        f"of the Catalog: {some(pd.unique(names[unknown]))}. Known classes: "
                        f"{some(classes, n=20)}. Rename them to the Catalog's classes.")
    score = obj["score"].to_numpy(float)
    if np.isnan(score).any():
        raise DataError(f"{int(np.isnan(score).sum())} predicted boxes have no score; every "
                        "box needs one to be ranked.")
    image = catalog.samples.index.get_indexer(ids)
    keep = (image >= 0) & (label >= 0)
    return {"image": image[keep], "label": label[keep], "score": score[keep],
            "box": obj[["x", "y", "w", "h"]].to_numpy(float)[keep]}


def _annotations(image, label, box, sizes, **extra) -> list[dict]:
    """COCO annotations: absolute pixel boxes, area w * h in pixels, ids from 1."""
    scale = np.tile(sizes[image], 2)  # width, height, width, height
    pixels = box * scale
    keys, columns = list(extra), [v.tolist() for v in extra.values()]
    return [{"id": i + 1, "image_id": im + 1, "category_id": c + 1, "bbox": b,
             "area": b[2] * b[3], **dict(zip(keys, rest, strict=True))}
            for i, (im, c, b, *rest) in enumerate(zip(
                image.tolist(), label.tolist(), pixels.tolist(), *columns, strict=True))]


def _coco_matches(catalog, truth, boxes, n_classes, max_dets) -> list[ClassMatches]:
    """Run ``COCOeval.evaluate`` (area range 'all' only) and rank each class's hits."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    sizes = catalog.samples[["width", "height"]].to_numpy(float)
    n_images = len(sizes)
    images = [{"id": i + 1, "width": int(w), "height": int(h)} for i, (w, h) in enumerate(sizes)]
    categories = [{"id": k + 1, "name": str(k)} for k in range(n_classes)]
    gt_anns = _annotations(truth["image"], truth["label"], truth["box"], sizes,
                           iscrowd=truth["crowd"].astype(int))
    dt_anns = _annotations(boxes["image"], boxes["label"], boxes["box"], sizes,
                           score=boxes["score"], iscrowd=np.zeros(len(boxes["score"]), int))
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        gt, dt = COCO(), COCO()
        for coco, anns in ((gt, gt_anns), (dt, dt_anns)):
            coco.dataset = {"images": images, "categories": categories, "annotations": anns}
            coco.createIndex()
        evaluator = COCOeval(gt, dt, iouType="bbox")
        evaluator.params.areaRng, evaluator.params.areaRngLbl = [[0, 1e10]], ["all"]
        evaluator.params.maxDets = [max_dets]
        evaluator.evaluate()
    n_iou = len(evaluator.params.iouThrs)
    entries = [e for e in evaluator.evalImgs if e is not None]
    category = np.array([e["category_id"] - 1 for e in entries], dtype=np.int64)
    image = np.array([e["image_id"] - 1 for e in entries], dtype=np.int64)
    n_dets = np.array([len(e["dtIds"]) for e in entries], dtype=np.int64)
    counted = np.array([np.count_nonzero(e["gtIgnore"] == 0) for e in entries], dtype=np.int64)
    score = np.concatenate([[], *(e["dtScores"] for e in entries)])
    matched = np.concatenate([np.zeros((n_iou, 0)), *(e["dtMatches"] for e in entries)], axis=1)
    ignored = np.concatenate([np.zeros((n_iou, 0)), *(e["dtIgnore"] for e in entries)], axis=1)
    det_category, det_image = np.repeat(category, n_dets), np.repeat(image, n_dets)
    hit, ignored = matched > 0, ignored.astype(bool)
    result = []
    for k in range(n_classes):
        own = np.flatnonzero(det_category == k)
        order = own[np.argsort(-score[own], kind="mergesort")]  # as COCOeval.accumulate
        result.append(ClassMatches(
            image=det_image[order], score=score[order],
            tp=hit[:, order] & ~ignored[:, order], fp=~hit[:, order] & ~ignored[:, order],
            n_true=np.bincount(image[category == k], weights=counted[category == k],
                               minlength=n_images).astype(np.int64)))
    return result
