"""The next batch from a model's scores, an example labelling log, the picks in the App."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.collect import example_log, pick_batch, plan_quotas
from workbench.errors import Lacks
from workbench.evaluate import Predictions


def _catalog():
    # train: 10 images of a, 1 of b (labelled); test (the pool): 6 images
    ids = [f"t{k}" for k in range(11)] + [f"p{k}" for k in range(6)]
    labels = ["a"] * 10 + ["b"] + ["a", "a", "b", "a", "b", "a"]
    samples = pd.DataFrame({"filepath": ids, "width": 8, "height": 8, "label": labels,
                            "split": ["train"] * 11 + ["test"] * 6}, index=ids)
    return Catalog(samples, classes=["a", "b"])


def _predictions(catalog):
    # pool scores for b: p0 .9, p1 .6, p2 .55, p3 .2, p4 .45, p5 .1
    b = pd.Series(0.0, index=catalog.samples.index)
    b[[f"p{k}" for k in range(6)]] = [0.9, 0.6, 0.55, 0.2, 0.45, 0.1]
    return Predictions(classes=("a", "b"), scores=pd.DataFrame({"a": 1 - b, "b": b}),
                       source="hand")


def test_the_batch_comes_from_the_pool_with_quotas_from_the_labelled_counts():
    catalog = _catalog()
    picks = pick_batch(catalog, _predictions(catalog), pool="test", strategy="class_balanced",
                       n=3)
    assert set(picks.sample_ids) <= {f"p{k}" for k in range(6)}
    # labelled: a 10, b 1; water-filling gives b's 3 predicted images first (b: p0, p1, p2)
    assert picks.quotas.to_dict() == {"a": 0, "b": 3}
    # within b, the smallest margin first: p2 (.55), p1 (.6), p0 (.9)
    assert picks.sample_ids == ["p2", "p1", "p0"]
    margin = pick_batch(catalog, _predictions(catalog), pool="test", strategy="margin", n=2)
    assert set(margin.sample_ids) == {"p2", "p4"}  # both 0.1 apart: a seeded tie-break


def test_a_model_without_image_scores_is_said_so():
    catalog = _catalog()
    boxes_only = Predictions(classes=("a", "b"), objects=pd.DataFrame(
        columns=["sample_id", "label", "x", "y", "w", "h", "score"]), source="boxes")
    with pytest.raises(Lacks, match="no image scores"):
        pick_batch(catalog, boxes_only, pool="test")


def test_example_log_follows_the_plan_and_starves_one_source():
    yields = pd.DataFrame({"crack": [0.5, 0.1]}, index=["night", "day"])
    plan = plan_quotas({"crack": 0}, targets={"crack": 10_000}, capacity_per_day=1000,
                       days=20, yields=yields)
    log = example_log(plan, days=20, under="night", fraction=0.3, seed=1)
    assert log.groupby("day")["images"].sum().tolist() == [1000] * 20
    night = log[log["source"] == "night"]
    rate = night["crack"].sum() / night["images"].sum()
    assert rate == pytest.approx(0.15, rel=0.05)  # 30% of 0.5
    assert log.equals(example_log(plan, days=20, under="night", fraction=0.3, seed=1))
    with pytest.raises(ValueError, match="'days' parameter of example_log"):
        example_log(plan, days=21)


@pytest.mark.fiftyone
def test_picks_view_keeps_pick_order_and_adds_hard_negatives_once(fo, small_detection):
    from workbench import browse
    from workbench.evaluate import HardNegatives

    dataset = browse.to_fiftyone(small_detection)
    view = browse.picks_view(dataset, ["c", "a"])
    assert view.values("sample_key") == ["c", "a"]
    hard = HardNegatives("dog", pd.DataFrame({"sample_id": ["a", "b"], "score": [0.9, 0.8]}),
                         "train", "images")
    both = browse.picks_view(dataset, ["c", "a"], hard=hard)
    assert both.values("sample_key") == ["c", "a", "b"]
    from workbench.errors import DataError

    with pytest.raises(DataError, match="not in this FiftyOne dataset"):
        browse.picks_view(dataset, ["zzz"])
    assert np.isfinite(len(view))


def test_a_batch_by_default_is_24_class_balanced_seed_0_and_names_unscored_images():
    from workbench.collect.select import select

    # a pool of 30 images with random scores
    rng = np.random.default_rng(1)
    ids = [f"t{k}" for k in range(6)] + [f"p{k:02}" for k in range(30)]
    labels = ["a"] * 5 + ["b"] + list(rng.choice(["a", "b", "c"], 30))
    samples = pd.DataFrame({"filepath": ids, "width": 8, "height": 8, "label": labels,
                            "split": ["train"] * 6 + ["pool"] * 30}, index=ids)
    catalog = Catalog(samples, classes=["a", "b", "c"])
    scores = pd.DataFrame(rng.dirichlet([1, 1, 1], len(ids)), index=ids, columns=["a", "b", "c"])
    predictions = Predictions(classes=("a", "b", "c"), scores=scores, source="hand")
    picks = pick_batch(catalog, predictions, pool="pool")
    counts = pd.Series({"a": 5, "b": 1, "c": 0})
    reference = select(scores.loc[[f"p{k:02}" for k in range(30)]], strategy="class_balanced",
                       n=24, counts=counts, seed=0)
    assert picks.sample_ids == reference.sample_ids and len(picks.sample_ids) == 24
    assert picks.quotas.to_dict() == reference.quotas.to_dict()
    other = pick_batch(catalog, predictions, pool="pool", strategy="random", n=5, seed=2)
    assert other.sample_ids == select(scores.loc[[f"p{k:02}" for k in range(30)]],
                                      strategy="random", n=5, counts=counts, seed=2).sample_ids
    holes = predictions.scores.copy()
    holes.loc[["p03", "p07"], "b"] = np.nan
    with pytest.raises(Lacks, match=r"2 pool images have no score \(e.g. 'p03'\)"):
        pick_batch(catalog, Predictions(classes=("a", "b", "c"), scores=holes, source="hand"),
                   pool="pool")
