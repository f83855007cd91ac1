import json

import numpy as np
import pandas as pd
import pytest

from workbench.augment import (
    FAMILIES,
    ClassAwareAugmenter,
    class_strengths,
    image_strengths,
    materialize,
    policy,
    preview,
)
from workbench.errors import DataError, DataWarning
from workbench.sources import load


def scene(size=96):
    """A bright square on a dark textured background; its mask (class 2) and its box."""
    rng = np.random.default_rng(0)
    image = rng.integers(20, 60, (size, size, 3), dtype=np.uint8)
    mask = np.zeros((size, size), np.uint8)
    image[30:60, 40:70] = 230
    mask[30:60, 40:70] = 2
    box = np.array([[40 / size, 30 / size, 70 / size, 60 / size]])
    return image, mask, box


def test_strength_zero_is_the_identity():
    image, mask, box = scene()
    out = policy(0.0, families=FAMILIES)(image=image, mask=mask, bboxes=box, labels=["x"])
    assert np.array_equal(out["image"], image) and np.array_equal(out["mask"], mask)
    np.testing.assert_allclose(out["bboxes"], box, atol=1e-6)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_box_mask_and_image_stay_aligned(family, seed):
    image, mask, box = scene()
    out = policy(1.0, families=[family], seed=seed)(image=image, mask=mask, bboxes=box,
                                                    labels=["x"])
    assert set(np.unique(out["mask"])) <= {0, 2}  # nearest neighbour: class ids stay ids
    on = out["mask"] == 2
    if family == "cutout":  # holes may cover the square: box and mask still agree
        assert on.sum() <= (mask == 2).sum()
    assert len(out["bboxes"]) == 1
    size = mask.shape[0]
    rows, cols = np.nonzero(on)
    mask_box = np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]) / size
    if family != "cutout":
        np.testing.assert_allclose(out["bboxes"][0], mask_box, atol=2.5 / size)
        # the bright pixels are where the mask says (photometric changes keep the contrast)
        grey = out["image"].astype(float).mean(axis=2)
        assert grey[on].mean() > grey[~on].mean() + 40


def test_photometric_families_do_not_move_anything():
    image, mask, box = scene()
    for family in ("lighting", "blur", "noise", "night"):
        out = policy(1.0, families=[family], seed=3)(image=image, mask=mask, bboxes=box,
                                                     labels=["x"])
        assert np.array_equal(out["mask"], mask)
        np.testing.assert_allclose(out["bboxes"], box, atol=1e-6)


def test_same_seed_same_pixels():
    image, mask, box = scene()
    one = policy(0.8, seed=11)(image=image, mask=mask, bboxes=box, labels=["x"])
    two = policy(0.8, seed=11)(image=image, mask=mask, bboxes=box, labels=["x"])
    other = policy(0.8, seed=12)(image=image, mask=mask, bboxes=box, labels=["x"])
    assert np.array_equal(one["image"], two["image"])
    assert not np.array_equal(one["image"], other["image"])


def test_boxes_pushed_out_of_the_image_are_dropped():
    image, mask, _ = scene()
    edge = np.array([[0.0, 0.0, 0.06, 0.06]])
    dropped = 0
    for seed in range(20):
        out = policy(1.0, families=["affine"], seed=seed, min_visibility=0.9)(
            image=image, bboxes=edge, labels=["x"])
        dropped += len(out["bboxes"]) == 0
    assert dropped > 0


def test_strengths_follow_the_counts():
    s = class_strengths({"common": 1000, "mid": 100, "rare": 10}, strength=0.8)
    assert s["common"] == 0 and s["rare"] == pytest.approx(0.8)
    assert s["mid"] == pytest.approx(0.4)  # log(10) / log(100)
    assert class_strengths({"a": 5, "b": 5})["a"] == 0
    assert class_strengths({"a": 50, "b": 5}, overrides={"a": 0.3})["a"] == 0.3


def test_image_strength_follows_its_rarest_class(small_detection):
    s = image_strengths(small_detection, pd.Series({"cat": 0.1, "dog": 0.9}))
    assert s.to_dict() == {"a": 0.1, "b": 0.9, "c": 0.0}


