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

The strategies and the plans and weights they name are in
:mod:`workbench.evaluate.strategy_specs`, the metrics in
:mod:`workbench.evaluate.strategy_metrics`, the two kinds of run in
:mod:`workbench.evaluate.strategy_cnn` and :mod:`workbench.evaluate.strategy_features`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks, check_option
from workbench.evaluate.caching import catalog_fingerprint, options_key, write_file_atomically
from workbench.evaluate.models import MODEL_VERSION
from workbench.evaluate.strategy_cnn import COMPARE_EPOCHS, _cnn_runs
from workbench.evaluate.strategy_features import _feature_runs
from workbench.evaluate.strategy_specs import CNN_STRATEGIES, FEATURE_STRATEGIES

STRATEGIES_VERSION = 1  # bump when a strategy or a metric changes: old results are not reused
METRICS = ("macro_f1", "balanced_accuracy", "worst_class_recall", "rare_class_ap", "accuracy")


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
    write_file_atomically(
        path, lambda f: json.dump({"runs": result.runs.to_dict("records"), **meta}, f),
        text=True)
    return result


