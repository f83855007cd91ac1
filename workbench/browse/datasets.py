"""A FiftyOne dataset from a Catalog, its labels set in bulk.

:func:`to_fiftyone` writes every sample as one document in FiftyOne's stored form (images,
labels, boxes, masks, the plain fields: sample key, classes present, split, group,
conditions) in one insert, then declares each field with its FiftyOne type; the
Catalog's task, classes and conditions go into the dataset's info under
:data:`INFO_KEY`, for :mod:`workbench.browse.reading` to read back.
"""

from __future__ import annotations

import datetime
import os
import uuid

import fiftyone as fo
import fiftyone.core.odm as foo  # insert_documents: the importer's bulk path
import numpy as np
from bson import ObjectId  # pymongo's, installed with fiftyone

from workbench.bulk import gc_paused
from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of

LABEL_FIELDS = {"classification": "ground_truth", "detection": "detections",
                "segmentation": "segmentation"}

INFO_KEY = "workbench"


def to_fiftyone(catalog: Catalog, *, name: str | None = None,
                persistent: bool = False) -> fo.Dataset:
    """A FiftyOne dataset of the Catalog's images and labels.

    Fields: ``ground_truth`` (Classification) when images have labels, ``detections``
    (Detections) when there are boxes, ``segmentation`` (Segmentation, by mask path)
    when there are masks, plus ``sample_key`` (the Catalog's sample id),
    ``classes_present`` (the classes in the image, from label, boxes or mask), ``split``,
    ``group`` and each condition as plain fields. Non-persistent unless asked.

    Built in bulk, the way FiftyOne's own dataset importer does it: every sample is one
    document already in FiftyOne's stored form, inserted in one ``insert_documents`` call,
    then each field is declared with its FiftyOne type. ``add_samples`` spends about
    180 us a sample on building and reloading ``fo.Sample`` objects (18 s for 100k).

    Parameters
    ----------
    catalog : Catalog
        Any task; boxes go in as FiftyOne's relative (0-1) x, y, w, h.
    name : str, optional
        The dataset's name; default a new unique one.
    persistent : bool
        Keep the dataset after the process ends.

    Returns
    -------
    fiftyone.core.dataset.Dataset
        The new dataset.
    """
    samples = catalog.samples
    dataset = fo.Dataset(name or f"workbench-{uuid.uuid4().hex[:12]}")
    dataset.persistent = persistent
    labels = _label_fields(catalog)
    plain = _plain_fields(catalog)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)  # as FiftyOne
    rand = np.random.default_rng(0).random(len(samples)).tolist()  # FiftyOne's _rand
    fields = {**plain, **{f: values for f, (_, values) in labels.items()}}
    documents = (
        {"_id": ObjectId(), "filepath": os.path.abspath(path), "tags": [],
         "metadata": {"_cls": "ImageMetadata", "width": int(w), "height": int(h)},
         "_media_type": "image", "_rand": r, "_dataset_id": dataset._doc.id,
         "created_at": now, "last_modified_at": now, **dict(zip(fields, values, strict=True))}
        for path, w, h, r, *values in zip(samples["filepath"], samples["width"],
                                          samples["height"], rand, *fields.values(),
                                          strict=True))
    with gc_paused():  # millions of small dicts, none in a cycle
        foo.insert_documents(documents, dataset._sample_collection, ordered=False,
                             progress=False, num_docs=len(samples))
    dataset.add_sample_field("metadata", fo.EmbeddedDocumentField,
                             embedded_doc_type=fo.ImageMetadata)
    for field, values in plain.items():
        dataset.add_sample_field(field, *_field_type(field, values))
    for field, (label_type, _) in labels.items():
        dataset.add_sample_field(field, fo.EmbeddedDocumentField, embedded_doc_type=label_type)
    dataset.reload()
    dataset.default_classes = list(catalog.classes)
    dataset.info[INFO_KEY] = {"task": catalog.task, "classes": list(catalog.classes),
                              "conditions": list(catalog.conditions),
                              "background": catalog.background}
    dataset.save()
    return dataset


def _label_fields(catalog: Catalog) -> dict[str, tuple[type, list]]:
    """Per label field, its FiftyOne type and one stored-form value per sample (None
    where a sample has no value)."""
    samples, fields = catalog.samples, {}
    if "label" in samples.columns:
        fields["ground_truth"] = (fo.Classification, [
            {"_id": ObjectId(), "_cls": "Classification", "tags": [], "label": v}
            if isinstance(v, str) else None for v in samples["label"].astype(object)])
    if len(catalog.objects):
        fields["detections"] = (fo.Detections, _stored_detections(catalog))
    if "mask_path" in samples.columns:
        fields["segmentation"] = (fo.Segmentation, [
            {"_id": ObjectId(), "_cls": "Segmentation", "tags": [], "mask_path": m}
            if isinstance(m, str) else None for m in samples["mask_path"].astype(object)])
    return fields


def _field_type(field: str, values: list) -> tuple:
    """The FiftyOne field type (and subfield) of a plain field's values."""
    if field == "classes_present":
        return fo.ListField, fo.StringField
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return (fo.BooleanField,)
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return (fo.IntField,)
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in present):
        return (fo.FloatField,)
    return (fo.StringField,)


def _plain_fields(catalog: Catalog) -> dict[str, list]:
    """Per field, one value per sample: ``sample_key``, ``classes_present``, ``split``,
    ``group`` and the conditions (missing values as None)."""
    samples = catalog.samples
    fields = {"sample_key": samples.index.tolist(),
              "classes_present": _classes_present(catalog)}
    for column in ["split", "group", *catalog.conditions]:
        if column in samples.columns:
            values = samples[column].astype(object)
            fields[column] = values.where(values.notna(), None).tolist()
    return fields


def _classes_present(catalog: Catalog) -> list[list[str]]:
    """Per sample, the sorted names of the classes it contains."""
    from workbench.measure import image_class_pairs

    rows, codes = image_class_pairs(catalog)
    order = np.lexsort((codes, rows))  # by row, then class code
    rows, codes = rows[order], codes[order]
    names = np.asarray(catalog.classes, dtype=object)[codes].tolist()
    bounds = np.searchsorted(rows, np.arange(len(catalog.samples) + 1)).tolist()
    return [names[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _set_labels(dataset, field: str, label_type, values: list) -> None:
    """Declare ``field`` as ``label_type`` and write stored-form values in one call."""
    dataset.add_sample_field(field, fo.EmbeddedDocumentField, embedded_doc_type=label_type)
    dataset.set_values(field, values, validate=False)


def _stored_detections(catalog: Catalog) -> list[dict]:
    """One stored-form Detections per sample, in sample order (boxes grouped with numpy)."""
    objects = catalog.objects  # grouped by image, in sample order
    boxes = objects[["x", "y", "w", "h"]].to_numpy().tolist()
    labels = objects["label"].astype(str).to_numpy().tolist()
    bounds = np.searchsorted(rows_of(objects), np.arange(len(catalog.samples) + 1)).tolist()
    detections = [{"_id": ObjectId(), "_cls": "Detection", "attributes": {}, "tags": [],
                   "label": label, "bounding_box": box}
                  for label, box in zip(labels, boxes, strict=True)]
    return [{"_cls": "Detections", "detections": detections[start:end]}
            for start, end in zip(bounds[:-1], bounds[1:], strict=True)]
