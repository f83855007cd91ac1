"""Conditions from pixels, headers and boxes: known values, bins, sizes, the cache."""

import numpy as np
import pandas as pd
import pytest
from conftest import write_image
from PIL import Image, ImageFilter

from workbench import conditions, measure
from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks


def catalog_of(paths, **columns):
    sizes = [Image.open(p).size for p in paths]
    samples = pd.DataFrame({"filepath": [str(p) for p in paths],
                            "width": [w for w, _ in sizes], "height": [h for _, h in sizes],
                            **columns}, index=[f"i{k}" for k in range(len(paths))])
    return Catalog(samples, classes=["a", "b"], task="classification" if "label" in columns
                   else "detection", source=str(paths[0].parent))


def textured(seed=0, size=(320, 240)):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))


def test_statistics_of_a_constant_image(tmp_path):
    path = write_image(tmp_path / "grey.png", 40, 30, value=128)
    stats = conditions.image_statistics(catalog_of([path]))
    assert stats.loc["i0", "brightness"] == pytest.approx(128)
    assert stats.loc["i0", "contrast"] == pytest.approx(0)
    assert stats.loc["i0", "sharpness"] == pytest.approx(0)


def test_a_blurred_image_is_less_sharp_and_brightness_keeps_order(tmp_path):
    sharp = textured()
    paths = [tmp_path / "sharp.png", tmp_path / "blurred.png", tmp_path / "dark.png"]
    sharp.save(paths[0])
    sharp.filter(ImageFilter.GaussianBlur(3)).save(paths[1])
    Image.fromarray((np.asarray(sharp) * 0.3).astype(np.uint8)).save(paths[2])
    stats = conditions.image_statistics(catalog_of(paths))
    assert stats.loc["i1", "sharpness"] < stats.loc["i0", "sharpness"] / 10
    assert stats.loc["i2", "brightness"] < stats.loc["i0", "brightness"] * 0.5
    assert stats.loc["i0", "brightness"] == pytest.approx(np.asarray(sharp.convert("L")).mean(),
                                                          abs=1)


def test_jpeg_draft_decoding_keeps_the_statistics(tmp_path):
    """640x480 JPEGs are decoded at a quarter scale; the numbers stay those of the image."""
    base = np.asarray(textured(size=(80, 60)).resize((640, 480), Image.BICUBIC))
    path = tmp_path / "photo.jpg"
    Image.fromarray(base).save(path, quality=95)
    stats = conditions.image_statistics(catalog_of([path]))
    full = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert stats.loc["i0", "brightness"] == pytest.approx(full.mean(), abs=1.5)
    assert stats.loc["i0", "contrast"] == pytest.approx(full.std(), rel=0.1)


def test_dhash_is_imagehash_dhash():
    import imagehash

    for seed in range(5):
        image = textured(seed, (64, 48)).filter(ImageFilter.GaussianBlur(2))
        ours = conditions.dhash_bits(image)
        assert ours.tolist() == imagehash.dhash(image).hash.ravel().tolist()


@pytest.mark.parametrize("name, values, expected", [
    ("brightness", [10, 20, 30, 40, 50, 60], ["dark", "dark", "normal", "normal", "bright",
                                              "bright"]),
    ("sharpness", [5, 5, 5, 9], ["blurred", "blurred", "blurred", "sharp"]),
    ("contrast", [7, 7, 7], ["normal", "normal", "normal"]),
    ("aspect", [0.5, 0.9, 1.0, 1.1, 1.5], ["portrait", "square", "square", "square",
                                           "landscape"]),
    ("objects", [0, 1, 2, 3, 9, 30, 0], ["none", "sparse", "sparse", "typical", "crowded",
                                         "crowded", "none"]),
    ("smallest_object", [np.nan, 1023, 1024, 9215, 9216], ["none", "small", "medium", "medium",
                                                           "large"]),
])
def test_bins_on_hand_made_cases(name, values, expected):
    levels, ranges = conditions.bin_property(name, pd.Series(values, dtype=float))
    assert levels.astype(str).tolist() == expected
    assert ranges["images"].sum() == len(values)
    assert list(levels.cat.categories) == list(dict.fromkeys(
        lvl for lvl in conditions.LEVELS[name] if lvl in expected))


def test_coco_area_classes_are_pycocotools_area_ranges():
    from pycocotools.cocoeval import Params

    ranges = dict(zip(Params(iouType="bbox").areaRngLbl, Params(iouType="bbox").areaRng,
                      strict=True))
    assert conditions.COCO_AREAS == (ranges["small"][1], ranges["medium"][1])
    assert (ranges["medium"][0], ranges["large"][0]) == conditions.COCO_AREAS


def boxes_catalog(tmp_path, sizes_px, labels, width=200, height=200):
    path = write_image(tmp_path / "a.png", width, height)
    samples = pd.DataFrame({"filepath": [str(path)], "width": width, "height": height},
                           index=["a"])
    side = np.sqrt(np.asarray(sizes_px, float))
    objects = pd.DataFrame({"sample_id": "a", "label": labels, "x": 0.0, "y": 0.0,
                            "w": side / width, "h": side / height})
    return Catalog(samples, classes=sorted(set(labels)), task="detection", objects=objects,
                   source=str(tmp_path))


