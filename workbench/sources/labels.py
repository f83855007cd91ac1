"""Class labels as read: the spaces around a name stripped, each change recorded.

A label written ``' car'`` in one file and ``'car'`` in another is one class, not two;
the loaders pass the labels they read (category names, manifest labels, VOC object
names) through :func:`tidy_labels`, and the names changed go to the loader's problems.
"""

from __future__ import annotations

import pandas as pd

from workbench.sources.problems import Problems


def tidy_labels(values: pd.Series, problems: Problems, *, file: str, what: str = "labels"
                ) -> pd.Series:
    """Labels with surrounding whitespace removed (``' car'`` and ``'car'`` are one class).

    Each changed label is recorded once in ``problems``.

    Parameters
    ----------
    values : pandas.Series
        The labels; values that are not text are kept as they are.
    problems : Problems
        Where changed labels are recorded.
    file : str
        The file they came from.
    what : str
        What they are, in the record.

    Returns
    -------
    pandas.Series
        The labels, stripped.
    """
    text = values.astype(object)
    is_text = text.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not is_text.any():
        return values
    stripped = text.copy()
    stripped[is_text] = text[is_text].str.strip()
    changed = is_text & (stripped != text).to_numpy()
    if changed.any():
        found = pd.unique(text[changed])
        problems.add(f"{what} with spaces around the name", "stripped", [file] * len(found),
                     [repr(v) for v in found])
    return stripped
