"""What rides along when images are repeated: per-class instances, pixels or images per
epoch, counted by hand on four images."""

import numpy as np
import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.errors import Lacks
from workbench.sample import ResamplingPlan, plan_instance_mix, units_per_epoch

CLASSES = ["car", "bike", "person", "truck"]


def detection(background=None) -> Catalog:
    """i0: car, car, bike; i1: car; i2: bike, person; i3: nothing. No truck anywhere."""
    samples = pd.DataFrame({"filepath": [f"i{k}.png" for k in range(4)], "width": 40,
                            "height": 20}, index=[f"i{k}" for k in range(4)])
    objects = pd.DataFrame({"sample_id": ["i0", "i0", "i0", "i1", "i2", "i2"],
                            "label": ["car", "car", "bike", "car", "bike", "person"],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.3})
    classes = CLASSES + ([background] if background else [])
    return Catalog(samples, classes=classes, task="detection", objects=objects,
                   background=background)


def test_instances_ride_along_with_their_image():
    mix = units_per_epoch(detection(), np.array([2.0, 0.0, 3.0, 1.0]))
    assert mix.attrs["unit"] == "instances"
    assert mix.index.name == "class"
    assert mix.index.tolist() == ["car", "bike", "person", "truck"]  # most before first
    assert mix.columns.tolist() == ["before", "after", "share_before", "share_after", "gain"]
    assert mix["before"].tolist() == [3, 2, 1, 0]
    # car: 2 x 2 in i0 + 0 x 1 in i1; bike: 2 x 1 + 3 x 1; person: 3 x 1
    assert mix["after"].tolist() == [4, 5, 3, 0]
    assert mix["share_before"].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6, 0])
    assert mix["share_after"].tolist() == pytest.approx([4 / 12, 5 / 12, 3 / 12, 0])
    assert mix["gain"].iloc[:3].tolist() == pytest.approx([4 / 3, 2.5, 3.0])
    assert np.isnan(mix["gain"].iloc[3])  # no truck before: no gain to speak of


def test_the_sort_keeps_the_class_order_among_equal_counts():
    mix = units_per_epoch(detection(), np.array([1.0, 1.0, 1.0, 1.0]))
    assert mix["after"].tolist() == mix["before"].tolist()
    assert mix["gain"].iloc[:3].tolist() == [1.0, 1.0, 1.0]
    tied = detection()
    objects = tied.objects.assign(label=pd.Categorical(
        ["car", "bike", "bike", "car", "person", "person"], categories=CLASSES))
    mix = units_per_epoch(tied.replace(objects=objects), np.ones(4))
    assert mix.index.tolist() == ["car", "bike", "person", "truck"]  # 2, 2, 2, 0


def test_pixels_are_weighted_by_their_count_and_images_counted_once_per_class():
    samples = pd.DataFrame({"filepath": ["m0.png", "m1.png"], "width": 4, "height": 4},
                           index=["m0", "m1"])
    pixels = pd.DataFrame({"sample_id": ["m0", "m0", "m1"], "label": ["road", "lane", "road"],
                           "count": [14, 2, 16]})
    seg = Catalog(samples, classes=["road", "lane"], task="segmentation", pixels=pixels)
    mix = units_per_epoch(seg, np.array([3.0, 1.0]))
    assert mix.attrs["unit"] == "pixels"
    assert mix["before"].tolist() == [30, 2]
    assert mix["after"].tolist() == [58, 6]      # road 3 x 14 + 16; lane 3 x 2
    labels = pd.DataFrame({"filepath": ["a.png", "b.png", "c.png"], "width": 4, "height": 4,
                           "label": ["x", "y", "y"]}, index=["a", "b", "c"])
    images = units_per_epoch(Catalog(labels, classes=["x", "y"]), np.array([4.0, 1.0, 0.0]))
    assert images.attrs["unit"] == "images"
    assert images.index.tolist() == ["y", "x"]
    assert images["before"].tolist() == [2, 1] and images["after"].tolist() == [1, 4]
    assert images["share_after"].tolist() == [0.2, 0.8]


