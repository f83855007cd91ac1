"""Every input of ../shared/quality/bad-inputs.md that got a weak answer or lost data.

Each test names its row. Each ends with one clear message naming what was found and the
fix, or simply works, and anything skipped is listed (``catalog.problems`` and a warning).
"""

import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import write_image, write_mask
from PIL import Image

from workbench import augment, sample, split
from workbench.__main__ import main
from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning
from workbench.sources import (
    load,
    parse_spec,
    read_coco,
    read_image_folder,
    read_manifest,
    read_masks,
    read_yolo,
    write_coco,
    write_manifest,
    write_yolo,
)
from workbench.sources.files import image_info, read_image


def quiet(func, *args, **kwargs):
    """Call, collecting DataWarnings; returns (result, [messages])."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        result = func(*args, **kwargs)
    return result, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def problems(catalog, text):
    return catalog.problems[catalog.problems.problem.str.contains(text, regex=False)]


# -- specs and the command line ------------------------------------------------------------


def test_coco_spec_without_json_says_json_is_needed():
    with pytest.raises(DataError, match=r"must be a \.json file.*got 'ann.txt:images'"):
        parse_spec("coco:ann.txt:images")


def test_cli_missing_notebook(tmp_path, capsys):
    code = main(["report", "--dataset", "demo:digits", "--out", str(tmp_path / "o"),
                 "--notebook", str(tmp_path / "nope.ipynb")])
    err = capsys.readouterr().err
    assert code == 2 and "no such notebook" in err and "Traceback" not in err


def test_cli_out_is_a_file(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    code = main(["report", "--dataset", "demo:digits", "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "is a file" in err and "Traceback" not in err


# -- image folders -------------------------------------------------------------------------


def test_folder_with_no_images_says_what_it_found(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / "y.csv").write_text("x")
    with pytest.raises(DataError, match=r"suffixes found: \.csv, \.txt"):
        read_image_folder(tmp_path)


def truncated_jpeg(path: Path) -> Path:
    """A JPEG cut in the middle of its pixel data: the header is whole, the end missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = np.random.default_rng(0).integers(0, 255, (150, 200, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def test_truncated_jpeg_is_skipped_and_listed(tmp_path):
    write_image(tmp_path / "a" / "ok.jpg")
    truncated_jpeg(tmp_path / "a" / "cut.jpg")
    cat, said = quiet(read_image_folder, tmp_path)
    assert cat.samples.index.tolist() == ["a/ok"]
    assert problems(cat, "images truncated").item.tolist() == [""]
    assert any("1 images truncated (skipped): 'cut.jpg'" in m for m in said)


def test_16_bit_png_is_stretched_not_clipped(tmp_path):
    values = np.linspace(1000, 5000, 20 * 10).reshape(10, 20).astype(np.uint16)
    path = tmp_path / "a" / "deep.png"
    path.parent.mkdir()
    Image.fromarray(values).save(path)
    pixels = read_image(path)
    assert pixels.shape == (10, 20, 3) and pixels.dtype == np.uint8
    assert pixels.min() == 0 and pixels.max() == 255
    assert (pixels == 255).mean() < 0.01  # the usual conversion turns 99.6% white
    assert pixels[0, 0, 0] < pixels[5, 10, 0] < pixels[9, 19, 0]  # order kept


def rotated_jpeg(path: Path, width=60, height=20, orientation=6) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.zeros((height, width, 3), np.uint8)
    image[:, : width // 2] = 255  # left half white in the stored pixels
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(image).save(path, exif=exif)
    return path


def test_exif_rotation_gives_the_displayed_size_and_pixels(tmp_path):
    path = rotated_jpeg(tmp_path / "a" / "r.jpg")
    cat = read_image_folder(tmp_path)
    assert cat.samples.loc["a/r", ["width", "height"]].tolist() == [20, 60]
    shown = read_image(path)
    assert shown.shape == (60, 20, 3)
    assert shown[:30].mean() > 200 and shown[30:].mean() < 50  # rotated 90 clockwise


@pytest.mark.parametrize("suffix", [".jfif", ".JPG", ".tif", ".webp", ".bmp"])
def test_every_suffix_pillow_reads(tmp_path, suffix):
    path = tmp_path / "only" / f"x{suffix}"
    path.parent.mkdir()
    Image.fromarray(np.full((10, 12, 3), 90, np.uint8)).save(
        path, format={".jfif": "JPEG", ".JPG": "JPEG"}.get(suffix))
    write_image(tmp_path / "other" / "y.png")
    cat = read_image_folder(tmp_path)
    assert cat.samples.label.astype(str).tolist() == ["only", "other"]


def test_empty_class_folder_is_kept_and_listed(tmp_path):
    write_image(tmp_path / "a" / "1.png")
    (tmp_path / "empty").mkdir()
    cat, said = quiet(read_image_folder, tmp_path)
    assert cat.classes == ("a", "empty")
    assert problems(cat, "class folders with no image").file.map(
        lambda f: Path(f).name).tolist() == ["empty"]
    assert any("class kept with 0 images" in m for m in said)


def test_class_whose_only_image_is_undecodable_says_the_class_is_lost(tmp_path):
    write_image(tmp_path / "a" / "1.png")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "bad.png").write_bytes(b"not a png")
    cat, said = quiet(read_image_folder, tmp_path)
    assert "b" in cat.classes and (cat.samples.label == "b").sum() == 0
    assert any("classes whose every image was skipped" in m and "'b'" in m for m in said)


def test_same_stem_two_suffixes_both_load(tmp_path):
    write_image(tmp_path / "a" / "x.png")
    write_image(tmp_path / "a" / "x.jpg")
    cat = read_image_folder(tmp_path)
    assert sorted(cat.samples.index) == ["a/x.jpg", "a/x.png"]


def test_symlink_loop_is_not_followed_twice(tmp_path):
    write_image(tmp_path / "a" / "1.png")
    os.symlink(tmp_path, tmp_path / "loop")
    cat, said = quiet(read_image_folder, tmp_path)
    assert cat.classes == ("a",) and len(cat) == 1
    assert any("folders reached twice through a symlink" in m for m in said)


def test_same_file_under_two_paths_counts_once(tmp_path):
    write_image(tmp_path / "a" / "1.png")
    (tmp_path / "b").mkdir()
    os.symlink(tmp_path / "a" / "1.png", tmp_path / "b" / "same.png")
    write_image(tmp_path / "b" / "2.png")
    cat, said = quiet(read_image_folder, tmp_path)
    assert len(cat) == 2
    assert any("same image as another path (counted once)" in m for m in said)


# -- COCO --------------------------------------------------------------------------------------


def coco(tmp_path, images=None, annotations=None, categories=None, files=True, name="a.json"):
    images = images if images is not None else [
        {"id": 1, "file_name": "a.png", "width": 20, "height": 10},
        {"id": 2, "file_name": "b.png", "width": 20, "height": 10}]
    if files:
        for im in images:
            if not (tmp_path / im["file_name"]).exists():
                write_image(tmp_path / im["file_name"], im["width"], im["height"])
    data = {"images": images,
            "annotations": annotations if annotations is not None else [
                {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5]}],
            "categories": categories or [{"id": 1, "name": "car"}, {"id": 2, "name": "bus"}]}
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_coco_duplicate_category_names_name_the_ids(tmp_path):
    path = coco(tmp_path, categories=[{"id": 1, "name": "car"}, {"id": 7, "name": "car"}])
    with pytest.raises(DataError, match=r"a.json' has 1 category names used by more than one "
                       r"id, e.g. 'car' for ids 1, 7"):
        read_coco(path)


@pytest.mark.parametrize("bbox", ["10,10,5,5", [1, 2, 3, 4, 5], None, [1, float("nan"), 3, 4]])
def test_coco_unusable_bbox_names_the_annotation(tmp_path, bbox):
    path = coco(tmp_path, annotations=[
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5]},
        {"id": 42, "image_id": 1, "category_id": 1, "bbox": bbox}])
    with pytest.raises(DataError, match=r"1 annotations in .*a.json' have no usable bbox, e\.g\. "
                       r"annotation ids '42'"):
        read_coco(path)


