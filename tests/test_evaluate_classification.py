"""Classification metrics against scikit-learn and imbalanced-learn, hand fixtures,
intervals that cover, thresholds, logit adjustment, calibration, slices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.metrics import classification_report_imbalanced, sensitivity_specificity_support
from scipy.stats import binomtest
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    confusion_matrix,
    matthews_corrcoef,
    precision_recall_fscore_support,
)

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks
from workbench.evaluate import adjust, intervals
from workbench.evaluate.classification import classification_report
from workbench.evaluate.one_vs_rest import at_threshold
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.slices import slice_metrics


def labelled(labels, classes, *, split="test", **columns) -> Catalog:
    ids = [f"s{i:03d}" for i in range(len(labels))]
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in ids], "width": 10, "height": 6,
                            "label": labels, "split": split, **columns}, index=ids)
    return Catalog(samples, classes=classes, conditions=[c for c in columns])


def scored(catalog: Catalog, scores) -> Predictions:
    return Predictions(classes=catalog.classes, scores=pd.DataFrame(
        np.asarray(scores, float), index=catalog.samples.index, columns=list(catalog.classes)))


def random_case(seed=0, n=300, k=4):
    rng = np.random.default_rng(seed)
    p = np.array([0.6, 0.25, 0.1, 0.05])[:k]
    codes = rng.choice(k, size=n, p=p / p.sum())
    logits = rng.normal(0, 1, (n, k)) + 1.5 * np.eye(k)[codes]
    scores = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    classes = ["common", "middle", "rare", "rarest"][:k]
    catalog = labelled(np.asarray(classes)[codes], classes)
    return catalog, scored(catalog, scores), codes, scores


def test_hand_fixture_two_classes():
    # 5 images: truth a a a b b; the argmax says a a b b a.
    cat = labelled(["a", "a", "a", "b", "b"], ["a", "b"])
    pred = scored(cat, [[.9, .1], [.8, .2], [.4, .6], [.3, .7], [.6, .4]])
    table = classification_report(cat, pred, n_boot=50).to_frame()
    # b: TP 1 (s003), FP 1 (s002), FN 1 (s004): precision 1/2, recall 1/2, F1 1/2.
    assert table.loc["b", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    # a: TP 2, FP 1, FN 1: precision 2/3, recall 2/3; specificity of a = TN/(neg) = 1/2.
    assert table.loc["a", "precision"] == pytest.approx(2 / 3)
    assert table.loc["a", "specificity"] == pytest.approx(0.5)
    # AP of b: ranked by b's score .7 (s003, b) .6 (s002, a) .4 (s004, b) .2 .1:
    # precision at the two positives 1/1 and 2/3 -> AP = (1 + 2/3) / 2 = 5/6.
    assert table.loc["b", "ap"] == pytest.approx(5 / 6)
    assert list(table.index) == ["b", "a"]  # rarest class first


def test_equals_scikit_learn_and_imbalanced_learn():
    catalog, pred, codes, scores = random_case()
    report = classification_report(catalog, pred, n_boot=20)
    table = report.to_frame().loc[list(catalog.classes)]
    top = scores.argmax(axis=1)
    p, r, f, s = precision_recall_fscore_support(codes, top, labels=range(4), zero_division=0)
    np.testing.assert_allclose(table["precision"], p)
    np.testing.assert_allclose(table["recall"], r)
    np.testing.assert_allclose(table["f1"], f)
    np.testing.assert_array_equal(table["support"], s)
    _, spec, _ = sensitivity_specificity_support(codes, top, labels=range(4))
    np.testing.assert_allclose(table["specificity"], spec)
    imb = classification_report_imbalanced(codes, top, labels=range(4), output_dict=True)
    np.testing.assert_allclose(table["g_mean"], [imb[str(k)]["geo"] for k in range(4)])
    np.testing.assert_allclose(table["iba"], [imb[str(k)]["iba"] for k in range(4)])
    ap = [average_precision_score(codes == k, scores[:, k]) for k in range(4)]
    np.testing.assert_allclose(table["ap"], ap)
    summary = report.summary["value"]
    assert summary["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(codes, top))
    assert summary["mcc"] == pytest.approx(matthews_corrcoef(codes, top))
    assert summary["macro_f1"] == pytest.approx(f.mean())
    assert summary["weighted_f1"] == pytest.approx((f * s).sum() / s.sum())
    bounds = report.summary.loc[["weighted_f1", "mcc"], ["low", "high"]]
    assert bounds.notna().all().all() and (bounds["low"] < bounds["high"]).all()
    # confusion: rows true, normalised, in the report's (rarest-first) order
    order = [list(catalog.classes).index(c) for c in report.confusion.index]
    cm = confusion_matrix(codes, top, labels=order)
    np.testing.assert_allclose(report.confusion.to_numpy(), cm / cm.sum(axis=1, keepdims=True))
    assert list(report.confusion.index) == ["rarest", "rare", "middle", "common"]


def test_wilson_intervals_equal_scipy():
    catalog, pred, codes, scores = random_case(seed=3)
    table = classification_report(catalog, pred, n_boot=20).to_frame()
    for cls in catalog.classes:
        k = list(catalog.classes).index(cls)
        tp = int(((scores.argmax(1) == k) & (codes == k)).sum())
        ci = binomtest(tp, int((codes == k).sum())).proportion_ci(method="wilson")
        assert table.loc[cls, "recall_low"] == pytest.approx(ci.low)
        assert table.loc[cls, "recall_high"] == pytest.approx(ci.high)


def test_rare_class_interval_is_wide_and_flagged():
    catalog, pred, codes, _ = random_case(seed=1, n=200)
    report = classification_report(catalog, pred, n_boot=100)
    table = report.to_frame()
    rarest = table.index[0]
    assert table.loc[rarest, "support"] == table["support"].min()
    assert table.loc[rarest, "recall_high"] - table.loc[rarest, "recall_low"] > 0.3
    assert rarest in report.uncertain(halfwidth=0.1)
    assert "common" not in report.uncertain(halfwidth=0.1)
    assert table.loc[rarest, "recall_more_05"] > table.loc["common", "recall_more_05"]


def test_bootstrap_is_seeded_and_brackets_the_value():
    catalog, pred, _, _ = random_case(seed=2)
    a = classification_report(catalog, pred, n_boot=200, seed=0).to_frame()
    b = classification_report(catalog, pred, n_boot=200, seed=0).to_frame()
    c = classification_report(catalog, pred, n_boot=200, seed=1).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["f1_low"], c["f1_low"])
    for metric in ("f1", "ap"):
        assert (a[f"{metric}_low"] <= a[metric] + 1e-12).all()
        assert (a[metric] <= a[f"{metric}_high"] + 1e-12).all()


def test_intervals_cover_near_their_nominal_rate():
    """95% Wilson intervals on 25 positives cover a recall near 95% of the time (exactly,
    averaged over true recalls 0.05-0.95; never below 0.92), a seeded simulation agrees,
    and 95% bootstrap intervals of a class's F1 on 300 images cover its true value."""
    from scipy.stats import binom

    ks = np.arange(26)
    low, high = intervals.wilson_interval(ks, 25)
    coverage = [(binom.pmf(ks, 25, p) * ((low <= p) & (p <= high))).sum()
                for p in np.linspace(0.05, 0.95, 91)]
    assert 0.94 <= np.mean(coverage) <= 0.96 and min(coverage) > 0.92
    hits = np.random.default_rng(0).binomial(25, 0.5, size=4000)
    low, high = intervals.wilson_interval(hits, 25)
    assert 0.93 <= np.mean((low <= 0.5) & (0.5 <= high)) <= 0.98
    # F1 of a classifier that finds a class (prevalence 0.2) with recall 0.7 and calls
    # 10% of the others: its population F1 is 2*0.14/(0.2+0.14+0.08) = 0.6667.
    truth_f1 = 2 * 0.14 / (0.2 + 0.14 + 0.08)
    covered = []
    for sim in range(150):
        r = np.random.default_rng(100 + sim)
        y = r.random(300) < 0.2
        d = np.where(y, r.random(300) < 0.7, r.random(300) < 0.1)
        counts = intervals.bootstrap_counts(300, n_boot=300, seed=sim)
        tp, pos, pred = counts @ (y & d), counts @ y, counts @ d
        lo, hi = intervals.percentile_interval((2 * tp / (pos + pred))[:, None])
        covered.append(lo[0] <= truth_f1 <= hi[0])
    assert 0.88 <= np.mean(covered) <= 0.99


