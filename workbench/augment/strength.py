"""How strong each class's augmentation is: rarer classes stronger, on a log scale of
their counts; an image follows its rarest class."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.augment.policy import LEVELS, _check_strength
from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.measure import image_class_pairs
from workbench.tally import per_class


def class_strengths(counts, *, strength: float = 1.0,
                    overrides: Mapping[str, float] | None = None) -> pd.Series:
    """Per class: ``strength`` scaled by rarity on a log scale, overridable per class.

    The largest class gets 0, the smallest ``strength``; in between,
    ``log(max / n) / log(max / min)``. Classes with no examples get ``strength``.

    Parameters
    ----------
    counts : mapping, Series, labels or ClassCounts
        Examples per class (:func:`workbench.tally.per_class`), in any unit.
    strength : float
        The rarest class's strength, in [0, 1].
    overrides : mapping class -> float, optional
        Strengths set by hand, in [0, 1].

    Returns
    -------
    pandas.Series of float
        In [0, 1], per class, named "strength".

    Examples
    --------
    Counts 10x apart are equal steps on the log scale:

    >>> class_strengths({"car": 1000, "bus": 100, "wheelchair": 10}).to_dict()
    {'car': 0.0, 'bus': 0.5, 'wheelchair': 1.0}
    >>> class_strengths({"car": 1000, "bus": 100, "wheelchair": 10}, strength=0.8,
    ...                 overrides={"bus": 1.0}).to_dict()
    {'car': 0.0, 'bus': 1.0, 'wheelchair': 0.8}
    """
    strength = _check_strength(strength)
    counts = per_class(counts, func="class_strengths", whole=False)
    present = counts[counts > 0]
    if len(present) and present.max() > present.min():
        rarity = np.log(present.max() / counts.clip(lower=present.min())) / np.log(
            present.max() / present.min())
    else:
        rarity = pd.Series(0.0, index=counts.index)
    out = (strength * rarity.clip(0, 1)).where(counts > 0, strength).rename("strength")
    for cls, value in (overrides or {}).items():
        if cls not in out.index:
            raise DataError(f"Override for unknown class {cls!r}; classes: {some(out.index)}.")
        out[cls] = _check_strength(value, f"overrides[{cls!r}]")
    return out


def image_strengths(catalog: Catalog, strengths: pd.Series) -> pd.Series:
    """Per image: the strength of its rarest (strongest) class; 0 with no class.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    strengths : pandas.Series
        Per class, as :func:`class_strengths`.

    Returns
    -------
    pandas.Series of float
        Per sample id, named "strength".
    """
    rows, codes = image_class_pairs(catalog)
    per_class = strengths.reindex(list(catalog.classes)).fillna(0).to_numpy()
    out = np.zeros(len(catalog))
    np.maximum.at(out, rows, per_class[codes])
    return pd.Series(out, index=catalog.samples.index, name="strength")


def _level(s: float) -> float:
    return round(s * LEVELS) / LEVELS