def test_online_augmenter_uses_the_rarest_class_and_checks_boxes():
    aug = ClassAwareAugmenter(pd.Series({"car": 0.0, "wheelchair": 1.0}), ["car", "wheelchair"],
                              seed=0)
    image, _, box = scene()
    assert aug.strength_of(["car"]) == 0 and aug.strength_of(["car", "wheelchair"]) == 1
    same = aug(image, boxes=box, labels=["car"])
    assert np.array_equal(same["image"], image)  # strength 0: untouched
    assert not np.array_equal(aug(image, boxes=box, labels=["wheelchair"])["image"], image)
    with pytest.raises(ValueError, match="relative .* pixel boxes"):
        aug(image, boxes=[[10, 10, 50, 50]], labels=["car"])
    with pytest.raises(ValueError, match=r"\(n, 4\) array"):
        aug(image, boxes=[[0.1, 0.2]], labels=["car"])


def test_the_mask_gives_the_strength_of_its_rarest_class():
    strengths = pd.Series({"road": 0.0, "car": 0.4, "lane": 0.9})
    aug = ClassAwareAugmenter(strengths, ["road", "car", "lane"], task="segmentation")
    mask = np.zeros((8, 8), np.uint8)
    mask[:2] = 1          # car
    mask[0, 0] = 2        # one lane pixel: the rarest class decides, however small
    assert aug.strength_of(mask=mask) == 0.9
    assert aug.strength_of(mask=np.where(mask == 2, 0, mask)) == 0.4
    assert aug.strength_of(labels=["lane"], mask=mask == 1) == 0.9  # a label beats the mask
    assert aug.strength_of(labels=["road"], mask=mask) == 0.9       # the mask beats a label


@pytest.mark.parametrize("call, error, message", [
    (lambda: policy(1.5), ValueError, r"'strength' parameter must be a number in \[0, 1\]"),
    (lambda: policy(0.5, families=["sparkle"]), ValueError, "The 'families' parameter"),
    (lambda: class_strengths({"a": 1}, overrides={"b": 0.5}), DataError,
     "Override for unknown class 'b'"),
])
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_preview_of_a_class():
    cat = load("demo:surfaces:200")
    p = preview(cat, "crack", n=3, n_originals=2, seed=0)
    assert len(p.originals) == 2 and all(len(a) == 3 for a in p.augmented)
    assert p.strength == 1.0  # the rarest class
    with pytest.raises(ValueError, match="The 'cls' parameter of preview"):
        preview(cat, "rust")


def test_materialize_writes_the_planned_copies_and_loads_back(tmp_path):
    from workbench.sample import plan_resampling
    from workbench.sources import read_manifest

    cat = load("demo:surfaces:200")
    plan = plan_resampling(cat.samples["label"], max_oversample=3)
    copies = materialize(cat, plan, tmp_path / "aug", seed=0)
    extra = (plan.effective - plan.count).clip(lower=0)
    made = copies.samples["label"].astype(str).value_counts()
    assert made.to_dict() == {c: n for c, n in extra.items() if n > 0}
    again = read_manifest(tmp_path / "aug" / "manifest.csv")
    assert again.equals(copies)
    row = again.samples.iloc[0]
    assert row["source_id"] in cat.samples.index
    assert json.loads(row["transforms"])[0][0] in {
        "RandomBrightnessContrast", "RandomGamma", "OneOf", "GaussNoise", "Affine",
        "GaussianBlur", "MotionBlur"}
    # rotated-in corners get the ignore index (255), not a class: they count in no class
    assert set(np.unique(np.asarray(
        __import__("PIL.Image").Image.open(row["mask_path"])))) <= set(range(5)) | {255}
    with pytest.raises(DataError, match="never writes into a source dataset"):
        materialize(cat, plan, __import__("pathlib").Path(cat.source) / "aug")


def test_materialize_skips_unreadable_images(tmp_path):
    from conftest import write_image

    from workbench.catalog import Catalog
    from workbench.sample import plan_resampling

    src = tmp_path / "src"
    paths = [write_image(src / f"{i}.png", 32, 32) for i in range(5)]
    (src / "bad.png").write_bytes(b"broken")
    samples = pd.DataFrame({"filepath": [str(p) for p in paths] + [str(src / "bad.png")],
                            "width": 32, "height": 32,
                            "label": ["a", "a", "a", "a", "b", "b"]},
                           index=["0", "1", "2", "3", "4", "bad"])
    cat = Catalog(samples, classes=["a", "b"], source=str(src))
    plan = plan_resampling(cat.samples["label"], max_oversample=2, total=8)  # b: 2 -> 4
    with pytest.warns(DataWarning, match="could not be read .* 'bad'"):
        copies = materialize(cat, plan, tmp_path / "out")
    assert copies.samples["source_id"].tolist() == ["4"]


