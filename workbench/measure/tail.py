"""The shape of a class distribution: imbalance ratio, Gini, evenness, head share,
effective numbers of samples."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import (
    DataError,
    DataWarning,
    some,
)
from workbench.measure.counts import ClassCounts
from workbench.tally import per_class


@dataclass(frozen=True)
class LongTail:
    """The shape of a class distribution (largest class first)."""

    counts: pd.Series
    imbalance_ratio: float
    gini: float
    evenness: float
    head_share: float
    n_classes_50: int
    n_classes_80: int
    effective_numbers: pd.Series
    beta: float
    unit: str = "examples"

    def __repr__(self) -> str:
        return (f"LongTail({len(self.counts)} classes, ratio {self.imbalance_ratio:,.1f}, "
                f"Gini {self.gini:.2f}, evenness {self.evenness:.2f})")

    def summary(self) -> dict:
        """The scalar statistics as a plain dict.

        Returns
        -------
        dict
            classes, total, imbalance_ratio, gini, evenness, head_share, n_classes_50,
            n_classes_80.
        """
        return {
            "classes": len(self.counts), "total": int(self.counts.sum()),
            "imbalance_ratio": self.imbalance_ratio, "gini": self.gini,
            "evenness": self.evenness, "head_share": self.head_share,
            "n_classes_50": self.n_classes_50, "n_classes_80": self.n_classes_80,
        }

    def to_frame(self) -> pd.DataFrame:
        """Per class: count, share, cumulative share and effective number of samples.

        Returns
        -------
        pandas.DataFrame
            Per class: ``count`` (in the counts' unit), ``share`` and ``cumulative_share``
            (fractions), ``effective_number``.
        """
        share = self.counts / self.counts.sum()
        return pd.DataFrame({"count": self.counts, "share": share,
                             "cumulative_share": share.cumsum(),
                             "effective_number": self.effective_numbers})


def long_tail(counts: ClassCounts | pd.Series | Mapping[str, int], *,
              beta: float = 0.999) -> LongTail:
    """Imbalance statistics of per-class counts.

    - ``imbalance_ratio``: largest / smallest non-empty class;
    - ``gini``: 0 for equal classes, (n - 1) / n (its most, n classes) when one holds
      everything;
    - ``evenness``: Shannon entropy / log(number of classes): 1 for equal classes;
    - ``head_share``: share of the largest class; ``n_classes_50`` / ``n_classes_80``: the
      fewest classes that together hold 50% / 80% of the data;
    - ``effective_numbers``: ``(1 - beta**n) / (1 - beta)`` per class (Cui et al. 2019),
      the number of samples once their overlap is discounted.

    Parameters
    ----------
    counts : ClassCounts, mapping, Series or labels
        Examples per class in any unit (images, instances, pixels); at least two classes,
        none negative.
    beta : float
        For the effective numbers, in [0, 1).

    Returns
    -------
    LongTail
        The statistics above, the counts largest first, and the effective numbers.

    Examples
    --------
    >>> t = long_tail({"a": 9, "b": 1})
    >>> round(t.gini, 3), round(t.evenness, 3), t.imbalance_ratio
    (0.4, 0.469, 9.0)
    """
    if not 0 <= beta < 1:
        raise ValueError(f"The 'beta' parameter of long_tail must be in [0, 1). Got {beta!r}.")
    unit = counts.unit if isinstance(counts, ClassCounts) else "examples"
    counts = per_class(counts, func="long_tail", whole=False)
    if len(counts) < 2:
        raise DataError(
            f"Imbalance needs at least two classes; found {len(counts)} "
            f"({some(counts.index)}). Check the labels or the class list."
        )
    empty = counts.index[counts == 0]
    if len(empty):
        warnings.warn(
            f"{len(empty)} classes have no examples: {some(empty)}. The imbalance ratio is "
            "over the others; collect examples or drop these classes.", DataWarning,
            stacklevel=2,
        )
    if counts.sum() == 0:
        raise DataError("Every class has zero examples: there is nothing to measure.")
    counts = counts.sort_values(ascending=False, kind="stable")
    x = counts.to_numpy()
    share = x / x.sum()
    ascending = np.sort(x)
    ranks = np.arange(1, len(x) + 1)
    gini = float(((2 * ranks - len(x) - 1) * ascending).sum() / (len(x) * x.sum()))
    nonzero = share[share > 0]
    evenness = float(-(nonzero * np.log(nonzero)).sum() / np.log(len(x)))
    cumulative = np.cumsum(share)
    effective = (1 - beta ** x) / (1 - beta)  # beta 0: 1 per class with examples, 0 without
    return LongTail(
        counts=counts.astype("int64"),
        imbalance_ratio=float(x.max() / x[x > 0].min()),
        gini=gini, evenness=evenness, head_share=float(share[0]),
        n_classes_50=int(np.searchsorted(cumulative, 0.5 - 1e-12) + 1),
        n_classes_80=int(np.searchsorted(cumulative, 0.8 - 1e-12) + 1),
        effective_numbers=pd.Series(effective, index=counts.index, name="effective_number"),
        beta=beta, unit=unit,
    )