def test_coco_polygon_without_bbox_gets_the_polygon_box(tmp_path):
    path = coco(tmp_path, annotations=[
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5]},
        {"id": 2, "image_id": 2, "category_id": 2,
         "segmentation": [[2, 1, 12, 1, 12, 6, 2, 6]]}])
    cat, said = quiet(read_coco, path)
    box = cat.objects[cat.objects.label == "bus"][["x", "y", "w", "h"]].to_numpy(float)[0]
    np.testing.assert_allclose(box, [0.1, 0.1, 0.5, 0.5])
    assert any("polygon and no bbox (box taken from the polygon)" in m for m in said)


def test_coco_same_file_under_two_ids_counts_once(tmp_path):
    images = [{"id": 1, "file_name": "a.png", "width": 20, "height": 10},
              {"id": 2, "file_name": "a.png", "width": 20, "height": 10}]
    path = coco(tmp_path, images=images, annotations=[
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5]},
        {"id": 2, "image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 5]},   # the same box
        {"id": 3, "image_id": 2, "category_id": 2, "bbox": [5, 5, 10, 5]}])  # a new one
    cat, said = quiet(read_coco, path)
    assert len(cat) == 1
    assert cat.objects.label.astype(str).tolist() == ["car", "bus"]
    assert any("name the same file as an earlier one (merged into it): 'a.png id 2 = id 1'"
               in m for m in said)


