"""Counts per class as people pass them, read and checked in one place.

Every function that takes "counts" takes any of: a mapping ``{'car': 600, 'wheelchair':
30}``; a pandas Series of counts indexed by class; the labels themselves (a Series, list
or array of class names; a categorical keeps its classes with no sample); or
:class:`workbench.measure.ClassCounts` (its totals). A Series of numbers is read as
counts: pass integer labels as strings or as a categorical.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.errors import DataError, check_option, some

EMPTY = ("keep", "drop", "error")


def per_class(labels_or_counts, *, func: str, empty: str = "keep",
              whole: bool = True) -> pd.Series:
    """Counts per class (float Series indexed by class name), in the order given.

    Parameters
    ----------
    labels_or_counts : mapping, pandas Series, list, array or ClassCounts
        Counts per class, or one label per sample.
    func : str
        The public function the counts were given to, named in error messages.
    empty : {"keep", "drop", "error"}
        What a class with a count of 0 does: stays, is left out, or is an error (a plan
        cannot draw from an empty class).
    whole : bool
        Refuse counts that are not whole numbers (counts of samples are).

    Returns
    -------
    pandas.Series of float
        Indexed by class name (str).

    Raises
    ------
    TypeError
        For a value of another type.
    DataError
        For no classes, a count that is missing, negative or (with ``whole``) fractional,
        and (with ``empty="error"``) a class with none; naming the classes.

    Examples
    --------
    >>> per_class(["b", "a", "b"], func="f").to_dict()
    {'b': 2.0, 'a': 1.0}
    >>> per_class({"a": 3, "b": 0}, func="f", empty="drop").to_dict()
    {'a': 3.0}
    >>> per_class({"a": -5}, func="class_strengths")
    Traceback (most recent call last):
    ...
    workbench.errors.DataError: Counts must be numbers >= 0; class_strengths got {'a': -5.0}. ...
    """
    check_option("empty", empty, EMPTY, func="per_class")
    counts = _as_series(labels_or_counts, func)
    counts.index = counts.index.astype(str)
    if not len(counts):
        raise DataError(f"There are no classes in the counts given to {func}. Pass the labels, "
                        "or counts per class such as {'car': 600, 'wheelchair': 30}.")
    bad = counts.isna() | (counts < 0)
    if bad.any():
        raise DataError(
            f"Counts must be numbers >= 0; {func} got {counts[bad].head(5).to_dict()}"
            f"{' and more' if bad.sum() > 5 else ''}. Count samples per class, or pass the "
            "labels themselves.")
    if whole:
        fractional = counts.index[counts != counts.round()]
        if len(fractional):
            raise DataError(
                f"Counts must be whole numbers of samples; {some(fractional)} have "
                f"{some(counts[fractional])}. Round them, or pass the labels themselves.")
    if empty == "drop":
        counts = counts[counts > 0]
    elif empty == "error" and (counts == 0).any():
        none = counts.index[counts == 0]
        raise DataError(f"Classes {some(none)} have no samples; {func} cannot draw from an "
                        "empty class. Drop them or collect examples first.")
    return counts


def _as_series(value, func: str) -> pd.Series:
    if hasattr(value, "total") and hasattr(value, "unit"):  # a measure.ClassCounts
        value = value.total
    if isinstance(value, Mapping):
        return pd.Series(dict(value), dtype="float64")
    if isinstance(value, (list, tuple, np.ndarray)):
        value = pd.Series(value)
    if not isinstance(value, pd.Series):
        raise TypeError(f"The counts given to {func} must be a mapping class -> count, a "
                        "pandas Series (counts indexed by class, or labels) or a list of "
                        f"labels. Got {type(value).__name__}.")
    if isinstance(value.dtype, pd.CategoricalDtype):
        counts = value.value_counts(sort=False)
        return counts.reindex(value.cat.categories, fill_value=0).astype("float64")
    if pd.api.types.is_numeric_dtype(value.dtype) or pd.api.types.is_bool_dtype(value.dtype):
        return pd.to_numeric(value, errors="coerce").astype("float64")
    return value.astype(str).value_counts(sort=False).astype("float64")
