"""The facts the notebooks' prose rests on: the low-light gap, the backdrop class, why
there is no condition, and the diagnosis that bundles them, on hand-counted catalogs."""

import math

import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.measure import diagnose
from workbench.measure.diagnosis import (
    LOW_LIGHT_WORDS,
    backdrop_class,
    low_light_gap,
    no_condition_reason,
)


def _rows(cells: dict[tuple, int], names: tuple[str, ...]) -> pd.DataFrame:
    """One image per count: ``cells[(label, value, ...)] = n``."""
    rows = [key for key, n in cells.items() for _ in range(n)]
    samples = pd.DataFrame(rows, columns=["label", *names]).assign(
        filepath=lambda d: [f"{i}.png" for i in d.index], width=8, height=6)
    samples.index = samples.index.astype(str)
    return samples


def adjusted_residual(observed, row, column, total):
    expected = row * column / total
    return expected, (observed - expected) / math.sqrt(
        expected * (1 - row / total) * (1 - column / total))


def two_dark_conditions() -> Catalog:
    """a: 42 images, 2 at Night and 12 Dim; b: 80, half at Night, half Dim.

    camera has no low-light value; shift's gap (Dim, -2.27) comes before light's (Night,
    -5.00), so the deeper gap must replace the first one found.
    """
    cells = {("a", "A", "early", "day"): 28, ("a", "B", "Dim", "day"): 12,
             ("a", "A", "early", "Night"): 2,
             ("b", "A", "early", "day"): 20, ("b", "B", "Dim", "day"): 20,
             ("b", "A", "early", "Night"): 20, ("b", "B", "Dim", "Night"): 20}
    samples = _rows(cells, ("camera", "shift", "light"))
    return Catalog(samples, classes=["a", "b"], conditions=["camera", "shift", "light"])


def test_the_low_light_gap_is_the_deepest_flagged_cell_at_a_dark_value():
    gap = low_light_gap(two_dark_conditions())
    expected, residual = adjusted_residual(2, 42, 42, 122)
    assert gap == {"cls": "a", "condition": "light", "value": "Night", "count": 2,
                   "expected": pytest.approx(expected), "residual": pytest.approx(residual)}
    assert residual == pytest.approx(-4.9967, abs=1e-4)
    # shift alone: its Dim gap (a: 12 of 52 Dim images, expected 17.9)
    cat = two_dark_conditions()
    only_shift = cat.replace(conditions=["camera", "shift"])
    expected, residual = adjusted_residual(12, 42, 52, 122)
    assert low_light_gap(only_shift) == {
        "cls": "a", "condition": "shift", "value": "Dim", "count": 12,
        "expected": pytest.approx(expected), "residual": pytest.approx(residual)}
    assert type(low_light_gap(only_shift)["count"]) is int


def test_no_low_light_gap_without_a_dark_value_or_a_flagged_cell():
    cat = two_dark_conditions()
    assert low_light_gap(cat.replace(conditions=["camera"])) is None
    assert low_light_gap(cat.replace(conditions=[])) is None
    # a dark value whose class mix is everyone's: nothing flagged
    even = _rows({("a", "day"): 10, ("a", "night"): 10, ("b", "day"): 20, ("b", "night"): 20},
                 ("light",))
    assert low_light_gap(Catalog(even, classes=["a", "b"], conditions=["light"])) is None


@pytest.mark.parametrize("word", LOW_LIGHT_WORDS)
def test_every_low_light_word_is_recognised_in_any_case(word):
    value = word.upper()
    samples = _rows({("a", "day"): 40, ("a", value): 2, ("b", "day"): 40, ("b", value): 40},
                    ("light",))
    gap = low_light_gap(Catalog(samples, classes=["a", "b"], conditions=["light"]))
    assert (gap["cls"], gap["value"], gap["count"]) == ("a", value, 2)