def test_coco_declared_size_differs_from_the_file(tmp_path):
    write_image(tmp_path / "a.png", 100, 80)
    path = coco(tmp_path, images=[{"id": 1, "file_name": "a.png", "width": 1000,
                                   "height": 800}],
                annotations=[{"id": 1, "image_id": 1, "category_id": 1,
                              "bbox": [100, 80, 500, 400]}])
    cat, said = quiet(read_coco, path)
    assert cat.samples.loc["1", ["width", "height"]].tolist() == [100, 80]
    np.testing.assert_allclose(cat.objects[["x", "y", "w", "h"]].to_numpy(float)[0],
                               [0.1, 0.1, 0.5, 0.5])
    assert any("declared 1000x800, file 100x80" in m for m in said)


def test_coco_exif_jpeg_annotated_as_displayed(tmp_path):
    rotated_jpeg(tmp_path / "r.jpg")  # stored 60x20, shown 20x60
    path = coco(tmp_path, images=[{"id": 1, "file_name": "r.jpg", "width": 20, "height": 60}],
                annotations=[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 20, 30]}],
                files=False)
    cat, said = quiet(read_coco, path)
    assert not said
    assert augment.read_sample(cat, "1")["image"].shape == (60, 20, 3)
    sample_ = augment.read_sample(cat, "1")
    x0, y0, x1, y1 = (sample_["bboxes"][0] * [20, 60, 20, 60]).astype(int)
    assert sample_["image"][y0:y1, x0:x1].mean() > 200  # the box sits on the white half


def test_coco_exif_jpeg_annotated_on_the_stored_pixels_is_rotated(tmp_path):
    rotated_jpeg(tmp_path / "r.jpg")
    path = coco(tmp_path, images=[{"id": 1, "file_name": "r.jpg", "width": 60, "height": 20}],
                annotations=[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 30, 20]}],
                files=False)
    cat, said = quiet(read_coco, path)
    assert any("annotated on their unrotated pixels" in m for m in said)
    sample_ = augment.read_sample(cat, "1")
    x0, y0, x1, y1 = np.round(sample_["bboxes"][0] * [20, 60, 20, 60]).astype(int)
    assert (x0, y0, x1, y1) == (0, 0, 20, 30)
    assert sample_["image"][y0:y1, x0:x1].mean() > 200


def test_coco_ids_as_text_and_numbers_match(tmp_path):
    path = coco(tmp_path, images=[{"id": "1", "file_name": "a.png", "width": 20, "height": 10}],
                annotations=[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5]}])
    cat = read_coco(path)
    assert cat.objects.sample_id.astype(str).tolist() == ["1"]


