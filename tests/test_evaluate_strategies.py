"""compare_strategies: the same model trained against imbalance several ways."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.demo import load_demo
from workbench.errors import Lacks
from workbench.evaluate.strategies import (
    METRICS,
    StrategyComparison,
    compare_strategies,
    stratified_subset,
)
from workbench.evaluate.strategy_metrics import image_metrics
from workbench.evaluate.strategy_specs import CNN_STRATEGIES, FEATURE_STRATEGIES, _weights
from workbench.split import stratified_split

# One worker runs the module (make test runs three): its module fixtures (trained models,
# simulations) are built once, not once per worker.
pytestmark = [pytest.mark.filterwarnings("ignore::workbench.errors.DataWarning"),
              pytest.mark.xdist_group("evaluate_strategies")]


@pytest.fixture(scope="module")
def surfaces() -> Catalog:
    return stratified_split(load_demo("surfaces", 200), seed=0)


@pytest.fixture(scope="module")
def cnn_runs(surfaces) -> StrategyComparison:
    return compare_strategies(surfaces, seeds=(0,), epochs=6, cache=False)


def test_image_metrics_match_hand_counts():
    y = np.array([0, 0, 0, 0, 1, 1, 2])
    scores = np.array([[.9, .1, 0], [.8, .2, 0], [.6, .4, 0], [.2, .7, .1],  # one 0 -> 1
                       [.3, .6, .1], [.6, .3, .1],                           # one 1 -> 0
                       [.1, .2, .7]])
    m = image_metrics(y, scores, rare=2)
    # recalls: 3/4, 1/2, 1; precisions: 3/4, 1/2, 1
    assert m["accuracy"] == pytest.approx(5 / 7)
    assert m["balanced_accuracy"] == pytest.approx((3 / 4 + 1 / 2 + 1) / 3)
    assert m["worst_class_recall"] == pytest.approx(1 / 2)
    assert m["macro_f1"] == pytest.approx((3 / 4 + 1 / 2 + 1) / 3)
    assert m["rare_class_ap"] == pytest.approx(1.0)  # the only class-2 image ranks first
    # the rare class's AP follows its column: ranked last of 7 -> AP = 1/7
    assert image_metrics(y, -scores + 1, rare=2)["rare_class_ap"] == pytest.approx(1 / 7)
    assert np.isnan(image_metrics(y[:6], scores[:6], rare=2)["rare_class_ap"])


def test_every_strategy_runs_with_metrics_in_range(cnn_runs, surfaces):
    runs = cnn_runs.runs
    assert runs["strategy"].tolist() == list(CNN_STRATEGIES)
    values = runs[list(METRICS)].to_numpy()
    assert np.isfinite(values).all() and ((values >= 0) & (values <= 1)).all()
    n_test = int((surfaces.samples["split"] == "test").sum())
    assert cnn_runs.test_images == n_test
    rare = cnn_runs.rare_class
    test_labels = surfaces.samples.loc[surfaces.samples["split"] == "test", "label"]
    assert rare != "intact" and (test_labels == rare).any()
    assert repr(cnn_runs).startswith("StrategyComparison(7 strategies x 1 seeds")


def test_undersampling_trains_on_fewer_images_for_as_many_steps(cnn_runs, surfaces):
    runs = cnn_runs.runs.set_index("strategy")
    n_train = int((surfaces.samples["split"] == "train").sum())
    labels = surfaces.samples.loc[surfaces.samples["split"] == "train", "label"]
    counts = labels.astype(str).value_counts()
    assert runs.loc["as is", "train_images"] == n_train
    assert runs.loc["undersample to the smallest", "train_images"] == counts.min() * len(counts)
    assert runs.loc["undersample to the smallest", "train_images"] < n_train
    seen = runs["images_seen"]
    assert abs(seen["undersample to the smallest"] - seen["as is"]) <= seen["as is"] * 0.15
    assert seen["capped resampling (5x)"] == seen["as is"] == 6 * n_train


def test_same_seed_same_metrics_in_two_processes_and_the_cache_answers_fast(surfaces,
                                                                             cnn_runs):
    """Trained in two processes, the models score exactly as those trained here."""
    names = ["as is", "focal loss"]
    first = compare_strategies(surfaces, seeds=(0,), epochs=6, strategies=names, cache=False,
                               workers=2)
    assert first.runs["strategy"].tolist() == names
    metrics = list(METRICS)
    pd.testing.assert_frame_equal(first.runs[metrics],
                                  cnn_runs.runs.set_index("strategy").loc[names, metrics]
                                  .reset_index(drop=True))
    stored = compare_strategies(surfaces, seeds=(0,), epochs=6, strategies=names)
    start = time.perf_counter()
    again = compare_strategies(surfaces, seeds=(0,), epochs=6, strategies=names)
    assert time.perf_counter() - start < 1.0
    pd.testing.assert_frame_equal(again.runs, stored.runs)
    assert again.rare_class == stored.rare_class and again.design == stored.design


def test_class_weights_favour_the_rare_and_cover_every_class():
    counts = pd.Series({"intact": 90, "crack": 10, "dent": 30})
    weights = _weights(counts, "balanced", ["intact", "crack", "dent", "stain"])
    assert weights.index.tolist() == ["intact", "crack", "dent", "stain"]
    np.testing.assert_allclose(weights[["intact", "crack", "dent"]],
                               [130 / 270, 130 / 30, 130 / 90])  # n / (k * count)
    assert weights["stain"] == weights.min()  # never an image's key: the smallest weight


def test_summary_is_mean_and_spread_across_seeds():
    runs = pd.DataFrame({"strategy": ["a", "a", "b", "b"], "seed": [0, 1, 0, 1],
                         **{m: [0.2, 0.4, 0.5, 0.5] for m in METRICS},
                         "train_images": [10, 10, 4, 4], "images_seen": [10, 10, 10, 10],
                         "seconds": 1.0})
    frame = StrategyComparison(runs, rare_class="x", design="d", test_images=3).to_frame()
    assert frame.index.tolist() == ["a", "b"]
    assert frame.loc["a", ("macro_f1", "mean")] == pytest.approx(0.3)
    assert frame.loc["a", ("macro_f1", "std")] == pytest.approx(np.std([0.2, 0.4], ddof=1))
    assert frame.loc["b", ("accuracy", "std")] == 0
    assert frame.loc["b", ("train_images", "mean")] == 4


@pytest.fixture(scope="module")
def digits() -> Catalog:
    return load_demo("digits")


def test_digits_compare_logistic_strategies_on_every_image(digits):
    result = compare_strategies(digits, seeds=(0,), cache=False)
    runs = result.runs.set_index("strategy")
    assert list(runs.index) == list(FEATURE_STRATEGIES)
    assert result.test_images == len(digits)  # out-of-fold: every image tested once
    counts = digits.samples["label"].value_counts()
    assert result.rare_class == str(counts.idxmin())
    values = runs[list(METRICS)].to_numpy()
    assert np.isfinite(values).all() and ((values >= 0) & (values <= 1)).all()
    assert runs.loc["as is", "accuracy"] > 0.9
    # 4 of 5 folds train: every class cut to the smallest's 4 images
    assert runs.loc["undersample to the smallest", "train_images"] == 4 * 10
    assert runs.loc["SMOTE to the capped plan", "images_seen"] == runs.loc["as is", "images_seen"]
    assert runs.loc["SMOTE to the capped plan", "train_images"] < runs.loc["as is",
                                                                           "train_images"]
    # weights help the rare digits: a higher worst-class recall than the model as is
    assert runs.loc["class weights (balanced)", "worst_class_recall"] > runs.loc[
        "as is", "worst_class_recall"]


def test_stratified_subset_keeps_every_split_and_class(surfaces):
    part = stratified_subset(surfaces, 60, seed=1)
    assert 60 <= len(part) <= 70
    both = surfaces.samples.groupby(["split", "label"], observed=True).size()
    kept = part.samples.groupby(["split", "label"], observed=True).size()
    assert set(kept.index) == set(both.index)
    assert stratified_subset(surfaces, 60, seed=1).samples.index.equals(part.samples.index)
    assert not stratified_subset(surfaces, 60, seed=2).samples.index.equals(part.samples.index)


def test_unknown_strategy_and_missing_parts(surfaces, digits):
    with pytest.raises(ValueError, match="'strategies' parameter of compare_strategies"):
        compare_strategies(surfaces, strategies=["SMOTE to the capped plan"])
    with pytest.raises(ValueError, match="at least one seed"):
        compare_strategies(digits, seeds=())
    with pytest.raises(ValueError, match="'n_images' parameter"):
        compare_strategies(digits, n_images=10)
    with pytest.raises(ValueError, match="'epochs' parameter"):
        compare_strategies(surfaces, epochs=0)
    with pytest.raises(Lacks, match="chosen_split"):
        compare_strategies(surfaces.replace(samples=surfaces.samples.drop(columns="split")))