def test_examples_needed_reaches_the_halfwidth():
    n_more = intervals.examples_needed([0.7], [10], halfwidth=0.1)[0]
    n = 10 + n_more
    low, high = intervals.wilson_interval(0.7 * n, n)
    assert (high - low) / 2 <= 0.1 + 0.005
    low, high = intervals.wilson_interval(0.7 * (n - 20), n - 20)
    assert (high - low) / 2 > 0.1


def test_multilabel_truth_from_boxes():
    samples = pd.DataFrame({"filepath": ["a", "b", "c", "d"], "width": 8, "height": 4,
                            "split": "test"}, index=["a", "b", "c", "d"])
    boxes = pd.DataFrame({"sample_id": ["a", "a", "b", "c"], "label": ["x", "y", "x", "y"],
                          "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.3})
    cat = Catalog(samples, classes=["x", "y"], task="detection", objects=boxes)
    pred = scored(cat, [[.9, .2], [.4, .1], [.6, .7], [.1, .6]])
    report = classification_report(cat, pred, n_boot=20)
    table = report.to_frame()
    # x is in a, b; at 0.5 the model says x for a, c: TP 1, FP 1, FN 1.
    assert table.loc["x", ["precision", "recall"]].tolist() == [0.5, 0.5]
    # y is in a, c; the model says y for c, d: TP 1 (c), FP 1 (d), FN 1 (a).
    assert table.loc["y", ["precision", "recall"]].tolist() == [0.5, 0.5]
    assert report.confusion is None and not report.truth.single_label


def test_at_threshold_counts_and_direction():
    cat = labelled(["a", "a", "a", "b", "b"], ["a", "b"])
    pred = scored(cat, [[.9, .1], [.8, .2], [.4, .6], [.3, .7], [.6, .4]])
    report = classification_report(cat, pred, n_boot=20)
    low_t, conf_low = at_threshold(report, "b", 0.35)
    high_t, conf_high = at_threshold(report, "b", 0.65)
    assert conf_low.loc["b"].tolist() == [2, 0] and conf_low.loc["rest"].tolist() == [1, 2]
    assert conf_high.loc["b"].tolist() == [1, 1] and conf_high.loc["rest"].tolist() == [0, 3]
    assert low_t.loc["recall", "value"] == 1.0 and high_t.loc["recall", "value"] == 0.5
    assert high_t.loc["precision", "value"] == 1.0


def test_thresholds_tuned_on_val_and_logit_adjustment_lifts_rare_recall():
    catalog, pred, codes, scores = random_case(seed=4, n=600)
    half = np.where(np.arange(600) % 2 == 0, "val", "test")
    catalog = catalog.replace(samples=catalog.samples.assign(split=half))
    tuned = adjust.tune_thresholds(catalog, pred, split="val", target_precision=0.5)
    assert (tuned["threshold_best_f1"].between(0, 1)).all()
    assert (tuned["recall_at_precision"].dropna() <= 1).all()
    priors = adjust.class_priors(catalog.replace(samples=catalog.samples.assign(split="train")),
                                 split="train")
    assert priors.idxmax() == "common" and priors.sum() == pytest.approx(1)
    before = classification_report(catalog, pred, n_boot=10).to_frame()
    after = classification_report(catalog, adjust.logit_adjusted(pred, priors), n_boot=10
                                  ).to_frame()
    assert after.loc["rarest", "recall"] > before.loc["rarest", "recall"]
    assert after.loc["common", "recall"] < before.loc["common", "recall"]


def test_reliability_by_hand():
    cat = labelled(["a", "a", "b", "b"], ["a", "b"])
    pred = scored(cat, [[.95, .05], [.55, .45], [.45, .55], [.92, .08]])
    table = adjust.reliability(cat, pred, n_bins=10)
    # bin 5 (0.5-0.6): confidences .55 (right) and .55 (right): accuracy 1
    # bin 9 (0.9-1.0): .95 (right), .92 (wrong): accuracy 0.5, confidence .935
    assert table.loc[5, ["n", "accuracy"]].tolist() == [2, 1.0]
    assert table.loc[9, "accuracy"] == 0.5 and table.loc[9, "confidence"] == pytest.approx(.935)
    ece = adjust.expected_calibration_error(table)
    assert ece == pytest.approx(0.5 * 0.45 + 0.5 * 0.435)


def test_slices_flag_the_worse_condition():
    rng = np.random.default_rng(0)
    n = 400
    lighting = np.where(np.arange(n) < 300, "day", "night")
    codes = rng.random(n) < 0.3
    found = np.where(lighting == "day", rng.random(n) < 0.95, rng.random(n) < 0.3)
    labels = np.where(codes, "crack", "intact")
    cat = labelled(labels, ["intact", "crack"], lighting=lighting)
    p = np.where(codes & found, 0.9, np.where(codes, 0.2, 0.1))
    pred = scored(cat, np.column_stack([1 - p, p]))
    table = slice_metrics(cat, pred, by="lighting", n_boot=50).set_index(["class", "slice"])
    assert bool(table.loc[("crack", "night"), "worse"])
    assert not bool(table.loc[("crack", "day"), "worse"])
    with pytest.raises(Lacks, match="no 'camera' column"):
        slice_metrics(cat, pred, by="camera")


def test_clear_errors():
    cat = labelled(["a", "b"], ["a", "b"])
    with pytest.raises(DataError, match="no 'val' split"):
        classification_report(cat, scored(cat, [[1, 0], [0, 1]]), split="val")
    partial = Predictions(classes=cat.classes, scores=pd.DataFrame(
        [[1.0, 0.0]], index=["s000"], columns=["a", "b"]))
    with pytest.raises(DataError, match="1 evaluated images have no scores"):
        classification_report(cat, partial)
    with pytest.raises(Lacks, match="no image scores"):
        classification_report(cat, Predictions(classes=cat.classes))


def test_paradox_single_and_multi_label():
    cat = labelled(["a"] * 8 + ["b"] * 2, ["a", "b"])
    good = scored(cat, [[.9, .1]] * 7 + [[.4, .6]] + [[.2, .8]] * 2)
    from workbench.evaluate import classification_report, paradox

    table = paradox(classification_report(cat, good, n_boot=10))
    always = table["always 'a'"]
    # always 'a': right on 8 of 10; recall a = 1, b = 0 -> balanced 0.5; F1 a = 16/18
    assert always["accuracy"] == pytest.approx(0.8)
    assert always["balanced_accuracy"] == pytest.approx(0.5)
    assert always["macro_f1"] == pytest.approx((16 / 18 + 0) / 2)
    assert always["worst_class_recall"] == 0
    assert table.loc["accuracy", "this model"] == pytest.approx(0.9)
    # Several labels: x in 3 of 4 images, y in 1. "Always x" says x for every image and
    # never y. Balanced accuracy is, per class, the mean of its TPR and TNR:
    samples = pd.DataFrame({"filepath": list("abcd"), "width": 4, "height": 4,
                            "split": "test"}, index=list("abcd"))
    boxes = pd.DataFrame({"sample_id": ["a", "b", "c", "d"], "label": ["x", "x", "x", "y"],
                          "x": .1, "y": .1, "w": .2, "h": .2})
    det = Catalog(samples, classes=["x", "y"], task="detection", objects=boxes)
    report = classification_report(det, scored(det, [[.9, .1]] * 4), n_boot=10)
    multi = paradox(report)
    # always x: x TPR 1, TNR 0 -> 0.5; y TPR 0, TNR 1 -> 0.5; balanced 0.5, not 1.
    assert multi["always x"]["balanced_accuracy"] == pytest.approx(0.5)
    assert report.summary.loc["balanced_accuracy", "value"] == pytest.approx(0.5)


def test_held_out_split_and_its_note():
    from workbench.evaluate import evaluation_note, held_out_split

    cat = labelled(["a", "b", "a"], ["a", "b"], split="train")
    assert held_out_split(cat) is None
    assert "optimistic" in evaluation_note(cat, None)
    cat = cat.replace(samples=cat.samples.assign(split=["train", "val", "val"]))
    assert held_out_split(cat) == "val"
    assert "2 images of the validation split" in evaluation_note(cat, "val")
    cat = cat.replace(samples=cat.samples.assign(split=["test", "val", "train"]))
    assert held_out_split(cat) == "test"


def test_a_slice_with_too_few_examples_is_never_flagged():
    # night holds 2 cracks, both missed; day holds 20 cracks, all found. The night
    # interval is wide but would lie below 1.0 if it were a bootstrap of 1 image.
    labels = ["crack"] * 22 + ["intact"] * 10
    lighting = ["day"] * 20 + ["night"] * 2 + ["day"] * 10
    cat = labelled(labels, ["intact", "crack"], lighting=lighting)
    p = np.array([0.9] * 20 + [0.1] * 2 + [0.1] * 10)
    table = slice_metrics(cat, scored(cat, np.column_stack([1 - p, p])), by="lighting",
                          n_boot=50).set_index(["class", "slice"])
    night = table.loc[("crack", "night")]
    assert night["n_class"] == 2 and night["value"] == 0.0 and night["rest"] == 1.0
    assert night["high"] < night["rest"]  # below the rest, yet on 2 images: not flagged
    assert not bool(night["worse"])


def test_pr_curves_are_scikit_learns_per_class_without_a_class_that_has_no_image():
    from sklearn.metrics import precision_recall_curve

    cat = labelled(["a", "b", "a", "a", "b", "a"], ["a", "b", "c"])
    scores = [[.9, .05, .05], [.3, .6, .1], [.5, .4, .1], [.2, .7, .1], [.6, .3, .1],
              [.1, .1, .8]]
    report = classification_report(cat, scored(cat, scores), n_boot=20)
    curves = report.pr_curves()
    assert curves.columns.tolist() == ["class", "recall", "precision", "threshold", "no_skill"]
    assert curves["class"].unique().tolist() == ["a", "b"]  # c has no image: no curve
    y = np.array([[1, 0], [0, 1], [1, 0], [1, 0], [0, 1], [1, 0]])
    for k, name in enumerate(["a", "b"]):
        part = curves[curves["class"] == name]
        precision, recall, threshold = precision_recall_curve(y[:, k],
                                                              np.asarray(scores)[:, k])
        # highest threshold first, without scikit-learn's (recall 0, precision 1) end
        np.testing.assert_allclose(part["threshold"], threshold[::-1])
        np.testing.assert_allclose(part["precision"], precision[:-1][::-1])
        np.testing.assert_allclose(part["recall"], recall[:-1][::-1])
        assert (part["no_skill"] == y[:, k].mean()).all()
    assert curves.index.tolist() == list(range(len(curves)))
    # a: top score .9 is an a (precision 1 at recall 1/4)
    assert curves.loc[0, ["class", "recall", "precision", "threshold"]].tolist() == [
        "a", 0.25, 1.0, 0.9]


def test_a_report_prints_its_headline_in_one_line():
    cat = labelled(["a", "a", "a", "b", "b"], ["a", "b"])
    pred = scored(cat, [[.9, .1], [.8, .2], [.4, .6], [.3, .7], [.6, .4]])
    report = classification_report(cat, pred, n_boot=20)
    # macro F1 (2/3 + 1/2) / 2; balanced accuracy the same; worst recall b's 1/2
    assert repr(report) == ("ClassificationReport(test split, 5 images, single label: macro "
                            "F1 0.583, balanced accuracy 0.583, worst-class recall 0.500)")
    everything = classification_report(cat, pred, split=None, n_boot=20)
    assert repr(everything).startswith("ClassificationReport(all split, 5 images")


def four_classes():
    """Truth a a a b b c; the argmax says a a b b a c; d has no image."""
    cat = labelled(["a", "a", "a", "b", "b", "c"], ["a", "b", "c", "d"])
    top = [0, 0, 1, 1, 0, 2]
    scores = np.full((6, 4), 0.1)
    scores[np.arange(6), top] = 0.7
    scores[2, 0] = 0.15  # a's own score on the image it misses: its AP is below 1
    return cat, scored(cat, scores), scores


def test_the_per_class_table_with_a_class_seen_once_and_one_never_seen():
    import warnings

    from workbench.evaluate.intervals import (
        bootstrap_counts,
        examples_needed,
        percentile_interval,
    )
    from workbench.evaluate.ranking import weighted_average_precision

    cat, pred, scores = four_classes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # d's 0 / 0 are NaN, silently
        table = classification_report(cat, pred, n_boot=200, seed=3, confidence=0.9
                                      ).to_frame().loc[["a", "b", "c", "d"]]
    assert table.index.name == "class"
    assert table.columns.tolist()[:19] == [
        "support", "precision", "precision_low", "precision_high", "recall", "recall_low",
        "recall_high", "f1", "f1_low", "f1_high", "ap", "ap_low", "ap_high", "prevalence",
        "specificity", "g_mean", "iba", "recall_more_05", "recall_more_10"]
    assert table["support"].tolist() == [3, 2, 1, 0]
    # c: predicted once, right once: 1, not NaN
    assert table["precision"].tolist()[:3] == pytest.approx([2 / 3, 1 / 2, 1.0])
    assert table["recall"].tolist()[:3] == pytest.approx([2 / 3, 1 / 2, 1.0])
    assert table["f1"].tolist()[:3] == pytest.approx([2 / 3, 1 / 2, 1.0])
    assert table.loc["d", ["precision", "recall", "f1", "ap"]].isna().all()
    assert table["prevalence"].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6, 0.0])
    assert table["specificity"].tolist() == pytest.approx([2 / 3, 3 / 4, 1.0, 1.0])
    for cls, k, n in (("a", 2, 3), ("b", 1, 2), ("c", 1, 1)):
        ci = binomtest(k, n).proportion_ci(0.9, method="wilson")
        assert table.loc[cls, ["precision_low", "precision_high"]].tolist() == pytest.approx(
            [ci.low, ci.high])
        assert table.loc[cls, ["recall_low", "recall_high"]].tolist() == pytest.approx(
            [ci.low, ci.high])
    for half, column in ((0.05, "recall_more_05"), (0.10, "recall_more_10")):
        assert table[column].tolist() == examples_needed(
            [2 / 3, 1 / 2, 1.0, np.nan], [3, 2, 1, 0], halfwidth=half).tolist()
    # the bootstrap: the same counts, F1 per replicate, replicates without the class left out
    counts = bootstrap_counts(6, n_boot=200, seed=3)
    y = np.eye(4, dtype=int)[[0, 0, 0, 1, 1, 2]]
    d = np.eye(4, dtype=int)[[0, 0, 1, 1, 0, 2]]
    tp_b, sup_b, pred_b = counts @ (y & d), counts @ y, counts @ d
    with np.errstate(invalid="ignore", divide="ignore"):
        f1_b = np.where(sup_b > 0, 2 * tp_b / (sup_b + pred_b), np.nan)
    low, high = percentile_interval(f1_b, confidence=0.9)
    assert table["f1_low"].tolist()[:3] == pytest.approx(low[:3].tolist())
    assert table["f1_high"].tolist()[:3] == pytest.approx(high[:3].tolist())
    assert low[0] < 2 / 3 < high[0]
    ap_a = weighted_average_precision(y[:, 0], scores[:, 0], counts)
    low, high = percentile_interval(ap_a[:, None], confidence=0.9)
    assert table.loc["a", ["ap_low", "ap_high"]].tolist() == pytest.approx([low[0], high[0]])
    assert table.loc["a", "ap"] == pytest.approx(
        weighted_average_precision(y[:, 0], scores[:, 0], np.ones(6)))
    assert table.loc["a", "ap"] < 1


