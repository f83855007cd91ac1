"""Loss weights per class from its number of samples."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import check_option
from workbench.tally import per_class

METHODS = ("balanced", "inverse", "sqrt", "effective")


def class_weights(counts, *, method: str = "balanced", beta: float = 0.999) -> pd.Series:
    """Loss weights per class from its number of samples.

    - "balanced": ``n_samples / (n_classes * count)``, scikit-learn's
      ``compute_class_weight('balanced')``;
    - "inverse", "sqrt": proportional to ``1 / count`` and ``1 / sqrt(count)``;
    - "effective": proportional to ``(1 - beta) / (1 - beta ** count)`` (Cui et al.,
      2019: the inverse effective number of samples).

    The last three are normalised to sum to the number of classes.

    Parameters
    ----------
    counts : mapping, Series, labels or ClassCounts
        Samples per class (images, or instances for a box loss); none may be 0.
    method : {"balanced", "inverse", "sqrt", "effective"}
        The formula, as listed above.
    beta : float
        For "effective": in [0, 1); 0 weighs every class alike, near 1 by inverse count.

    Returns
    -------
    pandas.Series of float
        Per class, named "weight (METHOD)": larger for rarer classes.

    Examples
    --------
    >>> class_weights({"a": 5000, "b": 500, "c": 50, "d": 5}, method="effective").round(4).tolist()
    [0.0179, 0.0453, 0.3652, 3.5715]
    """
    check_option("method", method, METHODS, func="class_weights")
    if not 0 <= beta < 1:
        raise ValueError(f"The 'beta' parameter of class_weights must be in [0, 1). "
                         f"Got {beta!r} instead.")
    counts = per_class(counts, func="class_weights", empty="error")
    n = counts.to_numpy()
    if method == "balanced":
        weights = n.sum() / (len(n) * n)
    else:
        raw = {"inverse": 1 / n, "sqrt": 1 / np.sqrt(n),
               "effective": (1 - beta) / (1 - beta ** n)}[method]  # beta 0: all equal
        weights = raw / raw.sum() * len(n)
    return pd.Series(weights, index=counts.index, name=f"weight ({method})")


def weights_table(counts, *, beta: float = 0.999) -> pd.DataFrame:
    """The four class-weight methods side by side, for the classes with examples (a class
    with none, such as a "stuff" class counted in instances, has no finite weight).

    Parameters
    ----------
    counts : mapping, Series, labels or ClassCounts
        Samples per class (images or instances); classes with 0 are dropped.
    beta : float
        For the "effective" column, as in :func:`class_weights`.

    Returns
    -------
    pandas.DataFrame
        One row per class (most samples first), one column per method in ``METHODS``.
    """
    counts = per_class(counts, func="weights_table", empty="drop")
    counts = counts.sort_values(ascending=False, kind="stable")
    return pd.DataFrame({m: class_weights(counts, method=m, beta=beta) for m in METHODS})