def test_materialize_on_detection_without_image_labels(tmp_path):
    """A plan over sampling keys (the rarest class each image holds): copies keep every box."""
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    import shapes

    from workbench.sample import plan_resampling, sampling_keys

    cat = load(shapes.yolo(tmp_path / "yolo"))
    keys = sampling_keys(cat)
    plan = plan_resampling(keys, max_oversample=3)
    copies = materialize(cat, plan, tmp_path / "aug", seed=0, strength=0.5)
    extra = (plan.effective - plan.count).clip(lower=0)
    assert copies.samples["key"].astype(str).value_counts().to_dict() == {
        c: n for c, n in extra.items() if n > 0}
    # each copy's key is its source's key, and a box-free strength keeps boxes in the image
    assert (copies.samples["key"].astype(str).to_numpy()
            == keys.loc[copies.samples["source_id"]].astype(str).to_numpy()).all()
    assert len(copies.objects) > 0


def test_materialize_keeps_the_class_map_of_masks(tmp_path):
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    import shapes

    from workbench.sample import plan_resampling, sampling_keys

    cat = load(shapes.masks(tmp_path / "masks"))
    plan = plan_resampling(sampling_keys(cat), max_oversample=2)
    copies = materialize(cat, plan, tmp_path / "aug", seed=0, families=["affine"])
    assert copies.mask_values == (0, 3, 7) and copies.classes == ("road", "lane", "car")
    values = set()
    for path in copies.samples["mask_path"]:
        values |= set(np.unique(np.asarray(__import__("PIL.Image").Image.open(path))))
    assert values <= {0, 3, 7, 255}


def coded_segmentation():
    """Classes stored as mask values 0 (road), 10 (car), 20 (lane), 255 unlabelled.

    Images holding each class: lane 1, car 2, road 3 (pixels: road 8, car 10, lane 12).
    """
    from workbench.catalog import Catalog

    samples = pd.DataFrame({"filepath": ["a", "b", "c"], "width": 4, "height": 4},
                           index=["a", "b", "c"])
    pixels = pd.DataFrame({"sample_id": ["a", "a", "a", "b", "b", "c"],
                           "label": ["road", "car", "lane", "road", "car", "road"],
                           "count": [2, 4, 12, 3, 6, 3]})
    return Catalog(samples, classes=["lane", "car", "road"], task="segmentation",
                   pixels=pixels, mask_values=(20, 10, 0), ignore_index=255)


def test_an_augmenter_from_a_catalog_reads_its_mask_values_and_counts_images():
    cat = coded_segmentation()
    aug = ClassAwareAugmenter.from_catalog(cat)
    expected = class_strengths({"lane": 1, "car": 2, "road": 3})
    assert aug.strengths.to_dict() == pytest.approx(expected.to_dict())
    assert aug.strengths["lane"] == 1.0 and aug.strengths["road"] == 0.0
    assert (aug.task, aug.fill_mask, aug.min_visibility) == ("segmentation", 255, 0.3)
    mask = np.full((4, 4), 255, np.uint8)
    assert aug.strength_of(mask=mask) == 0.0                # unlabelled only
    mask[0, 0] = 10
    assert aug.strength_of(mask=mask) == aug.strengths["car"]
    mask[0, 1] = 20
    assert aug.strength_of(mask=mask) == 1.0                # lane's value, not its index
    assert aug.strength_of(mask=np.full((4, 4), 1, np.uint8)) == 0.0  # 1 is no class
    half = ClassAwareAugmenter.from_catalog(cat, strength=0.5, unit="pixels",
                                            overrides={"road": 0.2}, seed=3)
    by_pixels = class_strengths({"lane": 12, "car": 10, "road": 8}, strength=0.5,
                                overrides={"road": 0.2})
    assert half.strengths.to_dict() == pytest.approx(by_pixels.to_dict())
    assert half.strengths["road"] == 0.2