def plan(multipliers: dict[str, float]) -> ResamplingPlan:
    count = pd.Series(10.0, index=list(multipliers))
    effective = (count * pd.Series(multipliers)).astype(int)
    return ResamplingPlan(count=count, effective=effective,
                          binding=pd.Series("none", index=count.index), max_oversample=5.0,
                          min_keep=0.0, priority=pd.Series(1.0, index=count.index))


def test_the_plan_mix_draws_each_image_by_its_keys_multiplier():
    cat = detection()
    keys = pd.Series({"i0": "bike", "i1": "car", "i2": "person"})  # i3 unkeyed: not drawn
    mix = plan_instance_mix(cat, plan({"bike": 2.0, "car": 0.5, "person": 3.0}), keys)
    expected = units_per_epoch(cat, np.array([2.0, 0.5, 3.0, 0.0]))
    pd.testing.assert_frame_equal(mix, expected)
    assert mix["after"].tolist() == [4.5, 5.0, 3.0, 0.0]
    # a key the plan does not know is drawn 0 times
    mix = plan_instance_mix(cat, plan({"bike": 2.0, "person": 3.0}), keys)
    assert mix.loc["car", "after"] == 4.0


def test_the_plan_mix_keys_images_by_their_rarest_class_by_default():
    cat = detection()
    # default keys: i0 bike (2 < 3 cars), i1 car, i2 person, i3 "(no object)"
    mix = plan_instance_mix(cat, plan({"bike": 2.0, "car": 1.0, "person": 3.0,
                                       "(no object)": 1.0}))
    pd.testing.assert_frame_equal(mix, units_per_epoch(cat, np.array([2.0, 1.0, 3.0, 1.0])))


def test_the_plan_mix_leaves_out_the_background_and_lacks_for_one_class_per_image():
    cat = detection(background="bg")
    mix = plan_instance_mix(cat, plan({"bike": 1.0, "car": 1.0, "person": 1.0}),
                            pd.Series({"i0": "bike", "i1": "car", "i2": "person"}))
    assert mix.index.tolist() == ["car", "bike", "person", "truck"]
    assert "bg" in units_per_epoch(cat, np.ones(4)).index
    labels = pd.DataFrame({"filepath": ["a.png"], "width": 4, "height": 4, "label": ["x"]},
                          index=["a"])
    with pytest.raises(Lacks, match="Each image holds one class here"):
        plan_instance_mix(Catalog(labels, classes=["x", "y"]), plan({"x": 1.0}))


def test_repeat_factors_on_four_images_by_hand():
    from workbench.sample import repeat_factors

    factors = repeat_factors(detection(), threshold=0.5)
    # car in i0 and i1, bike in i0 and i2 (0.5 each: factor 1); person only in i2 (0.25:
    # sqrt(2)); truck nowhere (factor 1, nothing to repeat)
    image = factors.image_factors
    assert image.name == "repeat_factor" and image.index.tolist() == ["i0", "i1", "i2", "i3"]
    assert image.tolist() == pytest.approx([1, 1, 2 ** 0.5, 1])
    table = factors.to_frame()
    assert table.index.name == "class"
    assert table.index.tolist() == ["car", "bike", "person", "truck"]
    assert table.columns.tolist() == ["image_fraction", "class_factor", "instances_before",
                                      "instances_after", "gain"]
    assert table["image_fraction"].tolist() == [0.5, 0.5, 0.25, 0.0]
    assert table["class_factor"].tolist() == pytest.approx([1, 1, 2 ** 0.5, 1])
    # i2's bike rides along with its person
    assert table["instances_after"].tolist() == pytest.approx([3, 1 + 2 ** 0.5, 2 ** 0.5, 0])
    assert repr(factors) == ("RepeatFactors(4 images -> 4.4 per epoch, threshold 0.5, "
                             "largest 1.41x)")
    assert (factors.threshold, factors.max_repeat) == (0.5, None)
    capped = repeat_factors(detection(), threshold=0.5, max_repeat=1)
    assert capped.image_factors.tolist() == [1, 1, 1, 1] and capped.max_repeat == 1
    with pytest.raises(ValueError, match="'max_repeat' parameter must be >= 1"):
        repeat_factors(detection(), threshold=0.5, max_repeat=0.99)
    assert "bg" not in repeat_factors(detection(background="bg"), threshold=0.5).to_frame().index


