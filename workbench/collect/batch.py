"""The next labelling batch from a model's scores on an unlabelled pool."""

from __future__ import annotations

from workbench.catalog import Catalog, indicator
from workbench.errors import Lacks


def pick_batch(catalog: Catalog, predictions, *, pool: str, strategy: str = "class_balanced",
               n: int = 24, seed: int = 0):
    """Pick ``n`` images of the split ``pool`` (treated as unlabelled) by ``strategy``
    (:func:`workbench.collect.select.select`) from ``predictions``' image scores; the
    class counts of the other splits (the labelled ones) set the class-balanced quotas
    and the minority.

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column.
    predictions : Predictions
        With image scores for the pool.
    pool : str
        The split treated as unlabelled.
    strategy : str
        A strategy of :func:`workbench.collect.select.select`.
    n : int
        Images to pick.
    seed : int
        Seed of the random strategies.

    Returns
    -------
    Picks
        The picked images and why.
    """
    from workbench.collect.select import select
    from workbench.evaluate.truth import split_ids

    if predictions.scores is None:
        raise Lacks(f"{predictions.source} gives no image scores (boxes only), and the "
                    "selection strategies rank images by them.")
    ids = split_ids(catalog, pool)
    labelled = catalog.samples.index.difference(ids)
    counts = indicator(catalog).loc[labelled].sum().rename(index=str)
    scores = predictions.scores.reindex(ids)
    if scores.isna().to_numpy().any():
        missing = scores.index[scores.isna().any(axis=1)]
        raise Lacks(f"{len(missing)} pool images have no score (e.g. {missing[0]!r}); score "
                    "every image of the pool.")
    return select(scores, strategy=strategy, n=n, counts=counts.astype(int), seed=seed)

