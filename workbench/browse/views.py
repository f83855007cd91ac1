"""Named FiftyOne views of the samples behind the numbers: minority classes, label
issues, hard negatives, active-learning picks; predictions and FiftyOne's box evaluation."""

from __future__ import annotations

import fiftyone as fo
import numpy as np
import pandas as pd
from bson import ObjectId  # pymongo's, installed with fiftyone

from workbench.browse.datasets import INFO_KEY, _set_labels, to_fiftyone
from workbench.catalog import Catalog
from workbench.errors import DataError, passes_missing, some


def class_image_counts(dataset) -> dict[str, int]:
    """Images containing each class, from ``classes_present`` (one aggregation).

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset or view
        Made by :func:`to_fiftyone`.

    Returns
    -------
    dict of str to int
        Images per class.
    """
    counts = dataset.count_values("classes_present")
    classes = dataset.info.get(INFO_KEY, {}).get("classes") or sorted(counts)
    return {c: int(counts.get(c, 0)) for c in classes}


def minority_classes(dataset, *, threshold: int = 100) -> list[str]:
    """Classes in fewer than ``threshold`` images (and at least one), rarest first; when
    every class reaches the threshold, the rarest class alone.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset or view
        Made by :func:`to_fiftyone`.
    threshold : int
        Images a class needs not to be a minority (>= 1).

    Returns
    -------
    list of str
        Class names, rarest first.
    """
    if threshold < 1:
        raise ValueError(f"The 'threshold' parameter must be >= 1. Got {threshold!r} instead.")
    counts = class_image_counts(dataset)
    present = sorted((c for c, n in counts.items() if n > 0), key=lambda c: (counts[c], c))
    below = [c for c in present if counts[c] < threshold]
    return below or present[:1]


def minority_summary(dataset, *, threshold: int = 100) -> str:
    """One line: which classes the minority view shows, and why.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset or view
        Made by :func:`to_fiftyone`.
    threshold : int
        Images a class needs not to be a minority.

    Returns
    -------
    str
        The line.
    """
    counts = class_image_counts(dataset)
    minority = minority_classes(dataset, threshold=threshold)
    n = len(minority_view(dataset, threshold=threshold))
    if all(counts[c] >= threshold for c in minority):
        return (f"No class is in fewer than {threshold} images, so the rarest, "
                f"{minority[0]} ({counts[minority[0]]} images), stands in: {n} samples.")
    return (f"{n} samples of the {len(minority)} classes in fewer than {threshold} images: "
            + ", ".join(f"{c} ({counts[c]})" for c in minority[:10])
            + (f" and {len(minority) - 10} more" if len(minority) > 10 else "") + ".")


def minority_view(dataset, *, threshold: int = 100, classes=None):
    """The samples of the minority classes, rarest class first: a view, nothing changes.

    Minority classes are those in fewer than ``threshold`` images (see
    :func:`minority_classes`), or the ``classes`` given. A sample is placed by the rarest
    minority class it contains; ties keep the dataset's order.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset or view
        Made by :func:`to_fiftyone`.
    threshold : int
        Images a class needs not to be a minority.
    classes : sequence of str, optional
        The minority classes, instead of the threshold.

    Returns
    -------
    fiftyone.core.view.DatasetView
        The samples, ordered.
    """
    counts = class_image_counts(dataset)
    if classes is None:
        minority = minority_classes(dataset, threshold=threshold)
    else:
        unknown = [c for c in classes if c not in counts]
        if unknown:
            raise DataError(f"Classes {some(unknown)} are not in the dataset; classes: "
                            f"{some(counts, n=20)}.")
        minority = sorted(classes, key=lambda c: (counts[c], c))
    rank = {c: i for i, c in enumerate(minority)}
    ids, present = dataset.values(["id", "classes_present"])
    placed = sorted((min(rank[c] for c in cs if c in rank), k)
                    for k, cs in enumerate(present) if any(c in rank for c in cs or ()))
    return dataset.select([ids[k] for _, k in placed], ordered=True)


