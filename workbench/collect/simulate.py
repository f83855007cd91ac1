"""Which active-learning strategy finds the rare class sooner? Measured on labelled data.

:func:`simulate_active_learning` replays labelling on a dataset whose labels are known:
the train split is the pool, its labels hidden; a small random set is labelled first,
then each round a model trained on the labelled images scores the rest, a strategy of
:func:`workbench.collect.select.select` picks the next batch, and their labels are
revealed. After every round the model is scored on the held-out split. Every strategy
starts from the same labelled set for a given seed, so their curves differ only by
what they picked. The result, with its curves, is an
:class:`~workbench.collect.active_learning_run.ActiveLearningRun`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.collect.active_learning_run import ActiveLearningRun
from workbench.collect.select import STRATEGIES, select
from workbench.collect.strategy_scores import minority_classes
from workbench.errors import Lacks, check_option
from workbench.evaluate.caching import catalog_fingerprint, options_key, write_file_atomically
from workbench.evaluate.hard import rarest_class
from workbench.evaluate.hog_features import cached_probe_features
from workbench.evaluate.intervals import N_BOOT, bootstrap_counts, percentile_interval
from workbench.evaluate.logistic_fit import fit_scores
from workbench.evaluate.models import MODEL_VERSION
from workbench.evaluate.training_data import train_ids_of
from workbench.evaluate.truth import Truth, decide, held_out_split, image_truth, split_ids

SIMULATION_VERSION = 1  # bump when the simulation or a metric changes: old results are not reused
MODELS = ("probe",)
PROBE_C = 0.1  # the baseline probe's regularisation (models.baseline_probe)
EMBEDDING_DIMS = 32  # principal components of the probe features: model input and k-center space
DEFAULT_SHARE = 0.05  # of the pool: the initial labelled set and each round's picks
MIN_POOL = 20
METRICS = ("macro_f1", "rare_recall")


def simulate_active_learning(catalog: Catalog, *, strategies: Sequence[str] = STRATEGIES,
                             rounds: int = 5, per_round: int | None = None,
                             initial: int | None = None, seeds: Sequence[int] = (0, 1, 2),
                             model: str = "probe", cache: bool = True) -> ActiveLearningRun:
    """Replay active learning on the train split and score each round on held-out images.

    The pool is the train split, labels hidden. Each seed draws ``initial`` pool images
    uniformly at random as the labelled start (a uniform draw, not one image per class:
    choosing per class would need the labels that active learning is there to find, and
    would hide the cold start a rare class really has); every strategy starts from it.
    Each round, logistic regression (balanced class weights, ``C=0.1``, as the baseline
    probe) on the probe's HOG and colour features
    (:func:`workbench.evaluate.hog_features.probe_features`, reduced to their first 32
    principal components over the pool's images, fitted without labels; the same
    vectors are the embeddings of ``"diversity"``) is trained on the labelled images and
    scores the rest; :func:`workbench.collect.select.select` picks ``per_round`` of them,
    their labels are revealed, the model is retrained. A strategy's ties and random
    picks are drawn from the seed and the round.

    What is learned: the image ``label`` where every image of the train and held-out
    splits has one (argmax decisions); else which classes each image contains
    (:func:`workbench.catalog.indicator`, from boxes or mask pixels; one model per class,
    a class is predicted at probability 0.5 or more).

    Per (strategy, seed, round), on the held-out split (test, else val): macro F1 over
    the classes it has, and the recall of the rare class (the rarest class of the train
    split, the background left out: :func:`workbench.evaluate.hard.rarest_class`); and
    how many images of the rare class are labelled. The interval in ``to_frame()`` is a
    95% percentile bootstrap over the held-out images of the mean over seeds (400
    replicates, the same ones for every strategy and round). It is chosen over the
    spread across seeds because three seeds say little about a spread, while few
    held-out images of a rare class are what makes its numbers uncertain; the per-seed
    values are in ``runs``. Like the evaluation's intervals, a replicate without any
    held-out image of a class leaves that class out of its macro F1, so with a class of
    one or two held-out images the interval can sit above the mean.

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column holding "train" and "test" or "val"
        (notebook 02: ``workbench.split.chosen_split(catalog)``).
    strategies : sequence of str
        Names of :data:`workbench.collect.select.STRATEGIES` to compare.
    rounds : int
        Labelling rounds after the start.
    per_round : int, optional
        Images labelled per round (default: 5% of the pool, at least 1).
    initial : int, optional
        Images labelled at the start (default: 5% of the pool, at least 2).
    seeds : sequence of int
        One simulation per seed (the start, ties and random picks).
    model : {"probe"}
        The model (the only one for now).
    cache : bool
        Reuse the result stored under ``data_home()/active_learning`` for the same
        data and options (False: compute anew and replace it); the probe features are
        stored under ``data_home()/features``.

    Returns
    -------
    ActiveLearningRun
        Per-seed runs, images acquired, the summary and the design in words.

    Examples
    --------
    >>> from workbench.demo import load_demo
    >>> from workbench.split import chosen_split
    >>> run = simulate_active_learning(chosen_split(load_demo("digits")))  # doctest: +SKIP
    >>> run  # doctest: +SKIP
    ActiveLearningRun(7 strategies x 3 seeds x 5 rounds, rare class '1'; ...)
    """
    names, rounds, seeds = _check_options(strategies, rounds, seeds, model)
    pool_ids = train_ids_of(catalog)
    split = held_out_split(catalog)
    if split is None:
        raise Lacks("Simulating active learning scores every round on a 'test' or 'val' "
                    "split, and this dataset has only a train split. Resplit it: catalog = "
                    "workbench.split.chosen_split(catalog, resplit=True).")
    if len(pool_ids) < MIN_POOL:
        raise Lacks(f"Simulating active learning needs at least {MIN_POOL} train images to "
                    f"pick from; this dataset's train split has {len(pool_ids)}. Use more "
                    "images or a larger train fraction.")
    part = catalog.subset(pool_ids.append(split_ids(catalog, split)))
    truth = image_truth(part, part.samples.index)
    is_pool = (part.samples["split"] == "train").to_numpy()
    n_pool = int(is_pool.sum())
    initial = _check_size("initial", initial, default=max(2, round(DEFAULT_SHARE * n_pool)))
    per_round = _check_size("per_round", per_round,
                            default=max(1, round(DEFAULT_SHARE * n_pool)))
    if initial + rounds * per_round > n_pool:
        raise ValueError(f"The pool has {n_pool:,} train images, and initial={initial} plus "
                         f"{rounds} rounds of per_round={per_round} ask for "
                         f"{initial + rounds * per_round:,}. Lower rounds, per_round or "
                         "initial.")
    rare = rarest_class(catalog, pool_ids)
    options = {"strategies": names, "rounds": rounds, "per_round": per_round,
               "initial": initial, "seeds": seeds, "model": model}
    key = options_key(data=catalog_fingerprint(part),
                      truth=hashlib.sha256(np.packbits(truth.matrix).tobytes()).hexdigest(),
                      single_label=truth.single_label,
                      version=SIMULATION_VERSION, model_version=MODEL_VERSION, **options)
    path = _data_home() / "active_learning" / f"{model}-n{len(part)}-{key}.json"
    if cache and path.is_file():
        stored = json.loads(path.read_text())
        return ActiveLearningRun(**{k: pd.DataFrame(v) if isinstance(v, list) else v
                                    for k, v in stored.items()})
    embeddings = _embeddings(part, is_pool, cache=cache)
    runs, acquired, decisions = _simulate(embeddings, truth, is_pool, rare=rare,
                                          background=catalog.background, **options)
    held = truth.matrix[~is_pool]
    summary = _summary(runs, decisions, held, truth.classes.index(rare))
    n_held = len(held)
    rare_in_pool = int(truth.matrix[is_pool, truth.classes.index(rare)].sum())
    learned = "the image label" if truth.single_label else "which classes each image holds"
    design = (f"{n_pool:,} train images as the pool, labels hidden: {initial} labelled at "
              f"random, then {rounds} rounds of {per_round} picks; logistic regression on "
              f"{embeddings.shape[1]} principal components of HOG and colour features learns "
              f"{learned}, is retrained each round and scored on the {n_held:,} {split} "
              f"images; {len(seeds)} seeds; rare class {rare!r} ({rare_in_pool} pool images)")
    result = ActiveLearningRun(runs=runs, acquired=acquired, summary=summary, rare_class=rare,
                               rare_in_pool=rare_in_pool, design=design)
    stored = {"runs": runs.to_dict("records"), "acquired": acquired.to_dict("records"),
              "summary": summary.to_dict("records"), "rare_class": rare,
              "rare_in_pool": rare_in_pool, "design": design}
    write_file_atomically(path, lambda f: json.dump(stored, f), text=True)
    return result


def _data_home():
    from workbench.demo import data_home

    return data_home()


def _check_options(strategies, rounds, seeds, model):
    names = [strategies] if isinstance(strategies, str) else list(strategies)
    if not names:
        raise ValueError("The 'strategies' parameter of simulate_active_learning needs at "
                         f"least one of {', '.join(map(repr, STRATEGIES))}.")
    for name in names:
        check_option("strategies", name, STRATEGIES, func="simulate_active_learning")
    if not (isinstance(rounds, (int, np.integer)) and not isinstance(rounds, bool)
            and rounds >= 1):
        raise ValueError("The 'rounds' parameter of simulate_active_learning must be a "
                         f"positive integer. Got {rounds!r} instead.")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("The 'seeds' parameter of simulate_active_learning needs at least "
                         "one seed.")
    check_option("model", model, MODELS, func="simulate_active_learning")
    return list(dict.fromkeys(names)), int(rounds), list(dict.fromkeys(seeds))


def _check_size(name: str, value, *, default: int) -> int:
    if value is None:
        return int(default)
    if not (isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1):
        raise ValueError(f"The {name!r} parameter of simulate_active_learning must be a "
                         f"positive integer (or None for 5% of the pool). Got {value!r} "
                         "instead.")
    return int(value)


def _embeddings(part: Catalog, is_pool: np.ndarray, *, cache: bool) -> np.ndarray:
    """The probe features of ``part`` (stored by its fingerprint), standardised over the
    pool and projected on the pool's first principal components."""
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    features = cached_probe_features(part, cache=cache)
    scaler = StandardScaler().fit(features[is_pool])
    dims = min(EMBEDDING_DIMS, int(is_pool.sum()), features.shape[1])
    pca = PCA(n_components=dims, random_state=0).fit(scaler.transform(features[is_pool]))
    return pca.transform(scaler.transform(features))