def test_coco_segmentation_task_without_masks_reads_as_detection(tmp_path):
    path = coco(tmp_path)
    data = json.loads(path.read_text())
    data["info"] = {"workbench": {"task": "segmentation"}}
    path.write_text(json.dumps(data))
    cat, said = quiet(read_coco, path)
    assert cat.task == "detection"
    from workbench import measure
    assert measure.class_counts(cat).total.to_dict() == {"car": 1, "bus": 0}
    assert any("read as detection" in m for m in said)


# -- YOLO ----------------------------------------------------------------------------------------


def yolo_tree(root, names=("car", "bus"), *, label_dir="labels", suffix=".png"):
    for part, stems in (("train", ["a", "b"]), ("val", ["c"])):
        for stem in stems:
            path = root / "images" / part / f"{stem}{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.full((10, 20, 3), 100, np.uint8)).save(
                path, format="JPEG" if suffix == ".jfif" else None)
            (root / label_dir / part).mkdir(parents=True, exist_ok=True)
            (root / label_dir / part / f"{stem}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text(yaml.safe_dump(
        {"train": "images/train", "val": "images/val", "names": list(names)}))
    return root / "data.yaml"


def test_yolo_names_with_text_keys(tmp_path):
    data = yolo_tree(tmp_path)
    data.write_text(yaml.safe_dump({"train": "images/train", "names": {"0": "car", "1": "bus"}}))
    assert read_yolo(data).classes == ("car", "bus")


def test_yolo_orphan_label_file_is_listed_with_its_boxes(tmp_path):
    data = yolo_tree(tmp_path)
    (tmp_path / "labels" / "train" / "gone.txt").write_text("0 .5 .5 .1 .1\n1 .5 .5 .1 .1\n")
    cat, said = quiet(read_yolo, data)
    assert any("1 label files with no image (skipped): 'gone.txt (2 boxes)'" in m for m in said)
    assert len(cat.objects) == 3


def test_yolo_jfif_images_keep_their_boxes(tmp_path):
    cat = read_yolo(yolo_tree(tmp_path, suffix=".jfif"))
    assert len(cat) == 3 and len(cat.objects) == 3


def test_yolo_labels_folder_typo_says_where_it_looked(tmp_path):
    data = yolo_tree(tmp_path, label_dir="label")
    with pytest.raises(DataError, match=r"No label file was found for any of the 3 images.*"
                       r"Looked in .*labels/train"):
        read_yolo(data)


def test_yolo_non_numeric_line_names_file_and_line(tmp_path):
    data = yolo_tree(tmp_path)
    (tmp_path / "labels" / "train" / "b.txt").write_text("0 .5 .5 .1 .1\ncar .5 .5 .1 .1\n")
    with pytest.raises(DataError, match=r"b.txt' line 2 holds values that are not numbers: "
                       r"'car .5 .5 .1 .1'"):
        read_yolo(data)


def test_yolo_byte_order_mark(tmp_path):
    data = yolo_tree(tmp_path)
    (tmp_path / "labels" / "train" / "a.txt").write_bytes(b"\xef\xbb\xbf0 0.5 0.5 0.2 0.2\n")
    assert len(read_yolo(data).objects) == 3


def test_yolo_same_folder_for_train_and_val(tmp_path):
    data = yolo_tree(tmp_path)
    data.write_text(yaml.safe_dump({"train": "images/train", "val": "images/train",
                                    "names": ["car", "bus"]}))
    cat, said = quiet(read_yolo, data)
    assert len(cat) == 2 and set(cat.samples.split) == {"train"}
    assert any("listed under two splits of data.yaml (train and val) (kept in the first)" in m
               for m in said)


def test_yolo_list_naming_a_missing_image_says_it_does_not_exist(tmp_path):
    data = yolo_tree(tmp_path)
    (tmp_path / "train.txt").write_text("images/train/a.png\nimages/train/nope.png\n")
    data.write_text(yaml.safe_dump({"train": "train.txt", "names": ["car", "bus"]}))
    cat, said = quiet(read_yolo, data)
    assert len(cat) == 1
    assert any("images that do not exist (skipped): 'nope.png'" in m for m in said)


# -- masks ---------------------------------------------------------------------------------


