"""A CSV or Parquet manifest: one row per image, with optional sidecar files.

The manifest ``NAME.csv`` (or ``.parquet``) needs a ``filepath`` column (relative paths
are read from the manifest's folder) and may have ``sample_id``, ``width``, ``height``,
``label``, ``split``, ``group``, ``mask_path`` and any condition columns. Beside it:

- ``NAME.objects.csv`` (same format): boxes, ``sample_id, label, x, y, w, h`` relative;
- ``NAME.meta.json``: ``{"task": ..., "classes": [...], "conditions": [...],
  "background": ...}``.

Without the meta file, classes are the labels found (sorted), conditions are the
columns the workbench does not know, and the task follows from what is there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import RESERVED_COLUMNS, as_text
from workbench.errors import DataError, check_option, some
from workbench.sources.discover import relative_ids
from workbench.sources.files import existing_path, usable_images
from workbench.sources.labels import tidy_labels
from workbench.sources.output import new_output_dir
from workbench.sources.pixels import pixels_from_masks
from workbench.sources.problems import Problems

FORMATS = (".csv", ".parquet")


def sidecar(path: Path, kind: str) -> Path:
    """``data/x.csv`` -> ``data/x.objects.csv`` (kind 'objects') or ``data/x.meta.json``.

    Parameters
    ----------
    path : Path
        The manifest.
    kind : {"objects", "meta"}
        Which sidecar.

    Returns
    -------
    Path
        Beside the manifest.
    """
    suffix = ".json" if kind == "meta" else path.suffix
    return path.with_name(f"{path.stem}.{kind}{suffix}")


ID_COLUMNS = ("sample_id", "source_id", "group")  # identifiers stay text: "007" is not 7


def _read_table(path: Path) -> pd.DataFrame:
    check_option("manifest suffix", path.suffix, FORMATS)
    try:
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype={c: str for c in ID_COLUMNS})
        return pd.read_parquet(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, ValueError) as err:
        raise DataError(f"{str(path)!r} cannot be read as a {path.suffix} table: {err}") from None


def read_manifest(path) -> Catalog:
    """Read a manifest (and its sidecars) into a Catalog.

    Paths may be relative to the manifest's folder and may use Windows backslashes.
    A file listed twice (two rows, whatever their ids) counts once: the first row is
    kept and the others listed in ``catalog.problems``. Sizes missing from the table are
    read from the image headers; rows whose image cannot be read are then skipped and
    listed.

    Parameters
    ----------
    path : str or Path
        The manifest (.csv or .parquet), one row per image.

    Returns
    -------
    Catalog
        With boxes from ``NAME.objects.*`` and task, classes and conditions from
        ``NAME.meta.json`` when present.
    """
    path = existing_path(path, what="manifest")
    table = _read_table(path)
    if "filepath" not in table.columns:
        raise DataError(
            f"{str(path)!r} has no 'filepath' column (columns: {some(table.columns, n=20)}). "
            "A manifest needs one row per image with its path in 'filepath'."
        )
    problems = Problems()
    meta = _read_meta(sidecar(path, "meta"))
    base = path.parent
    table["filepath"] = _paths(table["filepath"], base, problems, path)
    if "mask_path" in table.columns:
        present = table["mask_path"].notna()
        table.loc[present, "mask_path"] = _paths(table.loc[present, "mask_path"], base,
                                                 problems, path)
    table = _once_per_file(table, path, problems)
    if "sample_id" not in table.columns:
        table["sample_id"] = relative_ids([Path(p) for p in table["filepath"]], base)
    table = _sizes(table, problems)
    samples = table.set_index(table["sample_id"].astype(str)).drop(columns="sample_id")
    samples.index.name = "sample_id"
    if "label" in samples.columns:
        samples["label"] = tidy_labels(samples["label"], problems, file=str(path))
    objects_file = sidecar(path, "objects")
    objects = _read_table(objects_file) if objects_file.is_file() else None
    if objects is not None and "label" in objects.columns:
        objects["label"] = tidy_labels(objects["label"], problems, file=str(objects_file))
    classes = meta.get("classes") or _labels_found(samples, objects)
    has_masks = "mask_path" in samples.columns and samples["mask_path"].notna().any()
    task = meta.get("task") or (
        "detection" if objects is not None else
        "segmentation" if has_masks else "classification"
    )
    conditions = meta.get("conditions")
    if conditions is None:
        conditions = [c for c in samples.columns if c not in RESERVED_COLUMNS]
    mask_values, ignore_index = meta.get("mask_values"), meta.get("ignore_index", 255)
    pixels = pixels_from_masks(samples, classes, mask_values=mask_values,
                               ignore_index=ignore_index) if has_masks else None
    problems.warn()
    return Catalog(samples, classes=classes, task=task, objects=objects, pixels=pixels,
                   conditions=conditions, background=meta.get("background"),
                   mask_values=mask_values, ignore_index=ignore_index, source=str(base),
                   problems=problems.frame())


def _read_meta(meta_file: Path) -> dict:
    if not meta_file.is_file():
        return {}
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as err:
        raise DataError(
            f"The meta file {str(meta_file)!r} is not valid JSON ({err.msg} at line "
            f"{err.lineno}, column {err.colno}). It holds {{\"task\": ..., \"classes\": [...], "
            "\"conditions\": [...]}; fix it or delete it (the manifest alone also loads)."
        ) from None
    if not isinstance(meta, dict):
        raise DataError(f"The meta file {str(meta_file)!r} should hold a JSON object "
                        f"(found {type(meta).__name__}).")
    return meta


def _paths(values: pd.Series, base: Path, problems: Problems, manifest: Path) -> list[str]:
    """Paths made absolute (relative ones from the manifest's folder); backslashes read as
    folder separators, as a manifest written on Windows means them."""
    text = values.astype(str)
    windows = text.str.contains("\\", regex=False).to_numpy()
    if windows.any():
        problems.add("paths written with Windows backslashes", "read with '/'",
                     [manifest] * int(windows.sum()), text[windows])
        text = text.str.replace("\\", "/", regex=False)
    return [str(_resolve(base, p)) for p in text]


def _once_per_file(table: pd.DataFrame, manifest: Path, problems: Problems) -> pd.DataFrame:
    """The first row of each file: a file listed twice would count twice."""
    key = pd.Series([os.path.normpath(p) for p in table["filepath"]], index=table.index)
    twice = key.duplicated().to_numpy()
    if twice.any():
        first_line = pd.Series(np.arange(len(table)) + 2, index=key.to_numpy()).groupby(
            level=0).first()
        problems.add("rows naming a file an earlier row names", "counted once",
                     [manifest] * int(twice.sum()),
                     [f"line {i + 2} = line {first_line[k]}" for i, k in
                      zip(np.flatnonzero(twice), key[twice], strict=True)])
    return table.loc[~twice].reset_index(drop=True)


def _sizes(table: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Width and height from the header where the table does not give them."""
    known = pd.Series(True, index=table.index)
    for dim in ("width", "height"):
        if dim in table.columns:
            known &= pd.to_numeric(table[dim], errors="coerce") > 0
        else:
            known &= False
    if known.all():
        missing = [p for p in table["filepath"] if not Path(p).is_file()]
        problems.add("image files that do not exist", "kept for counting; no pixels", missing,
                     fix="Fix the 'filepath' column.")
        return table
    rows = table.index[~known]
    info = usable_images([Path(p) for p in table.loc[rows, "filepath"]], problems)
    table = table.copy()
    table.loc[rows, "width"] = info["width"].to_numpy()
    table.loc[rows, "height"] = info["height"].to_numpy()
    return table.drop(index=rows[(info["status"] != "ok").to_numpy()])


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def _labels_found(samples: pd.DataFrame, objects: pd.DataFrame | None) -> list[str]:
    """The labels present, as the Catalog will read them (3 and 3.0 are both '3')."""
    found = set()
    if "label" in samples.columns:
        found |= set(as_text(samples["label"]).dropna())
    if objects is not None and "label" in objects.columns:
        found |= set(as_text(objects["label"]).dropna())
    if not found:
        raise DataError(
            "The manifest has no labels: add a 'label' column, an objects sidecar, "
            "'mask_path' with a meta file naming the classes, or a meta file with 'classes'."
        )
    return sorted(found)


def write_manifest(catalog: Catalog, path, *, split: str | None = None,
                   overwrite: bool = False) -> Path:
    """Write ``catalog`` (or one ``split``) as a manifest at ``path`` (.csv or .parquet).

    Paths of files below the manifest's folder are written relative to it (the folder
    can then be moved); others stay absolute. Boxes and the meta file go beside it.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    path : str or Path
        The manifest file, .csv or .parquet, in a new folder outside the dataset.
    split : str, optional
        Write only this split.
    overwrite : bool
        Write into a folder that is not empty.

    Returns
    -------
    Path
        The manifest.
    """
    path = Path(path)
    check_option("manifest suffix", path.suffix, FORMATS, func="write_manifest")
    if split is not None:
        catalog = catalog.split_subset(split)
    out = new_output_dir(catalog, path.parent, overwrite=overwrite)
    return store_manifest(catalog, out / path.name)


def store_manifest(catalog: Catalog, path: Path) -> Path:
    """Write the manifest files without the output-directory guard.

    For data the workbench itself generates next to its images (the demo datasets);
    exports of user data go through :func:`write_manifest`.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    path : Path
        The manifest file; its folder must exist.

    Returns
    -------
    Path
        ``path``.
    """
    out = path.parent
    samples = catalog.samples.reset_index()
    samples["filepath"] = [_portable(out, p) for p in samples["filepath"]]
    if "mask_path" in samples.columns:
        samples["mask_path"] = [_portable(out, p) if isinstance(p, str) else None
                                for p in samples["mask_path"].astype(object)]
    _write_table(samples, path)
    if len(catalog.objects) or catalog.task == "detection":
        _write_table(catalog.objects, sidecar(path, "objects"))
    meta = {"task": catalog.task, "classes": list(catalog.classes),
            "conditions": list(catalog.conditions), "background": catalog.background,
            "mask_values": list(catalog.mask_values), "ignore_index": catalog.ignore_index}
    sidecar(path, "meta").write_text(json.dumps(meta, indent=1))
    return path


def _portable(base: Path, value: str) -> str:
    p = Path(value).absolute()
    return str(p.relative_to(base)) if base in p.parents else str(p)


def _write_table(table: pd.DataFrame, path: Path) -> None:
    table = table.copy()
    for column in table.columns:  # categoricals are written as their names
        if isinstance(table[column].dtype, pd.CategoricalDtype):
            table[column] = table[column].astype(object)
    if path.suffix == ".csv":
        table.to_csv(path, index=False, float_format=_float_format(table))
    else:
        table.to_parquet(path, index=False)


def _float_format(table: pd.DataFrame) -> str | None:
    """Round-trip exact floats in CSV (repr precision)."""
    return "%.17g" if any(np.issubdtype(t, np.floating) for t in table.dtypes
                          if isinstance(t, np.dtype)) else None
