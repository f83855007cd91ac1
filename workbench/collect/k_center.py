"""Diversity picks: greedy k-center on image embeddings (scikit-activeml's ``CoreSet``).

The ``"diversity"`` strategy of :func:`workbench.collect.select.select` (Sener and
Savarese, ICLR 2018): each pick is the pool image farthest from the labelled images and the
picks before it, so the batch covers the embedding space instead of crowding one corner;
the embeddings are checked against the pool first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import some


def _k_center(index: pd.Index, embeddings, labelled, take: int, seed: int):
    """(rows in pick order, distance to the nearest centre when picked), by CoreSet."""
    from skactiveml.pool import CoreSet

    if embeddings is None:
        raise ValueError("diversity needs embeddings: one vector per pool image "
                         "(embeddings=...).")
    if isinstance(embeddings, pd.DataFrame):
        missing = index.difference(embeddings.index)
        if len(missing):
            raise ValueError(f"The 'embeddings' have no row for {len(missing)} pool images, "
                             f"e.g. {some(missing)}.")
        embeddings = embeddings.loc[index]
    X = np.asarray(embeddings, dtype=float)
    if X.ndim != 2 or len(X) != len(index):
        raise ValueError(f"The 'embeddings' parameter of select needs one row per pool image "
                         f"({len(index)}); got shape {X.shape}.")
    centres = np.zeros((0, X.shape[1])) if labelled is None else np.asarray(labelled, float)
    if centres.ndim != 2 or centres.shape[1] != X.shape[1]:
        raise ValueError(f"The 'labelled' embeddings need {X.shape[1]} columns like "
                         f"'embeddings'; got shape {centres.shape}.")
    if take == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    y = np.concatenate([np.full(len(X), np.nan), np.zeros(len(centres))])
    rows, utilities = CoreSet(random_state=seed).query(
        np.vstack([X, centres]), y, candidates=np.arange(len(X)), batch_size=take,
        return_utilities=True)
    return rows, utilities[np.arange(take), rows]