def test_the_background_is_no_reason_to_repeat_an_image():
    from workbench.sample import repeat_factors

    samples = pd.DataFrame({"filepath": ["a", "b", "c", "d"], "width": 4, "height": 4},
                           index=["a", "b", "c", "d"])
    pixels = pd.DataFrame({"sample_id": ["a", "b", "c", "d", "a"],
                           "label": ["road", "road", "road", "road", "lane"],
                           "count": [12, 16, 16, 16, 4]})
    seg = Catalog(samples, classes=["road", "lane"], task="segmentation", pixels=pixels,
                  background="road")
    # a threshold above 1 would repeat road (in every image) 2x were it counted
    factors = repeat_factors(seg, threshold=4.0)
    assert factors.image_factors.tolist() == [4.0, 1.0, 1.0, 1.0]  # lane: sqrt(4 / 0.25)
    assert factors.to_frame().index.tolist() == ["road", "lane"]
    assert factors.to_frame()["image_fraction"].tolist() == [0.0, 0.25]  # road not counted


def test_an_image_without_a_key_is_not_drawn_but_its_boxes_still_count_before():
    cat = detection()
    keys = pd.Series({"i0": "bike", "i2": "person"})  # i1's car has no key
    mix = plan_instance_mix(cat, plan({"bike": 2.0, "person": 3.0}), keys)
    assert mix.loc["car", ["before", "after"]].tolist() == [3, 4]  # 2 x 2 in i0, 0 x 1 in i1


def test_one_box_is_all_of_the_epoch():
    samples = pd.DataFrame({"filepath": ["a"], "width": 4, "height": 4}, index=["a"])
    boxes = pd.DataFrame({"sample_id": ["a"], "label": ["car"], "x": 0.1, "y": 0.1,
                          "w": 0.2, "h": 0.2})
    one = Catalog(samples, classes=["car", "bus"], task="detection", objects=boxes)
    mix = units_per_epoch(one, np.array([1.0]))
    assert mix.loc["car", ["share_before", "share_after"]].tolist() == [1.0, 1.0]


def test_the_default_repeat_threshold_is_the_median_present_class_fraction():
    from workbench.sample.repeat import default_repeat_threshold, lvis_factor

    samples = pd.DataFrame({"filepath": list("abcd"), "width": 4, "height": 4},
                           index=list("abcd"))
    pixels = pd.DataFrame({"sample_id": list("abcd") + ["a", "b", "c"],
                           "label": ["road"] * 4 + ["car", "car", "bus"],
                           "count": [10, 10, 10, 10, 2, 2, 2]})
    seg = Catalog(samples, classes=["road", "car", "bus", "tram"], task="segmentation",
                  pixels=pixels, background="road")
    # car in 2 of 4 images, bus in 1; road (the background) and tram (in none) left out
    assert default_repeat_threshold(seg) == pytest.approx(0.375)
    single = Catalog(samples.iloc[:1], classes=["road", "car"], task="segmentation",
                     pixels=pixels.iloc[[0, 4]])
    assert default_repeat_threshold(single) == 1.0  # car in the one image
    nothing = detection().replace(objects=detection().objects.iloc[:0])
    assert default_repeat_threshold(nothing) == 0.001  # LVIS's own, when no class is seen
    assert type(lvis_factor(0.25, 1.0)) is float and lvis_factor(0.25, 1.0) == 2.0
    assert lvis_factor(np.array([0.25, 1.0]), 1.0).tolist() == [2.0, 1.0]
