"""A separate model for the small classes, measured against one flat model.

One answer to the question "class weights or undersample to the smallest class?" is a
third way: merge the small classes into one bucket for the main model, and train a
second model on the bucket's images only, to tell them apart. That is a two-level
hierarchy: hiclass's ``LocalClassifierPerParentNode`` (BSD-3) trains one classifier at
the root (kept classes and the bucket) and one under the bucket. :func:`small_class_model`
compares it with the flat model on the same features and folds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks
from workbench.evaluate.intervals import bootstrap_counts, percentile_interval
from workbench.threads import one_blas_thread

METRICS = ("macro_f1", "small_class_recall", "rarest_recall")


@dataclass(frozen=True)
class SmallClassComparison:
    """``runs``: per (model, seed) the metrics on out-of-fold predictions; ``intervals``:
    per model, each metric's mean over seeds and a bootstrap interval over images."""

    runs: pd.DataFrame
    intervals: pd.DataFrame
    small_classes: tuple[str, ...]
    rarest: str
    design: str

    def to_frame(self) -> pd.DataFrame:
        """The intervals table.

        Returns
        -------
        pandas.DataFrame
            One row per model: each metric's mean over seeds and its interval (fractions).
        """
        return self.intervals

    def __repr__(self) -> str:
        rows = [f"  {model}: macro F1 {r['macro_f1']:.3f} ({r['macro_f1_low']:.3f}-"
                f"{r['macro_f1_high']:.3f}), recall of {self.rarest!r} {r['rarest_recall']:.3f} "
                f"({r['rarest_recall_low']:.3f}-{r['rarest_recall_high']:.3f})"
                for model, r in self.intervals.iterrows()]
        return (f"SmallClassComparison({len(self.small_classes)} small classes in the bucket; "
                f"{self.design})\n" + "\n".join(rows))


def _probe_components(catalog: Catalog, n_components: int = 32) -> np.ndarray:
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    from workbench.evaluate.hog_features import cached_probe_features

    X = StandardScaler().fit_transform(cached_probe_features(catalog))
    return PCA(n_components=min(n_components, *X.shape), random_state=0).fit_transform(X)


def _pipeline(seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))


