"""Per-class detection AP on 5,000 images / 50,000 boxes, and per-class IoU of 1,000
512x512 masks, beside the peers everyone runs.

Detection peer: pycocotools' ``COCOeval.evaluate()`` + ``accumulate()`` with its stock
parameters (4 area ranges, maxDets 1/10/100), on COCO dicts built in memory. The
workbench runs the same ``evaluate()`` once, for the area range 'all' only, and
accumulates itself; so the accumulation alone is also timed against pycocotools'
``accumulate()`` on that same single range, and the 400 bootstrap replicates separately.

Segmentation peer: a per-class loop over boolean masks, ``(t == c) & (p == c)`` and
``(t == c) | (p == c)`` per class per image, against one ``bincount`` confusion per image.
Both read the same in-memory arrays (no file I/O in either).
"""

import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import detection_catalog
from table import Row, render

from workbench.evaluate.detection import detection_report
from workbench.evaluate.detection_curves import class_curves
from workbench.evaluate.intervals import bootstrap_counts
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.segmentation import iou_from_confusion, pixel_confusion

N_IMAGES, N_BOXES, N_CLASSES, N_FALSE = 5_000, 50_000, 10, 10_000
N_MASKS, SIDE, N_SEG_CLASSES = 1_000, 512, (10, 50)  # the loop grows with the classes


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def jittered_predictions(catalog, seed=0):
    """85% of the true boxes, shifted and rescaled a little, scored high; plus false
    alarms anywhere, scored lower."""
    rng = np.random.default_rng(seed)
    truth = catalog.objects[rng.random(len(catalog.objects)) < 0.85]
    n = len(truth)
    w = np.clip(truth["w"].to_numpy() * rng.uniform(0.8, 1.2, n), 0.005, 0.3)
    h = np.clip(truth["h"].to_numpy() * rng.uniform(0.8, 1.2, n), 0.005, 0.3)
    x = np.clip(truth["x"].to_numpy() + rng.normal(0, 0.1, n) * w, 0, 1 - w)
    y = np.clip(truth["y"].to_numpy() + rng.normal(0, 0.1, n) * h, 0, 1 - h)
    fw, fh = rng.uniform(0.01, 0.3, N_FALSE), rng.uniform(0.01, 0.3, N_FALSE)
    objects = pd.DataFrame({
        "sample_id": np.concatenate([truth["sample_id"].astype(str),
                                     catalog.samples.index[rng.integers(0, N_IMAGES, N_FALSE)]]),
        "label": pd.Categorical.from_codes(np.concatenate([
            truth["label"].cat.codes, rng.integers(0, N_CLASSES, N_FALSE)]),
            categories=list(catalog.classes)),
        "x": np.concatenate([x, rng.uniform(0, 1, N_FALSE) * (1 - fw)]),
        "y": np.concatenate([y, rng.uniform(0, 1, N_FALSE) * (1 - fh)]),
        "w": np.concatenate([w, fw]), "h": np.concatenate([h, fh]),
        "score": np.concatenate([rng.beta(5, 2, n), rng.beta(2, 5, N_FALSE)]),
    })
    return Predictions(classes=catalog.classes, objects=objects, source="jittered")


