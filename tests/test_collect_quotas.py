"""Quota plans and stop decisions on hand-computed cases."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.collect import plan_quotas, stop_decisions, yields_from

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