def test_the_first_class_and_a_value_of_zero_are_a_class_like_any_other():
    strengths = pd.Series({"road": 0.7, "car": 0.2})
    aug = ClassAwareAugmenter(strengths, ["road", "car"], task="segmentation")
    assert aug.strength_of(mask=np.zeros((4, 4), np.uint8)) == 0.7  # value 0 is road
    assert aug.strength_of(mask=np.full((4, 4), 255, np.uint8)) == 0.0
    # a class without a strength gets 0, not NaN
    partial = ClassAwareAugmenter(pd.Series({"car": 0.2}), ["road", "car"],
                                  task="segmentation", ignore_index=None)
    assert partial.strengths.tolist() == [0.0, 0.2] and partial.fill_mask == 0
    assert partial.strength_of(mask=np.zeros((4, 4), np.uint8)) == 0.0
    assert partial.strength_of(label="car") == 0.2


def test_an_unknown_label_is_warned_about_once():
    aug = ClassAwareAugmenter(pd.Series({"car": 0.3}), ["car"])
    with pytest.warns(DataWarning, match="Labels 'bus' are not classes"):
        assert aug.strength_of(["bus", "car"]) == 0.3
    with pytest.warns(DataWarning, match="Labels 'van' are not classes"):
        assert aug.strength_of(["van"]) == 0.0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert aug.strength_of(["bus", "van"], label="car") == 0.3


def test_policies_are_seeded_from_the_augmenters_seed_once_per_level():
    from workbench.augment.policy import apply, check_sample

    image, _, box = scene()
    aug = ClassAwareAugmenter(pd.Series({"car": 0.96}), ["car"], families=["affine"],
                              min_visibility=0.5)
    first = aug.policy_for(0.96)
    assert aug.policy_for(0.94) is first  # both round to the 0.95 level
    seed = int(np.random.default_rng(0).integers(2**31))
    reference = policy(0.95, families=["affine"], task="detection", min_visibility=0.5,
                       seed=seed)
    ours = [aug(image, boxes=box, labels=["car"]) for _ in range(4)]
    theirs = [apply(reference, check_sample(image, boxes=box, labels=["car"]))
              for _ in range(4)]
    for a, b in zip(ours, theirs, strict=True):
        assert np.array_equal(a["image"], b["image"])
        np.testing.assert_allclose(a["bboxes"], b["bboxes"])
    assert not all(np.array_equal(a["image"], image) for a in ours)
    other = ClassAwareAugmenter(pd.Series({"car": 0.96}), ["car"], families=["affine"],
                                min_visibility=0.5, seed=1)
    others = [other(image, boxes=box, labels=["car"]) for _ in range(4)]
    assert not all(np.array_equal(a["image"], b["image"])
                   for a, b in zip(ours, others, strict=True))


def test_a_call_takes_the_strength_from_the_mask_and_the_image_label():
    strengths = pd.Series({"road": 0.0, "lane": 1.0})
    aug = ClassAwareAugmenter(strengths, ["road", "lane"], task="segmentation",
                              families=["lighting"])
    image, mask, _ = scene()
    lane = (mask > 0).astype(np.uint8)
    plain = aug(image, mask=np.zeros_like(lane))
    assert np.array_equal(plain["image"], image)
    assert not np.array_equal(aug(image, mask=lane)["image"], image)
    assert not np.array_equal(aug(image, mask=np.zeros_like(lane), label="lane")["image"],
                              image)


def test_class_strengths_at_their_edges():
    # 0.5 examples is allowed (a fractional count); a class with none gets the full strength
    s = class_strengths({"car": 100, "bus": 10, "van": 1, "ghost": 0, "half": 0.5},
                        strength=0.8)
    assert s.name == "strength"
    # log(100 / n) / log(100 / 0.5): the rarest present class (0.5) is 1
    import math

    scale = math.log(200)
    assert s.to_dict() == pytest.approx({"car": 0.0, "bus": 0.8 * math.log(10) / scale,
                                         "van": 0.8 * math.log(100) / scale, "ghost": 0.8,
                                         "half": 0.8})
    assert class_strengths({"a": 1, "b": 1}).tolist() == [0.0, 0.0]  # nothing is rarer
    assert class_strengths({"a": 5, "b": 0}).tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match=r"The \"overrides\['b'\]\" parameter must be a number"):
        class_strengths({"a": 5, "b": 1}, overrides={"b": 1.5})