def test_the_summary_and_its_bootstrap_intervals_equal_scikit_learn_per_replicate():
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    from workbench.evaluate.intervals import bootstrap_counts

    catalog, pred, codes, scores = random_case(seed=2, n=200)
    report = classification_report(catalog, pred, n_boot=40, seed=5, confidence=0.8)
    summary = report.summary
    assert summary.index.name == "metric"
    assert summary.index.tolist() == ["accuracy", "balanced_accuracy", "macro_f1",
                                      "weighted_f1", "worst_class_recall", "mcc"]
    assert summary.columns.tolist() == ["value", "low", "high"]
    top = scores.argmax(axis=1)
    labels = range(4)

    def metrics(weight):
        recall = recall_score(codes, top, labels=labels, average=None, sample_weight=weight,
                              zero_division=0)
        return [accuracy_score(codes, top, sample_weight=weight),
                balanced_accuracy_score(codes, top, sample_weight=weight),
                f1_score(codes, top, labels=labels, average="macro", sample_weight=weight),
                f1_score(codes, top, labels=labels, average="weighted", sample_weight=weight),
                recall.min(),
                matthews_corrcoef(codes, top, sample_weight=weight)]

    assert summary["value"].tolist() == pytest.approx(metrics(None))
    counts = bootstrap_counts(len(codes), n_boot=40, seed=5)
    assert (counts @ np.eye(4)[codes] > 0).all()  # every class in every replicate
    replicates = np.array([metrics(row) for row in counts])
    low, high = np.percentile(replicates, [10, 90], axis=0)
    assert summary["low"].tolist() == pytest.approx(low.tolist())
    assert summary["high"].tolist() == pytest.approx(high.tolist())


