"""Stage functions on detection and segmentation data without an image label, hand-counted."""

import warnings

import numpy as np
import pandas as pd
import pytest
import shapes
from conftest import write_image

from workbench import exercises, measure, narrative, sample, split, widgets
from workbench.catalog import Catalog, concat
from workbench.errors import Lacks, Missing, needs
from workbench.sources import load


@pytest.fixture
def blood(tmp_path):
    """Four images: a holds 3 RBC + 1 platelet, b 2 RBC + 1 WBC, c 1 RBC, d nothing."""
    paths = {k: write_image(tmp_path / f"{k}.png", 20, 10) for k in "abcd"}
    samples = pd.DataFrame({"filepath": [str(paths[k]) for k in "abcd"], "width": 20,
                            "height": 10}, index=list("abcd"))
    labels = ["RBC", "RBC", "RBC", "Platelets", "RBC", "RBC", "WBC", "RBC"]
    owners = ["a", "a", "a", "a", "b", "b", "b", "c"]
    objects = pd.DataFrame({"sample_id": owners, "label": labels, "x": 0.1, "y": 0.1,
                            "w": 0.2, "h": 0.2})
    return Catalog(samples, classes=["Platelets", "RBC", "WBC"], task="detection",
                   objects=objects, source=str(tmp_path))


def test_sampling_keys_take_the_rarest_class_by_instances(blood):
    # instances: RBC 6, Platelets 1, WBC 1 (tie: class order) -> a: Platelets, b: WBC
    keys = sample.sampling_keys(blood)
    assert keys.astype(str).to_dict() == {"a": "Platelets", "b": "WBC", "c": "RBC",
                                          "d": "(no object)"}
    assert list(keys.cat.categories) == ["Platelets", "RBC", "WBC", "(no object)"]


def test_sampling_keys_prefer_the_image_label(blood):
    labelled = blood.replace(samples=blood.samples.assign(label=["RBC", None, None, None]))
    keys = sample.sampling_keys(labelled)
    assert keys.astype(str).to_dict() == {"a": "RBC", "b": "WBC", "c": "RBC",
                                          "d": "(no object)"}


def test_classification_keys_leave_out_unlabelled_images(tmp_path):
    samples = pd.DataFrame({"filepath": list("abc"), "width": 4, "height": 4,
                            "label": ["x", None, "y"]}, index=list("abc"))
    keys = sample.sampling_keys(Catalog(samples, classes=["x", "y"]))
    assert keys.astype(str).to_dict() == {"a": "x", "c": "y"}


def test_plan_instance_mix_counts_what_rides_along(blood):
    keys = sample.sampling_keys(blood)
    plan = sample.plan_resampling(keys, total=8, max_oversample=4)  # 2 each
    assert plan.effective.to_dict() == {"Platelets": 2, "RBC": 2, "WBC": 2, "(no object)": 2}
    mix = sample.plan_instance_mix(blood, plan, keys)
    # every image drawn twice: every class doubles, shares unchanged
    assert mix.loc["RBC", ["before", "after"]].tolist() == [6, 12]
    assert mix.loc["Platelets", "share_after"] == pytest.approx(1 / 8)
    uneven = sample.plan_resampling(keys, total=5, max_oversample=4,
                                    priority={"Platelets": 2})  # Platelets 2, rest 1
    mix = sample.plan_instance_mix(blood, uneven, keys)
    # a (3 RBC, 1 platelet) twice, b and c once: RBC 3*2 + 2 + 1 = 9, Platelets 2, WBC 1
    assert mix.loc[["RBC", "Platelets", "WBC"], "after"].tolist() == [9, 2, 1]
    assert mix.index.tolist() == ["RBC", "Platelets", "WBC"]  # largest first


def test_plan_instance_mix_lacks_for_classification():
    samples = pd.DataFrame({"filepath": list("ab"), "width": 4, "height": 4,
                            "label": ["x", "y"]}, index=list("ab"))
    cat = Catalog(samples, classes=["x", "y"])
    plan = sample.plan_resampling(sample.sampling_keys(cat))
    result = needs(sample.plan_instance_mix, cat, plan)
    assert isinstance(result, Missing) and "one class here" in result.reason


