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

from workbench.catalog import RESERVED_COLUMNS, Catalog
from workbench.errors import DataError, check_option, some
from workbench.sources.files import (
    existing_path,
    image_sizes,
    pixels_from_masks,
    warn_missing_files,
)
from workbench.sources.output import new_output_dir

FORMATS = (".csv", ".parquet")


def sidecar(path: Path, kind: str) -> Path:
    """``data/x.csv`` -> ``data/x.objects.csv`` (kind 'objects') or ``data/x.meta.json``."""
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
    """Read a manifest (and its sidecars) into a Catalog."""
    path = existing_path(path, what="manifest")
    table = _read_table(path)
    if "filepath" not in table.columns:
        raise DataError(
            f"{str(path)!r} has no 'filepath' column (columns: {some(table.columns, n=20)}). "
            "A manifest needs one row per image with its path in 'filepath'."
        )
    meta_file = sidecar(path, "meta")
    meta = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
    base = path.parent
    table["filepath"] = [str(_resolve(base, p)) for p in table["filepath"].astype(str)]
    if "mask_path" in table.columns:
        table["mask_path"] = [str(_resolve(base, p)) if isinstance(p, str) else None
                              for p in table["mask_path"]]
    if "sample_id" not in table.columns:
        table["sample_id"] = [str(Path(os.path.relpath(p, base)).with_suffix(""))
                              for p in table["filepath"]]
    if "width" not in table.columns or "height" not in table.columns:
        widths, heights, _ = image_sizes([Path(p) for p in table["filepath"]])
        table = table.assign(width=widths, height=heights)[widths > 0]
    else:
        warn_missing_files(table["filepath"], hint="Fix the 'filepath' column")
    samples = table.set_index(table["sample_id"].astype(str)).drop(columns="sample_id")
    samples.index.name = "sample_id"

    objects_file = sidecar(path, "objects")
    objects = _read_table(objects_file) if objects_file.is_file() else None
    classes = meta.get("classes") or _labels_found(samples, objects)
    task = meta.get("task") or (
        "detection" if objects is not None else
        "segmentation" if "mask_path" in samples.columns else "classification"
    )
    conditions = meta.get("conditions")
    if conditions is None:
        conditions = [c for c in samples.columns if c not in RESERVED_COLUMNS]
    pixels = pixels_from_masks(samples, classes) if "mask_path" in samples.columns else None
    return Catalog(samples, classes=classes, task=task, objects=objects, pixels=pixels,
                   conditions=conditions, background=meta.get("background"), source=str(base))


def _resolve(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def _labels_found(samples: pd.DataFrame, objects: pd.DataFrame | None) -> list[str]:
    found = set()
    if "label" in samples.columns:
        found |= set(samples["label"].dropna().astype(str))
    if objects is not None and "label" in objects.columns:
        found |= set(objects["label"].dropna().astype(str))
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
            "conditions": list(catalog.conditions), "background": catalog.background}
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
