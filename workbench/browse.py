"""FiftyOne: a dataset from a Catalog, a Catalog from a dataset, and named views.

The only module that imports fiftyone; it sets FiftyOne's environment first
(tracking off, database validation off, the App on 127.0.0.1).
"""

from __future__ import annotations

import datetime
import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.bulk import gc_paused
from workbench.catalog import Catalog, rows_of
from workbench.environment import configure_fiftyone
from workbench.errors import DataError, passes_missing, some

configure_fiftyone()
import fiftyone as fo  # noqa: E402
import fiftyone.core.odm as foo  # noqa: E402  (insert_documents: the importer's bulk path)
from bson import ObjectId  # noqa: E402  (pymongo's, installed with fiftyone)

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
    Segmentation with ``mask_path``."""
    from workbench.evaluate import loaders
    from workbench.evaluate.predictions import Predictions

    if not fo.dataset_exists(name):
        raise DataError(f"There is no FiftyOne dataset named {name!r}. Existing: "
                        f"{some(fo.list_datasets(), n=10) or 'none'}.")
    dataset = fo.load_dataset(name)
    kind, field = _label_field(dataset.get_field_schema(), field, name)
    paths = pd.Series(dataset.values("filepath"))
    rows = loaders._match_files(paths, catalog)
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
        scores = loaders._top1_scores(table, catalog.classes, Path(where))
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
        made = loaders._scored_boxes(catalog, np.repeat(rows, counts), flat, boxes,
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


def class_image_counts(dataset) -> dict[str, int]:
    """Images containing each class, from ``classes_present`` (one aggregation)."""
    counts = dataset.count_values("classes_present")
    classes = dataset.info.get(INFO_KEY, {}).get("classes") or sorted(counts)
    return {c: int(counts.get(c, 0)) for c in classes}


def minority_classes(dataset, *, threshold: int = 100) -> list[str]:
    """Classes in fewer than ``threshold`` images (and at least one), rarest first; when
    every class reaches the threshold, the rarest class alone."""
    if threshold < 1:
        raise ValueError(f"The 'threshold' parameter must be >= 1. Got {threshold!r} instead.")
    counts = class_image_counts(dataset)
    present = sorted((c for c, n in counts.items() if n > 0), key=lambda c: (counts[c], c))
    below = [c for c in present if counts[c] < threshold]
    return below or present[:1]


def minority_summary(dataset, *, threshold: int = 100) -> str:
    """One line: which classes the minority view shows, and why."""
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
    """The samples with label findings, worst first, each tagged with its findings: a
    view, nothing in the dataset changes but the view's order.

    ``issues`` is a :class:`workbench.quality.LabelIssues`; ``findings`` keeps only some
    kinds ("duplicate box", "area outlier", ...).
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


_SESSION = None  # this kernel's App session: one per notebook, never shared


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def launch_app(view, *, enabled: bool = True, port: int | None = None,
               picture: bool = False, what: str = "images"):
    """Open the FiftyOne App on ``view``, bound to 127.0.0.1, and print its address;
    None when not ``enabled``.

    Each kernel (each notebook) gets an App of its own, on a free port unless ``port`` is
    given, and later calls in the same kernel show their view in it: closing another
    notebook cannot take this one's App away. The App closes when the kernel ends.
    Reports run headless with ``enabled=False``; with ``picture`` they show
    :func:`app_picture` of the view instead (``what`` names its images in the caption),
    and nothing for a view that is None or Missing (its section already says why).
    """
    global _SESSION
    if not enabled:
        from workbench.errors import Missing

        if picture and view is not None and not isinstance(view, Missing):
            from IPython.display import display

            display(app_picture(view, what=what))
        return None
    if _SESSION is not None and (port is None or port == _SESSION.server_port):
        _SESSION.view = view
    else:
        import atexit

        if _SESSION is not None:
            _SESSION.close()
        port = port or free_port()
        _start_app_server(port)  # before the session's client: no 10 s "Could not connect"
        _SESSION = fo.launch_app(view, address="127.0.0.1", port=port, auto=False)
        atexit.register(_SESSION.close)
    print(f"This notebook's FiftyOne App: http://127.0.0.1:{_SESSION.server_port}/")
    return _SESSION