def test_jpeg_masks_are_refused(tmp_path):
    write_image(tmp_path / "img" / "a.png", 4, 3)
    (tmp_path / "msk").mkdir()
    Image.fromarray(np.zeros((3, 4), np.uint8)).save(tmp_path / "msk" / "a.jpg")
    with pytest.raises(DataError, match=r"lossy format .*Re-export the masks as PNG"):
        read_masks(tmp_path / "img", tmp_path / "msk")


def test_masks_folder_equal_to_images_folder(tmp_path):
    write_image(tmp_path / "a.png")
    with pytest.raises(DataError, match="images folder and the masks folder are the same"):
        read_masks(tmp_path, tmp_path)


# -- manifests -----------------------------------------------------------------------------


def manifest(tmp_path, text, meta=None, n=3):
    for i in range(n):
        write_image(tmp_path / f"{i}.png")
    path = tmp_path / "m.csv"
    path.write_text(text)
    if meta is not None:
        (tmp_path / "m.meta.json").write_text(meta)
    return path


def test_manifest_integer_labels_with_a_blank(tmp_path):
    path = manifest(tmp_path, "filepath,label\n0.png,0\n1.png,\n2.png,2\n")
    cat = read_manifest(path)
    assert cat.classes == ("0", "2")
    assert cat.samples.label.isna().tolist() == [False, True, False]
    assert cat.samples.label.dropna().astype(str).tolist() == ["0", "2"]


def test_manifest_bad_meta_names_the_file(tmp_path):
    path = manifest(tmp_path, "filepath,label\n0.png,a\n", meta="{not json")
    with pytest.raises(DataError, match=r"m.meta.json' is not valid JSON \(Expecting property "
                       r"name.*fix it or delete it"):
        read_manifest(path)


@pytest.mark.parametrize("text", ["filepath,label\n0.png,a\n0.png,a\n1.png,b\n",
                                  "sample_id,filepath,label\nx,0.png,a\ny,0.png,a\nz,1.png,b\n"])
def test_manifest_file_listed_twice_counts_once(tmp_path, text):
    cat, said = quiet(read_manifest, manifest(tmp_path, text))
    assert len(cat) == 2
    assert any("rows naming a file an earlier row names (counted once): 'm.csv line 3 = line 2'"
               in m for m in said)


def test_manifest_missing_file_is_said_to_be_missing(tmp_path):
    cat, said = quiet(read_manifest, manifest(tmp_path, "filepath,label\n0.png,a\n9.png,b\n"))
    assert len(cat) == 1
    assert any("images that do not exist (skipped): '9.png'" in m for m in said)


def test_manifest_windows_paths(tmp_path):
    write_image(tmp_path / "sub" / "0.png")
    path = tmp_path / "m.csv"
    path.write_text("filepath,label\nsub\\0.png,a\n")
    cat, said = quiet(read_manifest, path)
    assert len(cat) == 1 and cat.samples.filepath.iloc[0].endswith("sub/0.png")
    assert any("Windows backslashes" in m for m in said)


def test_label_with_spaces_is_one_class(tmp_path):
    path = manifest(tmp_path, "filepath,label\n0.png, a\n1.png,a\n2.png,b \n")
    cat, said = quiet(read_manifest, path)
    assert cat.classes == ("a", "b")
    assert any("labels with spaces around the name (stripped)" in m for m in said)


# -- exporters -----------------------------------------------------------------------------


def small_catalog(root, ids=("a", "b"), classes=("car",)):
    paths = {i: write_image(root / f"img{k}.png") for k, i in enumerate(ids)}
    samples = pd.DataFrame({"filepath": [str(paths[i]) for i in ids], "width": 20, "height": 10,
                            "label": classes[0]}, index=list(ids))
    return Catalog(samples, classes=list(classes), source=str(root))


def test_export_through_a_symlink_into_the_source_is_refused(tmp_path):
    cat = small_catalog(tmp_path / "src")
    os.symlink(tmp_path / "src", tmp_path / "link")
    with pytest.raises(DataError, match="never writes into a source dataset"):
        write_manifest(cat, tmp_path / "link" / "out" / "m.csv")


def test_export_through_dotdot_into_the_source_is_refused(tmp_path):
    cat = small_catalog(tmp_path / "src")
    (tmp_path / "other").mkdir()
    with pytest.raises(DataError, match="never writes into a source dataset"):
        write_coco(cat, tmp_path / "other" / ".." / "src" / "x")


