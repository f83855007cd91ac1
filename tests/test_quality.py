"""Label quality: near-duplicate images and box findings on hand-made fixtures."""

import numpy as np
import pandas as pd
import pytest
from conftest import write_image
from PIL import Image, ImageEnhance, ImageFilter

from workbench import quality, split
from workbench.catalog import Catalog
from workbench.errors import Lacks


def scene(seed, size=(160, 120)):
    """A smooth random picture (distinct scenes give distinct hashes)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.BICUBIC)


@pytest.fixture
def photos(tmp_path):
    """Five scenes; scene 0 also as a brighter copy, a re-saved JPEG and a blurred copy."""
    paths, ids, labels = [], [], []
    for k in range(5):
        paths.append(tmp_path / f"scene{k}.png")
        scene(k).save(paths[-1])
        ids.append(f"s{k}")
        labels.append("rare" if k == 0 else "common")
    base = scene(0)
    ImageEnhance.Brightness(base).enhance(1.08).save(tmp_path / "brighter.png")
    base.save(tmp_path / "resaved.jpg", quality=80)
    base.filter(ImageFilter.GaussianBlur(1)).save(tmp_path / "blurred.png")
    for name in ("brighter.png", "resaved.jpg", "blurred.png"):
        paths.append(tmp_path / name)
        ids.append(name.split(".")[0])
        labels.append("rare")
    samples = pd.DataFrame({"filepath": [str(p) for p in paths], "width": 160, "height": 120,
                            "label": labels,
                            "split": ["train", "train", "val", "test", "train", "val",
                                      "train", "train"]}, index=ids)
    return Catalog(samples, classes=["common", "rare"], source=str(tmp_path))


def test_near_duplicates_group_edited_copies_and_not_distinct_scenes(photos):
    found = quality.near_duplicates(photos)
    group = found.group
    assert found.n_groups == 1
    copies = ["s0", "brighter", "resaved", "blurred"]
    assert group[copies].nunique() == 1 and (group[copies] >= 0).all()
    assert (group[["s1", "s2", "s3", "s4"]] == -1).all()
    table = found.to_frame()
    assert table["images"].tolist() == [4]


def test_near_duplicates_inflate_their_class_and_leak(photos):
    found = quality.near_duplicates(photos)
    inflation = found.inflation(photos)
    assert inflation.loc["rare", ["images", "distinct"]].tolist() == [4, 1]
    assert inflation.loc["common", ["images", "distinct"]].tolist() == [4, 4]
    straddle = found.straddling(photos)
    assert straddle["splits"].tolist() == ["train, val"]


def test_near_duplicate_groups_keep_a_split_whole(photos):
    found = quality.near_duplicates(photos)
    together = split.keep_together(photos.replace(samples=photos.samples.drop(columns="split")),
                                   found)
    assert together.samples.loc[["s0", "brighter", "resaved", "blurred"], "group"].nunique() == 1
    assert together.samples["group"].nunique() == 5
    parted = split.stratified_split(together, fractions=(0.5, 0.5), groups=True, seed=0)
    assert parted.samples.loc[["s0", "brighter", "resaved", "blurred"], "split"].nunique() == 1


def test_hash_pairs_against_brute_force():
    rng = np.random.default_rng(1)
    hashes = rng.integers(0, 2 ** 63, 300, dtype=np.int64).astype(np.uint64)
    hashes[10] = hashes[3] ^ np.uint64(0b1011)          # 3 bits from 3
    hashes[20] = hashes[3] ^ np.uint64((1 << 40) | 1)   # 2 bits from 3
    hashes[30] = hashes[4] ^ np.uint64(0b11111)          # 5 bits: too far at 4
    i, j = quality.hash_pairs(hashes, 4)
    distance = quality.hamming(hashes[:, None], hashes[None, :])
    truth = {(a, b) for a, b in zip(*np.nonzero(np.triu(distance <= 4, k=1)), strict=True)}
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == truth
    assert {(3, 10), (3, 20), (10, 20)} <= truth and (4, 30) not in truth


def box_fixture(tmp_path):
    """One 200x100 image: 8 ordinary cars, a doubled car, a car stretched thin, a
    huge car, a wheel inside a car, a 1-pixel sliver, a car cut by the border."""
    path = write_image(tmp_path / "street.png", 200, 100)
    cars = [(10 + 15 * k, 10, 12, 8) for k in range(8)]  # x, y, w, h in pixels
    rows = [("car", *c) for c in cars]
    rows += [("car", 10.3, 10.2, 12, 8)]            # 9: IoU ~0.93 with car 1
    rows += [("car", 40, 40, 40, 4)]                # 10: aspect 10, cars are 1.5
    rows += [("car", 100, 30, 60, 40)]              # 11: area 2400, cars are 96
    rows += [("wheel", 102, 32, 6, 6)]              # 12: inside car 11
    rows += [("car", 170, 80, 0.5, 6)]              # 13: degenerate
    rows += [("car", 0, 60, 40, 4)]                 # 14: cut by the border, odd shape
    frame = pd.DataFrame(rows, columns=["label", "x", "y", "w", "h"])
    objects = frame.assign(sample_id="street", x=frame.x / 200, y=frame.y / 100,
                           w=frame.w / 200, h=frame.h / 100)
    samples = pd.DataFrame({"filepath": [str(path)], "width": 200, "height": 100},
                           index=["street"])
    return Catalog(samples, classes=["car", "wheel"], task="detection", objects=objects,
                   source=str(tmp_path))


def test_box_findings_on_a_hand_made_fixture(tmp_path):
    cat = box_fixture(tmp_path)
    issues = quality.label_issues(cat)
    found = {(r.box, r.finding) for r in issues.table.itertuples()}
    assert (9, "duplicate box") in found
    assert (10, "aspect outlier") in found
    assert (11, "area outlier") in found
    assert (12, "nested in another class") in found
    assert (13, "degenerate box") in found
    assert not any(box == 14 for box, _ in found)  # cut by the border: not an outlier
    assert not any(box in range(1, 9) for box, _ in found)  # ordinary cars are fine
    counts = issues.per_class()
    assert counts.loc["car", "duplicate box"] == 1 and counts.loc["wheel",
                                                                  "nested in another class"] == 1
    assert issues.table.iloc[0]["score"] >= issues.table.iloc[-1]["score"]
    assert "IoU 0.9" in issues.table.set_index("box").loc[9, "detail"]


def test_robust_z_against_the_formula():
    x = np.array([1.0, 2, 3, 4, 100])
    median, mad = np.median(x), np.median(np.abs(x - np.median(x)))
    np.testing.assert_allclose(quality.robust_z(x, np.zeros(5, int)),
                               0.6745 * (x - median) / mad)
    tied = np.array([5.0, 5, 5, 5, 9])  # MAD 0: the mean absolute deviation stands in
    mean_ad = np.mean(np.abs(tied - 5))
    np.testing.assert_allclose(quality.robust_z(tied, np.zeros(5, int)),
                               (tied - 5) / (1.253314 * mean_ad))
    groups = np.array([0, 0, 0, 1, 1, 1])  # each group its own median
    assert quality.robust_z(np.array([1.0, 2, 3, 10, 20, 30]), groups).tolist() == \
        pytest.approx([-0.6745, 0, 0.6745, -0.6745, 0, 0.6745])


def test_label_issues_lack_boxes_unless_duplicates_are_given(photos):
    with pytest.raises(Lacks, match="no boxes"):
        quality.label_issues(photos)
    issues = quality.label_issues(photos, duplicates=quality.near_duplicates(photos))
    assert set(issues.table["finding"]) == {"near-duplicate image"}
    assert sorted(issues.table["sample_id"]) == ["blurred", "brighter", "resaved"]


@pytest.mark.fiftyone
def test_label_issues_view_orders_the_worst_first(fo, tmp_path):
    from workbench import browse

    cat = box_fixture(tmp_path)
    dataset = browse.to_fiftyone(cat)
    view = browse.label_issues_view(dataset, quality.label_issues(cat))
    assert view.values("sample_key") == ["street"]
