"""Class weights or undersampling? Oversampling or loss weights? Measured on images.

:func:`compare_strategies` trains the same model several ways and scores each on
held-out images, once per seed, so the spread across seeds says which differences are
larger than chance:

- a Catalog with masks (demo:surfaces): the demo CNN
  (:func:`workbench.evaluate.models.demo_model_predictions`) as is, with class weights
  (balanced; effective number), with focal loss, with the capped resampling plan,
  undersampled to the smallest class, and with the plan plus class-aware augmentation;
  one split, the seed is the training seed;
- image labels without masks (demo:digits): logistic regression on thumbnails as is,
  with class weights, random oversampling to the plan, undersampling and SMOTE; the
  seed draws a stratified k-fold split, so every image, the rare ones too, is tested
  once per seed.

Metrics (scikit-learn) on image-level predictions: macro F1, balanced accuracy,
worst-class recall, the rarest class's average precision, accuracy.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks, check_option, some
from workbench.evaluate.caching import catalog_fingerprint, options_key
from workbench.evaluate.models import MODEL_VERSION
from workbench.evaluate.training_data import train_ids_of

STRATEGIES_VERSION = 1  # bump when a strategy or a metric changes: old results are not reused
COMPARE_EPOCHS = 16  # the comparison trains 21 models, each shorter than the demo model:
COMPARE_CROP = 32    # 16 passes of 32x32 crops, about 12 s each for 1,400 training images
MAX_OVERSAMPLE = 5.0
# Below this many image passes (training images x epochs x runs: about 30 s on one core)
# the CNN runs stay in this process; above, one process per core (each costs about 3 s to start).
MIN_PARALLEL_PASSES = 40_000
METRICS = ("macro_f1", "balanced_accuracy", "worst_class_recall", "rare_class_ap", "accuracy")
_BASELINE_AND_WEIGHTS = {
    "as is": {},
    "class weights (balanced)": {"weights": "balanced"},
    "class weights (effective number)": {"weights": "effective"},
}
_RESAMPLING = {"capped resampling (5x)": {"plan": "capped"},
               "undersample to the smallest": {"plan": "under"}}
CNN_STRATEGIES = {**_BASELINE_AND_WEIGHTS, "focal loss": {"loss": "focal"}, **_RESAMPLING,
                  "capped resampling + augmentation": {"plan": "capped", "augment": True}}
FEATURE_STRATEGIES = {**_BASELINE_AND_WEIGHTS, **_RESAMPLING,
                      "SMOTE to the capped plan": {"plan": "capped", "smote": True}}


@dataclass(frozen=True)
class StrategyComparison:
    """One row per (strategy, seed) in ``runs``: the metrics, ``train_images`` (distinct
    images trained on), ``images_seen`` (samples the model was fed, repeats and
    synthetic ones included) and ``seconds``; ``to_frame()`` summarises them per strategy.
    """

    runs: pd.DataFrame
    rare_class: str
    design: str
    test_images: int

    def to_frame(self) -> pd.DataFrame:
        """Per strategy (rows, in the order run): mean and std across seeds of each metric
        and the training size.

        Returns
        -------
        pandas.DataFrame
            Columns (metric, "mean"/"std"); metrics as fractions, sizes in images.
        """
        columns = [*METRICS, "train_images", "images_seen"]
        return self.runs.groupby("strategy", sort=False)[columns].agg(["mean", "std"])

    def __repr__(self) -> str:
        mean = self.runs.groupby("strategy", sort=False)["macro_f1"].mean()
        return (f"StrategyComparison({len(mean)} strategies x {self.runs['seed'].nunique()} "
                f"seeds, {self.test_images:,} test images, rare class {self.rare_class!r}; "
                f"best macro F1: {mean.idxmax()} {mean.max():.3f})")


def image_metrics(y_true: np.ndarray, scores: np.ndarray, *, rare: int) -> dict[str, float]:
    """The comparison's metrics from class codes and (n x K) scores (argmax decisions).

    Macro F1 and the worst recall run over the classes present in ``y_true``; the rare
    class's AP is NaN when it has no test image.

    Parameters
    ----------
    y_true : numpy.ndarray of int
        True class code per image.
    scores : numpy.ndarray
        (n, K) scores.
    rare : int
        Code of the rare class.

    Returns
    -------
    dict of str to float
        macro_f1, balanced_accuracy, worst_class_recall, rare_class_ap, accuracy
        (fractions).

    Examples
    --------
    >>> image_metrics(np.array([0, 0, 0, 1]), np.array([[.9, .1], [.8, .2], [.4, .6],
    ...                                                 [.3, .7]]), rare=1)["worst_class_recall"]
    0.6666666666666666
    """
    from sklearn.metrics import (
        accuracy_score,
        average_precision_score,
        balanced_accuracy_score,
        f1_score,
        recall_score,
    )

    y_pred = scores.argmax(axis=1)
    present = np.unique(y_true)
    with warnings.catch_warnings():  # predicted classes absent from the test images
        warnings.simplefilter("ignore", UserWarning)
        balanced = balanced_accuracy_score(y_true, y_pred)
    positive = y_true == rare
    return {
        "macro_f1": f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0),
        "balanced_accuracy": balanced,
        "worst_class_recall": float(recall_score(y_true, y_pred, labels=present, average=None,
                                                 zero_division=0).min()),
        "rare_class_ap": (average_precision_score(positive, scores[:, rare])
                          if positive.any() else float("nan")),
        "accuracy": accuracy_score(y_true, y_pred),
    }


def stratified_subset(catalog: Catalog, n_images: int, *, seed: int = 0) -> Catalog:
    """``n_images`` images keeping each (split, label) stratum's share, at least one of
    every stratum, drawn with ``seed``.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    n_images : int
        About how many images (each stratum gets at least one).
    seed : int
        Seed of the draw.

    Returns
    -------
    Catalog
        The subset.
    """
    from workbench.apportion import largest_remainder
    from workbench.sample import sampling_keys

    keys = sampling_keys(catalog).reindex(catalog.samples.index).astype(str)
    if "split" in catalog.samples.columns:
        keys = catalog.samples["split"].astype(str) + "/" + keys
    counts = keys.value_counts(sort=False)
    quota = pd.Series(np.maximum(1, largest_remainder(counts.to_numpy() / len(keys), n_images)),
                      index=counts.index)
    order = np.random.default_rng(seed).permutation(len(keys))
    shuffled = keys.iloc[order]
    rank = shuffled.groupby(shuffled, sort=False).cumcount()
    return catalog.subset(shuffled.index[(rank < shuffled.map(quota)).to_numpy()])


def _rarest(counts: pd.Series, background: str | None) -> str:
    """The class with the fewest training images, the background left out."""
    counts = counts[(counts > 0) & (counts.index.astype(str) != str(background))]
    if not len(counts):
        raise Lacks("No class but the background has both training and test images, so "
                        "there is no rare class to score. Use a larger sample.")
    return str(counts.idxmin())


def _plans(keys: pd.Series):
    from workbench.sample import plan_resampling

    counts = keys.value_counts(sort=False)
    counts = counts[counts > 0]
    capped = plan_resampling(counts, max_oversample=MAX_OVERSAMPLE)
    under = plan_resampling(counts, total=int(counts.min()) * len(counts), max_oversample=1.0)
    return {"capped": capped, "under": under}


def _weights(counts: pd.Series, method: str, classes: Sequence[str]) -> pd.Series:
    """Class weights over all classes; a class that is no image's key gets the smallest."""
    from workbench.sample import class_weights

    weights = class_weights(counts[counts > 0], method=method)
    return weights.reindex(list(classes)).fillna(weights.min())


