"""select: active-learning picks from a pool's scores, checked by hand and against
scikit-activeml."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skactiveml.base import SkactivemlClassifier
from skactiveml.pool import CoreSet, UncertaintySampling

from workbench.collect.select import STRATEGIES, Picks, balanced_quotas, select
from workbench.collect.strategy_scores import minority_classes, uncertainty

# Five images, three classes; top-2 gaps a .05, b .85, c .10, d .40, e .07;
# 1 - top probability: a .50, b .10, c .60, d .40, e .55.
HAND = pd.DataFrame([[0.50, 0.45, 0.05], [0.90, 0.05, 0.05], [0.40, 0.30, 0.30],
                     [0.60, 0.20, 0.20], [0.45, 0.38, 0.17]],
                    index=list("abcde"), columns=["cat", "dog", "fox"])


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.nansum(p * np.log(p), axis=1)


def test_margin_picks_the_smallest_top_two_gaps_in_order():
    picks = select(HAND, strategy="margin", n=3)
    assert picks.sample_ids == ["a", "e", "c"]
    frame = picks.to_frame()
    assert frame["rank"].tolist() == [1, 2, 3]
    assert frame["score"].to_numpy() == pytest.approx([0.95, 0.93, 0.90])  # 1 - gap
    assert frame["predicted"].tolist() == ["cat", "cat", "cat"]
    assert "quota_class" not in frame.columns


def test_least_confidence_ranks_by_the_top_probability():
    picks = select(HAND, strategy="least_confidence", n=5)
    assert picks.sample_ids == ["c", "e", "a", "d", "b"]
    assert picks.to_frame()["score"].to_numpy() == pytest.approx([0.60, 0.55, 0.50, 0.40, 0.10])


def test_entropy_and_least_confidence_disagree_where_they_should():
    # x: two classes tied (top .5); y: spread over three (top .55) but more entropy.
    scores = pd.DataFrame([[0.5, 0.5, 0.0], [0.55, 0.25, 0.20]], index=["x", "y"],
                          columns=list("abc"))
    assert select(scores, strategy="least_confidence", n=1).sample_ids == ["x"]
    assert select(scores, strategy="entropy", n=1).sample_ids == ["y"]
    assert select(scores, strategy="margin", n=1).sample_ids == ["x"]
    entropy = select(HAND, strategy="entropy", n=5).to_frame()
    expected = _entropy(HAND.to_numpy())
    assert entropy["sample_id"].tolist() == list(HAND.index[np.argsort(-expected)])
    assert entropy["score"].to_numpy() == pytest.approx(np.sort(expected)[::-1])


class GivenProbabilities(SkactivemlClassifier):
    """A scikit-activeml classifier that returns fixed probabilities: row X[i, 0]."""

    def __init__(self, probabilities=None, classes=None, missing_label=np.nan):
        super().__init__(classes=classes, missing_label=missing_label)
        self.probabilities = probabilities

    def fit(self, X, y, sample_weight=None):
        return self

    def predict_proba(self, X):
        return self.probabilities[np.asarray(X)[:, 0].astype(int)]


@pytest.mark.parametrize(("strategy", "method"), [("least_confidence", "least_confident"),
                                                  ("margin", "margin_sampling"),
                                                  ("entropy", "entropy")])
def test_uncertainty_rankings_equal_scikit_activeml_uncertainty_sampling(strategy, method):
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(4), size=40)
    scores = pd.DataFrame(p, index=[f"s{i:02d}" for i in range(40)], columns=list("abcd"))
    clf = GivenProbabilities(probabilities=p, classes=[0, 1, 2, 3])
    X = np.arange(40, dtype=float)[:, None]
    queried, utilities = UncertaintySampling(method=method, random_state=0).query(
        X, np.full(40, np.nan), clf, fit_clf=False, batch_size=40, return_utilities=True)
    picks = select(scores, strategy=strategy, n=40)
    assert picks.sample_ids == scores.index[queried].tolist()
    assert picks.to_frame()["score"].to_numpy() == pytest.approx(utilities[0][queried])


def test_multilabel_scores_are_yes_no_questions_per_class():
    # Rows do not sum to 1: each column is "contains the class".
    # x: one class at .5 (most uncertain single class); y: three classes at .3.
    scores = pd.DataFrame([[0.5, 0.0, 0.0], [0.3, 0.3, 0.3], [0.95, 0.9, 0.02]],
                          index=["x", "y", "z"], columns=list("abc"))
    least = select(scores, strategy="least_confidence", n=3)
    assert least.sample_ids == ["x", "y", "z"]
    assert least.to_frame()["score"].to_numpy() == pytest.approx([0.5, 0.3, 0.1])
    margin = select(scores, strategy="margin", n=3).to_frame()
    assert margin["score"].to_numpy() == pytest.approx([1.0, 0.6, 0.2])  # 1 - |2p - 1|
    entropy = select(scores, strategy="entropy", n=3).to_frame()  # summed over classes

    def h(q):
        return -(q * np.log(q) + (1 - q) * np.log(1 - q))
    assert entropy["sample_id"].tolist() == ["y", "x", "z"]
    assert entropy["score"].to_numpy() == pytest.approx(
        [3 * h(0.3), np.log(2), h(0.95) + h(0.9) + h(0.02)])
    # the same rows read as single-label would be refused: they do not sum to 1
    with pytest.raises(ValueError, match="multilabel=False needs rows that sum to 1"):
        select(scores, strategy="margin", n=1, multilabel=False)


def test_multilabel_flag_overrides_rows_that_happen_to_sum_to_one():
    scores = pd.DataFrame([[0.5, 0.5], [0.9, 0.1]], index=["x", "y"], columns=["a", "b"])
    as_single = select(scores, strategy="least_confidence", n=2).to_frame()["score"]
    as_multi = select(scores, strategy="least_confidence", n=2, multilabel=True
                      ).to_frame()["score"]
    assert as_single.tolist() == pytest.approx([0.5, 0.1])
    assert as_multi.tolist() == pytest.approx([0.5, 0.1])
    entropy_multi = select(scores, strategy="entropy", n=2, multilabel=True).to_frame()
    assert entropy_multi["score"].iloc[0] == pytest.approx(2 * np.log(2))  # both classes


def test_minority_classes_below_the_median_or_the_rarest():
    assert minority_classes(pd.Series({"a": 50, "b": 3, "c": 10, "d": 0})) == ["b", "d"]
    assert minority_classes(pd.Series({"a": 5, "b": 5, "c": 5})) == ["a"]
    assert minority_classes(pd.Series({"a": 9, "b": 1, "c": 5})) == ["b"]


def test_predicted_minority_ranks_by_the_chance_of_a_minority_class():
    scores = pd.DataFrame([[0.7, 0.1, 0.1, 0.1], [0.2, 0.05, 0.7, 0.05],
                           [0.4, 0.3, 0.0, 0.3], [0.1, 0.5, 0.4, 0.0]],
                          index=["p", "q", "r", "s"], columns=list("abcd"))
    counts = pd.Series({"a": 50, "b": 3, "c": 10, "d": 0})  # minority: b and d
    picks = select(scores, strategy="predicted_minority", n=4, counts=counts)
    assert picks.sample_ids == ["r", "s", "p", "q"]
    assert picks.to_frame()["score"].to_numpy() == pytest.approx([0.6, 0.5, 0.2, 0.1])
    only_c = select(scores, strategy="predicted_minority", n=2, minority=["c"])
    assert only_c.sample_ids == ["q", "s"]
    multi = pd.DataFrame([[0.5, 0.5, 0.9, 0.5], [0.1, 0.8, 0.0, 0.0]],
                         index=["m", "n"], columns=list("abcd"))
    frame = select(multi, strategy="predicted_minority", n=2, counts=counts).to_frame()
    assert frame["sample_id"].tolist() == ["n", "m"]  # the sum would put m (1.0) first
    assert frame["score"].to_numpy() == pytest.approx([0.8, 0.75])  # 1 - (1-p_b)(1-p_d)
    with pytest.raises(ValueError, match="needs the minority classes"):
        select(scores, strategy="predicted_minority", n=1)


def test_balanced_quotas_water_fill_the_fewest_labels_first():
    counts, available = np.array([10, 2, 0, 5]), np.array([5, 1, 3, 4])
    # level 9: c capped at 3, b at 1, d 5 -> 9; a stays at 10
    assert balanced_quotas(counts, available, 8).tolist() == [0, 1, 3, 4]
    assert balanced_quotas(counts, available, 9).tolist() == [1, 1, 3, 4]
    assert balanced_quotas(counts, available, 100).tolist() == [5, 1, 3, 4]  # all there is
    assert balanced_quotas(np.zeros(3), np.array([3, 3, 3]), 4).tolist() == [2, 1, 1]
    assert balanced_quotas(np.zeros(3), np.array([5, 1, 0]), 6).tolist() == [5, 1, 0]
    assert balanced_quotas(counts, available, 0).tolist() == [0, 0, 0, 0]


def _row(top: int, margin: float, other: int, k: int = 4) -> list[float]:
    p = [0.0] * k
    p[top], p[other] = (1 + margin) / 2, (1 - margin) / 2
    return p


def test_class_balanced_fills_quotas_round_robin_smallest_margin_first():
    a, b, c, d = range(4)
    rows = {"a1": _row(a, .5, b), "a2": _row(a, .02, b), "a3": _row(a, .6, b),
            "a4": _row(a, .7, b), "a5": _row(a, .8, b),
            "b1": _row(b, .2, a),
            "c1": _row(c, .1, a), "c2": _row(c, .3, a), "c3": _row(c, .2, a),
            "d1": _row(d, .05, a), "d2": _row(d, .4, a), "d3": _row(d, .15, a),
            "d4": _row(d, .25, a)}
    scores = pd.DataFrame(list(rows.values()), index=list(rows), columns=list("abcd"))
    counts = pd.Series({"a": 10, "b": 2, "c": 0, "d": 5})
    picks = select(scores, strategy="class_balanced", n=8, counts=counts)
    assert picks.quotas.to_dict() == {"a": 0, "b": 1, "c": 3, "d": 4}
    # first of each class (fewest labels first: c, b, d), then the seconds, ...
    assert picks.sample_ids == ["c1", "b1", "d1", "c3", "d3", "c2", "d4", "d2"]
    frame = picks.to_frame()
    assert frame["quota_class"].tolist() == list("cbdcdcdd")
    assert frame["score"].to_numpy() == pytest.approx(1 - np.array(
        [.1, .2, .05, .2, .15, .3, .25, .4]))
    assert "quotas b 1, c 3, d 4" in repr(picks)
    # no counts: equal quotas, 'a2' (the smallest margin of all) comes first
    equal = select(scores, strategy="class_balanced", n=4)
    assert equal.quotas.to_dict() == {"a": 1, "b": 1, "c": 1, "d": 1}
    assert sorted(equal.sample_ids) == ["a2", "b1", "c1", "d1"]


def test_class_balanced_keys_multilabel_images_by_their_rarest_predicted_class():
    # x: platelet at exactly 0.5 counts as contained; v contains nothing (argmax: wbc)
    scores = pd.DataFrame([[0.9, 0.8, 0.1], [0.95, 0.1, 0.5], [0.9, 0.2, 0.1],
                           [0.8, 0.1, 0.1], [0.3, 0.4, 0.1]], index=["w", "x", "y", "z", "v"],
                          columns=["rbc", "wbc", "platelet"])
    counts = pd.Series({"rbc": 20, "wbc": 10, "platelet": 2})
    frame = select(scores, strategy="class_balanced", n=5, counts=counts).to_frame()
    keyed = dict(zip(frame["sample_id"], frame["quota_class"], strict=True))
    assert keyed == {"w": "wbc", "x": "platelet", "y": "rbc", "z": "rbc", "v": "wbc"}
    assert frame["predicted"].tolist().count("rbc") == 4  # the argmax says rbc for four
    assert frame["sample_id"].iloc[0] == "x"  # the platelet quota fills first
    # without counts, rarest by the pool's summed probabilities (platelet 0.9, wbc 1.6)
    unsorted = select(scores, strategy="class_balanced", n=5).to_frame()
    assert dict(zip(unsorted["sample_id"], unsorted["quota_class"], strict=True)) == keyed


def _greedy_k_center(X, centres, n, first=None):
    """Farthest-first traversal, the textbook way (a reference, loops allowed here)."""
    picked = [] if first is None else [first]
    chosen = list(centres) + [X[first]] * (first is not None)
    while len(picked) < n:
        dist = np.array([min(np.linalg.norm(x - c) for c in chosen) for x in X])
        dist[picked] = -1
        picked.append(int(dist.argmax()))
        chosen.append(X[picked[-1]])
    return picked


def test_diversity_is_greedy_k_center_from_the_labelled_images():
    # labelled at the origin; pool A(1,0) B(4,0) C(10,0) D(10,3) E(6,0):
    # D is farthest (10.44); then E (5 from D), C (3 from D), B (2 from E), A (1).
    embeddings = pd.DataFrame([[1, 0], [4, 0], [10, 0], [10, 3], [6, 0]],
                              index=list("ABCDE"), dtype=float)
    scores = pd.DataFrame(0.5, index=list("ABCDE"), columns=["x", "y"])
    picks = select(scores, strategy="diversity", n=5, embeddings=embeddings,
                   labelled=np.array([[0.0, 0.0]]))
    assert picks.sample_ids == ["D", "E", "C", "B", "A"]
    assert picks.to_frame()["score"].to_numpy() == pytest.approx([np.sqrt(109), 5, 3, 2, 1])
    # the embeddings follow the scores' index, not their own row order
    shuffled = embeddings.loc[list("EDCBA")]
    assert select(scores, strategy="diversity", n=5, embeddings=shuffled,
                  labelled=np.array([[0.0, 0.0]])).sample_ids == picks.sample_ids


def test_diversity_equals_scikit_activeml_coreset_and_the_textbook_greedy():
    rng = np.random.default_rng(3)
    X, labelled = rng.normal(size=(30, 2)), rng.normal(size=(4, 2))
    scores = pd.DataFrame(0.5, index=[f"s{i}" for i in range(30)], columns=["a", "b"])
    picks = select(scores, strategy="diversity", n=8, embeddings=X, labelled=labelled,
                   seed=5)
    y = np.concatenate([np.full(30, np.nan), np.zeros(4)])
    expected = CoreSet(random_state=5).query(np.vstack([X, labelled]), y,
                                             candidates=np.arange(30), batch_size=8)
    assert picks.sample_ids == [f"s{i}" for i in expected]
    assert picks.sample_ids == [f"s{i}" for i in _greedy_k_center(X, labelled, 8)]
    # without a labelled set: a seeded first pick, then farthest-first from it
    cold = select(scores, strategy="diversity", n=6, embeddings=X, seed=1)
    first = int(cold.sample_ids[0][1:])
    assert cold.sample_ids == [f"s{i}" for i in _greedy_k_center(X, [], 6, first=first)]


def test_random_is_seeded_uniform_and_differs_across_seeds():
    scores = pd.DataFrame(np.full((50, 2), 0.5), index=[f"s{i}" for i in range(50)],
                          columns=["a", "b"])
    one = select(scores, strategy="random", n=10, seed=1)
    assert one.sample_ids == select(scores, strategy="random", n=10, seed=1).sample_ids
    assert one.sample_ids != select(scores, strategy="random", n=10, seed=2).sample_ids
    assert len(set(one.sample_ids)) == 10 and set(one.sample_ids) <= set(scores.index)
    assert one.to_frame()["score"].isna().all()
    # uniform: over many seeds every image is picked about n/pool of the time
    hits = pd.Series([i for s in range(300)
                      for i in select(scores, strategy="random", n=10, seed=s).sample_ids])
    assert hits.value_counts().reindex(scores.index).between(35, 85).all()  # expected 60


def test_ties_are_broken_by_the_seed():
    scores = pd.DataFrame(np.full((20, 2), 0.5), index=[f"s{i}" for i in range(20)],
                          columns=["a", "b"])
    by_seed = {s: select(scores, strategy="margin", n=5, seed=s).sample_ids for s in (0, 1)}
    assert by_seed[0] == select(scores, strategy="margin", n=5, seed=0).sample_ids
    assert by_seed[0] != by_seed[1]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_takes_the_whole_pool_when_asked_for_more(strategy):
    picks = select(HAND, strategy=strategy, n=9, counts=pd.Series({"cat": 3, "dog": 1}),
                   embeddings=np.arange(10.0).reshape(5, 2))
    assert isinstance(picks, Picks)
    assert sorted(picks.sample_ids) == list("abcde")
    assert repr(picks).startswith(f"Picks({strategy}: the whole pool of 5 images (9 asked)")
    assert select(HAND, strategy=strategy, n=0, counts=pd.Series({"cat": 1}),
                  embeddings=np.zeros((5, 2))).sample_ids == []
    empty = select(HAND.iloc[:0], strategy=strategy, n=3, counts=pd.Series({"cat": 1}),
                   embeddings=np.zeros((0, 2)))
    assert empty.sample_ids == [] and len(empty.to_frame()) == 0


def test_bad_options_say_what_is_allowed():
    with pytest.raises(ValueError, match="'strategy' parameter of select must be one of "
                                         "'least_confidence', 'margin'"):
        select(HAND, strategy="uncertainty", n=2)
    with pytest.raises(ValueError, match="'n' parameter of select must be an integer >= 0"):
        select(HAND, strategy="margin", n=-1)
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        select(HAND * 2, strategy="margin", n=1)
    with pytest.raises(ValueError, match="diversity needs embeddings"):
        select(HAND, strategy="diversity", n=1)
    with pytest.raises(ValueError, match="no row for 1 pool images"):
        select(HAND, strategy="diversity", n=1,
               embeddings=pd.DataFrame(np.zeros((4, 2)), index=list("abcd")))
    with pytest.raises(ValueError, match="names 'owl'"):
        select(HAND, strategy="class_balanced", n=1, counts=pd.Series({"owl": 1}))
    with pytest.raises(TypeError, match="must be a DataFrame"):
        select(HAND.to_numpy(), strategy="margin", n=1)


def test_uncertainty_scores_one_value_per_row():
    p = np.array([[0.5, 0.3, 0.2], [0.7, 0.3, 0.0]])
    assert uncertainty(p, method="least_confidence").tolist() == pytest.approx([0.5, 0.3])
    assert uncertainty(p, method="margin").tolist() == pytest.approx([0.8, 0.6])


@pytest.mark.parametrize("counts, available, n, quotas", [
    ([10, 2, 0, 5], [5, 1, 3, 4], 8, [0, 1, 3, 4]),
    ([3, 0, 0], [2, 2, 2], 1, [0, 1, 0]),        # one pick: the earlier of the tied fewest
    ([3, 0, 0], [2, 2, 2], 0, [0, 0, 0]),
    ([0, 0], [1, 5], 4, [1, 3]),                 # a's one candidate, the rest to b
    ([5, 0], [10, 10], 3, [0, 3]),               # b fills up first
    ([0, 0, 0], [1, 1, 1], 2, [1, 1, 0]),        # level 2/3 each, rounded to the earlier
    ([0, 0], [1, 1], 5, [1, 1]),                 # more picks than candidates
])
def test_balanced_quotas_by_hand(counts, available, n, quotas):
    from workbench.collect.select import balanced_quotas

    out = balanced_quotas(np.array(counts, dtype=float), np.array(available, dtype=float), n)
    assert out.tolist() == quotas and out.dtype == np.int64


def test_the_default_seed_is_zero_and_a_pool_asked_in_full_is_taken_in_full():
    scores = pd.DataFrame(np.full((20, 2), 0.5), index=[f"s{i}" for i in range(20)],
                          columns=["a", "b"])
    assert select(scores, strategy="random", n=5).sample_ids == select(
        scores, strategy="random", n=5, seed=0).sample_ids
    assert select(scores, strategy="margin", n=5).sample_ids == select(
        scores, strategy="margin", n=5, seed=0).sample_ids
    exact = select(scores, strategy="margin", n=20)  # exactly the pool: no "whole pool" note
    assert repr(exact).startswith("Picks(margin: 20 of 20 pool images")


def test_scores_as_text_are_refused_by_name_and_nullable_counts_are_read():
    from workbench.collect.strategy_scores import minority_classes

    scores = pd.DataFrame({"a": ["x", "0.5"], "b": ["0.5", "0.5"]}, index=["s0", "s1"])
    with pytest.raises(ValueError, match="must hold numbers"):
        select(scores, strategy="margin", n=1)
    counts = pd.Series({"a": 40, "b": 3, "c": 9}, dtype="Int64")  # pandas' nullable ints
    assert minority_classes(counts) == ["b"]


def test_one_minority_class_by_name_and_an_unknown_one():
    scores = pd.DataFrame([[0.9, 0.1], [0.3, 0.7]], index=["p", "q"], columns=["car", "crack"])
    # a single name is one class, not its letters
    assert select(scores, strategy="predicted_minority", n=1, minority="crack").sample_ids == [
        "q"]
    with pytest.raises(ValueError) as caught:
        select(scores, strategy="predicted_minority", n=1, minority=["dent"])
    assert str(caught.value) == ("The 'minority' parameter of select must be one of 'car', "
                                 "'crack'. Got 'dent' instead.")