def label_issues_view(dataset, issues, *, findings=None):
    """The samples with label findings, worst first: a view, nothing in the dataset changes
    but the view's order.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset
        Made by :func:`to_fiftyone`.
    issues : LabelIssues or Missing
        From :func:`workbench.quality.label_issues`; a Missing is returned as it is.
    findings : sequence of str, optional
        Keep only these kinds ("duplicate box", "area outlier", ...).

    Returns
    -------
    fiftyone.core.view.DatasetView
        The samples, by their summed finding scores.
    """
    from workbench.errors import Missing

    if isinstance(issues, Missing):
        return issues
    table = issues.table
    if findings is not None:
        table = table[table["finding"].isin(list(findings))]
    order = table.groupby("sample_id")["score"].sum().sort_values(ascending=False,
                                                                   kind="stable").index
    keys, ids = dataset.values(["sample_key", "id"])
    by_key = dict(zip(keys, ids, strict=True))
    return dataset.select([by_key[k] for k in order if k in by_key], ordered=True)


def split_views(dataset) -> dict:
    """One view per value of the ``split`` field, in train/val/test order.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset
        With a ``split`` field.

    Returns
    -------
    dict of str to fiftyone.core.view.DatasetView
        By split name.
    """
    from fiftyone import ViewField as F

    names = [n for n in dataset.distinct("split") if n is not None]
    order = sorted(names, key=lambda n: (["train", "val", "test"] + [n]).index(n))
    return {name: dataset.match(F("split") == name) for name in order}