IDS = ("ä b", "ä_b", "a/b", "a b", "a_b", "long")


def test_yolo_export_keeps_every_image_whatever_its_name(tmp_path):
    cat = small_catalog(tmp_path / "src", ids=IDS)
    data = write_yolo(cat, tmp_path / "out")
    assert len(list((data.parent / "images" / "train").iterdir())) == 6
    assert len(list((data.parent / "labels" / "train").iterdir())) == 6
    assert len(read_yolo(data)) == 6


def test_coco_export_with_links_points_each_at_its_own_image(tmp_path):
    cat = small_catalog(tmp_path / "src", ids=IDS)
    path = write_coco(cat, tmp_path / "out", media="symlink")
    images = json.loads(path.read_text())["images"]
    targets = {im["sample_id"]: os.path.realpath(path.parent / im["file_name"]) for im in images}
    assert len(set(targets.values())) == 6
    assert targets == {i: os.path.realpath(p) for i, p in cat.samples.filepath.items()}


def test_yolo_export_with_images_without_split(tmp_path):
    cat = small_catalog(tmp_path / "src")
    cat = cat.replace(samples=cat.samples.assign(split=["train", None]))
    with pytest.raises(DataError, match=r"1 images have no split \(e\.g\. 'b'\)"):
        write_yolo(cat, tmp_path / "out")


def test_very_long_names_are_shortened_not_fatal(tmp_path):
    long = "c" * 252
    cat = small_catalog(tmp_path / "src", ids=(f"{long}/1", f"{long}/2"), classes=(long,))
    data = write_yolo(cat, tmp_path / "out")
    assert len(list((data.parent / "images" / "train").iterdir())) == 2
    plan = sample.plan_resampling({long: 2}, total=4, max_oversample=2)
    copies = augment.materialize(cat, plan, tmp_path / "copies", strength=0.5)
    assert len(copies) == 2 and all(len(Path(p).name) <= 124 for p in copies.samples.filepath)


# -- split and sample ----------------------------------------------------------------------


def test_one_image_class_pinned_to_train_says_so(small_detection):
    with pytest.warns(DataWarning, match=r"fewer images than the 2 splits \('dog: 1'\)"):
        split.stratified_split(small_detection, fractions=(0.5, 0.5))


def test_fractions_as_text():
    with pytest.raises(ValueError, match=r"'fractions' parameter must be numbers .* "
                       r"Got '0\.7,0\.3' instead"):
        split.check_fractions("0.7,0.3")


@pytest.mark.parametrize("counts, kwargs, error, message", [
    ({}, {}, DataError, "There are no classes in the counts given to plan_resampling"),
    ({"a": 10, "b": 5}, {"max_oversample": float("inf")}, ValueError,
     r"must be a finite number >= 1 .*Got inf"),
    ({"a": 10.5, "b": 5}, {}, DataError, r"whole numbers of samples; 'a' have 10\.5"),
])
def test_bad_plans_get_clear_messages(counts, kwargs, error, message):
    with pytest.raises(error, match=message):
        sample.plan_resampling(counts, **kwargs)


def test_plan_from_garbage_json():
    with pytest.raises(DataError, match="not a resampling plan written by ResamplingPlan.to_json"):
        sample.ResamplingPlan.from_json("{oops")


@pytest.mark.parametrize("kwargs, name", [({"epoch": -1}, "epoch"), ({"seed": -1}, "seed"),
                                          ({"seed": None}, "seed")])
def test_epoch_and_seed_must_be_non_negative_integers(kwargs, name):
    plan = sample.plan_resampling({"a": 2, "b": 1}, max_oversample=2)
    with pytest.raises(ValueError, match=rf"'{name}' parameter must be an integer >= 0"):
        sample.epoch_indices(plan, pd.Series(["a", "a", "b"]), **kwargs)


# -- augmentation --------------------------------------------------------------------------


def test_policy_takes_an_image_and_a_mask_without_boxes():
    image, mask = np.zeros((16, 16, 3), np.uint8), np.zeros((16, 16), np.uint8)
    for task in ("segmentation", "detection"):
        out = augment.policy(0.5, task=task, seed=0)(image=image, mask=mask)
        assert out["mask"].shape == (16, 16)


