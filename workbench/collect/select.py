"""Active learning: which unlabelled images to label next.

:func:`select` ranks a pool of unlabelled images by a model's scores (one row per
image, one column per class) and returns the ``n`` to label next as :class:`Picks`.

Where each strategy comes from:

- ``"least_confidence"``, ``"margin"``, ``"entropy"``: scikit-activeml's
  ``uncertainty_scores`` (the scores of its ``UncertaintySampling``) on single-label
  probabilities. For several labels per image (rows that do not sum to 1: each column
  is its own "contains the class" probability) the per-class scores are still
  scikit-activeml's, of each class as a yes/no question; how they add up to one score
  per image is ours (see :func:`workbench.collect.strategy_scores.uncertainty`).
- ``"predicted_minority"``: ours; the probability that an image holds a minority class.
- ``"class_balanced"``: ours (scikit-activeml has no class-balanced strategy); a quota
  per predicted class that evens out the labelled counts, the smallest margins first
  within each class.
- ``"diversity"``: scikit-activeml's ``CoreSet`` (greedy k-center, Sener and Savarese,
  ICLR 2018) on image embeddings, starting from the labelled images
  (:mod:`workbench.collect.k_center`).
- ``"random"``: the baseline, a seeded uniform draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.apportion import round_to_total, water_level
from workbench.collect.k_center import _k_center
from workbench.collect.strategy_scores import SKACTIVEML_METHODS, _minority_score, uncertainty
from workbench.errors import check_integer, check_option, some
from workbench.tally import per_class

STRATEGIES = ("least_confidence", "margin", "entropy", "predicted_minority",
              "class_balanced", "diversity", "random")
SUM_TOLERANCE = 1e-3  # rows summing to 1 within this are one label per image (scikit-activeml's)


@dataclass(frozen=True, eq=False)
class Picks:
    """The images to label next, in pick order.

    ``to_frame()`` has one row per pick: ``sample_id``, ``rank`` (1 = first), ``predicted``
    (the top-scoring class), ``score`` (what the strategy ranked by, higher first; NaN for
    random) and, for class_balanced, ``quota_class`` (the class whose quota the pick
    fills). ``quotas`` (class_balanced only) holds each class's quota; ``pool`` the pool
    size and ``asked`` the ``n`` asked for.
    """

    sample_ids: list
    strategy: str
    table: pd.DataFrame
    pool: int
    asked: int
    quotas: pd.Series | None = None

    def to_frame(self) -> pd.DataFrame:
        """A copy of the picks' table.

        Returns
        -------
        pandas.DataFrame
            sample_id, rank, predicted, score (and quota_class).
        """
        return self.table.copy()

    def __repr__(self) -> str:
        if self.asked > self.pool:
            taken = f"the whole pool of {self.pool:,} images ({self.asked:,} asked)"
        else:
            taken = f"{len(self.sample_ids):,} of {self.pool:,} pool images"
        quotas = ""
        if self.quotas is not None:
            given = self.quotas[self.quotas > 0]
            quotas = "; quotas " + ", ".join(f"{c} {int(q)}" for c, q in given.items())
        return f"Picks({self.strategy}: {taken}{quotas})"


def balanced_quotas(counts: np.ndarray, available: np.ndarray, n: int) -> np.ndarray:
    """How many of ``n`` picks each class gets so that ``counts + quotas`` is as even as
    it can be (water-filling: the classes with the fewest labels fill first), a class
    never getting more than its ``available`` candidates (its leftover goes to the
    others). Ties go to the earlier class. The level and the rounding are
    :func:`workbench.sample.plan_resampling`'s.

    Parameters
    ----------
    counts : numpy.ndarray of int
        Labelled images per class.
    available : numpy.ndarray of int
        Candidates per class in the pool.
    n : int
        Picks to share.

    Returns
    -------
    numpy.ndarray of int64
        Picks per class.

    Examples
    --------
    >>> balanced_quotas(np.array([10, 2, 0, 5]), np.array([5, 1, 3, 4]), 8).tolist()
    [0, 1, 3, 4]
    """
    counts = np.asarray(counts, dtype=np.int64)
    available = np.asarray(available, dtype=np.int64)
    n = int(min(n, available.sum()))
    if n == 0:
        return np.zeros(len(counts), dtype=np.int64)
    lo, hi = counts, counts + available
    total = n + int(counts.sum())
    level = water_level(np.ones(len(counts)), lo.astype(float), hi.astype(float), total)
    return round_to_total(np.clip(level, lo, hi), total, lo=lo, hi=hi) - counts


def select(scores: pd.DataFrame, *, strategy: str, n: int, counts=None, embeddings=None,
           labelled=None, minority=None, multilabel: bool | None = None, seed: int = 0
           ) -> Picks:
    """The ``n`` pool images to label next by ``strategy``.

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per unlabelled pool image (index: sample ids), one
        column per class: model probabilities. Rows summing to 1 are one label per
        image; otherwise each column is the probability that the image contains the
        class (several labels per image).
    strategy : str
        One of:
        ``"least_confidence"`` (1 - top probability), ``"margin"`` (the smallest gap
        between the top two classes first), ``"entropy"``: scikit-activeml's
        uncertainty scores; for several labels see :func:`uncertainty`.
        ``"predicted_minority"``: the highest probability of a ``minority`` class first
        (single label: the sum of their probabilities; several labels: the chance that
        the image holds at least one, ``1 - prod(1 - p)``).
        ``"class_balanced"`` (ours): each image counts toward the quota of its
        predicted class (single label: the argmax; several labels: the rarest class it
        is predicted to contain at 0.5 or more, rarest by ``counts``, else by the pool's
        summed probabilities; the argmax when it contains none), the classes with the
        fewest labelled images in ``counts`` fill first, so that the counts after
        labelling are as even as they can be (equal quotas without ``counts``); a class
        with fewer candidates than its quota passes the rest on
        (:func:`balanced_quotas`); within a class the smallest margins first (the
        margin strategy's score). Picks come round-robin over the classes (every
        class's first, then every second...). The motivation: uncertainty alone keeps
        picking the common classes, and the rare ones are where labels help most
        (SIMILAR, Kothawade et al., NeurIPS 2021; GALAXY, Zhang et al., ICML 2022).
        ``"diversity"``: greedy k-center on ``embeddings`` (scikit-activeml's
        ``CoreSet``): each pick is the image farthest from the ``labelled`` images and
        the picks before it (the first pick is random without ``labelled``). It holds a
        (n x pool) table of distances: mind the memory for large pools.
        ``"random"``: a seeded uniform draw (the baseline).
    n : int
        How many to pick; more than the pool takes the whole pool.
    counts : pandas.Series, optional
        Labelled images per class so far (over the classes), for
        class_balanced and the default ``minority``.
    embeddings : pandas.DataFrame or numpy.ndarray, optional
        One vector per pool image (indexed like ``scores``, or an
        array in its row order), for diversity.
    labelled : pandas.DataFrame or numpy.ndarray, optional
        The embeddings of the labelled images, where
        diversity starts from.
    minority : sequence of str, optional
        The classes predicted_minority looks for (default: those below the median
        of ``counts``, :func:`minority_classes`).
    multilabel : bool, optional
        Whether each column is its own yes/no question (None: when some row does
        not sum to 1).
    seed : int
        Ties are broken, and random picks drawn, in an order drawn from this seed.

    Returns
    -------
    Picks
        The picked sample ids in order, with their scores and quotas.

    Examples
    --------
    >>> scores = pd.DataFrame({"cat": [0.9, 0.55, 0.3], "dog": [0.1, 0.45, 0.7]},
    ...                       index=["a", "b", "c"])
    >>> select(scores, strategy="margin", n=2).sample_ids
    ['b', 'c']
    >>> select(scores, strategy="margin", n=5)
    Picks(margin: the whole pool of 3 images (5 asked))
    """
    check_option("strategy", strategy, STRATEGIES, func="select")
    probabilities, multilabel = _check_scores(scores, multilabel)
    check_integer("n", n, func="select")
    classes = pd.Index(scores.columns.astype(str))
    pool = len(scores)
    take = min(int(n), pool)
    label_counts = None if counts is None else _check_counts(counts, classes)
    order = np.random.default_rng(seed).permutation(pool)  # the one random draw: ties, random
    predicted = probabilities.argmax(axis=1)
    quotas = None
    if pool == 0:
        rows, score = order, np.zeros(0)
    elif strategy in SKACTIVEML_METHODS:
        score = uncertainty(probabilities, method=strategy, multilabel=multilabel)
        rows = _ranked(score, order)[:take]
    elif strategy == "predicted_minority":
        score = _minority_score(probabilities, classes, minority, label_counts, multilabel)
        rows = _ranked(score, order)[:take]
    elif strategy == "class_balanced":
        score = uncertainty(probabilities, method="margin", multilabel=multilabel)
        keys = _quota_classes(probabilities, label_counts) if multilabel else predicted
        rows, quota = _class_balanced(score, keys, order, label_counts, take, len(classes))
        quotas = pd.Series(quota, index=classes, name="quota")
    elif strategy == "diversity":
        rows, distance = _k_center(scores.index, embeddings, labelled, take, seed)
        score = np.full(pool, np.nan)
        score[rows] = distance
    else:  # random
        score = np.full(pool, np.nan)
        rows = order[:take]
    table = pd.DataFrame({"sample_id": scores.index[rows], "rank": np.arange(1, len(rows) + 1),
                          "predicted": classes[predicted[rows]], "score": score[rows]})
    if strategy == "class_balanced":
        table["quota_class"] = classes[keys[rows]] if pool else []
    return Picks(sample_ids=table["sample_id"].tolist(), strategy=strategy, table=table,
                 pool=pool, asked=int(n), quotas=quotas)


def _check_scores(scores, multilabel) -> tuple[np.ndarray, bool]:
    if not isinstance(scores, pd.DataFrame):
        raise TypeError("The 'scores' parameter of select must be a DataFrame (rows: pool "
                        f"images, columns: classes). Got {type(scores).__name__} instead.")
    if scores.shape[1] == 0:
        raise ValueError("The 'scores' parameter of select has no columns; it needs one per "
                         "class.")
    if scores.index.has_duplicates:
        raise ValueError(f"The 'scores' index repeats sample ids, e.g. "
                         f"{some(scores.index[scores.index.duplicated()].unique())}.")
    try:
        values = scores.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError("The 'scores' parameter of select must hold numbers (probabilities)."
                         ) from None
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        rows = scores.index[bad.any(axis=1)]
        raise ValueError(f"Scores must be probabilities in [0, 1]; {len(rows)} rows are not, "
                         f"e.g. {some(rows)}.")
    sums_to_one = np.abs(values.sum(axis=1) - 1) <= SUM_TOLERANCE
    if multilabel is None:
        multilabel = not sums_to_one.all()
    elif not multilabel and not sums_to_one.all():
        rows = scores.index[~sums_to_one]
        raise ValueError(f"multilabel=False needs rows that sum to 1; {len(rows)} do not, e.g. "
                         f"{some(rows)}. Pass multilabel=True for one yes/no score per class.")
    return values, bool(multilabel)


def _check_counts(counts, classes: pd.Index) -> np.ndarray:
    series = per_class(counts, func="select", whole=False)
    unknown = series.index.difference(classes)
    if len(unknown):
        raise ValueError(f"The 'counts' parameter of select names {some(unknown)}, which are "
                         f"not columns of scores ({some(classes, n=20)}).")
    return series.reindex(classes).fillna(0.0).to_numpy()


def _ranked(score: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Row positions by ``score``, highest first; equal scores in the seeded ``order``."""
    return order[np.argsort(-score[order], kind="stable")]


def _quota_classes(probabilities: np.ndarray, counts) -> np.ndarray:
    """Several labels: per image, the rarest class it is predicted to contain (p >= 0.5),
    rarest by ``counts`` (else by the summed probabilities); the argmax if it contains
    none. The way :func:`workbench.sample.sampling_keys` keys images for resampling."""
    rarity = probabilities.sum(axis=0) if counts is None else counts
    rank = np.argsort(np.argsort(rarity, kind="stable"), kind="stable")
    keyed = np.where(probabilities >= 0.5, rank, len(rank))
    return np.where(keyed.min(axis=1) < len(rank), keyed.argmin(axis=1),
                    probabilities.argmax(axis=1))


def _class_balanced(score, keys, order, counts, take: int, n_classes: int):
    """(rows in pick order, quota per class), ``keys``: each row's quota class."""
    ranked = _ranked(score, order)
    cls = keys[ranked]
    rank_in_class = pd.Series(cls).groupby(cls).cumcount().to_numpy()
    available = np.bincount(keys, minlength=n_classes)
    labelled = np.zeros(n_classes) if counts is None else counts
    quotas = balanced_quotas(labelled, available, take)
    keep = rank_in_class < quotas[cls]
    fewest_first = np.argsort(np.argsort(labelled, kind="stable"), kind="stable")
    pick_order = np.lexsort((fewest_first[cls[keep]], rank_in_class[keep]))
    return ranked[keep][pick_order], quotas
