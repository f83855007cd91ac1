"""Image scores from a table: one row per image, a score column per class.

A ``probs:PATH.csv`` or ``probs:PATH.parquet`` table names its image by ``sample_id`` or
by ``filepath`` (absolute, relative to the dataset, or the end of its path), then gives
one score column per class, or ``label`` and ``score`` (the top label only: the other
classes share the rest). Rows for images the Catalog does not have, images listed twice,
unknown or missing class columns and scores outside [0, 1] are refused by name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.reader_parts import _check_scores, _existing, _match_files, _top1_scores


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