def test_default_repeat_threshold_is_the_median_image_fraction(blood):
    # images containing: RBC 3/4, Platelets 1/4, WBC 1/4 -> median 0.25
    assert sample.default_repeat_threshold(blood) == pytest.approx(0.25)
    factors = sample.repeat_factors(blood)
    assert factors.threshold == pytest.approx(0.25)
    assert factors.class_table["class_factor"].to_dict() == pytest.approx(
        {"RBC": 1.0, "Platelets": 1.0, "WBC": 1.0})
    lvis = sample.repeat_factors(blood, threshold=1.0)
    assert lvis.class_table.loc["Platelets", "class_factor"] == pytest.approx(2.0)  # sqrt(4)
    assert lvis.image_factors.to_dict() == pytest.approx({"a": 2.0, "b": 2.0,
                                                          "c": np.sqrt(4 / 3), "d": 1.0})


@pytest.mark.parametrize("counts", [{"a": 90, "b": 10}, {"a": 5, "b": 3, "c": 2}])
def test_accuracy_paradox_matches_scikit_learn_on_expanded_labels(counts):
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

    y = np.repeat(list(counts), list(counts.values()))
    pred = np.full(len(y), max(counts, key=counts.get))
    table = sample.accuracy_paradox(counts)["value"]
    assert table.tolist() == pytest.approx([
        accuracy_score(y, pred), balanced_accuracy_score(y, pred),
        f1_score(y, pred, average="macro", zero_division=0), 0.0])


def test_resampling_panel_plans_over_keys_on_detection(blood):
    panel = widgets.resampling_panel(blood, max_oversample=4)
    assert panel.result.count.to_dict() == {"Platelets": 1, "RBC": 1, "WBC": 1,
                                            "(no object)": 1}
    panel.controls["total"].value = 8
    assert panel.result.effective.to_dict() == {"Platelets": 2, "RBC": 2, "WBC": 2,
                                                "(no object)": 2}
    assert panel.factors is not None
    panel.controls["total"].value = 100  # infeasible: 4 images x 4 at most
    assert panel.result is None and "feasible totals are 0 to 16" in panel.error


def test_epoch_indices_over_keys(blood):
    keys = sample.sampling_keys(blood)
    plan = sample.plan_resampling(keys, total=8, max_oversample=4)
    indices = sample.epoch_indices(plan, keys, epoch=0, seed=0)
    assert np.bincount(indices).tolist() == [2, 2, 2, 2]


def test_exercises_are_posed_on_detection_and_segmentation(tmp_path):
    cat = load(shapes.masks(tmp_path / "m"))
    keys = sample.sampling_keys(cat)  # lane 14, car 8
    plan = sample.plan_resampling(keys, max_oversample=6)  # the 3x cap doubled
    expected = int(plan.effective["car"] - plan.count["car"])
    assert expected == 3  # an equal share of 22 draws: the cap does not bind
    assert exercises.check("04.copies_at_double_cap", expected, cat).correct is True
    assert exercises.check("04.copies_at_double_cap", expected + 1, cat).correct is False
    # road 43,028 px / 22 images, car 1,316 / 8 = 164, lane 2,472 / 22 = 112: no background
    assert exercises.check("01.pixels_per_image", "road", cat).correct is True
    assert exercises.check("01.pixels_per_image", "car", cat).correct is False


def test_compare_splits_shows_only_what_the_data_supports(blood, tmp_path):
    cat = load(shapes.folder(tmp_path / "f"))  # no split, no conditions, no groups
    comparison = split.compare_splits(cat, seed=0)
    assert list(comparison.reports) == ["naive", "stratified"]
    assert isinstance(comparison.given, Missing) and isinstance(comparison.strongest, Missing)
    table = comparison.to_frame()
    assert "groups_in_two_splits" not in table.index
    assert comparison.chosen() == ("stratified", comparison.catalogs["stratified"])
    grouped = load(shapes.manifest(tmp_path / "m"))  # groups and two conditions
    comparison = split.compare_splits(grouped, seed=0)
    assert list(comparison.reports)[-1].endswith(", groups whole")
    assert comparison.to_frame().loc["groups_in_two_splits", list(comparison.reports)[-1]] == 0


