"""A plan as imbalanced-learn's sampling strategies, and features resampled with them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import DataError, check_option
from workbench.sample.plan import ResamplingPlan


def imblearn_strategies(plan: ResamplingPlan) -> tuple[dict, dict]:
    """The plan as ``(over, under)`` ``sampling_strategy`` dicts for imbalanced-learn.

    Apply RandomUnderSampler(sampling_strategy=under) then RandomOverSampler (or SMOTE)
    with ``over``; together they give the plan's effective counts.

    Parameters
    ----------
    plan : ResamplingPlan
        The plan to carry out.

    Returns
    -------
    over, under : dict
        Class -> target count (samples), for the classes the plan grows and shrinks;
        classes it keeps are in neither.
    """
    over = {c: int(e) for c, e, n in zip(plan.count.index, plan.effective, plan.count,
                                         strict=True) if e > n}
    under = {c: int(e) for c, e, n in zip(plan.count.index, plan.effective, plan.count,
                                          strict=True) if e < n}
    return over, under


def resample_features(X, y, plan: ResamplingPlan, *, method: str = "random",
                      seed: int = 0, k_neighbors: int = 5):
    """Resample a feature array to the plan with imbalanced-learn (random or SMOTE).

    Exactly imbalanced-learn's rows for the plan's two strategies
    (:func:`imblearn_strategies`) with ``random_state=seed``: ``RandomUnderSampler(under)``,
    then ``RandomOverSampler(over)`` or ``SMOTE(over, k_neighbors=k_neighbors)``. Classes the
    plan keeps as they are are not handed to a sampler, so they use up no random draws.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        The features, one row per sample.
    y : sequence
        One label per row of ``X``.
    plan : ResamplingPlan
        Made from these labels; its effective counts are what comes out.
    method : {"random", "smote"}
        Oversample by repeating rows or by SMOTE's interpolation.
    seed : int
        Passed to imbalanced-learn as ``random_state`` (the package's one name for it).
    k_neighbors : int
        SMOTE's neighbours; each class it oversamples needs more samples than this.

    Returns
    -------
    X, y
        Resampled: ``plan.effective[c]`` rows of each class ``c``; ``y`` as str.
    """
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    check_option("method", method, ["random", "smote"], func="resample_features")
    y = np.asarray(y).astype(str)
    over, under = imblearn_strategies(plan)
    if method == "smote":
        _check_smote_neighbours(y, over, k_neighbors)
    if under:
        X, y = RandomUnderSampler(sampling_strategy=under, random_state=seed
                                  ).fit_resample(X, y)
    if over:
        sampler = (SMOTE(sampling_strategy=over, k_neighbors=k_neighbors,
                         random_state=seed) if method == "smote"
                   else RandomOverSampler(sampling_strategy=over, random_state=seed))
        X, y = sampler.fit_resample(X, y)
    return X, y


def _check_smote_neighbours(y: np.ndarray, over: dict, k_neighbors: int) -> None:
    """SMOTE interpolates towards one of a sample's ``k_neighbors`` nearest same-class
    neighbours: each class it oversamples needs more samples than that."""
    counts = pd.Series(y).value_counts()
    short = {c: int(counts.get(c, 0)) for c in over if counts.get(c, 0) <= k_neighbors}
    if short:
        listed = ", ".join(f"{c!r} has {n}" for c, n in short.items())
        k = min(short.values()) - 1
        fix = (f"pass k_neighbors={k} (the smallest count minus one)" if k >= 1
               else "use method='random'")
        raise DataError(f"SMOTE with k_neighbors={k_neighbors} needs more than {k_neighbors} "
                        f"samples of each class it oversamples: {listed}. {fix[0].upper()}"
                        f"{fix[1:]}, or collect more.")
