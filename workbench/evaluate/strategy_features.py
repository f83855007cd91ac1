"""The strategy comparison's runs on image features: logistic regression on thumbnails,
a stratified k-fold split per seed.

:func:`_feature_runs` scores every strategy on the out-of-fold predictions of all
labelled images; :func:`_resample` resamples a training fold to a plan, randomly or by
SMOTE.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks, some
from workbench.evaluate.strategy_metrics import _rarest, image_metrics
from workbench.evaluate.strategy_specs import FEATURE_STRATEGIES, _plans, _weights


def _feature_runs(catalog: Catalog, *, names, seeds, epochs, workers):
    from sklearn.model_selection import StratifiedKFold

    from workbench.evaluate.logistic_fit import fit_scores
    from workbench.evaluate.thumbnails import thumbnail_features

    labelled = catalog.subset(catalog.samples.index[catalog.samples["label"].notna()])
    y = labelled.samples["label"].cat.codes.to_numpy()
    counts = pd.Series(np.bincount(y, minlength=len(catalog.classes)), index=catalog.classes)
    present = counts[counts > 0]
    if present.min() < 2:
        raise Lacks(f"Class {present.idxmin()!r} has {present.min()} labelled image; a "
                        "stratified comparison needs at least 2 per class. Drop it or collect "
                        "more.")
    k = int(min(5, present.min()))
    rare = _rarest(present, catalog.background)
    X = thumbnail_features(labelled)
    runs = []
    for seed in seeds:
        folds = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(X, y))
        for name in names:
            spec = FEATURE_STRATEGIES[name]
            start = time.perf_counter()
            scores = np.zeros((len(y), len(catalog.classes)))
            distinct = seen = 0
            for train, test in folds:
                Xt, yt = X[train], y[train]
                fold_counts = pd.Series(np.bincount(yt, minlength=len(catalog.classes)),
                                        index=catalog.classes)
                weight = None
                if "weights" in spec:
                    w = _weights(fold_counts, spec["weights"], catalog.classes)
                    weight = {c: float(w.iloc[c]) for c in np.unique(yt)}
                if "plan" in spec:
                    labels = pd.Series(np.asarray(catalog.classes)[yt])
                    plan = _plans(labels)[spec["plan"]]
                    Xt, yt, used = _resample(Xt, labels.to_numpy(), plan, seed=seed,
                                             smote=spec.get("smote", False))
                    yt = pd.Categorical(yt, categories=catalog.classes).codes
                else:
                    used = len(yt)
                scores[test] = fit_scores(Xt, yt, X[test], len(catalog.classes), seed=seed,
                                          class_weight=weight)
                distinct, seen = distinct + used / k, seen + len(yt) / k
            runs.append({"strategy": name, "seed": seed,
                         **image_metrics(y, scores, rare=catalog.classes.index(rare)),
                         "train_images": round(distinct), "images_seen": round(seen),
                         "seconds": time.perf_counter() - start})
    design = (f"logistic regression on 16x16 thumbnails, stratified {k}-fold split per seed; "
              f"metrics on the out-of-fold predictions of all {len(y):,} labelled images")
    return runs, {"rare_class": rare, "design": design, "test_images": len(y)}


def _resample(X, y, plan, *, seed: int, smote: bool):
    """(X, y, distinct original images kept) after resampling to ``plan``.

    Random resampling is :func:`workbench.sample.resample_features`. SMOTE uses
    ``k_neighbors`` up to 5 but below the smallest oversampled class (imbalanced-learn's
    default of 5 needs 6 images, more than a rare class has in a fold).
    """
    from workbench.sample import imblearn_strategies, resample_features

    over, _ = imblearn_strategies(plan)
    kept = int(np.minimum(plan.effective, plan.count).sum())
    if not smote or not over:
        Xr, yr = resample_features(X, y, plan, method="random", seed=seed)
        return Xr, yr, kept
    smallest = int(plan.count[list(over)].min())
    if smallest < 2:
        raise Lacks(f"SMOTE needs 2 images of a class to interpolate; "
                        f"{some(list(over))} has {smallest} in a training fold.")
    X, y = resample_features(X, y, plan, method="smote", k_neighbors=min(5, smallest - 1),
                             seed=seed)
    return X, y, kept
