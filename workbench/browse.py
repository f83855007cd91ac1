"""FiftyOne: a dataset from a Catalog, a Catalog from a dataset, and named views.

The only module that imports fiftyone; it sets FiftyOne's environment first
(tracking off, database validation off, the App on 127.0.0.1).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.environment import configure_fiftyone
from workbench.errors import DataError, some

configure_fiftyone()
import fiftyone as fo  # noqa: E402

LABEL_FIELDS = {"classification": "ground_truth", "detection": "detections",
                "segmentation": "segmentation"}
INFO_KEY = "workbench"


def to_fiftyone(catalog: Catalog, *, name: str | None = None,
                persistent: bool = False) -> fo.Dataset:
    """A FiftyOne dataset of the Catalog's images and labels.

    Fields: ``ground_truth`` (Classification) when images have labels, ``detections``
    (Detections) when there are boxes, ``segmentation`` (Segmentation, by mask path)
    when there are masks, plus ``split``, ``group`` and each condition as plain fields.
    Built in bulk: the samples are added with their file paths only, then every field
    is set with one ``set_values`` call. Non-persistent unless asked.
    """
    samples = catalog.samples
    dataset = fo.Dataset(name or f"workbench-{uuid.uuid4().hex[:12]}")
    dataset.persistent = persistent
    ids = dataset.add_samples([fo.Sample(filepath=p) for p in samples["filepath"]],
                              progress=False)
    by_id = dict(zip(ids, samples.index, strict=True))
    dataset.set_values("sample_key", by_id, key_field="id")
    dataset.set_values("metadata", [
        fo.ImageMetadata(width=int(w), height=int(h))
        for w, h in zip(samples["width"], samples["height"], strict=True)
    ])
    if "label" in samples.columns:
        dataset.set_values("ground_truth", [
            fo.Classification(label=str(v)) if isinstance(v, str) else None
            for v in samples["label"].astype(object)
        ])
    if len(catalog.objects):
        dataset.set_values("detections", _detections(catalog))
    if "mask_path" in samples.columns:
        dataset.set_values("segmentation", [
            fo.Segmentation(mask_path=m) if isinstance(m, str) else None
            for m in samples["mask_path"].astype(object)
        ])
    for column in ["split", "group", *catalog.conditions]:
        if column in samples.columns:
            values = samples[column].astype(object)
            dataset.set_values(column, values.where(values.notna(), None).tolist())
    dataset.default_classes = list(catalog.classes)
    dataset.info[INFO_KEY] = {"task": catalog.task, "classes": list(catalog.classes),
                              "conditions": list(catalog.conditions),
                              "background": catalog.background}
    dataset.save()
    return dataset


def _detections(catalog: Catalog) -> list:
    """One Detections per sample, in sample order (vectorised grouping of the boxes)."""
    objects = catalog.objects
    rows = catalog.samples.index.get_indexer(objects["sample_id"])
    order = np.argsort(rows, kind="stable")
    boxes = objects[["x", "y", "w", "h"]].to_numpy()[order].tolist()
    labels = objects["label"].astype(str).to_numpy()[order]
    bounds = np.searchsorted(rows[order], np.arange(len(catalog.samples) + 1))
    return [
        fo.Detections(detections=[
            fo.Detection(label=labels[k], bounding_box=boxes[k])
            for k in range(bounds[i], bounds[i + 1])
        ])
        for i in range(len(catalog.samples))
    ]


def from_fiftyone(dataset, *, label_field: str | None = None) -> Catalog:
    """A Catalog from a FiftyOne dataset (or view, or dataset name). Reads only.

    The label field is ``label_field``, or the first Classification, Detections or
    Segmentation field. Datasets written by :func:`to_fiftyone` come back as the same
    Catalog.
    """
    if isinstance(dataset, str):
        if not fo.dataset_exists(dataset):
            raise DataError(
                f"There is no FiftyOne dataset named {dataset!r}. Existing: "
                f"{some(fo.list_datasets(), n=10) or 'none'}."
            )
        dataset = fo.load_dataset(dataset)
    info = dataset._dataset.info.get(INFO_KEY, {})
    schema = dataset.get_field_schema()
    kind, field = _label_field(schema, label_field, dataset.name)
    keys = dataset.values("sample_key") if "sample_key" in schema else dataset.values("id")
    filepaths = dataset.values("filepath")
    samples = pd.DataFrame({"filepath": filepaths}, index=pd.Index(keys, name="sample_id"))
    samples["width"] = dataset.values("metadata.width")
    samples["height"] = dataset.values("metadata.height")
    if samples[["width", "height"]].isna().any().any():
        from workbench.sources.files import image_sizes

        widths, heights, _ = image_sizes([Path(p) for p in filepaths])
        samples["width"], samples["height"] = widths, heights
    objects = pixels = None
    classes = info.get("classes") or dataset.default_classes or None
    if "ground_truth" in schema and _kind(schema["ground_truth"]) == "classification":
        samples["label"] = dataset.values("ground_truth.label")
    if kind == "classification" and field != "ground_truth":
        samples["label"] = dataset.values(f"{field}.label")
    if kind == "detection" or "detections" in schema:
        det_field = field if kind == "detection" else "detections"
        labels = dataset.values(f"{det_field}.detections.label")
        boxes = dataset.values(f"{det_field}.detections.bounding_box")
        counts = [len(x or []) for x in labels]
        flat_boxes = np.array([b for x in boxes for b in (x or [])], dtype=float).reshape(-1, 4)
        objects = pd.DataFrame({
            "sample_id": np.repeat(np.asarray(keys, dtype=object), counts),
            "label": [lab for x in labels for lab in (x or [])],
            "x": flat_boxes[:, 0], "y": flat_boxes[:, 1],
            "w": flat_boxes[:, 2], "h": flat_boxes[:, 3],
        })
    if kind == "segmentation" or "segmentation" in schema:
        seg_field = field if kind == "segmentation" else "segmentation"
        samples["mask_path"] = dataset.values(f"{seg_field}.mask_path")
    for column in ["split", "group", *info.get("conditions", [])]:
        if column in schema:
            samples[column] = dataset.values(column)
    if classes is None:
        found = set(samples["label"].dropna()) if "label" in samples.columns else set()
        found |= set(objects["label"]) if objects is not None else set()
        classes = sorted(found)
    if "mask_path" in samples.columns:
        from workbench.sources.files import pixels_from_masks

        pixels = pixels_from_masks(samples, classes)
    return Catalog(samples, classes=classes, task=info.get("task", kind), objects=objects,
                   pixels=pixels, conditions=info.get("conditions", ()),
                   background=info.get("background"))


def _kind(field) -> str | None:
    document = getattr(field, "document_type", None)
    return {fo.Classification: "classification", fo.Detections: "detection",
            fo.Segmentation: "segmentation"}.get(document)


def _label_field(schema, label_field, name) -> tuple[str, str]:
    found = {f: _kind(schema[f]) for f in schema if _kind(schema[f])}
    if label_field is not None:
        if label_field not in found:
            raise DataError(
                f"{label_field!r} is not a Classification, Detections or Segmentation field of "
                f"the FiftyOne dataset {name!r}; label fields: {some(found) or 'none'}."
            )
        return found[label_field], label_field
    if not found:
        raise DataError(
            f"The FiftyOne dataset {name!r} has no Classification, Detections or Segmentation "
            "field to read labels from."
        )
    field = next(iter(found))
    return found[field], field