def test_weighted_average_precision_equals_scikit_learn_with_ties_and_weights():
    from workbench.evaluate.ranking import weighted_average_precision

    y = np.array([1, 0, 1, 1, 0, 0, 1])
    s = np.array([0.9, 0.8, 0.8, 0.5, 0.4, 0.2, 0.1])   # a tie; the last-ranked is a positive
    rows = np.array([[1, 1, 1, 1, 1, 1, 1], [0, 2, 1, 0, 3, 1, 2], [2, 0, 0, 1, 1, 0, 0]])
    ours = weighted_average_precision(y, s, rows)
    reference = [average_precision_score(y, s, sample_weight=w) for w in rows]
    assert ours.tolist() == pytest.approx(reference)
    assert weighted_average_precision(y, s, rows[0]) == pytest.approx(reference[0])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        none = weighted_average_precision(y, s, np.array([[0, 1, 0, 0, 1, 1, 0]]))
    assert np.isnan(none[0])  # the positives weigh nothing: no AP


def test_wilson_interval_of_no_trials_is_nan_as_a_float():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        low, high = intervals.wilson_interval([0, 3], [0, 5])
    assert low.dtype == float and high.dtype == float
    assert np.isnan(low[0]) and np.isnan(high[0])
    ci = binomtest(3, 5).proportion_ci(0.95, method="wilson")
    assert [low[1], high[1]] == pytest.approx([ci.low, ci.high])