def test_the_low_light_gap_counts_in_the_unit_asked_for():
    samples = _rows({("a", "day"): 40, ("a", "night"): 2, ("b", "day"): 40,
                     ("b", "night"): 40}, ("light",)).drop(columns="label")
    # every image holds one box of its class, and the b images at night three each
    labels = ["a"] * 42 + ["b"] * 80
    repeat = [1] * 82 + [3] * 40
    pairs = list(zip(samples.index, labels, repeat, strict=True))
    objects = pd.DataFrame({"sample_id": [s for s, _, k in pairs for _ in range(k)],
                            "label": [c for _, c, k in pairs for _ in range(k)],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.3})
    cat = Catalog(samples, classes=["a", "b"], task="detection", objects=objects,
                  conditions=["light"])
    assert low_light_gap(cat)["count"] == 2
    expected, _ = adjusted_residual(2, 42, 42, 122)
    assert low_light_gap(cat)["expected"] == pytest.approx(expected)
    expected, residual = adjusted_residual(2, 42, 122, 202)
    gap = low_light_gap(cat, unit="instances")
    assert gap["expected"] == pytest.approx(expected)
    assert gap["residual"] == pytest.approx(residual)


def test_the_backdrop_is_the_background_else_a_class_over_half_the_pixels():
    samples = _rows({("x",): 2}, ()).drop(columns="label")
    pixels = pd.DataFrame({"sample_id": ["0", "0", "1", "1"],
                           "label": ["road", "car", "road", "sky"],
                           "count": [30, 30, 19, 21]})
    cat = Catalog(samples, classes=["road", "car", "sky"], task="segmentation",
                  pixels=pixels)
    assert backdrop_class(cat) is None  # road 49 of 100
    half = pixels.assign(count=[30, 30, 20, 20])
    assert backdrop_class(cat.replace(pixels=half)) is None  # exactly half: not more
    most = pixels.assign(count=[30, 30, 21, 19])
    assert backdrop_class(cat.replace(pixels=most)) == "road"
    assert backdrop_class(cat.replace(pixels=most, background="car")) == "car"
    assert backdrop_class(cat.replace(pixels=pixels.iloc[:0])) is None


def test_the_reason_names_the_single_valued_conditions():
    cat = two_dark_conditions()
    assert no_condition_reason(cat.replace(conditions=[])).startswith(
        "This dataset has no condition column (day/night, camera, site...)")
    reason = no_condition_reason(cat)
    assert reason.startswith("Every condition of this dataset (camera, shift, light) has a "
                             "single value")


def test_a_diagnosis_with_an_explicit_condition_and_threshold():
    cat = two_dark_conditions()
    d = diagnose(cat, condition="light", min_count=50, critical=["b"])
    assert d.hidden.condition == "light"
    assert (d.min_count, d.critical) == (50, ("b",))
    assert d.counts.unit == "images"
    assert d.below_threshold() == ["a"]  # 42 < 50; b has 80
    assert diagnose(cat, condition="light", min_count=42).below_threshold() == []
    assert diagnose(cat, condition="light", min_count=43).below_threshold() == ["a"]
    assert diagnose(cat, condition=None).hidden.reason == no_condition_reason(cat)
    assert diagnose(cat, critical=None).critical == ("a",)
    assert repr(d).startswith("Diagnosis(2 classes in images, ratio 1.9, hidden over light")


def rows(checklist) -> list[list]:
    return checklist.to_frame().values.tolist()


def test_the_checklist_word_for_word_with_splits_missing_a_class():
    from test_measure_stats import checklist_catalog

    from workbench.measure import health_checklist

    cat = checklist_catalog()  # a 100 train / 20 val; b 60 train, none in val; c 5 / 5
    checklist = health_checklist(cat, min_ok=100, min_warn=50)
    assert checklist.to_frame().columns.tolist() == ["check", "subject", "status", "value",
                                                     "reason"]
    # b: 60 of the 165 train images, none of the 25 val images: a gap of 0.3636
    assert rows(checklist) == [
        ["per-class counts per split", "all", "pass", 2,
         "counted in 2 splits: train, val"],
        ["split proportions preserved", "b", "fail", 0.3636,
         "largest share gap between splits is 36.4% (b); pass <= 5%, warn <= 10%"],
        ["class present in every split", "b", "fail", 0,
         "no images of b in val: its metrics there are undefined"],
        ["minimum examples per class", "a", "pass", 120, "120 images; ok from 100, warn from 50"],
        ["minimum examples per class", "b", "warn", 60, "60 images; ok from 100, warn from 50"],
        ["minimum examples per class", "c", "fail", 10, "10 images; ok from 100, warn from 50"]]
    no_split = cat.replace(samples=cat.samples.drop(columns="split"))
    assert rows(health_checklist(no_split))[0] == [
        "per-class counts per split", "all", "warn", 0,
        "no split column yet: split the data (notebook 02) and count each split"]
    # two of b's images moved to val: every class in every split (b's gap still 0.28)
    even = cat.samples.copy()
    even.loc[even.index[120:122], "split"] = "val"
    split_rows = rows(health_checklist(cat.replace(samples=even)))[:3]
    assert split_rows[2] == ["class present in every split", "all", "pass", 0,
                             "every class in every split"]
    assert split_rows[1][:3] == ["split proportions preserved", "b", "fail"]