def _scores(y: np.ndarray, pred: np.ndarray, small: np.ndarray, rarest: int,
            weights: np.ndarray) -> np.ndarray:
    """(replicates x metrics) from per-image bootstrap ``weights`` (replicates x images)."""
    k = int(max(y.max(), pred.max())) + 1
    truth = np.eye(k, dtype=np.float64)[y]          # images x classes
    guess = np.eye(k, dtype=np.float64)[pred]
    tp = weights @ (truth * guess)
    support = weights @ truth
    predicted = weights @ guess
    present = np.unique(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(support + predicted > 0, 2 * tp / (support + predicted), 0.0)
        recall = tp / support
    return np.column_stack([f1[:, present].mean(axis=1),
                            np.nanmean(recall[:, small], axis=1), recall[:, rarest]])


def small_class_model(catalog: Catalog, *, min_count: int, seeds=(0, 1, 2), n_splits: int = 5,
                      n_boot: int = 200, features: np.ndarray | None = None
                      ) -> SmallClassComparison:
    """Flat logistic regression against a main model with the small classes merged into
    one bucket plus a small-class model under it (hiclass), on image labels.

    Each seed draws a stratified k-fold split; every labelled image is predicted once
    per seed by a model that did not see it. Metrics: macro F1 over the classes,
    mean recall of the small classes, recall of the rarest; intervals from a bootstrap
    over images, pooled over seeds.

    Parameters
    ----------
    catalog : Catalog
        With image labels.
    min_count : int
        Classes with fewer labelled images go into the bucket.
    seeds : sequence of int
        One k-fold split per seed.
    n_splits : int
        Folds (fewer when a class has fewer images).
    n_boot : int
        Bootstrap replicates over images.
    features : numpy.ndarray, optional
        One row per labelled image (default: the baseline probe's HOG and colour
        features, cached, reduced to their first 32 principal components over the labelled
        images; label-free, so the folds stay honest).

    Returns
    -------
    SmallClassComparison
        Per-seed runs, intervals, the small classes and the rarest.
    """
    import warnings

    from hiclass import LocalClassifierPerParentNode
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold

    from workbench.collect.hierarchy import merge_sparse

    if "label" not in catalog.samples.columns or not catalog.samples["label"].notna().any():
        raise Lacks("A small-class model tells image labels apart, and this dataset has none "
                    "(boxes or masks only); merge_sparse still merges its counts.")
    labelled = catalog.subset(catalog.samples.index[catalog.samples["label"].notna()])
    merged = merge_sparse(labelled, min_count=min_count, unit="images")
    small = [c for c in merged.mapping]
    if len(small) < 2:
        raise Lacks(f"Fewer than two classes have under {min_count} images "
                    f"({', '.join(small) or 'none'}), so there is nothing for a small-class "
                    "model to tell apart; raise min_count.")
    y = labelled.samples["label"].cat.codes.to_numpy()
    counts = np.bincount(y, minlength=len(catalog.classes))
    if counts[counts > 0].min() < n_splits:
        n_splits = int(counts[counts > 0].min())
        if n_splits < 2:
            raise Lacks("A class has a single labelled image; a fold-based comparison needs "
                        "two of each.")
    names = np.asarray(catalog.classes)
    path = np.array([[merged.mapping.get(c, c), c] for c in names[y]])  # [parent, leaf]
    X = _probe_components(labelled) if features is None else np.asarray(features)
    small_codes = np.flatnonzero(np.isin(names, small))
    rarest = int(np.flatnonzero(counts == counts[counts > 0].min())[0])
    weights = bootstrap_counts(len(y), n_boot=n_boot, seed=0).astype(float)
    runs, replicates = [], {"flat": [], "bucket + small-class model": []}
    for seed in seeds:
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(X, y)
        flat = np.empty_like(y)
        two = np.empty_like(y)
        with warnings.catch_warnings(), one_blas_thread():
            warnings.simplefilter("ignore", ConvergenceWarning)
            for train, test in folds:
                flat[test] = _pipeline(seed).fit(X[train], y[train]).predict(X[test])
                tree = LocalClassifierPerParentNode(local_classifier=_pipeline(seed), n_jobs=1)
                leaf = tree.fit(X[train], path[train]).predict(X[test])[:, -1]
                two[test] = pd.Categorical(leaf, categories=names).codes
        for model, pred in (("flat", flat), ("bucket + small-class model", two)):
            point = _scores(y, pred, small_codes, rarest, np.ones((1, len(y))))[0]
            runs.append({"model": model, "seed": seed, **dict(zip(METRICS, point, strict=True))})
            replicates[model].append(_scores(y, pred, small_codes, rarest, weights))
    runs = pd.DataFrame(runs)
    rows = {}
    for model, reps in replicates.items():
        low, high = percentile_interval(np.concatenate(reps))
        mean = runs[runs["model"] == model][list(METRICS)].mean()
        rows[model] = {**{m: mean[m] for m in METRICS},
                       **{f"{m}_low": lo for m, lo in zip(METRICS, low, strict=True)},
                       **{f"{m}_high": hi for m, hi in zip(METRICS, high, strict=True)}}
    what = "32 principal components of HOG and colour features" if features is None \
        else f"{X.shape[1]} given features"
    design = (f"logistic regression on {what}, stratified {n_splits}-fold, "
              f"{len(seeds)} seeds, {len(y):,} labelled images; bucket = classes under "
              f"{min_count} images ({', '.join(small)})")
    return SmallClassComparison(runs=runs, intervals=pd.DataFrame(rows).T,
                                small_classes=tuple(small), rarest=str(names[rarest]),
                                design=design)

