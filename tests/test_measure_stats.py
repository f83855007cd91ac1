import math

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning
from workbench.measure import class_counts, health_checklist, hidden_imbalance, long_tail


@pytest.mark.parametrize("counts, gini, evenness, ratio, n50, n80", [
    ([5, 5], 0.0, 1.0, 1.0, 1, 2),
    ([9, 1], 0.4, 0.468996, 9.0, 1, 1),          # H = -(.9 ln .9 + .1 ln .1) / ln 2
    # Gini = sum |xi - xj| / (2 n^2 mean) = 20 / 80; H = 1.279854 nats
    ([1, 2, 3, 4], 0.25, 0.923220, 4.0, 2, 3),
])
def test_long_tail_hand_computed(counts, gini, evenness, ratio, n50, n80):
    t = long_tail(dict(zip("abcd", counts, strict=False)))
    assert t.gini == pytest.approx(gini, abs=1e-6)
    assert t.evenness == pytest.approx(evenness, abs=1e-6)
    assert t.imbalance_ratio == ratio
    assert (t.n_classes_50, t.n_classes_80) == (n50, n80)
    assert t.head_share == pytest.approx(max(counts) / sum(counts))


def test_evenness_counts_the_empty_classes():
    # Two equal classes and an empty third: H = ln 2 over ln 3 classes, not over the 2 that
    # have examples (that would say 1.0, perfectly even, with a class missing).
    with pytest.warns(DataWarning, match="1 classes have no examples: 'c'"):
        t = long_tail({"a": 5, "b": 5, "c": 0})
    assert t.evenness == pytest.approx(math.log(2) / math.log(3))
    assert t.gini == pytest.approx(1 / 3)  # sorted 0, 5, 5: (-2 x 0 + 0 x 5 + 2 x 5) / 30
    assert t.imbalance_ratio == 1.0       # over the non-empty classes


def test_effective_numbers_follow_cui_2019():
    t = long_tail({"a": 5000, "b": 500, "c": 50, "d": 5}, beta=0.999)
    for cls, n in {"a": 5000, "b": 500, "c": 50, "d": 5}.items():
        assert t.effective_numbers[cls] == pytest.approx((1 - 0.999 ** n) / (1 - 0.999))
    assert t.effective_numbers["a"] == pytest.approx(993.279, abs=1e-3)
    assert list(t.to_frame().index) == ["a", "b", "c", "d"]


def test_long_tail_bad_input():
    with pytest.raises(DataError, match="at least two classes; found 1"):
        long_tail({"a": 3})
    with pytest.warns(DataWarning, match="1 classes have no examples: 'b'"):
        assert long_tail({"a": 4, "b": 0, "c": 2}).imbalance_ratio == 2.0
    with pytest.raises(ValueError, match="'beta' parameter of long_tail must be in"):
        long_tail({"a": 1, "b": 2}, beta=1.0)


def two_by_two():
    """Class a: 10 day, 20 night; class b: 30 day, 40 night."""
    labels = ["a"] * 30 + ["b"] * 70
    light = ["day"] * 10 + ["night"] * 20 + ["day"] * 30 + ["night"] * 40
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(100)], "width": 8,
                            "height": 8, "label": labels, "light": light},
                           index=[str(i) for i in range(100)])
    return Catalog(samples, classes=["a", "b"], conditions=["light"])


def test_chi_square_and_residuals_hand_computed():
    h = hidden_imbalance(two_by_two(), "light")
    # E = [[12, 18], [28, 42]]; chi2 = 4/12 + 4/18 + 4/28 + 4/42
    assert h.expected.to_numpy().tolist() == [[12, 18], [28, 42]]
    assert h.chi2 == pytest.approx(4 / 12 + 4 / 18 + 4 / 28 + 4 / 42)
    assert h.dof == 1
    assert h.residuals.loc["a", "day"] == pytest.approx(-2 / math.sqrt(12 * 0.7 * 0.6))
    frame = h.to_frame()
    assert frame.loc[("a", "night"), "class_mix"] == pytest.approx(20 / 30)
    assert frame.loc[("a", "night"), "overall_mix"] == pytest.approx(0.6)
    assert h.flagged().empty  # |residual| 0.89 < 1.96


def test_hidden_imbalance_matches_scipy_on_the_demo():
    from scipy.stats import chi2_contingency

    from workbench.sources import load

    cat = load("demo:surfaces")
    h = hidden_imbalance(cat, "lighting")
    ref = chi2_contingency(pd.crosstab(
        cat.samples["label"], cat.samples["lighting"]).to_numpy(), correction=False)
    assert h.p_value < 0.01
    assert ("crack", "night") in h.flagged().index  # cracks are rarer at night
    single = hidden_imbalance(cat.replace(task="classification"), "lighting")
    assert single.chi2 == pytest.approx(ref.statistic)


def test_single_valued_and_unknown_condition():
    cat = two_by_two()
    one = cat.replace(samples=cat.samples.assign(light="day"))
    with pytest.raises(DataError, match=r"'light' has a single value \('day'\)"):
        hidden_imbalance(one, "light")
    with pytest.raises(DataError, match="'site' is not a column"):
        hidden_imbalance(cat, "site")


