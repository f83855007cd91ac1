"""simulate_active_learning: labelling replayed on a small labelled pool."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from sklearn.metrics import f1_score, recall_score

import workbench.collect.simulate as simulate_module
from workbench.catalog import Catalog, indicator
from workbench.collect.active_learning_run import ActiveLearningRun
from workbench.collect.select import STRATEGIES
from workbench.collect.simulate import _metrics, _summary, simulate_active_learning
from workbench.errors import Lacks
from workbench.evaluate.intervals import N_BOOT, bootstrap_counts

# One worker runs the module (make test runs three): its module fixtures (trained models,
# simulations) are built once, not once per worker.
pytestmark = [pytest.mark.filterwarnings("ignore::workbench.errors.DataWarning"),
              pytest.mark.xdist_group("collect_simulate")]

# train: 45 common, 17 mid, 8 rare; test: 18, 8, 4
SIZES = {"train": {"common": 45, "mid": 17, "rare": 8}, "test": {"common": 18, "mid": 8, "rare": 4}}
LEVELS = {"common": 60, "mid": 130, "rare": 200}
OPTIONS = {"rounds": 3, "per_round": 4, "initial": 5, "seeds": (0, 1)}


def _images(root, seed: int = 0) -> pd.DataFrame:
    """Grey 32x32 images: a square in the class's level on noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for split, sizes in SIZES.items():
        for cls, n in sizes.items():
            for i in range(n):
                image = rng.normal(110, 30, (32, 32, 3))
                image[8:24, 8:24] = LEVELS[cls] + rng.normal(0, 10, (16, 16, 3))
                path = root / f"{split}_{cls}_{i:02d}.png"
                Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(path)
                rows.append({"sample_id": path.stem, "filepath": str(path), "width": 32,
                             "height": 32, "label": cls, "split": split})
    return pd.DataFrame(rows).set_index("sample_id")


@pytest.fixture(scope="module")
def pool(tmp_path_factory) -> Catalog:
    return Catalog(_images(tmp_path_factory.mktemp("pool")), classes=["common", "mid", "rare"])


@pytest.fixture(scope="module")
def run(pool) -> ActiveLearningRun:
    return simulate_active_learning(pool, cache=False, **OPTIONS)


def test_every_strategy_and_seed_runs_its_rounds(run):
    runs = run.runs
    assert list(dict.fromkeys(runs["strategy"])) == list(STRATEGIES)
    assert "random" in set(runs["strategy"])
    assert len(runs) == len(STRATEGIES) * 2 * (3 + 1)
    assert (runs["labelled"] == 5 + 4 * runs["round"]).all()
    assert run.rare_class == "rare" and run.rare_in_pool == 8
    values = runs[["macro_f1", "rare_recall"]].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    assert repr(run).startswith("ActiveLearningRun(7 strategies x 2 seeds x 3 rounds, "
                                "rare class 'rare'; macro F1 at 17 labelled: best ")
    assert "70 train images as the pool" in run.design and "30 test images" in run.design
    assert "learns the image label" in run.design


def test_rounds_add_exactly_per_round_new_train_images(run, pool):
    acquired = run.acquired
    per_round = acquired.groupby(["strategy", "seed", "round"]).size()
    assert (per_round.xs(0, level="round") == 5).all()
    assert (per_round.drop(0, level="round") == 4).all()
    assert not acquired.duplicated(["strategy", "seed", "sample_id"]).any()  # never twice
    split = pool.samples.loc[acquired["sample_id"], "split"]
    assert (split == "train").all()  # only pool images, never a test image