def test_interval_helpers_at_their_edges():
    needed = intervals.examples_needed([1.0, 0.8, 0.5, np.nan], [1, 7, 400, 0], halfwidth=0.05)
    assert needed.tolist() == [363, 316, 0, 381] and needed.dtype == int
    assert intervals.examples_needed([0.5], [400], halfwidth=0.05, confidence=0.9).tolist() == [
        0]
    low, high = intervals.wilson_interval([0, 7], [7, 7])
    assert low[0] == pytest.approx(0.0, abs=1e-12) and high[1] == pytest.approx(1.0)
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError):
            intervals.wilson_interval([1], [2], confidence=bad)
    counts = intervals.bootstrap_counts(0, n_boot=3)
    assert counts.shape == (3, 0) and counts.dtype == np.int64
    assert (intervals.bootstrap_counts(5, n_boot=4) == intervals.bootstrap_counts(
        5, n_boot=4, seed=0)).all()
    drawn = intervals.bootstrap_counts(6, n_boot=200, seed=1)
    assert drawn.sum(axis=1).tolist() == [6] * 200
    assert drawn[:, 5].sum() > 0  # the last item is drawn too


def test_weighted_average_precision_of_a_single_positive():
    from workbench.evaluate.ranking import weighted_average_precision

    # one positive, drawn once: AP 1 when it ranks first, 1/2 when second
    assert weighted_average_precision(np.array([1, 0]), np.array([0.9, 0.1]),
                                      np.array([1, 1])) == 1.0
    assert weighted_average_precision(np.array([0, 1]), np.array([0.9, 0.1]),
                                      np.array([1, 1])) == 0.5


