"""Where to collect: rates with intervals, images needed, under-represented strata."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench.catalog import Catalog
from workbench.collect.where import poisson_rate_interval, rare_classes, where_to_collect


def _catalog():
    # 100 day images, 30 with a crack; 100 night images, 2 with a crack
    labels = ["crack"] * 30 + ["intact"] * 70 + ["crack"] * 2 + ["intact"] * 98
    ids = [f"i{k:03d}" for k in range(200)]
    samples = pd.DataFrame({"filepath": ids, "width": 8, "height": 8, "label": labels,
                            "light": ["day"] * 100 + ["night"] * 100}, index=ids)
    return Catalog(samples, classes=["intact", "crack"], conditions=("light",),
                   background="intact")


def test_rates_and_their_wilson_intervals():
    where = where_to_collect(_catalog(), condition="light")
    rates = where.rates.set_index("value")
    assert where.unit == "images" and where.targets.to_dict() == {"crack": 64}
    assert rates.loc["day", "rate"] == pytest.approx(0.30)
    ci = stats.binomtest(30, 100).proportion_ci(0.95, method="wilson")
    assert rates.loc["day", "rate_low"] == pytest.approx(ci.low)
    assert rates.loc["day", "rate_high"] == pytest.approx(ci.high)
    # 32 more cracks at 0.30 an image: 107 images; at night's 0.02: 1,600
    assert rates.loc["day", "images_needed"] == 107
    assert rates.loc["night", "images_needed"] == 1600
    assert rates.loc["day", "needed_low"] == np.ceil(32 / ci.high)
    assert where.best().loc["crack", "value"] == "day"


def test_the_under_represented_stratum_and_what_closing_it_takes():
    gaps = where_to_collect(_catalog(), condition="light").gaps
    assert gaps[["class", "value"]].values.tolist() == [["crack", "night"]]
    # independence expects 32 x 100 / 200 = 16 night cracks; 14 more at 0.02 an image
    assert gaps["expected"].iloc[0] == pytest.approx(16)
    assert gaps["images_to_close"].iloc[0] == 700
    text = where_to_collect(_catalog(), condition="light").summary()
    assert "crack at light = 'night' has 2 where independence expects 16" in text
    assert "targeted search" in text  # 700 images is more than the 100 night images


def test_poisson_interval_is_garwoods():
    low, high = poisson_rate_interval(np.array([10]), np.array([1]))
    assert low[0] == pytest.approx(stats.chi2.ppf(0.025, 20) / 2)  # 4.795
    assert high[0] == pytest.approx(stats.chi2.ppf(0.975, 22) / 2)  # 18.39
    assert low[0] == pytest.approx(4.7954, abs=1e-4) and high[0] == pytest.approx(18.3904,
                                                                                  abs=1e-4)


def test_rare_classes_are_below_the_median_rarest_first_background_out():
    counts = pd.Series({"road": 1, "car": 500, "bus": 40, "tram": 90, "van": 700, "cone": 5})
    assert rare_classes(counts, background="road") == ["cone", "bus"]
    assert rare_classes(pd.Series({"a": 3, "b": 3})) == ["a"]


def test_no_condition_says_so():
    plain = _catalog().replace(conditions=())
    plain = plain.replace(samples=plain.samples.drop(columns="light"))
    from workbench.errors import Lacks

    with pytest.raises(Lacks, match="no condition"):
        where_to_collect(plain)


def site_catalog():
    """16 images at three sites (A 10, B 5, C 1) with boxes, counted by hand:

    car: 2 on each A image, 1 on each B and C image (26); cone: 2 on three A images,
    3 on the C image (9); bus: 1 on an A image, 2 on two B images (5).
    """
    sites = ["A"] * 10 + ["B"] * 5 + ["C"]
    ids = [f"s{k:02}" for k in range(16)]
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in ids], "width": 40, "height": 20,
                            "site": sites}, index=ids)
    rows = [(ids[k], "car") for k in range(10) for _ in range(2)]
    rows += [(ids[k], "cone") for k in range(3) for _ in range(2)] + [(ids[9], "bus")]
    rows += [(ids[k], "car") for k in range(10, 15)]
    rows += [(ids[10], "bus")] * 2 + [(ids[11], "bus")] * 2
    rows += [(ids[15], "car")] + [(ids[15], "cone")] * 3
    objects = pd.DataFrame(rows, columns=["sample_id", "label"]).assign(
        x=0.1, y=0.1, w=0.2, h=0.3)
    return Catalog(samples, classes=["car", "cone", "bus"], task="detection",
                   objects=objects, conditions=["site"])


def garwood(k, n, confidence=0.95):
    alpha = 1 - confidence
    low = stats.chi2.ppf(alpha / 2, 2 * k) / 2 if k else 0.0
    return low / n, stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2 / n


def test_instances_per_image_at_each_site_and_the_images_to_reach_a_target():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 3 / 0 and 0 / 0 are expected, and silent
        where = where_to_collect(site_catalog(), classes=["cone", "bus"],
                                 targets={"cone": 12.0, "bus": 4.0})
    rates = where.rates
    assert (where.unit, where.condition) == ("instances", "site")
    assert rates.columns.tolist() == [
        "class", "value", "images", "count", "rate", "rate_low", "rate_high", "now",
        "target", "images_needed", "needed_low", "needed_high"]
    assert rates[["class", "value"]].values.tolist() == [
        ["cone", "A"], ["cone", "B"], ["cone", "C"], ["bus", "A"], ["bus", "B"], ["bus", "C"]]
    assert rates["images"].tolist() == [10, 5, 1, 10, 5, 1]
    assert rates["count"].tolist() == [6, 0, 3, 1, 4, 0]
    assert rates["images"].dtype == int and rates["count"].dtype == int
    assert rates["rate"].tolist() == pytest.approx([0.6, 0.0, 3.0, 0.1, 0.8, 0.0])
    for row, (k, n) in enumerate([(6, 10), (0, 5), (3, 1), (1, 10), (4, 5), (0, 1)]):
        assert rates.loc[row, ["rate_low", "rate_high"]].tolist() == pytest.approx(
            garwood(k, n))
    assert rates["now"].tolist() == [9, 9, 9, 5, 5, 5]
    assert rates["target"].tolist() == [12, 12, 12, 4, 4, 4]
    assert where.targets.to_dict() == {"cone": 12, "bus": 4} and where.targets.dtype == int
    # cone needs 3 more: 3 / 0.6 = 5 images at A, none at B can do it, 1 at C; bus is
    # past its target: 0 images (0 / 0 at C: no number)
    needed = rates["images_needed"].tolist()
    assert needed[:5] == [5, np.inf, 1, 0, 0] and np.isnan(needed[5])
    assert rates.loc[0, ["needed_low", "needed_high"]].tolist() == [
        np.ceil(3 / garwood(6, 10)[1]), np.ceil(3 / garwood(6, 10)[0])]
    assert rates.loc[1, "needed_low"] == np.ceil(3 / garwood(0, 5)[1])
    assert rates.loc[1, "needed_high"] == np.inf
    narrower = where_to_collect(site_catalog(), classes=["cone"], targets={"cone": 12},
                                confidence=0.9).rates
    assert narrower.loc[0, ["rate_low", "rate_high"]].tolist() == pytest.approx(
        garwood(6, 10, 0.9))


def test_the_instance_gap_and_what_closing_it_takes():
    where = where_to_collect(site_catalog(), classes=["cone", "bus"],
                             targets={"cone": 12, "bus": 4})
    gaps = where.gaps
    assert gaps.columns.tolist() == [
        "class", "value", "count", "expected", "residual", "images", "rate", "rate_low",
        "rate_high", "images_to_close", "close_low", "close_high"]
    # bus at A: 1 of A's 27 instances, where 5 x 27 / 40 = 3.375 are expected
    assert gaps[["class", "value", "count", "images"]].values.tolist() == [["bus", "A", 1, 10]]
    assert gaps.loc[0, "expected"] == pytest.approx(3.375)
    assert gaps.loc[0, "residual"] < -1.96
    low, high = garwood(1, 10)
    assert gaps.loc[0, ["images_to_close", "close_low", "close_high"]].tolist() == [
        np.ceil(2.375 / 0.1), np.ceil(2.375 / high), np.ceil(2.375 / low)]
    assert where.summary() == (
        "cone: site = 'C' yields it most, 3.000 instances per image (0.619-8.767), against "
        "0.000 at 'B'; reaching 12 from 9 takes about 1 images there (1-5).\n"
        "bus: site = 'B' yields it most, 0.800 instances per image (0.218-2.048), against "
        "0.000 at 'C'; reaching 4 from 5 takes about 0 images there (0-0).\n"
        "Under-represented: bus at site = 'A' has 1 where independence expects 3; closing "
        "the gap takes about 24 images there (5-939) at its rate of 0.100 - too rare there "
        "to close by volume: look for it on purpose (a targeted search, not more of the "
        "same).")
    # a class not flagged is not a gap: car only
    assert where_to_collect(site_catalog(), classes=["car"]).gaps.empty


def test_the_defaults_the_rarest_class_twice_its_count_the_only_condition():
    where = where_to_collect(site_catalog())
    assert (where.unit, where.condition) == ("instances", "site")
    assert where.targets.to_dict() == {"bus": 10}  # below the median (9): bus's 5, twice
    images = where_to_collect(site_catalog(), unit="images", classes=["cone"])
    assert images.unit == "images"
    # 3 A images and the C image hold a cone: Wilson at 3 of 10
    ci = stats.binomtest(3, 10).proportion_ci(0.95, method="wilson")
    assert images.rates.loc[0, ["count", "rate_low", "rate_high"]].tolist() == pytest.approx(
        [3, ci.low, ci.high])
    assert images.targets.to_dict() == {"cone": 8}
    with pytest.raises(ValueError, match="'truck'"):
        where_to_collect(site_catalog(), classes=["truck"])


def test_rare_classes_leave_out_absent_classes_and_keep_ties_in_order():
    counts = pd.Series({"a": 0, "b": 7, "c": 3, "d": 3, "e": 20, "f": 1, "g": 9})
    # absent a is not the rarest; c and d tie at 3 and stay in their order; median 5 of 1-20
    assert rare_classes(counts) == ["f", "c", "d"]
    assert rare_classes(counts, n=2) == ["f", "c"]
    assert rare_classes(pd.Series({"x": 4, "y": 4})) == ["x"]  # none below the median
    assert rare_classes(pd.Series({"bg": 1, "x": 4, "y": 9}), background="bg") == ["x"]


def test_default_targets_round_up_and_are_named():
    from workbench.collect.where import default_targets

    targets = default_targets(pd.Series({"a": 3, "b": 5, "c": 7}), ["c", "a"], multiplier=1.5)
    assert targets.to_dict() == {"c": 11, "a": 5} and targets.name == "target"
    assert targets.dtype.kind == "i"


def test_the_best_condition_value_for_each_class_in_target_order_with_ties_first_listed():
    from workbench.collect.where import WhereToCollect

    rates = pd.DataFrame({"class": ["a", "a", "b", "b", "b"],
                          "value": ["x", "y", "x", "y", "z"],
                          "rate": [0.2, 0.5, 0.3, 0.3, 0.1]})
    where = WhereToCollect("site", "images", rates, pd.DataFrame(),
                           pd.Series({"b": 9, "a": 4}, name="target"))
    best = where.best()
    assert best.index.tolist() == ["b", "a"] and best["value"].tolist() == ["x", "y"]


def test_the_summary_in_images_and_in_instances_per_image():
    images = where_to_collect(_catalog(), condition="light", unit="images")
    assert "crack: light = 'day' yields it most, 0.300 per image (" in images.summary()
    assert ", against 0.020 at 'night'; reaching 64 from 32" in images.summary()
    instances = where_to_collect(site_catalog(), condition="site")
    assert "instances per image" in instances.summary()
    assert "per image (" not in instances.summary().replace("instances per image (", "")