@pytest.fixture
def augmenter():
    strengths = pd.Series({"road": 0.0, "car": 1.0})
    return augment.ClassAwareAugmenter(strengths, ["road", "car"], seed=0)


IMAGE = np.zeros((8, 10, 3), np.uint8)


@pytest.mark.parametrize("kwargs, message", [
    ({"mask": np.full((8, 10), -1)}, r"non-negative integer class ids; got int64 with minimum -1"),
    ({"mask": np.full((8, 10), 0.5)}, r"float mask has fractions"),
    ({"mask": np.zeros((4, 5), np.uint8)}, r"mask is 5x4 but the image is 10x8"),
    ({"boxes": [[0, 0, .5, .5], [.1, .1, .2, .2]], "labels": ["car"]},
     r"2 boxes and 1 labels: give one label per box"),
    ({"boxes": [[.5, .5, .2, .2]], "labels": ["car"]}, r"Boxes 0 have x_max <= x_min"),
])
def test_augmenter_bad_samples(augmenter, kwargs, message):
    with pytest.raises(ValueError, match=message):
        augmenter(IMAGE, **kwargs)


def test_augmenter_takes_16_bit_and_rejects_float_0_255(augmenter):
    out = augmenter(np.full((8, 10, 3), 30000, np.uint16))
    assert out["image"].dtype == np.float32 and out["image"].max() <= 1
    with pytest.raises(ValueError, match=r"float image must hold values in \[0, 1\]; this one "
                       r"spans 0 to 255"):
        augmenter(np.linspace(0, 255, 240).reshape(8, 10, 3))


def test_augmenter_warns_once_about_labels_that_are_not_classes(augmenter):
    with pytest.warns(DataWarning, match=r"Labels 'truck' are not classes"):
        augmenter(IMAGE, boxes=[[0, 0, .5, .5]], labels=["truck"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        augmenter(IMAGE, boxes=[[0, 0, .5, .5]], labels=["truck"])  # said once


def test_materialized_manifest_records_scalars_not_noise_maps(tmp_path):
    root = tmp_path / "src"
    paths = [write_image(root / f"{i}.png", 256, 256, value=60 + i) for i in range(5)]
    samples = pd.DataFrame({"filepath": [str(p) for p in paths], "width": 256, "height": 256,
                            "label": ["rare"] + ["common"] * 4}, index=list("rabcd"))
    cat = Catalog(samples, classes=["rare", "common"], source=str(root))
    plan = sample.plan_resampling(sample.sampling_keys(cat), total=13, max_oversample=9)
    copies = augment.materialize(cat, plan, tmp_path / "out", families=["noise"], strength=1.0)
    assert len(copies) == int((plan.effective - plan.count).clip(lower=0).sum()) == 8
    copies = copies.subset(copies.samples.index[copies.samples.source_id == "r"])
    manifest_size = (tmp_path / "out" / "manifest.csv").stat().st_size
    assert manifest_size < 8 * 1024  # a noise map of 256x256 would be megabytes
    record = json.loads(copies.samples.transforms.iloc[0])
    assert record and record[0][0] == "GaussNoise"
    assert all(not isinstance(v, list) or len(v) <= 8 for v in record[0][1].values())


def test_images_info_reports_missing_files(tmp_path):
    info = image_info([tmp_path / "nope.png"])
    assert info.status.tolist() == ["missing"]


def test_load_spec_with_class_map_argument(tmp_path):
    write_image(tmp_path / "img" / "a.png", 4, 3)
    write_mask(tmp_path / "msk" / "a.png", [[0, 7, 7, 255]] * 3)
    (tmp_path / "map.json").write_text(json.dumps({"0": "road", "7": "car"}))
    cat = load(f"masks:{tmp_path / 'img'}:{tmp_path / 'msk'}:{tmp_path / 'map.json'}")
    assert cat.classes == ("road", "car") and cat.mask_values == (0, 7)
    assert cat.pixels.set_index("label")["count"].to_dict() == {"road": 3, "car": 6}