def test_balanced_accuracy_of_several_labels_per_image_under_three_resamplings():
    from workbench.evaluate.summary_metrics import balanced_accuracy

    y = np.array([[1, 0], [0, 1], [1, 1]], bool)
    d = np.array([[1, 1], [0, 1], [0, 1]], bool)
    counts = np.array([[1, 1, 1], [2, 0, 1], [0, 1, 2]])
    # per class, the mean of TPR and TNR (NaN when a replicate has no negative), then the
    # mean over classes: (0.75 + 0.5) / 2, (2/3 + 0.5) / 2, (0.5 + 1) / 2
    got = balanced_accuracy(y, d, counts, single_label=False)
    assert got == pytest.approx([0.625, 7 / 12, 0.75])
    assert balanced_accuracy(y, d, counts, single_label=True) == pytest.approx(
        [0.75, 5 / 6, 0.5])  # TPR only: (0.5 + 1) / 2, (2/3 + 1) / 2, (0 + 1) / 2


def test_mcc_of_confusions_against_scikit_learn_and_at_its_edges():
    import warnings

    from workbench.evaluate.summary_metrics import mcc_of_confusions

    true, pred = [0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 1, 0, 1, 2, 2, 2, 0, 2]
    cm = confusion_matrix(true, pred).astype(float)
    ours = mcc_of_confusions(np.stack([cm, cm / cm.sum()]))  # proportions: the same MCC
    assert ours == pytest.approx([matthews_corrcoef(true, pred)] * 2)
    one_answer = np.array([[[2.0, 0.0], [1.0, 0.0]]])  # every image predicted class 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0 / 0 is answered, not warned about
        assert mcc_of_confusions(one_answer).tolist() == [0.0] == [
            matthews_corrcoef([0, 0, 1], [0, 0, 0])]
