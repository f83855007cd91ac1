"""The one-page plan: written from the data, and checked against it; the quota panel."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.collect.page import check_page, one_page_plan
from workbench.evaluate import Predictions


def _catalog():
    # 40 day images: 12 with a crack box; 40 night images: 1 with a crack; dents everywhere
    ids = [f"i{k:02d}" for k in range(80)]
    light = ["day"] * 40 + ["night"] * 40
    samples = pd.DataFrame({"filepath": ids, "width": 20, "height": 10, "light": light},
                           index=ids)
    cracks = ids[:12] + ids[40:41]
    objects = pd.DataFrame({"sample_id": cracks + ids, "label": ["crack"] * 13 + ["dent"] * 80,
                            "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.1})
    return Catalog(samples, classes=["dent", "crack"], task="detection", objects=objects,
                   conditions=("light",))


def _predictions(catalog):
    scores = pd.DataFrame({"dent": 0.9, "crack": np.linspace(0, 1, len(catalog))},
                          index=catalog.samples.index)
    return Predictions(classes=catalog.classes, scores=scores, source="hand")


def test_the_page_is_written_from_the_data():
    catalog = _catalog()
    page = one_page_plan(catalog, predictions=_predictions(catalog), capacity_per_day=20)
    assert (page.cls, page.now, page.target) == ("crack", 13, 26)
    assert "light = 'day'" in page.collect and "0.300 per image" in page.collect
    # 13 more cracks at 0.3 a day image: 44 images; 20 a day meets it on day 3
    assert "about 44 images" in page.collect
    assert "expected on day 3" in page.stop_rule
    # the highest crack scores on images without a crack: the last ids
    assert [h.split()[0] for h in page.hard_negatives] == ["i79", "i78"]
    assert len(page.augmentations) == 3
    assert any("AP@0.5 of crack" in m for m in page.metrics)
    assert check_page(page, catalog) == []


def test_without_predictions_the_page_says_what_it_lacks():
    page = one_page_plan(_catalog())
    assert page.hard_negatives == ()
    assert any("no predictions" in n for n in page.notes)
    assert "'hard_negatives' is missing." in check_page(page, _catalog())


@pytest.mark.parametrize("edit, problem", [
    ({"now": 14}, "'now' says 14 but the data has 13"),
    ({"target": 13}, "is not above now"),
    ({"multiplier": 8}, "outside 0-5x"),
    ({"augmentations": ["flip"]}, "names 1"),
    ({"hard_negatives": ["i00", "i79"]}, "contain crack"),
    ({"hard_negatives": ["nope", "i79"]}, "not images of this dataset"),
    ({"metrics": ["accuracy"]}, "accuracy paradox"),
    ({"stop_rule": "stop when the team feels done"}, "no measurable quantity"),
    ({"collect": ""}, "'collect' is missing"),
])
def test_the_checker_names_what_is_wrong(edit, problem):
    catalog = _catalog()
    page = one_page_plan(catalog, predictions=_predictions(catalog)).to_dict()
    problems = check_page({**page, **edit}, catalog)
    assert any(problem in p for p in problems), problems
    assert check_page(["not", "a", "page"], catalog) == ["A page is a dict (page.to_dict()), "
                                                         "got list."]


def test_the_quota_panel_replans_when_a_slider_moves():
    from workbench import widgets

    panel = widgets.quota_panel(_catalog(), targets={"crack": 26}, capacity_per_day=20,
                                days=14, by="light")
    assert panel.result.met_on["crack"] == 3         # 13 cracks at 6 a day
    panel.controls["capacity"].value = 5             # 1.5 a day: day 9
    assert panel.result.met_on["crack"] == 9
    panel.controls["target:crack"].value = 50        # 37 more at 1.5 a day: not in 14 days
    assert np.isnan(panel.result.met_on["crack"])
    assert panel.result.to_frame().loc["crack", "short_by"] == 16  # 50 - (13 + 14 x 1.5)
    panel.controls["days"].value = 28
    assert panel.result.met_on["crack"] == 25


def test_the_default_capacity_is_the_fewest_images_that_meet_the_target_in_time():
    # 13 more cracks at 0.3 a day image: 43.3 images over 14 days, 4 a day (1.2 cracks)
    page = one_page_plan(_catalog())
    assert page.capacity_per_day == 4
    assert "expected on day 11" in page.stop_rule