def test_the_model_trains_on_the_labelled_images_and_is_scored_on_the_test(pool, monkeypatch):
    sizes, outputs = [], []
    original = simulate_module.fit_scores

    def spy(X_train, targets, X, n_classes, **options):
        sizes.append(len(X_train))
        assert len(X) == len(pool)  # scores every pool and test image
        outputs.append(original(X_train, targets, X, n_classes, **options))
        return outputs[-1]

    monkeypatch.setattr(simulate_module, "fit_scores", spy)
    run = simulate_active_learning(pool, strategies=("margin", "random"), cache=False,
                                   **OPTIONS)
    # per seed: the start once, then 3 rounds for each of 2 strategies
    assert sizes == [5, 9, 13, 17, 9, 13, 17] * 2
    # each row's metrics are those of its model's argmax on the 30 test images
    test = (pool.samples["split"] == "test").to_numpy()
    codes = pool.samples["label"].cat.codes.to_numpy()[test]
    fit_of_row = [0, 1, 2, 3, 0, 4, 5, 6]  # margin rounds 0-3, random rounds 0-3
    for i, row in run.runs.iterrows():
        scores = outputs[7 * (i // 8) + fit_of_row[i % 8]][test]
        predicted = scores.argmax(axis=1)
        assert row["macro_f1"] == pytest.approx(f1_score(codes, predicted, average="macro"))
        assert row["rare_recall"] == pytest.approx(recall_score(codes == 2, predicted == 2))


def test_rare_acquired_counts_the_rare_images_labelled_so_far(run, pool):
    acquired = run.acquired.assign(
        rare=lambda t: (pool.samples.loc[t["sample_id"], "label"] == "rare").to_numpy())
    per_round = acquired.groupby(["strategy", "seed", "round"], sort=False)["rare"].sum()
    expected = per_round.groupby(["strategy", "seed"], sort=False).cumsum()
    got = run.runs.set_index(["strategy", "seed", "round"])["rare_acquired"]
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False,
                                   check_dtype=False)
    steps = run.runs.groupby(["strategy", "seed"])["rare_acquired"].diff().dropna()
    assert (steps >= 0).all()


def test_every_strategy_starts_from_the_same_random_set(run):
    start = run.acquired[run.acquired["round"] == 0]
    for _seed, part in start.groupby("seed"):
        sets = part.groupby("strategy")["sample_id"].apply(frozenset)
        assert sets.nunique() == 1
    by_seed = start.groupby("seed")["sample_id"].apply(frozenset)
    assert by_seed[0] != by_seed[1]
    first = run.runs[run.runs["round"] == 0]
    assert first.groupby("seed")["macro_f1"].nunique().eq(1).all()


def test_the_same_seeds_give_identical_runs_whatever_else_runs(run, pool):
    some = ("diversity", "random")  # run alone, they pick what they picked beside the others
    again = simulate_active_learning(pool, cache=False, **{**OPTIONS, "strategies": some})
    for name in ("runs", "acquired"):
        expected = getattr(run, name)
        expected = expected[expected["strategy"].isin(some)].reset_index(drop=True)
        pd.testing.assert_frame_equal(getattr(again, name), expected)
    summary = run.to_frame()
    pd.testing.assert_frame_equal(again.to_frame(),
                                  summary[summary["strategy"].isin(some)].reset_index(drop=True))


def test_a_cache_hit_returns_equal_frames_without_simulating(pool, monkeypatch):
    options = {**OPTIONS, "strategies": ("entropy", "random"), "seeds": (3,)}
    first = simulate_active_learning(pool, **options)

    def fail(*args, **kwargs):
        raise AssertionError("simulated again instead of reading the cache")

    monkeypatch.setattr(simulate_module, "_simulate", fail)
    second = simulate_active_learning(pool, **options)
    for name in ("runs", "acquired"):
        pd.testing.assert_frame_equal(getattr(second, name), getattr(first, name))
    pd.testing.assert_frame_equal(second.to_frame(), first.to_frame())
    assert (second.rare_class, second.rare_in_pool, second.design) == (
        first.rare_class, first.rare_in_pool, first.design)
    with pytest.raises(AssertionError, match="simulated again"):  # other options: no hit
        simulate_active_learning(pool, **{**options, "rounds": 2})


def test_summary_is_the_mean_over_seeds_with_an_interval_around_it(run):
    table = run.to_frame()
    assert len(table) == len(STRATEGIES) * 4
    means = run.runs.groupby(["strategy", "round"], sort=False)[
        ["macro_f1", "rare_recall", "rare_acquired"]].mean().reset_index()
    for column in ("macro_f1", "rare_recall", "rare_acquired"):
        assert table[column].to_numpy() == pytest.approx(means[column].to_numpy())
    assert (table["macro_f1_low"] <= table["macro_f1_high"]).all()
    assert (table["macro_f1_high"] > table["macro_f1_low"]).any()  # 30 images: not a point


def test_summary_bootstraps_the_mean_over_seeds():
    held = np.eye(2, dtype=bool)[[0, 0, 0, 1, 1, 0]]
    decisions = [np.eye(2, dtype=bool)[d] for d in
                 ([0, 0, 1, 1, 0, 0], [0, 1, 1, 1, 1, 0], [0, 0, 0, 1, 1, 0])]
    runs = pd.DataFrame({"strategy": "margin", "seed": [0, 1, 2], "round": 0,
                         "labelled": 5, "rare_acquired": [1, 2, 6]})
    metrics = [_metrics(np.ones((1, 6)), held, d, rare=1) for d in decisions]
    runs["macro_f1"] = [m[0][0] for m in metrics]
    runs["rare_recall"] = [m[1][0] for m in metrics]
    table = _summary(runs, decisions, held, 1)
    weights = bootstrap_counts(6, n_boot=N_BOOT, seed=0)
    replicates = [_metrics(weights, held, d, rare=1) for d in decisions]
    row = table.iloc[0]
    assert row["rare_acquired"] == 3.0 and row["labelled"] == 5
    assert row["rare_recall"] == pytest.approx(np.mean([0.5, 1.0, 1.0]))
    for m, metric in enumerate(("macro_f1", "rare_recall")):
        seed_mean = np.mean([r[m] for r in replicates], axis=0)
        low, high = np.nanpercentile(seed_mean, [2.5, 97.5])
        assert (row[f"{metric}_low"], row[f"{metric}_high"]) == pytest.approx((low, high))
    assert row["macro_f1"] == pytest.approx(runs["macro_f1"].mean())


def test_metrics_equal_scikit_learn():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, 60)
    codes[:3] = 3
    predicted = np.where(rng.random(60) < 0.6, codes, rng.integers(0, 4, 60))
    truth, decisions = np.eye(4, dtype=bool)[codes], np.eye(4, dtype=bool)[predicted]
    f1, recall = _metrics(np.ones((1, 60)), truth, decisions, rare=3)
    assert f1[0] == pytest.approx(f1_score(codes, predicted, average="macro"))
    assert recall[0] == pytest.approx(recall_score(codes == 3, predicted == 3))
    several = rng.random((60, 3)) < 0.3
    several[:, 2] = False  # a class no image has: left out of the average
    guesses = rng.random((60, 3)) < 0.4
    f1, _ = _metrics(np.ones((1, 60)), several, guesses, rare=0)
    assert f1[0] == pytest.approx(f1_score(several[:, :2], guesses[:, :2], average="macro"))
    counts = np.bincount(rng.integers(0, 60, 60), minlength=60)[None, :]  # one replicate
    rows = np.repeat(np.arange(60), counts[0])
    f1, _ = _metrics(counts, truth, decisions, rare=3)
    present = np.unique(codes[rows])
    assert f1[0] == pytest.approx(f1_score(codes[rows], predicted[rows], labels=present,
                                           average="macro"))