def compare_strategies(catalog: Catalog, *, seeds: Sequence[int] = (0, 1, 2),
                       n_images: int | None = None, cache: bool = True,
                       strategies: Sequence[str] | None = None,
                       epochs: int = COMPARE_EPOCHS, workers: int | None = None
                       ) -> StrategyComparison:
    """The same model trained several ways against imbalance, scored per seed.

    Parameters
    ----------
    catalog : Catalog
        With masks and a split (the demo CNN), or with image labels (logistic regression
        on thumbnails, stratified k-fold per seed; any split is ignored).
    seeds : sequence of int
        One run of every strategy per seed.
    n_images : int, optional
        Compare on a stratified subset of this many images (None, or more than there are:
        all).
    cache : bool
        Reuse results stored under ``data_home()/strategies`` for the same data and
        options.
    strategies : sequence of str, optional
        Names to run (default: all of the task's, in their order).
    epochs : int
        CNN training passes over the training split (the undersampled model gets as many
        images in total: more passes over fewer images).
    workers : int, optional
        Processes for the CNN trainings (None: one per core once there are more than
        :data:`MIN_PARALLEL_PASSES` image passes to train, else this process). The results
        do not depend on it; the logistic regressions always run here.

    Returns
    -------
    StrategyComparison
        One run per (strategy, seed) with its metrics.

    Examples
    --------
    >>> from workbench.demo import load_demo
    >>> compare_strategies(load_demo("digits"), seeds=(0,))  # doctest: +SKIP
    StrategyComparison(6 strategies x 1 seeds, 532 test images, rare class '1'; ...)
    """
    from workbench.demo import data_home

    by_masks = catalog.has_masks
    table = CNN_STRATEGIES if by_masks else FEATURE_STRATEGIES
    names = list(table) if strategies is None else list(strategies)
    for name in names:
        check_option("strategies", name, list(table), func="compare_strategies")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("The 'seeds' parameter of compare_strategies needs at least one seed.")
    if not (isinstance(epochs, (int, np.integer)) and epochs >= 1):
        raise ValueError(f"The 'epochs' parameter of compare_strategies must be a positive "
                         f"integer. Got {epochs!r} instead.")
    if n_images is not None and n_images < 20:
        raise ValueError(f"The 'n_images' parameter of compare_strategies must be 20 or more "
                         f"(or None for all images). Got {n_images!r}.")
    if not by_masks and "label" not in catalog.samples.columns:
        raise Lacks("Comparing strategies needs masks (the demo CNN) or image labels "
                    "(logistic regression); this dataset has neither.")
    if n_images is not None and n_images < len(catalog):  # a larger size: every image
        catalog = stratified_subset(catalog, int(n_images))
    key = options_key(data=catalog_fingerprint(catalog), seeds=seeds, strategies=names,
                      epochs=epochs, version=STRATEGIES_VERSION, model=MODEL_VERSION)
    kind = "cnn" if by_masks else "logistic"
    path = data_home() / "strategies" / f"{kind}-n{len(catalog)}-{key}.json"
    if cache and path.is_file():
        stored = json.loads(path.read_text())
        return StrategyComparison(runs=pd.DataFrame(stored.pop("runs")), **stored)
    run = _cnn_runs if by_masks else _feature_runs
    runs, meta = run(catalog, names=names, seeds=seeds, epochs=epochs, workers=workers)
    result = StrategyComparison(runs=pd.DataFrame(runs), **meta)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as f:
        json.dump({"runs": result.runs.to_dict("records"), **meta}, f)
    os.replace(f.name, path)
    return result