def _fit(X: np.ndarray, truth: Truth, rows: np.ndarray, *, seed: int) -> np.ndarray:
    """Scores of every image from the probe trained on ``rows``."""
    k = len(truth.classes)
    if truth.single_label:
        y = truth.codes[rows]
        if len(np.unique(y)) < 2:  # one class labelled so far: it is every image's answer
            out = np.zeros((len(X), k))
            out[:, y[0]] = 1.0
            return out
        return fit_scores(X[rows], y, X, k, seed=seed, class_weight="balanced", C=PROBE_C)
    return fit_scores(X[rows], truth.matrix[rows], X, k, seed=seed, class_weight="balanced",
                      C=PROBE_C)


def _round_seed(seed: int, round_: int) -> int:
    return int(np.random.SeedSequence([seed, round_]).generate_state(1)[0])


def _simulate(X, truth: Truth, is_pool, *, rare, background, strategies, rounds, per_round,
              initial, seeds, model):
    """(runs, acquired, held-out decisions per run row), in the rows' order."""
    ids = truth.sample_ids
    classes = list(truth.classes)
    r = classes.index(rare)
    pool_rows = np.flatnonzero(is_pool)
    held = Truth(ids[~is_pool], truth.classes, truth.matrix[~is_pool],
                 None if truth.codes is None else truth.codes[~is_pool])
    runs, acquired, decisions = [], [], []

    def record(name, seed, round_, labelled, scores, new):
        d = decide(scores[~is_pool], held)
        f1, recall = _metrics(np.ones((1, len(d))), held.matrix, d, r)
        runs.append({"strategy": name, "seed": seed, "round": round_,
                     "labelled": len(labelled),
                     "rare_acquired": int(truth.matrix[labelled, r].sum()),
                     "macro_f1": float(f1[0]), "rare_recall": float(recall[0])})
        acquired.extend({"strategy": name, "seed": seed, "round": round_, "sample_id": i}
                        for i in ids[new])
        decisions.append(d)

    for seed in seeds:
        start = pool_rows[np.random.default_rng(seed).permutation(len(pool_rows))[:initial]]
        start_scores = _fit(X, truth, start, seed=seed)
        for name in strategies:
            labelled, scores = start, start_scores
            record(name, seed, 0, labelled, scores, start)
            for round_ in range(1, rounds + 1):
                rest = np.setdiff1d(pool_rows, labelled)  # sorted: the pool's order
                counts = pd.Series(truth.matrix[labelled].sum(axis=0), index=classes)
                minority = minority_classes(counts.drop([background] if background else []))
                picks = select(pd.DataFrame(scores[rest], index=ids[rest], columns=classes),
                               strategy=name, n=per_round, counts=counts,
                               embeddings=X[rest], labelled=X[labelled],
                               minority=minority,
                               multilabel=not truth.single_label,
                               seed=_round_seed(seed, round_))
                new = ids.get_indexer(picks.sample_ids)
                labelled = np.concatenate([labelled, new])
                scores = _fit(X, truth, labelled, seed=seed)
                record(name, seed, round_, labelled, scores, new)
    return pd.DataFrame(runs), pd.DataFrame(acquired), decisions