def test_the_checklist_says_where_a_class_hides_or_that_none_does():
    from workbench.measure import health_checklist, hidden_imbalance

    cat = two_dark_conditions()
    hidden = hidden_imbalance(cat, "light")
    assert rows(health_checklist(cat, hidden=hidden))[-1] == [
        "classes spread over light", "a @ Night", "warn", 2,
        f"2 images where 14.5 were expected (residual -5.00, p = {hidden.p_value:.2g}); "
        "2 cells under-represented"]
    camera = hidden_imbalance(cat, "camera")  # a: 12 of 52 B images, residual -2.27
    assert camera.p_value == pytest.approx(0.023, abs=5e-4)
    assert rows(health_checklist(cat, hidden=camera))[-1][1:4] == ["a @ B", "warn", 12]
    # flagged at a loose threshold but not significant at 5%: a pass
    cat2 = Catalog(_rows({("a", "day"): 10, ("a", "night"): 8, ("b", "day"): 10,
                          ("b", "night"): 12}, ("light",)), classes=["a", "b"],
                   conditions=["light"])
    loose = hidden_imbalance(cat2, "light", threshold=0.5)
    assert len(loose.flagged()) and loose.p_value > 0.05
    assert rows(health_checklist(cat2, hidden=loose))[-1] == [
        "classes spread over light", "all", "pass", 0,
        f"no class departs from the light mix beyond chance (p = {loose.p_value:.2g})"]


def test_the_condition_overview_ranks_the_datas_own_conditions_then_the_derived():
    from workbench.measure import condition_overview, hidden_imbalance

    cat = two_dark_conditions()
    samples = cat.samples.assign(site="one", brightness=["low"] * 61 + ["high"] * 61)
    cat = cat.replace(samples=samples, conditions=["site", "camera", "shift", "light",
                                                   "brightness"], derived=("brightness",))
    table = condition_overview(cat)
    assert table.columns.tolist() == ["condition", "derived", "chi2", "dof", "p_value",
                                      "most_under_represented", "residual", "flagged_cells"]
    # site has one value: left out; camera and shift split the images alike (same p)
    assert table["condition"].tolist() == ["light", "camera", "shift", "brightness"]
    assert table["derived"].tolist() == [False, False, False, True]
    assert table.index.tolist() == [0, 1, 2, 3]
    light = hidden_imbalance(cat, "light")
    assert table.loc[0, ["chi2", "dof", "p_value"]].tolist() == pytest.approx(
        [light.chi2, 1, light.p_value])
    assert table.loc[0, "most_under_represented"] == "a @ Night"
    assert table.loc[0, "residual"] == pytest.approx(adjusted_residual(2, 42, 42, 122)[1])
    assert table.loc[0, "flagged_cells"] == 2   # a @ Night and, its mirror, b @ day
    assert table.loc[1, "most_under_represented"] == "a @ B"
    brightness = hidden_imbalance(cat, "brightness")
    assert table.loc[3, "p_value"] == pytest.approx(brightness.p_value)
    assert brightness.p_value < table.loc[1, "p_value"]  # derived last all the same