def checklist_catalog():
    """a: 120 images (train 100 / val 20); b: 60 (train 60, none in val); c: 10 (train 5/val 5)."""
    rows = ([("a", "train")] * 100 + [("a", "val")] * 20 + [("b", "train")] * 60
            + [("c", "train")] * 5 + [("c", "val")] * 5)
    samples = pd.DataFrame(rows, columns=["label", "split"]).assign(
        filepath=lambda d: [f"{i}.png" for i in d.index], width=8, height=8)
    samples.index = samples.index.astype(str)
    return Catalog(samples, classes=["a", "b", "c"])


def test_checklist_verdicts():
    rows = health_checklist(checklist_catalog(), critical=["c"], critical_target=30).to_frame()
    verdict = {(r.check, r.subject): r.status for r in rows.itertuples()}
    assert verdict[("minimum examples per class", "a")] == "pass"   # 120 >= 100
    assert verdict[("minimum examples per class", "b")] == "warn"   # 50 <= 60 < 100
    assert verdict[("minimum examples per class", "c")] == "fail"   # 10 < 50
    assert verdict[("class present in every split", "b")] == "fail"  # b has no val images
    assert verdict[("critical class at target", "c")] == "fail"
    # shares: train a .606 b .364 c .030; val a .8 b 0 c .2 -> largest gap b: .364 -> fail
    gap = rows.set_index("check").loc["split proportions preserved"]
    assert gap["status"] == "fail" and gap["subject"] == "b"
    assert gap["value"] == pytest.approx(60 / 165, abs=1e-4)


def labelled(rows) -> Catalog:
    samples = pd.DataFrame(rows, columns=["label", "split"]).assign(
        filepath=lambda d: [f"{i}.png" for i in d.index], width=8, height=8)
    samples.index = samples.index.astype(str)
    return Catalog(samples, classes=sorted(set(samples["label"])))


def test_checklist_thresholds_include_their_boundary():
    # Counts exactly on each threshold: 100 (min_ok) passes, 50 (min_warn) warns, 49 fails;
    # a critical class exactly at its target passes, one below fails.
    cat = labelled([("ok", "train")] * 100 + [("warn", "train")] * 50 + [("low", "train")] * 49)
    rows = health_checklist(cat, critical=["warn", "low"], critical_target=50).to_frame()
    verdict = {(r.check, r.subject): r.status for r in rows.itertuples()}
    assert verdict[("minimum examples per class", "ok")] == "pass"
    assert verdict[("minimum examples per class", "warn")] == "warn"
    assert verdict[("minimum examples per class", "low")] == "fail"
    assert verdict[("critical class at target", "warn")] == "pass"
    assert verdict[("critical class at target", "low")] == "fail"


@pytest.mark.parametrize("test_a, status", [(2, "pass"), (3, "warn"), (4, "fail")])
def test_split_gap_exactly_on_a_threshold(test_a, status):
    # Train: a 1 of 4 images (0.25). Test: a `test_a` of 4: gaps 0.25, 0.5 and 0.75, exact in
    # binary. With pass <= 0.25 and warn <= 0.5, each gap sits on or past a boundary.
    rows = ([("a", "train")] + [("b", "train")] * 3 + [("a", "test")] * test_a
            + [("b", "test")] * (4 - test_a))
    if test_a == 4:
        rows += [("b", "test")]  # keep b in test; a's share there is then 4/5: gap 0.55
    check = health_checklist(labelled(rows), max_split_gap=0.25, fail_split_gap=0.5,
                             min_warn=1, min_ok=1).to_frame().set_index("check")
    assert check.loc["split proportions preserved", "status"] == status


def test_checklist_bad_parameters():
    cat = checklist_catalog()
    with pytest.raises(ValueError, match="'min_ok' parameter of health_checklist must be an "
                                         "integer >= 1. Got 0"):
        health_checklist(cat, min_ok=0, min_warn=1)
    with pytest.raises(DataError, match="Critical classes 'wheelchair' are not classes"):
        health_checklist(cat, critical=["wheelchair"])


def test_background_has_no_instances(small_detection):
    cat = small_detection.replace(classes=["bg", "cat", "dog"], background="bg")
    assert class_counts(cat, unit="instances").total.to_dict() == {"cat": 3, "dog": 1}
    with pytest.raises(DataError, match="labelled 'cat', the background class"):
        small_detection.replace(background="cat")


def test_counts_against_pandas_crosstab_on_random_data():
    rng = np.random.default_rng(0)
    n = 500
    samples = pd.DataFrame({"filepath": [f"{i}" for i in range(n)], "width": 4, "height": 4,
                            "site": rng.choice(["x", "y", "z"], n)},
                           index=[str(i) for i in range(n)])
    objects = pd.DataFrame({"sample_id": rng.integers(0, n, 3 * n).astype(str),
                            "label": rng.choice(list("pqr"), 3 * n), "x": 0.1, "y": 0.1,
                            "w": 0.1, "h": 0.1})
    cat = Catalog(samples, classes=list("pqr"), task="detection", objects=objects,
                  conditions=["site"])
    site = samples["site"].reindex(objects["sample_id"]).to_numpy()
    ref = pd.crosstab(objects["label"], site)
    ours = class_counts(cat, unit="instances", by="site").table
    assert ours.to_numpy().tolist() == ref.to_numpy().tolist()
    ref_images = pd.crosstab(objects.drop_duplicates(["sample_id", "label"])["label"],
                             samples["site"].reindex(objects.drop_duplicates(
                                 ["sample_id", "label"])["sample_id"]).to_numpy())
    assert class_counts(cat, by="site").table.to_numpy().tolist() == (
        ref_images.to_numpy().tolist())