@dataclass(frozen=True)
class _CnnSetup:
    """What every training of the CNN comparison reads. It goes with each job to the
    worker processes; joblib passes its large arrays (the images) as memory maps, written
    once, not copied through the pipe."""

    catalog: Catalog
    images: np.ndarray
    codes: np.ndarray
    train_ids: pd.Index
    keys: pd.Series
    counts: pd.Series
    plans: dict
    test: Catalog
    test_rows: np.ndarray
    truth: np.ndarray  # the test images' class codes
    rare: int
    epochs: int


def _cnn_runs(catalog: Catalog, *, names, seeds, epochs, workers):
    from workbench.evaluate.models import read_arrays
    from workbench.sample import sampling_keys

    train_ids = train_ids_of(catalog)
    test_ids = catalog.samples.index[(catalog.samples["split"] == "test").to_numpy()]
    if not len(test_ids):
        raise Lacks("Comparing strategies scores the 'test' split, and this dataset has none. "
                    "Split it with workbench.split.chosen_split(catalog).")
    train = catalog.subset(train_ids)
    keys = sampling_keys(train)
    counts = keys.value_counts(sort=False)
    truth = catalog.samples.loc[test_ids, "label"] if "label" in catalog.samples.columns \
        else None
    if truth is None or truth.isna().any():
        raise Lacks("The comparison scores image labels, and some test images have none. "
                        "Label every image (its defect, or the background class).")
    tested = set(truth.astype(str))  # the rare class's AP needs a test image of it
    rare = _rarest(counts[[str(c) in tested for c in counts.index]], catalog.background)
    images, codes = read_arrays(catalog)
    setup = _CnnSetup(catalog=catalog, images=images, codes=codes, train_ids=train_ids,
                      keys=keys, counts=counts, plans=_plans(keys), test=catalog.subset(test_ids),
                      test_rows=catalog.samples.index.get_indexer(test_ids),
                      truth=truth.cat.codes.to_numpy(), rare=catalog.classes.index(rare),
                      epochs=epochs)
    jobs = [(seed, name) for seed in seeds for name in names]
    if workers is None and len(train_ids) * epochs * len(jobs) < MIN_PARALLEL_PASSES:
        workers = 1
    runs = _run_jobs(_cnn_run, jobs, shared=setup, workers=workers)
    design = (f"demo CNN, {epochs} epochs of {COMPARE_CROP}x{COMPARE_CROP} crops, trained once "
              "per seed on the same split "
              f"({len(train_ids):,} training images); metrics on the {len(test_ids):,} test "
              f"images; rare class: the one with the fewest training images among those "
              f"tested ({rare!r})")
    return runs, {"rare_class": rare, "design": design, "test_images": len(test_ids)}