def test_several_labels_per_image_from_boxes(tmp_path):
    import shapes

    from workbench.sources import load

    catalog = load(shapes.yolo(tmp_path, n_train=30, n_val=12))  # no image labels
    options = {"strategies": ("margin", "class_balanced", "random"), "rounds": 2,
               "per_round": 3, "initial": 4, "seeds": (0,), "cache": False}
    run = simulate_active_learning(catalog, **options)
    assert "which classes each image holds" in run.design and "12 val images" in run.design
    train = catalog.samples["split"] == "train"
    assert run.rare_class == indicator(catalog)[train].sum().idxmin()  # by images, not boxes
    assert (run.runs["labelled"] == 4 + 3 * run.runs["round"]).all()
    ids = run.acquired["sample_id"]
    assert (catalog.samples.loc[ids, "split"] == "train").all()


def test_the_plot_shows_both_panels_with_random_dashed(run):
    fig = run.plot()
    width, height = fig.get_size_inches()
    assert width >= 10 and height >= 4
    f1_axes, rare_axes = fig.axes[:2]
    lines = {line.get_label(): line for line in f1_axes.get_lines()}
    assert set(STRATEGIES) <= set(lines)
    assert lines["random"].get_linestyle() == "--"
    assert lines["margin"].get_linestyle() == "-"
    assert len(f1_axes.collections) == len(STRATEGIES)  # one band per strategy
    random_f1 = run.to_frame().query("strategy == 'random'")["macro_f1"].to_numpy()
    assert lines["random"].get_ydata() == pytest.approx(random_f1)
    assert "'rare'" in rare_axes.get_title()
    assert min(t.get_fontsize() for t in [*f1_axes.get_xticklabels(),
                                          f1_axes.xaxis.label, fig.legends[0].texts[0]]) >= 9


def test_missing_splits_and_too_few_images_are_lacks(pool):
    no_split = pool.replace(samples=pool.samples.drop(columns="split"))
    with pytest.raises(Lacks, match="needs a 'train' split"):
        simulate_active_learning(no_split)
    train_only = pool.replace(samples=pool.samples.assign(split="train"))
    with pytest.raises(Lacks, match="only a train split.*chosen_split"):
        simulate_active_learning(train_only)
    tiny = pool.subset(pool.samples.index[pool.samples["split"] == "test"].tolist()
                       + pool.samples.index[:12].tolist())
    with pytest.raises(Lacks, match="at least 20 train images.*has 12"):
        simulate_active_learning(tiny)


def test_bad_options_name_the_parameter(pool):
    with pytest.raises(ValueError, match="'strategies' parameter of simulate_active_learning "
                                         "must be one of"):
        simulate_active_learning(pool, strategies=("margin", "coreset"))
    with pytest.raises(ValueError, match="70 train images.*ask for 95"):
        simulate_active_learning(pool, initial=5, rounds=3, per_round=30)
    with pytest.raises(ValueError, match="'rounds' parameter"):
        simulate_active_learning(pool, rounds=0)
    with pytest.raises(ValueError, match="'model' parameter"):
        simulate_active_learning(pool, model="cnn")