def test_given_split_is_kept_unless_resplit(tmp_path):
    cat = load(shapes.yolo(tmp_path / "y"))
    comparison = split.compare_splits(cat, seed=0)
    assert list(comparison.reports)[0] == "yours"
    assert comparison.chosen()[0] == "yours"
    assert comparison.chosen(resplit=True)[0] == "stratified"
    assert pd.isna(comparison.to_frame().loc["examples_distribution", "yours"])


def test_split_report_leaves_out_images_without_a_split(blood):
    cat = blood.replace(samples=blood.samples.assign(split=["train", "val", None, "train"]))
    report = split.split_report(cat)
    assert report.unassigned == 1 and report.sizes.to_dict() == {"train": 2, "val": 1}
    assert report.leaking_groups is None and "leaking_groups" not in report.summary()
    with pytest.raises(Lacks, match="came without a split"):
        split.split_report(blood)


def test_concat_prefixes_ids_that_repeat(blood):
    both = concat({"train": blood, "val": blood.subset(["a"])})
    assert both.samples.index.tolist() == ["train/a", "b", "c", "d", "val/a"]
    assert both.samples["split"].astype(str).tolist() == ["train"] * 4 + ["val"]
    assert (both.objects["sample_id"].astype(str) == "val/a").sum() == 4


def test_coco_split_template(tmp_path):
    cat = load(shapes.coco(tmp_path / "c"))
    assert cat.samples["split"].value_counts().to_dict() == {"train": 24, "val": 10}
    assert cat.classes == ("cyclist", "pedestrian", "car", "wheelchair")


def test_panoptic_counts_instances_of_things_and_pixels_of_all(tmp_path):
    cat = load(shapes.panoptic(tmp_path / "p"))
    assert cat.task == "segmentation" and not cat.has_masks
    pixels = measure.class_counts(cat, unit="pixels").total
    assert pixels["grass"] == 20 * 900 and pixels["sky"] == 20 * 1000
    instances = measure.class_counts(cat, unit="instances").total
    assert instances.to_dict() == {"person": 35, "dog": 5, "grass": 0, "sky": 0}


def test_narrative_states_this_datasets_numbers(blood):
    text = narrative.overview(blood).data
    assert "RBC** (6)" in text and "6.0 to 1" in text and "75.0% of the time" in text
    assert "no image label, no split, no groups and no conditions" in text
    lack = narrative.hidden(measure.diagnose(blood, condition=None), blood)
    assert isinstance(lack, Missing) and "no condition column" in lack.reason


def test_the_always_majority_classifier_is_scored_over_images_not_pairs():
    """demo:surfaces: intact is in 1,650 of the 2,000 images; the 5 classes make 2,043
    (class, image) pairs, as an image can hold a scratch and a stain. Always answering
    intact is right on 82.5% of the images, not 1,650 / 2,043 = 80.8%."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = narrative.overview(load("demo:surfaces")).data
    assert "*intact* is right 82.5% of the time" in text and "80.8%" not in text


def test_low_light_gap_on_the_demo():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cat = load("demo:surfaces")
    gap = measure.low_light_gap(cat)
    assert (gap["cls"], gap["condition"], gap["value"]) == ("crack", "lighting", "night")
    assert gap["count"] == 3 and gap["expected"] == pytest.approx(17.7, abs=0.05)
    assert measure.low_light_gap(cat.replace(conditions=("camera",))) is None


def test_backdrop_class(tmp_path):
    assert measure.backdrop_class(load(shapes.masks(tmp_path / "m"))) == "road"
    assert measure.backdrop_class(load(shapes.folder(tmp_path / "f"))) is None


def test_readme_snippet_runs_on_a_yolo_dataset(tmp_path, monkeypatch):
    """The README's "In your own code" block, as written, on a YOLO dataset."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    block = readme.split("## In your own code", 1)[1].split("```python", 1)[1].split("```")[0]
    spec = shapes.yolo(tmp_path / "yolo")
    monkeypatch.chdir(tmp_path)
    namespace = {"DATASET": spec}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(block.replace('"yolo:data.yaml"', "DATASET"), namespace)
    assert len(namespace["indices"]) == namespace["plan"].total
