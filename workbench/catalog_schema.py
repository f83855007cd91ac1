"""The Catalog's tables: their columns, and the checks a Catalog runs on them when it is
made (unknown labels, boxes outside the image, duplicate ids) with what to fix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import DataError, some

TASKS = ("classification", "detection", "segmentation")


SAMPLE_COLUMNS = ("filepath", "width", "height")


RESERVED_COLUMNS = frozenset({*SAMPLE_COLUMNS, "label", "split", "group", "mask_path"})


OBJECT_COLUMNS = ("sample_id", "label", "x", "y", "w", "h")


PIXEL_COLUMNS = ("sample_id", "label", "count")


PROBLEM_COLUMNS = ("file", "item", "problem", "action")


BOX_TOLERANCE = 1e-6  # relative coordinates may exceed [0, 1] by float rounding only


def _check_classes(classes: Sequence) -> tuple[str, ...]:
    if isinstance(classes, str) or classes is None:
        raise TypeError(f"classes must be a sequence of class names. Got {classes!r} instead.")
    classes = tuple(str(c) for c in classes)
    if not classes:
        raise DataError("The Catalog has no classes. Pass the class names in `classes`.")
    duplicated = pd.Index(classes)[pd.Index(classes).duplicated()].unique()
    if len(duplicated):
        raise DataError(f"Class names must be unique; {some(duplicated)} appear more than once.")
    return classes


def _check_mask_values(values, classes: tuple[str, ...], ignore_index) -> tuple[int, ...]:
    """The stored mask value of each class: distinct non-negative integers, one per class."""
    if ignore_index is not None and not (isinstance(ignore_index, (int, np.integer))
                                         and ignore_index >= 0):
        raise ValueError(f"The 'ignore_index' parameter of Catalog must be a non-negative "
                         f"integer or None. Got {ignore_index!r} instead.")
    if values is None:  # 0, 1, 2, ... in class order, stepping over the ignore index
        values = np.arange(len(classes) + 1)
        values = tuple(values[values != ignore_index][:len(classes)])
    values = tuple(int(v) for v in values)
    if len(values) != len(classes):
        raise DataError(f"{len(values)} mask values for {len(classes)} classes; give one "
                        "value per class, in class order.")
    if len(set(values)) != len(values) or min(values) < 0:
        raise DataError(f"Mask values must be distinct non-negative integers; got "
                        f"{some(values, n=20)}.")
    if ignore_index is not None and ignore_index in values:
        cls = classes[values.index(ignore_index)]
        raise DataError(f"The ignore index {ignore_index} is also the mask value of class "
                        f"{cls!r}. Choose another ignore_index (or None).")
    return values


def _as_category(values: pd.Series, classes: tuple[str, ...], where: str) -> pd.Series:
    """Labels as a categorical over ``classes``; unknown labels are an error."""
    if isinstance(values.dtype, pd.CategoricalDtype) and all(
            isinstance(c, str) for c in values.cat.categories):  # fast path: recode only
        labels = values.cat.set_categories(list(classes)).array
    else:
        values = as_text(values)
        labels = pd.Categorical(values.to_numpy(dtype=object), categories=list(classes))
    unknown = values[(labels.codes < 0) & values.notna().to_numpy()]
    if len(unknown):
        counts = unknown.astype(str).value_counts()
        raise DataError(
            f"{len(unknown)} {where} have labels that are not classes: "
            f"{some(counts.index)}. Known classes: {some(classes, n=20)}. Add the missing "
            "names to `classes` or fix the labels."
        )
    return pd.Series(labels, index=values.index, name=values.name)


def as_text(values: pd.Series) -> pd.Series:
    """Label values as strings, missing values kept: 3 and 3.0 (ints read with gaps) -> '3'.

    Parameters
    ----------
    values : pandas.Series
        Labels as read.

    Returns
    -------
    pandas.Series of object
        Strings, missing values kept.

    Examples
    --------
    >>> as_text(pd.Series([0, None, 2.0])).tolist()
    ['0', <NA>, '2']
    """
    if pd.api.types.is_float_dtype(values.dtype):
        present = values.dropna()
        if (present == present.round()).all():
            values = values.astype("Int64")
    if pd.api.types.is_string_dtype(values.dtype) and not isinstance(
            values.dtype, pd.CategoricalDtype):
        return values.astype(object)
    return values.astype(object).where(values.isna(), values.astype(str))


def _check_samples(samples: pd.DataFrame, classes: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(samples, pd.DataFrame):
        raise TypeError(f"samples must be a pandas DataFrame. Got {type(samples).__name__}.")
    samples = samples.copy()
    if "sample_id" in samples.columns:
        samples = samples.set_index("sample_id")
    index = samples.index  # kept when already text: pandas caches its uniqueness on it
    if not (pd.api.types.is_string_dtype(index.dtype)
            and index.inferred_type in ("string", "empty")):
        index = index.astype(str)
    samples.index = index.rename("sample_id")
    if not samples.index.is_unique:
        duplicated = samples.index[samples.index.duplicated()].unique()
        raise DataError(
            f"Sample ids must be unique; {len(duplicated)} appear more than once: "
            f"{some(duplicated)}. Give every image its own id."
        )
    missing = [c for c in SAMPLE_COLUMNS if c not in samples.columns]
    if missing:
        raise DataError(
            f"samples lacks the columns {some(missing)} (found {some(samples.columns, n=20)})."
        )
    samples["filepath"] = samples["filepath"].astype(str)
    for dim in ("width", "height"):
        values = pd.to_numeric(samples[dim], errors="coerce")
        bad = samples.index[~(values > 0)]
        if len(bad):
            raise DataError(
                f"{len(bad)} images have a missing or non-positive {dim}: {some(bad)}. "
                "Image sizes come from the annotation file or the image header; fix them there."
            )
        samples[dim] = values.astype("int64")
    if "label" in samples.columns:
        samples["label"] = _as_category(samples["label"], classes, "images")
    if "mask_path" in samples.columns:
        samples["mask_path"] = samples["mask_path"].astype("string")
    if "split" in samples.columns:
        samples["split"] = _as_split(samples["split"])
    return samples


def _as_split(values: pd.Series) -> pd.Series:
    """Split names as a categorical over the values present, train/val/test first."""
    if isinstance(values.dtype, pd.CategoricalDtype) and all(
            isinstance(c, str) for c in values.cat.categories):  # recode only
        values = values.cat.remove_unused_categories()
        present = list(values.cat.categories)
        known = [s for s in ("train", "val", "test") if s in present]
        return values.cat.reorder_categories(
            known + sorted(s for s in present if s not in known))
    text = as_text(values)
    present = pd.unique(text.dropna())
    known = [s for s in ("train", "val", "test") if s in set(present)]
    order = known + sorted(str(s) for s in present if s not in known)
    return pd.Series(pd.Categorical(text.to_numpy(dtype=object), categories=order),
                     index=values.index, name=values.name)


def _as_rows(values: pd.Series, sample_ids: pd.Index, where: str) -> pd.Series:
    """Sample ids as a categorical over the samples' index: its codes are row numbers.

    The one hash lookup happens here, once; every count after it is a bincount.
    """
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.equals(
            sample_ids):
        codes = values.cat.codes.to_numpy()
    else:
        codes = sample_ids.get_indexer(values.astype(str).to_numpy(dtype=object))
    if (codes < 0).any():
        orphans = pd.unique(values.astype(str).to_numpy(dtype=object)[codes < 0])
        raise DataError(
            f"{len(orphans)} {where}' sample ids are not in samples: {some(orphans)}. "
            "Every box and pixel count must belong to an image of the Catalog."
        )
    return pd.Series(pd.Categorical.from_codes(codes, categories=sample_ids),
                     index=values.index, name=values.name)


def rows_of(table: pd.DataFrame) -> np.ndarray:
    """Row numbers in ``samples`` of each row of ``objects`` or ``pixels`` (int64).

    Parameters
    ----------
    table : pandas.DataFrame
        ``objects`` or ``pixels`` of a Catalog (categorical ``sample_id``).

    Returns
    -------
    numpy.ndarray of int64
        One row number per row of ``table``.
    """
    return table["sample_id"].cat.codes.to_numpy().astype(np.int64)


def _labelled_table(table, columns, sample_ids: pd.Index, classes, *, name: str,
                    what: str) -> pd.DataFrame:
    """A copy of ``objects`` or ``pixels`` with its sample ids as rows, labels as classes."""
    if table is None:
        table = pd.DataFrame({c: [] for c in columns})
    table = table.reset_index(drop=True).copy()
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"{name} lacks the columns {some(missing)}.")
    table["sample_id"] = _as_rows(table["sample_id"], sample_ids, what)
    table["label"] = _as_category(table["label"], classes, what)
    return _in_image_order(table)


def _in_image_order(table: pd.DataFrame) -> pd.DataFrame:
    """The rows grouped by image, in the samples' order; the given order within an image
    (so "box 3 of image x" is still the third box the annotation file gives for x).

    Every table of boxes or pixel counts is kept this way, so the classes of each image
    are one linear pass over it (:func:`workbench.counting.first_in_image`), not a sort
    per count. Sorted once here; data that comes in image order costs one check.
    """
    rows = rows_of(table)
    if len(rows) < 2 or (rows[1:] >= rows[:-1]).all():
        return table
    return table.take(np.argsort(rows, kind="stable")).reset_index(drop=True)


def _check_objects(objects, sample_ids: pd.Index, classes) -> pd.DataFrame:
    objects = _labelled_table(objects, OBJECT_COLUMNS, sample_ids, classes, name="objects",
                              what="boxes")
    boxes = objects[["x", "y", "w", "h"]].to_numpy(dtype=float)
    objects[["x", "y", "w", "h"]] = boxes
    x, y, w, h = boxes.T
    empty = ~((w > 0) & (h > 0))
    outside = (x < -BOX_TOLERANCE) | (y < -BOX_TOLERANCE) | (x + w > 1 + BOX_TOLERANCE) | (
        y + h > 1 + BOX_TOLERANCE
    )
    for bad, what in [(empty, "a non-positive width or height"),
                      (outside, "a part outside the image")]:
        if bad.any():
            rows = objects.loc[bad, ["sample_id", "x", "y", "w", "h"]].head(3)
            raise DataError(
                f"{int(bad.sum())} boxes have {what} (relative x, y, w, h must satisfy "
                f"0 <= x, 0 <= y, x + w <= 1, y + h <= 1, w > 0, h > 0), e.g.\n"
                f"{rows.to_string(index=False)}\nClip them to the image or drop them."
            )
    if "iscrowd" in objects.columns:  # kept only when some box is a crowd (canonical form)
        objects["iscrowd"] = objects["iscrowd"].fillna(False).astype(bool)
        if not objects["iscrowd"].any():
            objects = objects.drop(columns="iscrowd")
    return objects


def _check_pixels(pixels, sample_ids: pd.Index, classes) -> pd.DataFrame:
    pixels = _labelled_table(pixels, PIXEL_COLUMNS, sample_ids, classes, name="pixels",
                             what="pixel counts")
    counts = pd.to_numeric(pixels["count"], errors="coerce")
    if (~(counts >= 0)).any():
        raise DataError("Pixel counts must be non-negative integers.")
    pixels["count"] = counts.astype("int64")
    return pixels


def _canonical(table: pd.DataFrame) -> pd.DataFrame:
    """A table in a fixed row and column order, for comparing Catalogs."""
    table = table.reindex(sorted(table.columns), axis=1)
    if "sample_id" in table.columns:
        table = table.assign(sample_id=table["sample_id"].astype(str))
    if table.index.name == "sample_id":
        return table.sort_index()
    keys = [c for c in ("sample_id", "label", "x", "y", "w", "h") if c in table.columns]
    return table.sort_values(keys, kind="stable").reset_index(drop=True) if keys else table