def test_a_diagnosis_passes_its_choices_on_to_every_part():
    cat = two_dark_conditions()
    d = diagnose(cat, condition="light", min_count=4, beta=0.5)
    assert d.tail.beta == 0.5
    assert rows(d.checklist)[-1][:3] == ["classes spread over light", "a @ Night", "warn"]
    assert rows(d.checklist)[1][4] == "42 images; ok from 4, warn from 2"
    assert rows(diagnose(cat, condition=None, min_count=1).checklist)[1][4] == (
        "42 images; ok from 1, warn from 1")
    assert diagnose(cat, condition=None).min_count == 100
    with pytest.raises(ValueError, match="'min_count' parameter of diagnose"):
        diagnose(cat, min_count=0)


def test_the_critical_class_by_default_is_the_rarest_with_any_example():
    samples = _rows({("a",): 5, ("b",): 1}, ())
    cat = Catalog(samples, classes=["a", "b", "empty"])
    assert diagnose(cat, condition=None, critical=None).critical == ("b",)
    boxes = pd.DataFrame({"sample_id": ["0", "0", "1"], "label": ["p", "p", "q"],
                          "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    det = Catalog(_rows({("x",): 3}, ()).drop(columns="label"), classes=["p", "q"],
                  task="detection", objects=boxes)
    d = diagnose(det, condition=None, critical=None)
    assert d.counts.unit == "instances" and d.critical == ("q",)
    assert d.tail.counts.to_dict() == {"p": 2, "q": 1}


def test_the_checklist_row_for_images_without_a_class_per_task():
    from workbench.measure import health_checklist

    samples = _rows({("a",): 3, ("b",): 2}, ())
    samples.loc[["1", "3"], "label"] = None
    cat = Catalog(samples, classes=["a", "b"])
    assert rows(health_checklist(cat, min_ok=1, min_warn=1))[1] == [
        "every image has a class", "all", "warn", 2,
        "2 images have no label (e.g. '1', '3'): they count in no class; label them or drop "
        "them"]
    boxes = pd.DataFrame({"sample_id": ["0"], "label": ["p"], "x": 0.1, "y": 0.1, "w": 0.2,
                          "h": 0.2})
    det = Catalog(_rows({("x",): 3}, ()).drop(columns="label"), classes=["p"],
                  task="detection", objects=boxes)
    assert rows(health_checklist(det, min_ok=1, min_warn=1))[1] == [
        "images with no object (negatives)", "all", "pass", 2,
        "2 images hold no box (e.g. '1', '2'): background examples, kept; they teach the "
        "model what is not an object"]
    pixels = pd.DataFrame({"sample_id": ["0"], "label": ["p"], "count": [5]})
    seg = Catalog(_rows({("x",): 2}, ()).drop(columns="label"), classes=["p"],
                  task="segmentation", pixels=pixels)
    assert rows(health_checklist(seg, min_ok=1, min_warn=1))[1][4].startswith(
        "1 images hold no labelled pixel (e.g. '1')")
    full = Catalog(_rows({("a",): 2, ("b",): 2}, ()), classes=["a", "b"])
    assert all(r[0] != "every image has a class" for r in rows(health_checklist(full)))


def test_counts_tables_rarest_class_and_split_shares_by_hand():
    from workbench.measure import class_counts
    from workbench.measure.counts import class_order, rarest_class, split_shares

    samples = _rows({("a", "train"): 3, ("b", "train"): 1, ("a", "val"): 1, ("b", None): 2,
                     ("c", "val"): 2}, ("split",))
    cat = Catalog(samples, classes=["a", "b", "c", "d"])
    assert rarest_class(cat) == "c"           # a 4, b 3, c 2, d 0: the fewest but some
    boxes = pd.DataFrame({"sample_id": ["0", "0", "0", "5"], "label": ["p", "p", "p", "q"],
                          "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    det = Catalog(samples.drop(columns="label"), classes=["p", "q"], task="detection",
                  objects=boxes)
    assert rarest_class(det, unit="instances") == "q"
    assert class_order(det) == ["p", "q"]
    counts = class_counts(cat, by="split")
    tidy = counts.to_frame()
    assert tidy.index.names == ["class", "split"]
    assert tidy.columns.tolist() == ["count", "share"]
    assert tidy.loc[("a", "train"), "count"] == 3
    flat = class_counts(cat).to_frame()
    assert flat.index.names == ["class"] and flat["count"].tolist() == [4, 3, 2, 0]
    # shares of each split's images; the two images without a split are left out
    shares = split_shares(cat)
    assert shares.columns.tolist() == ["train", "val"]
    assert shares.loc["a"].tolist() == [0.75, 1 / 3]
    assert shares.loc["c"].tolist() == [0.0, 2 / 3]
    one = Catalog(_rows({("a", "train"): 1, ("b", "val"): 1}, ("split",)), classes=["a", "b"])
    assert split_shares(one).to_numpy().tolist() == [[1.0, 0.0], [0.0, 1.0]]  # splits of 1


def test_critical_loader_rows_and_the_status_tally_word_for_word():
    from workbench.measure import health_checklist

    cat = two_dark_conditions()  # a 42, b 80
    problems = pd.DataFrame({"file": ["x.xml", "y.xml", "y.xml"], "item": ["1", "2", "3"],
                             "problem": ["boxes with no width or height"] * 2 + ["odd"],
                             "action": ["skipped", "skipped", "kept"]})
    checklist = health_checklist(cat.replace(problems=problems), critical=["a", "b"],
                                 critical_target=42, min_ok=50, min_warn=40)
    table = rows(checklist)
    assert table[1:3] == [
        ["what the loader found", "boxes with no width or height", "warn", 2,
         "2 boxes with no width or height: skipped (catalog.problems lists each)"],
        ["what the loader found", "odd", "warn", 1,
         "1 odd: kept (catalog.problems lists each)"]]
    assert table[-2:] == [
        ["critical class at target", "a", "pass", 42,
         "42 images of critical class a; target 42"],
        ["critical class at target", "b", "pass", 80,
         "80 images of critical class b; target 42"]]
    short = rows(health_checklist(cat, critical=["a"], critical_target=43))
    assert short[-1] == ["critical class at target", "a", "fail", 42,
                         "42 images of critical class a; target 43: collect 1 more"]
    assert checklist.statuses() == {"pass": 3, "warn": 4, "fail": 0}
    with pytest.raises(ValueError, match="'min_warn' parameter of health_checklist"):
        health_checklist(cat, min_warn=0)


def test_the_overview_counts_in_the_unit_asked_and_skips_a_condition_it_cannot_test():
    from workbench.measure import condition_overview, hidden_imbalance

    # cam B holds images but no box: nothing to compare in instances; site is even
    samples = _rows({("x", "A", "s1"): 6, ("x", "B", "s2"): 6, ("x", "A", "s2"): 6,
                     ("x", "B", "s1"): 6}, ("cam", "site")).drop(columns="label")
    cam_a = samples.index[samples["cam"] == "A"]
    boxes = pd.DataFrame({"sample_id": [i for i in cam_a for _ in range(2)],
                          "label": ["p", "q"] * len(cam_a), "x": 0.1, "y": 0.1, "w": 0.2,
                          "h": 0.2})
    boxes.loc[boxes.index[:7], "label"] = "p"  # p and q not alike over the sites
    det = Catalog(samples, classes=["p", "q"], task="detection", objects=boxes,
                  conditions=["cam", "site"])
    table = condition_overview(det, unit="instances")
    assert table["condition"].tolist() == ["site"]  # cam could not be tested, and is left out
    site = hidden_imbalance(det, "site", unit="instances")
    assert table.loc[0, "chi2"] == pytest.approx(site.chi2)
    assert table.loc[0, "flagged_cells"] == int((site.residuals < -site.threshold).sum().sum())
    images = condition_overview(det)
    assert images.loc[images["condition"] == "site", "chi2"].iloc[0] == pytest.approx(
        hidden_imbalance(det, "site").chi2)
    even = Catalog(_rows({("a", "d"): 5, ("a", "n"): 5, ("b", "d"): 10, ("b", "n"): 10},
                         ("light",)), classes=["a", "b"], conditions=["light"])
    assert condition_overview(even).loc[0, "flagged_cells"] == 0