def test_image_strengths_by_name_with_a_class_without_one(small_detection):
    s = image_strengths(small_detection, pd.Series({"dog": 0.7}))  # cat: none given, 0
    assert s.name == "strength"
    assert s.to_dict() == {"a": 0.0, "b": 0.7, "c": 0.0}


def test_a_transform_record_keeps_scalars_and_short_lists_to_five_places():
    import json as _json

    from workbench.augment.materialize import transform_record

    applied = [
        ("Rotate", {"angle": np.float32(12.3456789), "border": np.int64(4), "fill": None,
                    "flip": True, "name": "r", "matrix": np.eye(3), "limit": [-15.0, 15.0],
                    "pad": [1] * 9, "empty": [], "point": (np.float64(0.1234567), 2),
                    "one": [7], "eight": list(range(8)), "mixed": [1, np.zeros(2)]}),
        ("Blur", None),
    ]
    record = _json.loads(transform_record(applied))
    assert record == [
        ["Rotate", {"angle": 12.34568, "border": 4, "fill": None, "flip": True, "name": "r",
                    "limit": [-15.0, 15.0], "point": [0.12346, 2], "one": [7],
                    "eight": list(range(8))}],
        ["Blur", {}]]
    assert type(record[0][1]["border"]) is int


def test_the_copies_catalog_keeps_the_sources_settings_and_drops_flat_boxes(tmp_path):
    from conftest import write_image, write_mask

    from workbench.augment.materialize import _copies_catalog
    from workbench.catalog import Catalog

    image = write_image(tmp_path / "a.png", 4, 2)
    mask = write_mask(tmp_path / "a_mask.png", np.array([[0, 7, 7, 200], [0, 0, 0, 0]]))
    source = Catalog(pd.DataFrame({"filepath": [str(image)], "width": 4, "height": 2,
                                   "mask_path": [str(mask)], "light": ["day"]}, index=["a"]),
                     classes=["road", "car"], task="segmentation", mask_values=(0, 7),
                     ignore_index=200, background="road", conditions=["light"])
    rows = [{"sample_id": "a__aug000", "filepath": str(image), "width": 4, "height": 2,
             "mask_path": str(mask), "light": "day"}]
    copies = _copies_catalog(source, rows, [], tmp_path / "out")
    assert (copies.task, copies.mask_values, copies.ignore_index, copies.background) == (
        "segmentation", (0, 7), 200, "road")
    assert copies.conditions == ("light",) and copies.source == str(tmp_path / "out")
    assert copies.pixels.groupby("label", observed=True)["count"].sum().to_dict() == {
        "road": 5, "car": 2}
    det = Catalog(pd.DataFrame({"filepath": [str(image)], "width": 4, "height": 2},
                               index=["a"]), classes=["car"], task="detection",
                  objects=pd.DataFrame({"sample_id": ["a"], "label": ["car"], "x": 0.1,
                                        "y": 0.1, "w": 0.2, "h": 0.2}))
    boxes = [("a__aug000", "car", 0.1, 0.1, 0.2, 0.3), ("a__aug000", "car", 0.5, 0.1, 0.0, 0.3),
             ("a__aug000", "car", 0.5, 0.1, 0.2, 0.0)]
    kept = _copies_catalog(det, [{"sample_id": "a__aug000", "filepath": str(image),
                                  "width": 4, "height": 2}], boxes, tmp_path / "out2")
    assert kept.objects[["x", "w", "h"]].values.tolist() == [[0.1, 0.2, 0.3]]
    assert len(kept.pixels) == 0


def test_materialize_again_over_its_own_output_with_overwrite(tmp_path):
    """A notebook run twice writes into the folder it wrote before: with overwrite=True the
    images/ folder already there is reused, and the same seed gives the same copies; a
    detection set gets no masks/ folder."""
    from workbench.sample import plan_resampling

    cat = load("demo:surfaces:60")
    plan = plan_resampling(cat.samples["label"], max_oversample=2)
    first = materialize(cat, plan, tmp_path / "aug", seed=3)
    again = materialize(cat, plan, tmp_path / "aug", seed=3, overwrite=True)
    assert again.samples.drop(columns="filepath").equals(first.samples.drop(columns="filepath"))
    assert (tmp_path / "aug" / "masks").exists() == cat.has_masks
