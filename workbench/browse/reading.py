"""A Catalog, or predictions, from a FiftyOne dataset or any folder FiftyOne imports.

:func:`from_fiftyone` reads a dataset (or view) into a Catalog, only reading: the label
field asked for, or the first Classification, Detections or Segmentation field; a dataset
written by :func:`workbench.browse.to_fiftyone` comes back as the same Catalog.
:func:`from_fiftyone_dir` imports any format FiftyOne reads through a temporary dataset,
and :func:`predictions_from_fiftyone` reads a model's predictions stored in a label field,
matched to a Catalog by file path.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import fiftyone as fo
import numpy as np
import pandas as pd

from workbench.browse.datasets import INFO_KEY
from workbench.catalog import Catalog
from workbench.errors import DataError, some


def from_fiftyone(dataset, *, label_field: str | None = None) -> Catalog:
    """A Catalog from a FiftyOne dataset (or view, or dataset name). Reads only.

    The label field is ``label_field``, or the first Classification, Detections or
    Segmentation field. Datasets written by :func:`to_fiftyone` come back as the same
    Catalog.

    Parameters
    ----------
    dataset : fiftyone.core.dataset.Dataset, view or str
        The dataset, a view of it or its name.
    label_field : str, optional
        The label field to read.

    Returns
    -------
    Catalog
        Boxes as relative (0-1) x, y, w, h.
    """
    if isinstance(dataset, str):
        if not fo.dataset_exists(dataset):
            raise DataError(
                f"There is no FiftyOne dataset named {dataset!r}. Existing: "
                f"{some(fo.list_datasets(), n=10) or 'none'}."
            )
        dataset = fo.load_dataset(dataset)
    info = dataset.info.get(INFO_KEY, {})
    schema = dataset.get_field_schema()
    kind, field = _label_field(schema, label_field, dataset.name)
    keys = dataset.values("sample_key") if "sample_key" in schema else dataset.values("id")
    filepaths = dataset.values("filepath")
    samples = pd.DataFrame({"filepath": filepaths}, index=pd.Index(keys, name="sample_id"))
    samples["width"] = dataset.values("metadata.width")
    samples["height"] = dataset.values("metadata.height")
    unknown = samples[["width", "height"]].isna().any(axis=1).to_numpy()
    if unknown.any():  # imported datasets often have no metadata yet: read the headers
        from workbench.sources.files import image_info

        info = image_info([Path(p) for p in samples.loc[unknown, "filepath"]])
        samples.loc[unknown, "width"] = info["width"].to_numpy()
        samples.loc[unknown, "height"] = info["height"].to_numpy()
        unreadable = samples.index[unknown][info["status"].to_numpy() != "ok"]
        if len(unreadable):
            raise DataError(
                f"{len(unreadable)} images of the FiftyOne dataset {dataset.name!r} cannot be "
                f"read: {some(samples.loc[unreadable, 'filepath'])}. Fix or remove them."
            )
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
    if "split" not in samples.columns:  # FiftyOne's importers tag samples with their split
        tags = dataset.values("tags")
        split = [next((t for t in tag_list or () if t in ("train", "val", "test")), None)
                 for tag_list in tags]
        if any(split):
            samples["split"] = split
    if classes is None:
        found = set(samples["label"].dropna()) if "label" in samples.columns else set()
        found |= set(objects["label"]) if objects is not None else set()
        classes = sorted(found)
    if "mask_path" in samples.columns:
        from workbench.sources.pixels import pixels_from_masks

        pixels = pixels_from_masks(samples, classes)
    return Catalog(samples, classes=classes, task=info.get("task", kind), objects=objects,
                   pixels=pixels, conditions=info.get("conditions", ()),
                   background=info.get("background"))


def predictions_from_fiftyone(name: str, field: str, catalog: Catalog):
    """Predictions stored in a FiftyOne label field, matched to ``catalog`` by file path:
    a Classification (label and confidence), Detections (boxes with confidences) or a
    Segmentation with ``mask_path``.

    Parameters
    ----------
    name : str
        The FiftyOne dataset's name.
    field : str
        The label field with the predictions.
    catalog : Catalog
        The dataset they were made on.

    Returns
    -------
    Predictions
        Image scores, scored boxes (relative x, y, w, h) or masks.
    """
    from workbench.evaluate import reader_parts
    from workbench.evaluate.predictions import Predictions

    if not fo.dataset_exists(name):
        raise DataError(f"There is no FiftyOne dataset named {name!r}. Existing: "
                        f"{some(fo.list_datasets(), n=10) or 'none'}.")
    dataset = fo.load_dataset(name)
    kind, field = _label_field(dataset.get_field_schema(), field, name)
    paths = pd.Series(dataset.values("filepath"))
    rows = reader_parts._match_files(paths, catalog)
    where = f"FiftyOne dataset {name!r} field {field!r}"
    if (rows < 0).any():
        raise DataError(f"{where}: {int((rows < 0).sum())} samples are not images of this "
                        f"dataset, e.g. {some(paths[rows < 0], n=3)}. Evaluate on the dataset "
                        "the predictions were made on.")
    ids = catalog.samples.index.to_numpy()[rows]
    source = f"your model ({name}.{field})"
    if kind == "classification":
        table = pd.DataFrame({"sample_id": ids, "label": dataset.values(f"{field}.label"),
                              "score": dataset.values(f"{field}.confidence")}).dropna(
            subset=["label"])
        scores = reader_parts._top1_scores(table, catalog.classes, Path(where))
        scores.index = pd.Index(table["sample_id"], name="sample_id")
        return Predictions(classes=tuple(catalog.classes), scores=scores, source=source)
    if kind == "detection":
        labels = dataset.values(f"{field}.detections.label")
        counts = [len(x or []) for x in labels]
        boxes = np.array([b for x in dataset.values(f"{field}.detections.bounding_box")
                          for b in (x or [])], dtype=float).reshape(-1, 4)
        scores = [s for x in dataset.values(f"{field}.detections.confidence") for s in (x or [])]
        flat = [lab for x in labels for lab in (x or [])]
        unknown = sorted(set(flat) - set(catalog.classes))
        if unknown:
            raise DataError(f"{where} predicts classes this dataset does not have: "
                            f"{some(unknown)}. Map them to its classes first.")
        items = [f"detection {i}" for i in range(len(flat))]
        made = reader_parts._scored_boxes(catalog, np.repeat(rows, counts), flat, boxes,
                                     [np.nan if s is None else s for s in scores], where, items,
                                     pixels=False)
        return Predictions(classes=made.classes, objects=made.objects, source=source)
    masks = pd.Series(dataset.values(f"{field}.mask_path"), index=pd.Index(ids, name="sample_id"))
    if masks.isna().any():
        raise DataError(f"{where}: {int(masks.isna().sum())} segmentations have no mask_path "
                        "(their masks live in the database). Write them to PNG files "
                        "(fo.Segmentation.export_mask or the dataset's export) and set "
                        "mask_path.")
    return Predictions(classes=tuple(catalog.classes), masks=masks, source=source)


def from_fiftyone_dir(dataset_type: str, dataset_dir, **options) -> Catalog:
    """Import any format FiftyOne reads (``fo.types.<dataset_type>``) into a Catalog.

    The import goes into a temporary FiftyOne dataset, deleted once read. Options go to
    ``fo.Dataset.from_dir`` (e.g. ``split="val", yaml_path="data.yaml"`` for
    YOLOv5Dataset); a ``split`` also becomes each sample's split. Importers that skip
    images without labels by default (``include_all_data``) are asked to keep them: they
    are the negatives.

    Parameters
    ----------
    dataset_type : str
        A name in ``fo.types``, e.g. "YOLOv5Dataset".
    dataset_dir : str or Path
        The dataset's folder.
    **options
        Passed to ``fo.Dataset.from_dir``.

    Returns
    -------
    Catalog
        The dataset, with ``source`` the folder.
    """
    from workbench.sources.files import existing_path

    dataset_dir = existing_path(dataset_dir, what="dataset folder")
    kind = getattr(fo.types, dataset_type, None)
    if not (isinstance(kind, type) and issubclass(kind, fo.types.Dataset)):
        known = sorted(n for n in dir(fo.types) if n.endswith(("Dataset", "Tree"))
                       and isinstance(getattr(fo.types, n), type))
        raise DataError(
            f"{dataset_type!r} is not a FiftyOne dataset type. Known types: "
            f"{some(known, n=40)}."
        )
    if isinstance(options.get("split"), str):  # tag the samples with their split
        options.setdefault("tags", options["split"])
    import inspect

    takes = inspect.signature(kind().get_dataset_importer_cls().__init__).parameters
    if "include_all_data" in takes:  # images without labels are negatives, not noise
        options.setdefault("include_all_data", True)
    try:
        dataset = fo.Dataset.from_dir(dataset_dir=str(dataset_dir), dataset_type=kind,
                                      name=f"workbench-import-{uuid.uuid4().hex[:12]}",
                                      progress=False, **options)
    except (ValueError, OSError, KeyError, TypeError) as err:
        raise DataError(f"FiftyOne could not import {str(dataset_dir)!r} as {dataset_type}: "
                        f"{err}") from None
    try:
        catalog = from_fiftyone(dataset)
    finally:
        dataset.delete()
    return catalog.replace(source=str(dataset_dir))


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