def coco_evaluator(catalog, predictions):
    """pycocotools' COCOeval on the same boxes, as a user would build it."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    index = {sid: i + 1 for i, sid in enumerate(catalog.samples.index)}
    images = [{"id": i + 1, "width": 640, "height": 480} for i in range(len(catalog))]
    categories = [{"id": k + 1, "name": c} for k, c in enumerate(catalog.classes)]

    def anns(table, **extra):
        boxes = (table[["x", "y", "w", "h"]].to_numpy() * [640, 480, 640, 480]).tolist()
        return [{"id": n + 1, "image_id": index[s], "category_id": c + 1, "bbox": b,
                 "area": b[2] * b[3], "iscrowd": 0, **{k: v[n] for k, v in extra.items()}}
                for n, (s, c, b) in enumerate(zip(table["sample_id"].astype(str),
                                                  table["label"].cat.codes.tolist(), boxes,
                                                  strict=True))]

    gt, dt = COCO(), COCO()
    gt.dataset = {"images": images, "categories": categories, "annotations": anns(catalog.objects)}
    dt.dataset = {"images": images, "categories": categories,
                  "annotations": anns(predictions.objects,
                                      score=predictions.objects["score"].tolist())}
    gt.createIndex()
    dt.createIndex()
    return COCOeval(gt, dt, iouType="bbox")


def bench_detection():
    catalog = detection_catalog(N_IMAGES, N_BOXES, n_classes=N_CLASSES)
    predictions = jittered_predictions(catalog)
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
        stock = coco_evaluator(catalog, predictions)
        t_stock, _ = timed(lambda: (stock.evaluate(), stock.accumulate()))
        single = coco_evaluator(catalog, predictions)
        single.params.areaRng, single.params.areaRngLbl = [[0, 1e10]], ["all"]
        single.params.maxDets = [100]
        t_single_eval, _ = timed(single.evaluate)
        t_single_acc, _ = timed(single.accumulate)
    t_ours, report = timed(lambda: detection_report(catalog, predictions, split=None, n_boot=0))
    ones = np.ones((1, N_IMAGES), dtype=np.int64)
    t_acc, _ = timed(lambda: [class_curves(m, ones) for m in report.matches])
    counts = bootstrap_counts(N_IMAGES, n_boot=400, seed=0)
    t_boot, _ = timed(lambda: [class_curves(m, counts) for m in report.matches])
    reference = stock.eval["precision"][:, :, :, 0, -1].mean(axis=(0, 1))
    assert np.allclose(report.to_frame()["ap"].to_numpy(), reference, atol=1e-6)
    size = (f"{N_IMAGES // 1000}k images / {len(catalog.objects) // 1000}k boxes / "
            f"{len(predictions.objects) // 1000}k predictions")
    return [
        Row(f"detection AP per class, {size}", t_ours, "pycocotools evaluate+accumulate",
            t_stock, ("slower", 1.0), note=f"400 bootstrap replicates on top: {t_boot:.2f} s"),
        Row("AP accumulation alone ('all' areas, 100 detections)", t_acc,
            "pycocotools accumulate()", t_single_acc, ("slower", 1.0),
            note=f"pycocotools' evaluate() for that range: {t_single_eval:.2f} s"),
    ]


def synthetic_masks(k, seed=0):
    """Blocky true masks (16x16 regions) with some ignored pixels; predictions wrong in
    a tenth of the regions and at scattered pixels."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, k, (N_MASKS, 32, 32)).astype(np.int8)
    noisy = np.where(rng.random(coarse.shape) < 0.1,
                     rng.integers(0, k, coarse.shape), coarse).astype(np.int8)
    scale = SIDE // 32
    truth = coarse.repeat(scale, axis=1).repeat(scale, axis=2)
    pred = noisy.repeat(scale, axis=1).repeat(scale, axis=2)
    truth[:, ::97, :] = -1  # unlabelled rows (the ignore index, as class code -1)
    return truth, pred


def bench_segmentation(k):
    truth, pred = synthetic_masks(k)

    def ours():
        total = sum(pixel_confusion(t, p, k) for t, p in zip(truth, pred, strict=True))
        return iou_from_confusion(total)

    def per_class_loop():
        inter, union = np.zeros(k), np.zeros(k)
        for t, p in zip(truth, pred, strict=True):
            labelled = t >= 0
            for c in range(k):
                is_t, is_p = t == c, (p == c) & labelled
                inter[c] += np.count_nonzero(is_t & is_p)
                union[c] += np.count_nonzero(is_t | is_p)
        return inter / union

    t_ours, iou = timed(ours)
    t_peer, reference = timed(per_class_loop)
    assert np.allclose(iou, reference)
    return Row(f"per-class IoU, {N_MASKS:,} masks {SIDE}x{SIDE}, {k} classes", t_ours,
               "per-class boolean masks loop", t_peer, ("faster", 1.0))


def rows() -> list[Row]:
    return bench_detection() + [bench_segmentation(k) for k in N_SEG_CLASSES]


if __name__ == "__main__":
    print(render(rows()))
