"""Quota plans and stop decisions on hand-computed cases."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.collect import plan_quotas, stop_decisions, yields_from
from workbench.errors import DataError

# night yields only cracks, day only dents: the fewest images for 30 cracks and 40 dents
# are 300 night + 200 day = 500, i.e. 60 + 40 a day at 100 a day, met together on day 5
YIELDS = pd.DataFrame({"crack": [0.1, 0.0], "dent": [0.0, 0.2]}, index=["night", "day"])
NOW = {"crack": 10, "dent": 0}
TARGETS = {"crack": 40, "dent": 40}


def test_targets_are_met_on_the_day_the_hand_plan_says():
    plan = plan_quotas(NOW, targets=TARGETS, capacity_per_day=100, days=7, yields=YIELDS)
    assert plan.images.loc[1].to_dict() == {"night": 60, "day": 40}
    assert plan.expected.loc[5].to_dict() == pytest.approx({"crack": 40, "dent": 40})
    assert plan.met_on.to_dict() == {"crack": 5, "dent": 5}
    assert plan.images.loc[6:].to_numpy().sum() == 0  # stop once the targets are met
    assert plan.to_frame()["short_by"].tolist() == [0, 0]


def test_an_infeasible_horizon_reports_the_shortfall_and_the_fix():
    plan = plan_quotas(NOW, targets=TARGETS, capacity_per_day=100, days=3, yields=YIELDS)
    frame = plan.to_frame()
    assert frame.loc["crack", "expected_at_end"] == 28  # 10 + 3 x 60 x 0.1
    assert frame.loc["crack", "short_by"] == 12
    assert frame.loc["dent", "short_by"] == 16          # 40 - 3 x 40 x 0.2
    assert frame.loc["crack", "best_source"] == "night"
    assert frame.loc["crack", "images_there"] == 120    # 12 / 0.1
    assert frame.loc["dent", "images_there"] == 80      # 16 / 0.2
    assert frame.loc["crack", "days_at_capacity"] == 2
    assert plan.met_on.isna().all()
    assert plan.capacity_needed == 167                  # 500 images in 3 days
    assert "167 images a day" in plan.summary()


def test_the_mix_favours_the_source_that_serves_two_classes():
    # A gives both (0.1 each), B only dents (0.3): 100 A meet the cracks and 10 dents,
    # the other 30 dents take 66.7 B; on the last day each source is rounded up
    yields = pd.DataFrame({"crack": [0.1, 0.0], "dent": [0.1, 0.3]}, index=["A", "B"])
    plan = plan_quotas({"crack": 0, "dent": 0}, targets={"crack": 10, "dent": 30},
                       capacity_per_day=1000, days=2, yields=yields)
    assert plan.images.loc[1].to_dict() == {"A": 100, "B": 67}
    assert plan.met_on.to_dict() == {"crack": 1, "dent": 1}


def test_a_class_no_source_yields_is_said_so():
    yields = pd.DataFrame({"crack": [0.0], "dent": [0.2]}, index=["day"])
    plan = plan_quotas(NOW, targets=TARGETS, capacity_per_day=100, days=3, yields=yields)
    assert np.isnan(plan.met_on["crack"])
    assert "crack: no source yields it" in plan.summary()
    assert plan.met_on["dent"] == 2  # the dent plan goes on without it


def test_a_target_already_met_labels_nothing():
    plan = plan_quotas({"crack": 50, "dent": 0}, targets={"crack": 40}, capacity_per_day=100,
                       days=3, yields=YIELDS)
    assert plan.met_on["crack"] == 0
    assert plan.images.to_numpy().sum() == 0


def test_bad_options_are_refused_with_their_name():
    with pytest.raises(ValueError, match="'capacity_per_day' parameter of plan_quotas"):
        plan_quotas(NOW, targets=TARGETS, capacity_per_day=0, days=3, yields=YIELDS)
    with pytest.raises(ValueError, match="'bus'"):
        plan_quotas(NOW, targets={"bus": 3}, capacity_per_day=10, days=3, yields=YIELDS)
    with pytest.raises(ValueError, match="yields"):
        plan_quotas(NOW, targets=TARGETS, capacity_per_day=10, days=3)


def _catalog():
    # day: 2 images with 3 cracks; night: 2 images with 1 crack and 2 dents
    samples = pd.DataFrame({"filepath": list("abcd"), "width": 10, "height": 10,
                            "light": ["day", "day", "night", "night"]}, index=list("abcd"))
    objects = pd.DataFrame({"sample_id": ["a", "a", "b", "c", "d", "d"],
                            "label": ["crack", "crack", "crack", "crack", "dent", "dent"],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.3})
    return Catalog(samples, classes=["crack", "dent"], task="detection", objects=objects,
                   conditions=("light",))


def test_yields_are_measured_per_condition_value():
    yields = yields_from(_catalog(), by="light")
    assert yields.loc["day"].to_dict() == {"crack": 1.5, "dent": 0.0}
    assert yields.loc["night"].to_dict() == {"crack": 0.5, "dent": 1.0}
    pool = yields_from(_catalog())
    assert pool.loc["pool"].to_dict() == {"crack": 1.0, "dent": 0.5}
    share = yields_from(_catalog(), by="light", unit="images")  # images holding the class
    assert share.loc["night"].to_dict() == {"crack": 0.5, "dent": 0.5}


def test_a_catalog_plans_from_its_own_counts_and_yields():
    plan = plan_quotas(_catalog(), targets={"dent": 6}, capacity_per_day=2, days=3, by="light")
    assert plan.expected.loc[0].to_dict() == {"crack": 4, "dent": 2}
    assert plan.images.loc[1].to_dict() == {"day": 0, "night": 2}
    assert plan.met_on["dent"] == 2


def _plan():
    return plan_quotas(NOW, targets=TARGETS, capacity_per_day=100, days=7, yields=YIELDS)


def test_stop_decisions_from_a_hand_written_log():
    log = pd.DataFrame({"day": [1, 1, 2, 2, 3, 3],
                        "source": ["night", "day"] * 3,
                        "images": [60, 40] * 3,
                        "crack": [6, 0, 2, 0, 1, 0],
                        "dent": [0, 8, 0, 8, 0, 8]})
    decisions = stop_decisions(_plan(), log, k_days=2).to_frame().set_index("name")
    # crack: 19 of 40, 1.5 a day over days 2-3: the 21 left take 14 days, day 17 > 7
    assert decisions.loc["crack", "decision"] == "escalate"
    assert "day 17" in decisions.loc["crack", "reason"]
    # dent: 24 of 40 at 8 a day: day 5, within the horizon
    assert decisions.loc["dent", "decision"] == "continue"
    assert "day 5" in decisions.loc["dent", "reason"]
    # night yielded 2/60 and 1/60 cracks per image on days 2-3: 33% and 17% of 0.1
    assert decisions.loc["night", "decision"] == "re-route"
    assert decisions.loc["day", "decision"] == "continue"
    # with a 3-day window, day 1's full yield keeps night going
    wide = stop_decisions(_plan(), log, k_days=3).to_frame().set_index("name")
    assert wide.loc["night", "decision"] == "continue"


def test_a_class_at_its_target_stops():
    log = pd.DataFrame({"day": [1, 2], "source": ["day", "day"], "images": [100, 100],
                        "crack": [0, 0], "dent": [20, 20]})
    decisions = stop_decisions(_plan(), log, k_days=2).to_frame().set_index("name")
    assert decisions.loc["dent", "decision"] == "stop"
    assert "40 labelled >= the target of 40" in decisions.loc["dent", "reason"]
    assert decisions.loc["crack", "decision"] == "escalate"  # none in 2 days: never met
    assert "never met" in decisions.loc["crack", "reason"]


def test_a_log_without_a_class_column_is_refused():
    log = pd.DataFrame({"day": [1], "source": ["day"], "images": [10], "dent": [1]})
    with pytest.raises(ValueError, match="'crack'"):
        stop_decisions(_plan(), log)


def test_a_target_reached_up_to_rounding_is_met():
    # ten images at 0.1 sum to 0.9999999999999999 in floating point: met on day 10
    plan = plan_quotas({"crack": 0}, targets={"crack": 1}, capacity_per_day=1, days=12,
                       yields=pd.Series({"crack": 0.1}))
    assert plan.expected.loc[10, "crack"] < 1
    assert plan.met_on["crack"] == 10
    assert plan.to_frame().loc["crack", "short_by"] == 0
    assert "met on day 10 of 12" in plan.summary()


def test_stop_decisions_on_their_boundaries_word_for_word():
    log = pd.DataFrame({"day": [1, 1, 2, 3, 4, 4],
                        "source": ["night", "day", "day", "day", "night", "day"],
                        "images": [60, 170, 5, 5, 1, 10],
                        "crack": [0, 0, 0, 0, 0, 0],
                        "dent": [0, 34, 1, 1, 0, 1]})
    decisions = stop_decisions(_plan(), log, k_days=1)
    assert decisions.day == 4
    frame = decisions.to_frame()
    assert frame.columns.tolist() == ["kind", "name", "decision", "reason"]
    assert frame.values.tolist() == [
        # no crack in the last day: never met
        ["class", "crack", "escalate", "10 of 40; at 0.0 a day (last 1 days) the 30 still "
         "needed are never met (past the 7-day horizon)"],
        # 37 of 40 at exactly 1 a day: met on day 4 + 3 = 7, the last day of the horizon
        ["class", "dent", "continue", "37 of 40; at 1.0 a day (last 1 days) the 3 still "
         "needed are met on day 7 (within the 7-day horizon)"],
        # night's one image of day 4 held no crack: 0% of the planned 0.1 a day
        ["source", "night", "re-route", "yielded 0 targeted per image over days 4-4, 0% of "
         "the 0.1 planned (below 50% on each of 1 days)"],
        # day's 1 dent in 10 images is exactly half the planned 0.2: not below half
        ["source", "day", "continue", "yielded 0.1 targeted per image over days 4-4, 50% of "
         "the 0.2 planned"],
    ]
    # one dent fewer on day 1: day 8, past the horizon
    fewer = log.assign(dent=[0, 33, 1, 1, 0, 1])
    row = stop_decisions(_plan(), fewer, k_days=1).to_frame().iloc[1]
    assert row["decision"] == "escalate" and row["reason"].endswith(
        "are met on day 8 (past the 7-day horizon)")


def test_stop_decisions_look_back_three_days_by_default():
    log = pd.DataFrame({"day": [1, 2, 3, 4], "source": "day", "images": 100,
                        "crack": 0, "dent": [0, 0, 0, 9]})
    frame = stop_decisions(_plan(), log).to_frame().set_index("name")
    # 9 dents over days 2-4: 3 a day; 31 left: 11 more days
    assert frame.loc["dent", "reason"] == ("9 of 40; at 3.0 a day (last 3 days) the 31 still "
                                           "needed are met on day 15 (past the 7-day horizon)")
    assert frame.loc["day", "reason"].startswith("yielded 0.03 targeted per image over days 2-4")


def test_sources_that_yield_nothing_planned_are_left_out_and_only_planned_classes_count():
    yields = pd.DataFrame({"crack": [0.0, 0.1, 0.0], "dent": [0.0, 0.0, 1.0]},
                          index=["web", "night", "day"])
    plan = plan_quotas(NOW, targets=TARGETS, capacity_per_day=100, days=7, yields=yields)
    log = pd.DataFrame({"day": [1, 1, 1], "source": ["web", "night", "day"],
                        "images": [10, 10, 10], "crack": [5, 1, 9], "dent": [5, 9, 5]})
    frame = stop_decisions(plan, log, k_days=1).to_frame().set_index("name")
    assert frame.index.tolist() == ["crack", "dent", "night", "day"]  # web: nothing planned
    # night: its 9 dents are not what it was planned for; 1 crack in 10 images is 100%
    assert frame.loc["night", "reason"].startswith(
        "yielded 0.1 targeted per image over days 1-1, 100% of the 0.1 planned")
    # day yields a dent an image (its expected yield sums to exactly 1): 5 in 10 is 50%
    assert frame.loc["day", "reason"].startswith(
        "yielded 0.5 targeted per image over days 1-1, 50% of the 1 planned")
    assert frame.loc["day", "decision"] == "continue"


def short_plan():
    """Two days of 10 images: crack and rust fall short, dent is met now, hole has no
    source. Night yields 0.2625 cracks and 0.05 rust an image, day 0.5 rust."""
    yields = pd.DataFrame({"crack": [0.2625, 0.0], "dent": [0.0, 0.0], "rust": [0.05, 0.5],
                           "hole": [0.0, 0.0]}, index=["night", "day"])
    return plan_quotas({"crack": 3, "dent": 5, "rust": 0, "hole": 2},
                       targets={"crack": 20, "dent": 5, "rust": 2, "hole": 10},
                       capacity_per_day=10, days=2, yields=yields)


def test_a_short_plan_says_what_closing_each_gap_takes():
    plan = short_plan()
    assert plan.images.to_dict("list") == {"night": [10, 10], "day": [0, 0]}
    frame = plan.to_frame()
    assert frame.index.name == "class" and frame.index.tolist() == ["crack", "dent", "rust",
                                                                    "hole"]
    assert frame.columns.tolist() == [
        "now", "target", "expected_at_end", "met_on_day", "short_by", "best_source",
        "per_image_there", "images_there", "days_at_capacity"]
    assert frame["now"].tolist() == [3, 5, 0, 2]
    assert frame["target"].tolist() == [20, 5, 2, 10]
    # crack: 3 + 20 x 0.2625 = 8.25, shown to one place (8.2, half to even)
    assert frame["expected_at_end"].tolist() == [8.2, 5.0, 1.0, 2.0]
    assert frame["met_on_day"].iloc[1] == 0 and frame["met_on_day"].drop("dent").isna().all()
    # crack 11.75 short: 12; rust exactly 1 short
    assert frame["short_by"].tolist() == [12, 0, 1, 8]
    assert frame["best_source"].tolist()[0::2] == ["night", "day"]
    assert frame["best_source"].isna().tolist() == [False, True, False, True]
    assert frame["per_image_there"].tolist() == [0.2625, 0.0, 0.5, 0.0]
    # 11.75 / 0.2625 = 44.8 -> 45 images, 5 days of 10; rust 1 / 0.5 = 2 images, 1 day
    assert frame["images_there"].fillna(-1).tolist() == [45, -1, 2, -1]
    assert frame["days_at_capacity"].fillna(-1).tolist() == [5, -1, 1, -1]
    # 17 cracks at 0.2625 take 64.8 night images (which bring 3.2 rust), over 2 days: 33
    assert plan.capacity_needed == 33
    assert repr(plan) == (
        "QuotaPlan(2 days at 10 images a day): crack: 8 of 20 by day 2, 12 short; 45 more "
        "images from 'night' (0.263 per image) would close it, 5 more days at 10 a day. "
        "dent: 5 already meets the target of 5. rust: 1 of 2 by day 2, 1 short; 2 more "
        "images from 'day' (0.5 per image) would close it, 1 more day at 10 a day. hole: no "
        "source yields it; the target of 10 needs a new source. Meeting every target in 2 "
        "days needs 33 images a day (now 10).")


def test_a_plan_met_in_time_says_so_in_one_sentence_per_class():
    plan = plan_quotas({"crack": 3.5}, targets={"crack": 5}, capacity_per_day=10, days=1,
                       yields=pd.Series({"crack": 0.15}))
    assert plan.summary() == "crack: 4 now, the target of 5 is met on day 1 of 1."
    assert repr(plan).startswith("QuotaPlan(1 day at 10 images a day): ")
    with pytest.raises(DataError, match="plan_quotas"):
        plan_quotas({"crack": -1}, targets={"crack": 5}, capacity_per_day=10, days=1,
                    yields=pd.Series({"crack": 0.15}))


def test_yields_per_site_are_counts_per_image_named_source_by_class():
    samples = pd.DataFrame({"filepath": ["a", "b", "c"], "width": 4, "height": 4,
                            "site": ["x", "x", "y"]}, index=["a", "b", "c"])
    objects = pd.DataFrame({"sample_id": ["a", "a", "b", "c"],
                            "label": ["cat", "dog", "cat", "cat"],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    cat = Catalog(samples, classes=["cat", "dog", "eel"], task="detection", objects=objects,
                  conditions=["site"])
    table = yields_from(cat, by="site")
    assert (table.index.name, table.columns.name) == ("source", "class")
    assert table.index.tolist() == ["x", "y"] and table.columns.tolist() == ["cat", "dog",
                                                                             "eel"]
    # site y has one image, with one cat
    assert table.to_dict("list") == {"cat": [1.0, 1.0], "dog": [0.5, 0.0], "eel": [0.0, 0.0]}
    pool = yields_from(cat)
    assert pool.index.tolist() == ["pool"]
    assert pool.loc["pool"].tolist() == pytest.approx([1.0, 1 / 3, 0.0])
    images = yields_from(cat, unit="images", by="site")
    assert images.to_dict("list") == {"cat": [1.0, 1.0], "dog": [0.5, 0.0], "eel": [0.0, 0.0]}
    labels = Catalog(samples.assign(label=["cat", "dog", "dog"]), classes=["cat", "dog"],
                     conditions=["site"])
    assert yields_from(labels, by="site").to_dict("list") == {"cat": [0.5, 0.0],
                                                             "dog": [0.5, 1.0]}


def test_an_example_log_draws_the_planned_images_with_one_source_under_yielding():
    from workbench.collect.decisions import example_log

    plan = _plan()  # night 60 and day 40 images a day until day 5
    log = example_log(plan)
    assert log.columns.tolist() == ["day", "source", "images", "crack", "dent"]
    assert log["day"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert log["source"].tolist() == ["night", "day"] * 5
    assert log["images"].tolist() == [60, 40] * 5
    assert log.index.tolist() == list(range(10))
    # night (most images on day 1) at 0.3 of its planned 0.1 cracks an image
    rates = np.tile([[0.3 * 0.1, 0.0], [0.0, 0.2]], (5, 1))
    images = np.array([60, 40] * 5)[:, None]
    expected = np.random.default_rng(0).poisson(images * rates)
    assert log[["crack", "dent"]].to_numpy().tolist() == expected.tolist()
    under_day = example_log(plan, days=2, under="day", fraction=0.5, seed=4)
    rates = np.tile([[0.1, 0.0], [0.0, 0.5 * 0.2]], (2, 1))
    expected = np.random.default_rng(4).poisson(np.array([60, 40] * 2)[:, None] * rates)
    assert under_day[["crack", "dent"]].to_numpy().tolist() == expected.tolist()
    # days past the ones with images: sources with none that day are left out
    assert example_log(plan, days=7)["day"].max() == 5
    assert len(example_log(plan, days=1)) == 2
    with pytest.raises(ValueError, match="'days' parameter of example_log must be within 1-7"):
        example_log(plan, days=0)
    with pytest.raises(ValueError, match="within 1-7"):
        example_log(plan, days=8)


def test_auto_capacity_is_the_fewest_images_a_day_that_meet_every_target():
    # 300 night and 200 day images meet both targets: 500 over 5 days is exactly 100
    plan = plan_quotas(NOW, targets=TARGETS, capacity_per_day="auto", days=5, yields=YIELDS)
    assert plan.capacity_per_day == 100
    assert plan.met_on.to_dict() == {"crack": 5, "dent": 5}
    # over 7 days: 71.4, so 72
    assert plan_quotas(NOW, targets=TARGETS, capacity_per_day="auto", days=7,
                       yields=YIELDS).capacity_per_day == 72
    # targets already met: still one image a day, not none
    assert plan_quotas(NOW, targets={"crack": 5}, capacity_per_day="auto", days=3,
                       yields=YIELDS).capacity_per_day == 1
    # a class with no target counts as it comes
    assert plan_quotas(NOW, targets={"dent": 40}, capacity_per_day="auto", days=2,
                       yields=YIELDS).capacity_per_day == 100


def test_the_last_day_labels_just_enough_and_the_days_count_from_zero():
    # 60 + 40 a day meet both on day 5 exactly at capacity 100: no image more on day 5
    plan = plan_quotas(NOW, targets=TARGETS, capacity_per_day=100, days=6, yields=YIELDS)
    assert plan.images.index.tolist() == [1, 2, 3, 4, 5, 6]
    assert plan.expected.index.name == "day" and plan.expected.index.tolist() == list(range(7))
    assert plan.expected.loc[0].to_dict() == {"crack": 10, "dent": 0}
    assert plan.images.loc[5].tolist() == [60, 40]
    # at capacity 110 (66 + 44 a day), day 5 labels only the rest: 300 - 4 x 66 = 36 night
    # and 200 - 4 x 44 = 24 day images, not another 110
    roomy = plan_quotas(NOW, targets=TARGETS, capacity_per_day=110, days=6, yields=YIELDS)
    assert roomy.images.loc[5].tolist() == [36, 24]
    assert roomy.images.to_numpy().sum(axis=0).tolist() == [300, 200]
    assert roomy.images.loc[6].tolist() == [0, 0]


def test_a_plan_from_a_catalog_routes_by_its_condition_and_counts_its_unit():
    from test_collect_where import site_catalog

    cat = site_catalog()
    plan = plan_quotas(cat, targets={"bus": 10}, capacity_per_day=10, days=5, by="auto")
    assert plan.unit == "instances"
    assert plan.yields.index.tolist() == ["A", "B", "C"]
    assert plan.expected.loc[0, "bus"] == 5
    assert plan.yields.loc["B", "bus"] == 0.8
    pool = plan_quotas(cat, targets={"bus": 10}, capacity_per_day=10, days=5)
    assert pool.yields.index.tolist() == ["pool"]
    images = plan_quotas(cat, targets={"bus": 6}, capacity_per_day=10, days=5, unit="images",
                         by="auto")
    assert images.unit == "images" and images.expected.loc[0, "bus"] == 3
    assert images.yields.loc["B", "bus"] == 0.4