def test_object_sizes_and_hidden_imbalance_per_box(tmp_path):
    # a: 3 small; b: 1 small, 3 large
    cat = boxes_catalog(tmp_path, [400, 500, 600, 900, 10000, 12000, 9216],
                        ["a", "a", "a", "b", "b", "b", "b"])
    assert conditions.object_sizes(cat).tolist() == ["small"] * 4 + ["large"] * 3
    derived = measure.derived_conditions(cat)
    assert list(derived.objects["size"].cat.categories) == ["small", "medium", "large"]
    result = measure.hidden_imbalance(derived, "size", unit="instances")
    assert result.observed.loc["a"].to_dict() == {"small": 3, "large": 0}
    assert result.residuals.loc["a", "large"] < 0 < result.residuals.loc["b", "large"]
    with pytest.raises(Lacks, match="run measure.derived_conditions first"):
        measure.hidden_imbalance(cat, "size", unit="instances")


def test_derived_conditions_add_levels_keep_the_data_and_leave_out_single_levels(tmp_path):
    paths = [write_image(tmp_path / f"{k}.png", 30, 20, value=v)
             for k, v in enumerate([20, 40, 120, 130, 220, 240])]
    cat = catalog_of(paths, label=list("aabbab"), brightness=["x"] * 6)
    cat = cat.replace(conditions=("brightness",))
    derived = measure.derived_conditions(cat)
    assert derived.conditions == ("brightness", "derived_brightness")  # the data's kept
    assert derived.samples["derived_brightness"].astype(str).tolist() == [
        "dark", "dark", "normal", "normal", "bright", "bright"]
    assert "resolution" not in derived.samples  # every image 30x20: one level, left out
    assert "contrast" not in derived.samples    # constant images: contrast 0 everywhere
    ranges = measure.level_ranges(cat)
    dark = ranges[(ranges.property == "brightness") & (ranges.level == "dark")].iloc[0]
    assert (dark["from"], dark["to"], dark["images"]) == (20, 40, 2)
    assert dark["binned by"] == "tertiles of this dataset"


def test_statistics_cache_reads_each_image_once_and_never_in_the_source(tmp_path,
                                                                          monkeypatch):
    paths = [write_image(tmp_path / "src" / f"{k}.png", value=10 * k) for k in range(3)]
    cat = catalog_of(paths)
    calls = []
    real = conditions.pixels._stats_of
    monkeypatch.setattr(conditions.pixels, "_stats_of", lambda p: calls.append(p) or real(p))
    first = conditions.image_statistics(cat, cache_dir=tmp_path / "cache")
    assert len(calls) == 3
    again = conditions.image_statistics(cat, cache_dir=tmp_path / "cache")
    assert len(calls) == 3  # all from the cache
    pd.testing.assert_frame_equal(first, again, check_dtype=False)
    write_image(paths[1], value=200)  # a changed file is read again
    changed = conditions.image_statistics(cat, cache_dir=tmp_path / "cache")
    assert len(calls) == 4 and changed.loc["i1", "brightness"] == pytest.approx(200)
    with pytest.raises(DataError, match="never writes into a source dataset"):
        conditions.image_statistics(cat, cache_dir=tmp_path / "src" / "cache")


def test_checklist_says_where_a_class_hides_under_a_derived_condition(tmp_path):
    # class "a" only in dark images, "b" only in bright ones: a derived condition finds it
    paths = [write_image(tmp_path / f"{k}.png", 30, 20, value=v)
             for k, v in enumerate([10, 12, 14, 16, 18, 20, 230, 232, 234, 236, 238, 240])]
    cat = catalog_of(paths, label=list("aaaaaabbbbbb"))
    diagnosis = measure.diagnose(measure.derived_conditions(cat), condition="brightness",
                                 min_count=1)
    rows = diagnosis.checklist.to_frame().set_index("check")
    row = rows.loc["classes spread over brightness"]
    assert row["status"] == "warn" and row["subject"] in ("a @ bright", "b @ dark")
    balanced = catalog_of(paths, label=list("abababababab"))
    diagnosis = measure.diagnose(measure.derived_conditions(balanced), condition="brightness",
                                 min_count=1)
    row = diagnosis.checklist.to_frame().set_index("check").loc["classes spread over brightness"]
    assert row["status"] == "pass"


def test_the_datas_own_conditions_come_before_derived_ones():
    import warnings

    from workbench.sources import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cat = measure.derived_conditions(load("demo:surfaces:200"))
    assert set(cat.derived) <= {"brightness", "contrast", "sharpness"} and cat.derived
    overview = measure.condition_overview(cat)
    assert overview["derived"].tolist() == sorted(overview["derived"].tolist())  # own first
    assert overview["condition"].iloc[0] in ("lighting", "camera")
    assert measure.diagnose(cat).hidden.condition == overview["condition"].iloc[0]
    plain = cat.replace(conditions=cat.derived)  # no condition of the data's own
    assert measure.diagnose(plain).hidden.condition in cat.derived


def test_split_strata_take_a_derived_condition(tmp_path):
    from workbench import split

    paths = [write_image(tmp_path / f"{k}.png", 30, 20, value=v)
             for k, v in enumerate(np.repeat([20, 120, 230], 12))]
    cat = measure.derived_conditions(catalog_of(paths, label=list("ab" * 18)))
    parted = split.stratified_split(cat, fractions=(0.5, 0.5), by="class+condition",
                                    condition="brightness", seed=0)
    table = pd.crosstab([parted.samples["label"], parted.samples["brightness"]],
                        parted.samples["split"])
    assert (table > 0).all().all() and len(table) == 6  # each (class, level) in both splits