def _run_jobs(func, jobs: list, *, shared, workers: int | None) -> list:
    """``[func(shared, job) for job in jobs]``, in that order, in up to ``workers``
    processes (None: one per core).

    joblib's loky processes: unlike multiprocessing's spawned ones they do not run the
    caller's script again, so a script needs no ``if __name__ == "__main__"`` guard; one
    worker (or one job) runs here, without pickling.
    """
    from joblib import Parallel, cpu_count, delayed

    workers = min(len(jobs), cpu_count() if workers is None else int(workers))
    if workers <= 1:
        return [func(shared, job) for job in jobs]
    return Parallel(n_jobs=workers, backend="loky", batch_size=1)(
        delayed(func)(shared, job) for job in jobs)


def _cnn_run(setup: _CnnSetup, job: tuple[int, str]) -> dict:
    """One strategy trained with one seed, scored on the test images."""
    from workbench.evaluate.cnn import segmenter_outputs, train_segmenter
    from workbench.sample import epoch_indices

    seed, name = job
    spec = CNN_STRATEGIES[name]
    start = time.perf_counter()
    ids, n_epochs, plan = setup.train_ids, setup.epochs, setup.plans.get(spec.get("plan"))
    if spec.get("plan") == "under":  # a fixed balanced subset, no plan per epoch
        ids = setup.keys.index[epoch_indices(plan, setup.keys, seed=seed)]
        n_epochs, plan = max(1, round(setup.epochs * len(setup.train_ids) / len(ids))), None
    weight = (_weights(setup.counts, spec["weights"], setup.catalog.classes)
              if "weights" in spec else None)
    net = train_segmenter(setup.catalog, setup.images, setup.codes, train_ids=ids, seed=seed,
                          epochs=n_epochs, loss=spec.get("loss", "ce"), class_weight=weight,
                          sampler_plan=plan, augment=spec.get("augment", False),
                          crop=COMPARE_CROP)
    scores, _ = segmenter_outputs(net, setup.test, setup.images[setup.test_rows])
    seen = n_epochs * (plan.total if plan is not None else len(ids))
    return {"strategy": name, "seed": seed,
            **image_metrics(setup.truth, scores.to_numpy(), rare=setup.rare),
            "train_images": len(ids), "images_seen": int(seen),
            "seconds": time.perf_counter() - start}


def _feature_runs(catalog: Catalog, *, names, seeds, epochs, workers):
    from sklearn.model_selection import StratifiedKFold

    from workbench.evaluate.models import fit_scores
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