@dataclass(frozen=True)
class AppPicture:
    """A screenshot of the FiftyOne App on a view, or the sentence saying why there is
    none. In a notebook it shows its caption and the PNG (or the sentence)."""

    caption: str
    png: bytes | None = None
    reason: str | None = None
    seconds: float = 0.0

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the PNG in pixels, or None without one."""
        if self.png is None:
            return None
        from PIL import Image

        with Image.open(io.BytesIO(self.png)) as image:
            return image.size

    def __repr__(self) -> str:
        if self.png is None:
            return f"AppPicture(none: {self.reason})"
        width, height = self.size
        return f"AppPicture({self.caption}, {width}x{height} PNG, {self.seconds:.0f} s)"

    def _ipython_display_(self) -> None:
        from IPython.display import Image, Markdown, display

        if self.png is None:
            display(Markdown(f"*{self.reason}*"))
        else:
            display(Markdown(f"*{self.caption}:*"), Image(data=self.png, format="png"))


_PICTURE_SESSION = None  # the App session the pictures of this process are taken on


def app_picture(view, *, what: str = "images", timeout: float = 120.0) -> AppPicture:
    """A PNG of the FiftyOne App showing ``view``, for reports whose App cannot run.

    Shows the view in an App session kept for pictures (started on a free port on
    127.0.0.1 by the first picture, reused by the next ones: starting the App's server
    takes about 5 s and stopping it another 4.5 s, against 5 s for the picture itself),
    opens it in headless chromium (:mod:`workbench.app_screenshot`, a subprocess), waits
    at most ``timeout`` seconds until the sample grid has drawn its images, and takes the
    picture. The App closes when the process ends, or with :func:`close_picture_app`;
    after a failed picture it is closed at once, and the next picture starts a new one.
    Nothing is written to the dataset; the PNG goes through a temporary folder, removed
    afterwards. When chromium is missing, or the picture fails or takes too long, the
    result carries the sentence saying why instead of a PNG, and the notebook carries on.
    ``what`` names the images in the caption: "The FiftyOne App on the 37 minority images
    (screenshot)".
    """
    import os
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    from workbench import chromium

    n = len(view)
    caption = f"The FiftyOne App on the {n} {what} (screenshot)"

    def without(reason: str) -> AppPicture:
        return AppPicture(caption, reason=f"No picture of the FiftyOne App on the {n} {what} "
                                          f"here: {reason.rstrip('.')}.")

    reason = chromium.missing()
    if reason:
        return without(reason)
    if n == 0:
        return without("the view holds no images")
    start = time.monotonic()
    try:
        session = _picture_session(view)
    except Exception as err:  # a report without the picture, not a failed notebook
        return without(f"the App did not start ({type(err).__name__}: {err})")
    ok = False
    try:
        with tempfile.TemporaryDirectory(prefix="workbench-app-") as folder:
            out = Path(folder) / "app.png"
            command = [sys.executable, "-m", "workbench.app_screenshot",
                       f"http://127.0.0.1:{session.server_port}/", str(out),
                       "--samples", str(n), "--timeout", str(timeout)]
            # chromium's profile and files go into the temporary folder (TMPDIR), and the
            # browser runs in a process group of its own, stopped whole if it overstays
            with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, env={**os.environ, "TMPDIR": folder},
                                  start_new_session=True) as process:
                try:
                    _, errors = process.communicate(timeout=timeout + 60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.communicate()
                    return without(f"chromium had not finished after {timeout + 60:.0f} s")
            if process.returncode != 0 or not out.exists():
                lines = errors.strip().splitlines()
                return without(lines[-1] if lines else
                               f"the screenshot failed (exit status {process.returncode})")
            ok = True
            return AppPicture(caption, png=out.read_bytes(),
                              seconds=time.monotonic() - start)
    finally:
        if not ok:
            close_picture_app()


def _picture_session(view):
    """The pictures' App session, showing ``view``: started on the first call."""
    global _PICTURE_SESSION
    import atexit

    import fiftyone.core.context as focx

    if _PICTURE_SESSION is not None:
        _PICTURE_SESSION.view = view
        return _PICTURE_SESSION
    port = free_port()
    try:
        _start_app_server(port)
        session = fo.Session(view, address="127.0.0.1", port=port, auto=False,
                             remote=not focx.is_notebook_context())  # remote: no browser tab
    except Exception:
        _stop_app_server(port)
        raise
    session._disable_wait_warning = True  # closed on purpose: no "call wait()" hint
    _PICTURE_SESSION = session
    atexit.unregister(close_picture_app)  # registered once
    atexit.register(close_picture_app)
    return session


def close_picture_app() -> None:
    """Close the App session :func:`app_picture` keeps, and stop its server."""
    global _PICTURE_SESSION
    session, _PICTURE_SESSION = _PICTURE_SESSION, None
    if session is not None:
        session.close()


def _start_app_server(port: int) -> None:
    """Start the App's server on ``port`` before a session uses it, registered where
    FiftyOne keeps its servers (so closing the session stops it). A session starts its
    client before its server; a client that finds no server prints "Could not connect
    session, trying again in 10 seconds" and waits that long."""
    import fiftyone.core.service as fos
    import fiftyone.core.session.session as fo_session

    services = getattr(fo_session, "_server_services", None)
    if isinstance(services, dict) and port not in services:
        services[port] = fos.ServerService(port, address="127.0.0.1",
                                           do_not_track=fo.config.do_not_track)


def _stop_app_server(port: int) -> None:
    """Stop a server :func:`_start_app_server` started, if no session took it over."""
    import fiftyone.core.session.session as fo_session

    service = getattr(fo_session, "_server_services", {}).pop(port, None)
    if service is not None:
        service.stop()


def split_views(dataset) -> dict:
    """One view per value of the ``split`` field, in train/val/test order."""
    from fiftyone import ViewField as F

    names = [n for n in dataset.distinct("split") if n is not None]
    order = sorted(names, key=lambda n: (["train", "val", "test"] + [n]).index(n))
    return {name: dataset.match(F("split") == name) for name in order}


def add_predictions(dataset, catalog: Catalog, predictions, *, field: str = "predictions"):
    """Write ``predictions`` into ``dataset`` (made by :func:`to_fiftyone` from
    ``catalog``): scored boxes as Detections with confidences, else the top image score
    as a Classification. In bulk, like :func:`to_fiftyone`. Returns the dataset."""
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
    :func:`workbench.evaluate.detection_report` (pycocotools' matching)."""
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
    """A FiftyOne dataset of the Catalog's ``split`` (all images for None) with the
    predictions in ``predictions`` and, when both sides have boxes, FiftyOne's TP / FP /
    FN marks under ``eval_key``. Returns the dataset and the evaluation key (None without
    boxes)."""
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
    gives one patch per box."""
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
    each image once. ``picks``: a :class:`workbench.collect.select.Picks` or sample ids."""
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