def add_predictions(dataset, catalog: Catalog, predictions, *, field: str = "predictions"):
    """Write ``predictions`` into ``dataset`` (made by :func:`to_fiftyone` from
    ``catalog``): scored boxes as Detections with confidences, else the top image score
    as a Classification. In bulk, like :func:`to_fiftyone`.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset
        Made from ``catalog``.
    catalog : Catalog
        The dataset's Catalog.
    predictions : Predictions
        Scored boxes (relative x, y, w, h) or image scores.
    field : str
        The label field to write.

    Returns
    -------
    fiftyone.core.dataset.Dataset
        ``dataset``, saved.
    """
    keys = dataset.values("sample_key")
    if predictions.objects is not None:
        objects = predictions.objects
        rows = pd.Index(keys).get_indexer(objects["sample_id"])
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        boxes = objects[["x", "y", "w", "h"]].to_numpy()[order].tolist()
        labels = objects["label"].astype(str).to_numpy()[order].tolist()
        scores = objects["score"].to_numpy(float)[order].tolist()
        bounds = np.searchsorted(sorted_rows, np.arange(len(keys) + 1)).tolist()
        detections = [{"_id": ObjectId(), "_cls": "Detection", "attributes": {}, "tags": [],
                       "label": lab, "bounding_box": box, "confidence": s}
                      for lab, box, s in zip(labels, boxes, scores, strict=True)]
        _set_labels(dataset, field, fo.Detections, [
            {"_cls": "Detections", "detections": detections[a:b]}
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    elif predictions.scores is not None:
        scores = predictions.scores.reindex(keys)
        top = scores.to_numpy(float)
        values = [None if np.isnan(row).all() else
                  {"_id": ObjectId(), "_cls": "Classification", "tags": [],
                   "label": str(scores.columns[int(np.nanargmax(row))]),
                   "confidence": float(np.nanmax(row))} for row in top]
        _set_labels(dataset, field, fo.Classification, values)
    dataset.save()
    return dataset


def evaluate_boxes(dataset, *, pred_field: str = "predictions", gt_field: str = "detections",
                   eval_key: str = "eval", iou: float = 0.5):
    """FiftyOne's ``evaluate_detections``: every predicted and true box marked TP, FP or
    FN (``eval_key`` fields), for browsing. The metrics themselves come from
    :func:`workbench.evaluate.detection_report` (pycocotools' matching).

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset
        With predicted and true boxes.
    pred_field, gt_field : str
        The two label fields.
    eval_key : str
        Prefix of the fields FiftyOne writes.
    iou : float
        The overlap a match needs.

    Returns
    -------
    fiftyone.utils.eval.detection.DetectionResults
        FiftyOne's results.
    """
    import logging

    logger = logging.getLogger("fiftyone")
    level = logger.level
    logger.setLevel(logging.WARNING)  # no "Evaluating detections..." in the notebook
    try:
        return dataset.evaluate_detections(pred_field, gt_field=gt_field, eval_key=eval_key,
                                           iou=iou, classwise=True, progress=False)
    finally:
        logger.setLevel(level)


def evaluation_dataset(catalog: Catalog, predictions, *, split: str | None = None,
                       eval_key: str = "eval"):
    """A FiftyOne dataset of the Catalog's ``split`` with the predictions and, when both
    sides have boxes, FiftyOne's TP / FP / FN marks under ``eval_key``.

    Parameters
    ----------
    catalog : Catalog
        The truth.
    predictions : Predictions
        Scored boxes or image scores.
    split : str, optional
        The split to include; None: every image.
    eval_key : str
        Prefix of the marks.

    Returns
    -------
    dataset : fiftyone.core.dataset.Dataset
        The new dataset.
    eval_key : str or None
        The evaluation key; None without boxes.
    """
    if split is not None:
        catalog = catalog.split_subset(split)
    dataset = add_predictions(to_fiftyone(catalog), catalog, predictions)
    if len(catalog.objects) and predictions.objects is not None and len(predictions.objects):
        evaluate_boxes(dataset, eval_key=eval_key)
        return dataset, eval_key
    return dataset, None


@passes_missing
def hard_negatives_view(dataset, hard, *, pred_field: str = "predictions",
                        eval_key: str | None = None):
    """The images of :func:`workbench.evaluate.hard_negatives` in the App, in rank order
    (the same images as its table). For boxes, only the class's predicted boxes are
    shown, and with ``eval_key`` (from :func:`evaluation_dataset`) only those FiftyOne
    marked false positives; ``patches=True`` on the result's ``to_evaluation_patches``
    gives one patch per box.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset
        From :func:`evaluation_dataset`.
    hard : HardNegatives
        The hard negatives.
    pred_field : str
        The predictions' field.
    eval_key : str, optional
        FiftyOne's evaluation key.

    Returns
    -------
    fiftyone.core.view.DatasetView
        The view.
    """
    from fiftyone import ViewField as F

    view = dataset.match(F("sample_key").is_in(hard.sample_ids))
    ids = dict(zip(view.values("sample_key"), view.values("id"), strict=True))
    view = dataset.select([ids[k] for k in hard.sample_ids if k in ids], ordered=True)
    if hard.level == "boxes" and pred_field in dataset.get_field_schema():
        wanted = F("label") == hard.cls
        if eval_key is not None:
            wanted = wanted & (F(eval_key) == "fp")
        view = view.filter_labels(pred_field, wanted)
    return view


def picks_view(dataset, picks, *, hard=None):
    """The active-learning picks in the App, in pick order; with ``hard`` (hard negatives
    from :func:`workbench.evaluate.hard_negatives`), those join the batch after them,
    each image once.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset
        Made by :func:`to_fiftyone`.
    picks : Picks, sequence of str or Missing
        The picks or their sample ids; a Missing is returned as it is.
    hard : HardNegatives, optional
        Hard negatives to add.

    Returns
    -------
    fiftyone.core.view.DatasetView
        The view.
    """
    from workbench.errors import Missing

    if isinstance(picks, Missing):
        return picks
    ids = list(getattr(picks, "sample_ids", picks))
    if hard is not None and not isinstance(hard, Missing):
        ids = list(dict.fromkeys([*ids, *hard.sample_ids]))
    keys = dict(zip(dataset.values("sample_key"), dataset.values("id"), strict=True))
    missing = [k for k in ids if k not in keys]
    if missing:
        raise DataError(f"{len(missing)} picked images are not in this FiftyOne dataset, e.g. "
                        f"{some(missing, n=3)}; build it from the same Catalog.")
    return dataset.select([keys[k] for k in ids], ordered=True)
