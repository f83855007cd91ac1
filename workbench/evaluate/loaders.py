"""Read a model's predictions from the files models write, matched to a Catalog.

Prediction specs are strings like dataset specs::

    probs:PATH.csv|.parquet            one row per image: sample_id or filepath, then one
                                       score column per class (or label + score)
    coco-results:RESULTS.json[:GT.json]  the COCO results list (image_id, category_id,
                                       bbox in pixels, score); category ids are named by
                                       GT.json, else 1..K in class order
    yolo-pred:DIR                      YOLO label files with a trailing confidence
                                       (``save_txt=True, save_conf=True``)
    masks-pred:DIR                     class-index PNGs named like the images
    fiftyone:NAME:FIELD                a label field of a FiftyOne dataset

Every problem is one :class:`DataError` naming the file, the line or item, and the fix:
predictions for images or classes the Catalog does not have, scores outside [0, 1],
boxes outside their image, unreadable files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some, warn_data
from workbench.evaluate.predictions import OBJECT_COLUMNS, Predictions
from workbench.schemes import PREDICTIONS

SCHEMES = PREDICTIONS.usage  # fiftyone:NAME:FIELD is registered in workbench/__init__
PIXEL_TOLERANCE = 1.0  # a box may overhang its image by float rounding up to one pixel


def load_predictions(spec: str, catalog: Catalog) -> Predictions:
    """The predictions ``spec`` names, matched to the images and classes of ``catalog``.

    Parameters
    ----------
    spec : str
        ``SCHEME:PATH``, e.g. ``coco-results:RESULTS.json``.
    catalog : Catalog
        The dataset the model was run on.

    Returns
    -------
    Predictions
        Image scores, scored boxes or masks.

    Examples
    --------
    >>> load_predictions("boxes:preds.json", None)
    Traceback (most recent call last):
    ...
    workbench.errors.DataError: Unknown predictions scheme 'boxes' in 'boxes:preds.json'. ...
    """
    scheme, _, rest = str(spec).partition(":")
    if scheme not in SCHEMES or not rest:
        known = "; ".join(SCHEMES.values())
        what = f"Unknown predictions scheme {scheme!r}" if scheme not in SCHEMES else "No path"
        raise DataError(f"{what} in {spec!r}. Write one of: {known}.")
    return PREDICTIONS.readers[scheme](rest, catalog)


def _coco_results(rest: str, catalog: Catalog) -> Predictions:
    results, _, gt = rest.partition(":")
    return read_coco_results(results, catalog, gt_annotations=gt or None)


def _existing(path, what: str) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"The {what} {str(path)!r} does not exist. Check the path (relative "
                        f"paths start from {str(Path.cwd())!r}).")
    return path


# -- image scores -----------------------------------------------------------------------


def read_probs(path, catalog: Catalog) -> Predictions:
    """Image scores from a CSV or Parquet table (see the module docstring).

    Parameters
    ----------
    path : str or Path
        One row per image: a score column per class, or ``label`` and ``score``.
    catalog : Catalog
        The dataset.

    Returns
    -------
    Predictions
        Image scores, indexed by sample id.
    """
    path = _existing(path, "scores file")
    try:
        table = (pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(
            path, dtype={"sample_id": str, "filepath": str, "label": str}))  # "007" stays
    except (OSError, ValueError, ImportError) as error:  # pyarrow errors are ValueErrors
        raise DataError(f"{str(path)!r} cannot be read as a table ({error}). Write a CSV or "
                        "Parquet file with one row per image.") from None
    ids = _row_ids(table, catalog, path)
    names = _image_classes(catalog)
    if {"label", "score"} <= set(table.columns) and not set(names) & set(table.columns):
        scores = _top1_scores(table, names, path)
    else:
        unknown = [c for c in table.columns if c not in {"sample_id", "filepath", *names}]
        if unknown:
            raise DataError(f"{str(path)!r} has columns {some(unknown)} that are not classes of "
                            f"this dataset ({some(names, n=10)}). Rename them to class names "
                            "or drop them.")
        absent = [c for c in names if c not in table.columns]
        if absent:
            raise DataError(f"{str(path)!r} has no score column for {some(absent)}. Write one "
                            "column per class, or 'label' and 'score' columns.")
        scores = table[list(names)].apply(pd.to_numeric, errors="coerce")
    _check_scores(scores.to_numpy(float), path, line_offset=2)
    scores.index = pd.Index(ids, name="sample_id")
    return Predictions(classes=tuple(names), scores=scores.astype(float),
                       source=f"your model ({path.name})")


def _image_classes(catalog: Catalog) -> tuple[str, ...]:
    """The classes an image score is about: every class (the background too)."""
    return tuple(catalog.classes)


def _row_ids(table: pd.DataFrame, catalog: Catalog, path: Path) -> np.ndarray:
    """The sample id of each row, by its sample_id or its filepath."""
    if "sample_id" in table.columns:
        ids = table["sample_id"].astype(str).to_numpy()
        found = catalog.samples.index.get_indexer(ids)
        key = "sample_id"
    elif "filepath" in table.columns:
        found = _match_files(table["filepath"].astype(str), catalog)
        key = "filepath"
        ids = np.where(found >= 0, catalog.samples.index.to_numpy()[np.maximum(found, 0)], None)
    else:
        raise DataError(f"{str(path)!r} has neither a 'sample_id' nor a 'filepath' column "
                        f"(columns: {some(table.columns, n=10)}). Add one to say which image "
                        "each row is.")
    unknown = np.flatnonzero(found < 0)
    if len(unknown):
        raise DataError(
            f"{str(path)!r}: {len(unknown)} rows name images this dataset does not have, e.g. "
            f"{key} {some(table[key].iloc[unknown])} (lines {some(unknown[:5] + 2)}). Check that "
            "the predictions were made on this dataset, or drop those rows.")
    dup = pd.Index(ids).duplicated()
    if dup.any():
        raise DataError(f"{str(path)!r} has {int(dup.sum())} images listed twice, e.g. "
                        f"{some(pd.Index(ids)[dup].unique())}. Keep one row per image.")
    return ids


def _match_files(paths: pd.Series, catalog: Catalog) -> np.ndarray:
    """Positions in the Catalog of files given absolute, relative to its source, or by
    the end of their path (``images/3.png``)."""
    known = catalog.samples["filepath"].astype(str)
    found = pd.Index(known).get_indexer(paths)
    for depth in (3, 2, 1):  # then by the last parts of the path, where they are unique
        still = found < 0
        if not still.any():
            break
        tails = known.str.split("/").str[-depth:].str.join("/")
        if tails.duplicated().any():
            continue
        want = paths[still].str.split("/").str[-depth:].str.join("/")
        found[still] = pd.Index(tails).get_indexer(want)
    return found


def _top1_scores(table: pd.DataFrame, names, path: Path) -> pd.DataFrame:
    """One score per image for its predicted label: the others share the rest equally."""
    labels = table["label"].astype(str)
    unknown = sorted(set(labels) - set(names))
    if unknown:
        raise DataError(f"{str(path)!r} predicts classes this dataset does not have: "
                        f"{some(unknown)}. Rename them to the dataset's classes "
                        f"({some(names, n=10)}).")
    score = pd.to_numeric(table["score"], errors="coerce").to_numpy(float)
    _check_scores(score[:, None], path, line_offset=2)
    rest = (1 - score) / max(len(names) - 1, 1)
    values = np.repeat(rest[:, None], len(names), axis=1)
    values[np.arange(len(table)), pd.Index(names).get_indexer(labels)] = score
    warn_data(f"{path.name} gives only the top label and its score per image: the other "
              "classes share the rest equally, so per-class PR curves and AP are approximate. "
              "Save one score column per class for exact ones.")
    return pd.DataFrame(values, columns=list(names))


def _check_scores(values: np.ndarray, path: Path, *, line_offset: int) -> None:
    bad = ~((values >= 0) & (values <= 1))
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise DataError(
            f"{str(path)!r} has {int(bad.sum())} scores outside [0, 1] or missing, e.g. "
            f"{some(values[rows, cols])} (lines {some(np.unique(rows) + line_offset)}). Write "
            "probabilities: apply softmax (one label per image) or sigmoid (several) to the "
            "logits.")


# -- boxes ------------------------------------------------------------------------------


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


def _images_named_like(files: list[Path], catalog: Catalog, *, what: str, fix: str
                       ) -> pd.Index:
    """The sample id of the image each file is named like (``img_17.txt``, ``img_17.png``
    are ``img_17.jpg``); one error for names several images share or no image has."""
    stems = pd.Series([Path(p).stem for p in catalog.samples["filepath"]],
                      index=catalog.samples.index)
    dup = stems[stems.duplicated(keep=False)]
    if len(dup):
        raise DataError(f"{what.capitalize()} are matched to images by file name, but "
                        f"{dup.nunique()} names belong to several images, e.g. "
                        f"{some(dup.unique())}. Write the predictions as coco-results or probs "
                        "with sample ids instead.")
    rows = pd.Index(stems.to_numpy()).get_indexer([f.stem for f in files])
    if (rows < 0).any():
        bad = [str(f) for f, r in zip(files, rows, strict=True) if r < 0]
        raise DataError(f"{len(bad)} {what} match no image of this dataset by name: "
                        f"{some(bad, n=3)}. {fix}")
    return stems.index[rows]


def _scored_boxes(catalog, rows, labels, boxes, scores, path, items, *, pixels: bool
                  ) -> Predictions:
    """Boxes (x, y, w, h) per row of the Catalog, relative, checked against the image."""
    width = catalog.samples["width"].to_numpy(float)[rows]
    height = catalog.samples["height"].to_numpy(float)[rows]
    x, y, w, h = boxes.T
    if pixels:
        x, y, w, h = x / width, y / height, w / width, h / height
    tol_x, tol_y = PIXEL_TOLERANCE / width, PIXEL_TOLERANCE / height
    bad = ~((w > 0) & (h > 0) & (x >= -tol_x) & (y >= -tol_y) & (x + w <= 1 + tol_x)
            & (y + h <= 1 + tol_y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        sid = catalog.samples.index[rows[i]]
        raise DataError(
            f"{str(path)!r}: {int(bad.sum())} predicted boxes are empty or reach outside their "
            f"image, e.g. {items[i]} on image {sid!r} ({int(width[i])}x{int(height[i])} px): "
            f"box {np.round(boxes[i], 2).tolist()}. Clip predicted boxes to the image (and drop "
            "empty ones) when the model writes them.")
    score = pd.to_numeric(pd.Series(scores), errors="coerce").to_numpy(float)
    _check_scores(score[:, None], path, line_offset=0)
    x0, y0 = np.clip(x, 0, 1), np.clip(y, 0, 1)
    x1, y1 = np.clip(x + w, 0, 1), np.clip(y + h, 0, 1)
    objects = pd.DataFrame({
        "sample_id": catalog.samples.index.to_numpy()[rows],
        "label": pd.Categorical(labels, categories=list(catalog.classes)),
        "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0, "score": score})
    return Predictions(classes=tuple(catalog.classes), objects=objects,
                       source=f"your model ({Path(path).name})")


# -- masks ------------------------------------------------------------------------------


def read_mask_predictions(folder, catalog: Catalog) -> Predictions:
    """Predicted class-index PNGs, matched to the images by file name. Their values must
    be the dataset's mask values (checked when they are evaluated, pixel by pixel).

    Parameters
    ----------
    folder : str or Path
        One mask per image.
    catalog : Catalog
        The dataset.

    Returns
    -------
    Predictions
        The mask files, by sample id.
    """
    folder = _existing(folder, "predicted masks folder")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".png", ".tif",
                                                                         ".tiff", ".bmp"))
    if not files:
        raise DataError(f"{str(folder)!r} holds no PNG (or TIFF, BMP) masks. Write one "
                        "class-index PNG per image, named like the image.")
    ids = _images_named_like(files, catalog, what="predicted masks",
                             fix="Name each mask like its image, or remove them.")
    masks = pd.Series([str(f) for f in files], index=pd.Index(ids,
                                                               name="sample_id"), name="mask")
    return Predictions(classes=tuple(catalog.classes), masks=masks,
                       source=f"your model ({folder.name})")


def predictions_for(catalog: Catalog, spec: str | None = "auto", *, dataset: str = "",
                    seed: int = 0) -> Predictions:
    """The predictions notebook 05 evaluates: those ``spec`` names, or, with "auto", the
    demo model on a demo dataset (the small CNN on ``demo:surfaces``, logistic regression
    on ``demo:digits``) and the clearly labelled baseline probe on any other dataset.

    Parameters
    ----------
    catalog : Catalog
        The dataset.
    spec : str, optional
        A predictions spec, or "auto".
    dataset : str
        The dataset spec, which says whether it is a demo.
    seed : int
        Seed of the model trained.

    Returns
    -------
    Predictions
        The predictions.
    """
    from workbench.evaluate import models

    if spec and spec != "auto":
        return load_predictions(spec, catalog)
    if dataset.startswith("demo:surfaces"):
        return models.demo_model_predictions(catalog, seed=seed)
    if dataset.startswith("demo:digits"):
        return models.logistic_predictions(catalog, seed=seed)
    return models.baseline_probe(catalog, seed=seed)


for _scheme, _usage, _reader in [
    ("probs", "probs:PATH.csv or probs:PATH.parquet", read_probs),
    ("coco-results", "coco-results:RESULTS.json[:GT_ANNOTATIONS.json]", _coco_results),
    ("yolo-pred", "yolo-pred:DIR (label files with confidences)", read_yolo_predictions),
    ("masks-pred", "masks-pred:DIR (class-index PNGs named like the images)",
     read_mask_predictions),
]:
    PREDICTIONS.register(_scheme, _usage, _reader)