def test_diagnose_picks_the_condition_hiding_most_and_the_rarest_critical_class():
    from workbench.measure import condition_overview, counts_by_unit, diagnose
    from workbench.sources import load

    cat = load("demo:surfaces")
    overview = condition_overview(cat)
    assert overview["p_value"].is_monotonic_increasing
    d = diagnose(cat, critical=None)
    assert d.hidden.condition == overview["condition"].iloc[0] == "lighting"
    assert d.critical == ("crack",)
    assert d.below_threshold() == ["crack", "dent"]  # 59 and 72 images < 100
    table = counts_by_unit(cat)
    assert table["images"].tolist() == [1650, 159, 103, 72, 59]
    assert table.index.tolist() == ["intact", "scratch", "stain", "dent", "crack"]
    assert table["share of pixels"].sum() == pytest.approx(1.0)
    # images containing a class over all images: 2,000 images, and they sum past 1
    assert table.loc["intact", "share of images"] == pytest.approx(1650 / 2000)
    assert table["share of images"].sum() > 1
    with pytest.raises(ValueError, match="'min_count' parameter of diagnose"):
        diagnose(cat, min_count=0)


def test_nan_labels_are_reported_not_counted():
    from workbench.measure import diagnose

    cat = checklist_catalog()
    samples = cat.samples.copy()
    samples.loc[samples.index[:3], "label"] = None
    unlabelled = cat.replace(samples=samples)
    with pytest.warns(DataWarning, match=r"3 of 190 images have no label \(NaN\), e.g. '0'"):
        d = diagnose(unlabelled)
    assert d.counts.total["a"] == 117
    rows = d.checklist.to_frame().set_index("check")
    assert rows.loc["every image has a class", "value"] == 3


def test_one_class_dataset_is_a_clear_error():
    from workbench.measure import diagnose

    cat = checklist_catalog()
    one = cat.replace(samples=cat.samples.assign(label="a"), classes=["a"])
    with pytest.raises(DataError, match="at least two classes; found 1"):
        diagnose(one)


def _occlusion_catalog():
    """Boxes with a per-box ``occluded`` column; class w has no box.

    x: no, no, yes      y: no      z: no, partly, yes
    """
    samples = pd.DataFrame({"filepath": list("abc"), "width": 10, "height": 10},
                           index=list("abc"))
    objects = pd.DataFrame({"sample_id": list("aaabccc"), "label": list("xxxyzzz"),
                            "occluded": ["no", "no", "yes", "no", "no", "partly", "yes"],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    return Catalog(samples, classes=["w", "x", "y", "z"], task="detection", objects=objects)


def test_hidden_imbalance_across_a_per_box_column_against_scipy():
    from scipy.stats import chi2_contingency

    h = hidden_imbalance(_occlusion_catalog(), "occluded", unit="instances")
    # w (no box) is left out; y and "partly" hold one instance each and stay
    assert h.observed.to_dict() == {"no": {"x": 2, "y": 1, "z": 1},
                                    "partly": {"x": 0, "y": 0, "z": 1},
                                    "yes": {"x": 1, "y": 0, "z": 1}}
    ref = chi2_contingency([[2, 0, 1], [1, 0, 0], [1, 1, 1]], correction=False)
    assert h.chi2 == pytest.approx(ref.statistic) and h.dof == 4
    assert len(h.notes) == 1 and h.notes[0].startswith("100% of the expected counts are below 5")
    assert list(h.to_frame().index.names) == ["class", "occluded"]


def test_expected_counts_of_exactly_five_need_no_note():
    labels, light = ["a"] * 10 + ["b"] * 10, (["day"] * 5 + ["night"] * 5) * 2
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(20)], "width": 8,
                            "height": 8, "label": labels, "light": light},
                           index=[str(i) for i in range(20)])
    h = hidden_imbalance(Catalog(samples, classes=["a", "b"], conditions=["light"]), "light")
    assert h.expected.to_numpy().tolist() == [[5, 5], [5, 5]] and h.notes == ()


def test_box_sizes_before_they_are_derived_and_an_unknown_column_for_instances():
    catalog = _occlusion_catalog()
    with pytest.raises(DataError) as size:
        hidden_imbalance(catalog, "size", unit="instances")
    assert type(size.value).__name__ == "Lacks" and "derived_conditions" in str(size.value)
    with pytest.raises(DataError) as site:
        hidden_imbalance(catalog, "site", unit="instances")
    assert type(site.value) is DataError and "'site' is not a column" in str(site.value)
