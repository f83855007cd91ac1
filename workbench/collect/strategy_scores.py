"""What the ranking strategies of :func:`workbench.collect.select.select` rank by.

One score per pool image from the model's probabilities, higher first: the three
uncertainty scores (least confidence, margin, entropy) are scikit-activeml's, extended to
several labels per image by scoring each class as a yes/no question
(:func:`uncertainty`); ``predicted_minority`` scores the probability that an image holds
one of the minority classes (by default those with fewer labels than the median class,
:func:`minority_classes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import check_option

SKACTIVEML_METHODS = {"least_confidence": "least_confident", "margin": "margin_sampling",
                      "entropy": "entropy"}


def minority_classes(counts) -> list[str]:
    """The classes with fewer labels than the median class, or the rarest one when none
    is below the median (all equal: the first).

    Parameters
    ----------
    counts : pandas.Series or mapping
        Labelled images per class.

    Returns
    -------
    list of str
        Class names.

    Examples
    --------
    >>> minority_classes(pd.Series({"a": 50, "b": 3, "c": 10, "d": 0}))
    ['b', 'd']
    >>> minority_classes(pd.Series({"a": 4, "b": 4}))
    ['a']
    """
    counts = pd.Series(counts, dtype=float)
    below = counts.index[(counts < counts.median()).to_numpy()]
    return [str(c) for c in (below if len(below) else counts.sort_values(kind="stable").index[:1])]


def uncertainty(probabilities: np.ndarray, *, method: str, multilabel: bool = False
                ) -> np.ndarray:
    """One uncertainty per row, higher = more uncertain (scikit-activeml's scores).

    With ``multilabel`` each column is a yes/no question: scikit-activeml scores each
    class's (p, 1 - p), and an image gets (ours) the score of its most uncertain class
    for least_confidence and margin, and the sum over classes for entropy (the entropy
    of all its yes/no answers, taken as independent). For a yes/no question least
    confidence (``min(p, 1 - p)``) and margin (``1 - |2p - 1|``) order images alike, so
    with several labels they pick the same.

    Parameters
    ----------
    probabilities : numpy.ndarray
        (n, K) probabilities.
    method : {"least_confidence", "margin", "entropy"}
        1 - the top probability, 1 - the gap between the top two, or the entropy
        (in nats).
    multilabel : bool
        Each column is its own yes/no question.

    Returns
    -------
    numpy.ndarray of float
        One score per row.

    Examples
    --------
    >>> p = np.array([[0.5, 0.3, 0.2], [0.7, 0.3, 0.0]])
    >>> uncertainty(p, method="margin").round(2).tolist()
    [0.8, 0.6]
    >>> uncertainty(np.array([[0.9, 0.5], [0.1, 0.2]]), method="margin",
    ...             multilabel=True).round(2).tolist()
    [1.0, 0.4]
    """
    from skactiveml.pool import uncertainty_scores

    name = SKACTIVEML_METHODS[method]
    if not multilabel:
        return uncertainty_scores(probabilities, method=name)
    p = probabilities.reshape(-1)
    per_class = uncertainty_scores(np.column_stack([p, 1 - p]), method=name
                                   ).reshape(probabilities.shape)
    return per_class.sum(axis=1) if method == "entropy" else per_class.max(axis=1)


def _minority_score(probabilities, classes: pd.Index, minority, counts, multilabel):
    if minority is None:
        if counts is None:
            raise ValueError("predicted_minority needs the minority classes: pass "
                             "minority=[...] or the labelled counts per class (counts=...).")
        minority = minority_classes(pd.Series(counts, index=classes))
    minority = [str(c) for c in ([minority] if isinstance(minority, str) else minority)]
    for name in minority:
        check_option("minority", name, list(classes), func="select")
    p = probabilities[:, classes.get_indexer(minority)]
    return 1 - np.prod(1 - p, axis=1) if multilabel else p.sum(axis=1)