def _metrics(weights: np.ndarray, truth: np.ndarray, decisions: np.ndarray, rare: int):
    """Macro F1 (over the classes with a held-out image in the sample) and the rare
    class's recall, for each row of ``weights`` (how often each held-out image counts:
    ones for the data as it is, bootstrap counts for replicates). Per class F1 =
    2 TP / (2 TP + FP + FN), scikit-learn's."""
    t, d = truth.astype(float), decisions.astype(float)
    tp, fp, fn = weights @ (t * d), weights @ ((1 - t) * d), weights @ (t * (1 - d))
    support = tp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(support > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
        recall = np.where(support[:, rare] > 0, tp[:, rare] / support[:, rare], np.nan)
    present = (support > 0).any(axis=1)
    macro = np.full(len(weights), np.nan)
    macro[present] = np.nanmean(f1[present], axis=1)
    return macro, recall


def _summary(runs: pd.DataFrame, decisions, held: np.ndarray, rare: int) -> pd.DataFrame:
    """Per strategy and round: means over seeds, and a percentile bootstrap over the
    held-out images of each mean."""
    weights = bootstrap_counts(len(held), n_boot=N_BOOT, seed=0)
    replicates = [_metrics(weights, held, d, rare) for d in decisions]
    rows = []
    for (name, round_), part in runs.groupby(["strategy", "round"], sort=False):
        row = {"strategy": name, "round": round_, "labelled": float(part["labelled"].mean())}
        for m, metric in enumerate(METRICS):
            values = np.stack([replicates[i][m] for i in part.index])  # seeds x replicates
            with np.errstate(invalid="ignore"):
                low, high = percentile_interval(values.mean(axis=0)[:, None])
            row |= {metric: float(part[metric].mean()), f"{metric}_low": float(low[0]),
                    f"{metric}_high": float(high[0])}
        row["rare_acquired"] = float(part["rare_acquired"].mean())
        rows.append(row)
    table = pd.DataFrame(rows)
    table["labelled"] = table["labelled"].astype(int)
    return table
