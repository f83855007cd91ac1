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
