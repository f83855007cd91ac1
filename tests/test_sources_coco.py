import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import write_image

from workbench.errors import DataError, DataWarning
from workbench.sources import load, read_coco, write_coco


def coco_dict():
    return {
        "images": [
            {"id": 7, "file_name": "a.png", "width": 20, "height": 10},
            {"id": 9, "file_name": "b.png", "width": 20, "height": 10},
        ],
        "categories": [{"id": 3, "name": "dog"}, {"id": 1, "name": "cat"}],
        "annotations": [
            {"id": 1, "image_id": 7, "category_id": 1, "bbox": [0, 0, 10, 10], "iscrowd": 0},
            {"id": 2, "image_id": 7, "category_id": 3, "bbox": [10, 5, 10, 5], "iscrowd": 0},
            {"id": 3, "image_id": 9, "category_id": 1, "bbox": [2, 2, 4, 4], "iscrowd": 0},
            {"id": 4, "image_id": 9, "category_id": 1, "bbox": [0, 0, 20, 10], "iscrowd": 1},
        ],
    }


@pytest.fixture
def coco_file(tmp_path):
    for name in ("a.png", "b.png"):
        write_image(tmp_path / "images" / name)
    path = tmp_path / "ann.json"
    path.write_text(json.dumps(coco_dict()))
    return path


def write(tmp_path, data, name="bad.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_read_coco_hand_counted(coco_file):
    with pytest.warns(DataWarning, match="1 crowd annotations"):
        cat = read_coco(coco_file, coco_file.parent / "images")
    assert cat.classes == ("cat", "dog")  # categories in id order
    assert cat.task == "detection"
    assert cat.samples.index.tolist() == ["7", "9"]
    assert cat.samples.loc["7", "filepath"].endswith("images/a.png")
    assert cat.objects["label"].tolist() == ["cat", "dog", "cat", "cat"]
    assert cat.objects["iscrowd"].tolist() == [False, False, False, True]
    np.testing.assert_allclose(cat.objects.iloc[1][["x", "y", "w", "h"]].to_numpy(float),
                               [0.5, 0.5, 0.5, 0.5])


def test_counts_match_pycocotools(coco_file):
    from pycocotools.coco import COCO

    ref = COCO(str(coco_file))
    with pytest.warns(DataWarning):
        cat = read_coco(coco_file, coco_file.parent / "images")
    ours = cat.objects.groupby("label", observed=False).size()
    for cat_id, name in [(1, "cat"), (3, "dog")]:
        assert ours[name] == len(ref.getAnnIds(catIds=[cat_id]))
        assert cat.objects[cat.objects.label == name]["sample_id"].nunique() == len(
            ref.getImgIds(catIds=[cat_id]))


def test_load_spec_with_images_dir(coco_file):
    with pytest.warns(DataWarning):
        cat = load(f"coco:{coco_file}:{coco_file.parent / 'images'}")
    assert len(cat) == 2


def test_missing_images_warn_and_keep_rows(coco_file):
    with pytest.warns(DataWarning, match=r"2 image files that do not exist \(kept for "
                      r"counting; no pixels\): 'a.png', 'b.png'"):
        cat = read_coco(coco_file)  # images are in images/, not beside the JSON
    assert len(cat) == 2
    assert cat.problems.problem.str.contains("crowd").sum() == 1


@pytest.mark.parametrize("mutate, message", [
    (lambda d: "{not json", r"is not valid JSON \(Expecting property name"),
    (lambda d: {"images": []}, r"lacks the COCO keys 'annotations', 'categories'"),
    (lambda d: d["annotations"].append(
        {"id": 5, "image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1]}) or d,
     r"1 annotations .* point at unknown image ids: 99"),
    (lambda d: d["annotations"].append(
        {"id": 5, "image_id": 7, "category_id": 42, "bbox": [0, 0, 1, 1]}) or d,
     r"unknown category ids: 42"),
    (lambda d: d["images"].append({"id": 7, "file_name": "c.png", "width": 5, "height": 5}) or d,
     r"1 duplicate image ids: 7"),
    (lambda d: d["annotations"].append(
        {"id": 5, "image_id": 7, "category_id": 1, "bbox": [1, 1, 5]}) or d,
     r"annotation ids '5' \(bbox \[1, 1, 5\]\)\. COCO boxes are \[x, y, width, height\]"),
])
def test_bad_coco_files_get_one_clear_error(tmp_path, mutate, message):
    path = write(tmp_path, mutate(coco_dict()))
    with pytest.raises(DataError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        read_coco(path)


def test_box_overhanging_by_rounding_is_clipped(tmp_path):
    data = coco_dict()
    data["annotations"][1]["bbox"] = [10, 5, 10.4, 5.3]
    with pytest.warns(DataWarning):
        cat = read_coco(write(tmp_path, data), check_files=False)
    row = cat.objects.iloc[1]
    assert row.x + row.w == pytest.approx(1.0) and row.y + row.h == pytest.approx(1.0)


def test_round_trip_gives_the_same_catalog(small_detection, tmp_path):
    path = write_coco(small_detection, tmp_path / "out")
    again = read_coco(path)
    assert again.equals(small_detection)
    assert again.conditions == ("light",)


def test_round_trip_with_symlinked_media(small_detection, tmp_path):
    path = write_coco(small_detection, tmp_path / "out", media="symlink")
    again = read_coco(path)
    assert (path.parent / "images" / "a.png").is_symlink()
    assert [str((path.parent / p).resolve()) for p in again.samples["filepath"]] == [
        str(__import__("pathlib").Path(p).resolve()) for p in small_detection.samples["filepath"]]
    assert again.objects.drop(columns="sample_id").equals(
        small_detection.objects.drop(columns="sample_id"))


def test_export_one_split(small_detection, tmp_path):
    again = read_coco(write_coco(small_detection, tmp_path / "val", split="val"))
    assert again.samples.index.tolist() == ["c"]
    assert len(again.objects) == 0


@pytest.mark.parametrize("bbox, problem, action", [
    ([15, 0, 10, 5], "boxes reaching outside their image", "clipped to the image"),
    ([1, 1, 0, 5], "boxes with no width or height", "skipped"),
    ([25, 0, 10, 5], "boxes wholly outside their image", "skipped"),
])
def test_flawed_boxes_are_skipped_or_clipped_and_listed(tmp_path, bbox, problem, action):
    data = coco_dict()
    data["annotations"].append({"id": 5, "image_id": 7, "category_id": 1, "bbox": bbox})
    with pytest.warns(DataWarning, match=rf"1 {problem} \({action}\): 'bad.json annotation 5'") \
            as caught:
        cat = read_coco(write(tmp_path, data), check_files=False)
    said = [str(w.message) for w in caught if problem in str(w.message)]
    fix = " COCO boxes are [x, y, width, height] in pixels inside the image."
    assert said[0].endswith(fix) == (action == "skipped")  # how to fix what was skipped
    listed = cat.problems[cat.problems.problem == problem]
    assert listed.item.tolist() == ["annotation 5"] and listed.action.tolist() == [action]
    assert len(cat.objects) == 4 + (action == "clipped to the image")
    if action.startswith("clipped"):
        x, w = cat.objects[cat.objects["sample_id"] == "7"].iloc[-1][["x", "w"]]  # image 7's
        # third box: the Catalog keeps boxes grouped by image, in the file's order within
        assert (x, x + w) == (0.75, 1.0)


def split_files(tmp_path, splits=("train", "test")):
    """One COCO file per split, each with its own images folder; ids repeat across them."""
    for n, split in enumerate(splits):
        data = coco_dict()
        data["images"] = data["images"][:1] if split == "test" else data["images"]
        data["annotations"] = [a for a in data["annotations"]
                               if a["image_id"] in {i["id"] for i in data["images"]}
                               and not a["iscrowd"]]
        for image in data["images"]:
            write_image(tmp_path / "images" / f"{split}2017" / image["file_name"],
                        width=20, height=10, value=40 * (n + 1))
        (tmp_path / "ann").mkdir(exist_ok=True)
        (tmp_path / "ann" / f"instances_{split}2017.json").write_text(json.dumps(data))
    return tmp_path


def test_a_split_template_reads_each_split_file_that_exists_in_train_val_test_order(tmp_path):
    root = split_files(tmp_path, splits=("test", "train"))
    cat = read_coco(root / "ann" / "instances_{split}2017.json", root / "images" / "{split}2017")
    assert cat.samples["split"].tolist() == ["train", "train", "test"]
    assert cat.samples.index.tolist() == ["train/7", "9", "test/7"]  # 7 is in both
    assert cat.samples["filepath"].tolist() == [
        str(root / "images" / "train2017" / "a.png"), str(root / "images" / "train2017" / "b.png"),
        str(root / "images" / "test2017" / "a.png")]
    assert cat.objects["sample_id"].tolist() == ["train/7", "train/7", "9", "test/7", "test/7"]
    assert cat.classes == ("cat", "dog")
    assert len(load(f"coco:{root}/ann/instances_{{split}}2017.json:{root}/images/{{split}}2017")
               ) == 3


def test_a_split_template_without_an_images_folder_and_without_files(tmp_path):
    root = split_files(tmp_path, splits=("val",))
    # images beside each JSON by default: none there, which only a check notices
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cat = read_coco(root / "ann" / "instances_{split}2017.json", check_files=False)
    assert cat.samples["split"].tolist() == ["val", "val"]
    assert cat.samples["filepath"].tolist() == [str(root / "ann" / "a.png"),
                                                str(root / "ann" / "b.png")]
    with pytest.warns(DataWarning, match="2 image files that do not exist"):
        checked = read_coco(root / "ann" / "instances_{split}2017.json")
    assert checked.problems["file"].tolist() == [str(root / "ann" / "a.png"),
                                                 str(root / "ann" / "b.png")]


def test_a_split_template_that_matches_nothing_names_every_file_it_tried(tmp_path):
    template = str(tmp_path / "instances_{split}.json")
    with pytest.raises(DataError, match=r"No file matches .*instances_\{split\}\.json.*"
                       r"instances_train\.json.*instances_val\.json.*instances_test\.json"):
        read_coco(template)


def test_a_segmentation_round_trip_keeps_mask_values_ignore_index_and_background(tmp_path):
    from conftest import write_mask

    from workbench.catalog import Catalog
    from workbench.sources.pixels import pixels_from_masks

    masks = [np.array([[0, 7, 7, 200], [9, 9, 0, 0]]), np.array([[0, 0, 0, 7], [200, 0, 0, 0]])]
    rows = []
    for k, mask in enumerate(masks):
        image = write_image(tmp_path / "src" / f"m{k}.png", width=4, height=2)
        rows.append({"filepath": str(image), "width": 4, "height": 2,
                     "mask_path": str(write_mask(tmp_path / "src" / f"m{k}_mask.png", mask))})
    samples = pd.DataFrame(rows, index=pd.Index(["m0", "m1"], name="sample_id"))
    pixels = pixels_from_masks(samples, ("road", "car", "lane"), mask_values=(0, 7, 9),
                               ignore_index=200)
    catalog = Catalog(samples, classes=["road", "car", "lane"], task="segmentation",
                      pixels=pixels, background="road", mask_values=(0, 7, 9), ignore_index=200)
    # 200 is unlabelled: m0 has 3 road, 2 car, 2 lane pixels; m1 6 road, 1 car
    assert pixels.groupby("label", observed=True)["count"].sum().to_dict() == {
        "road": 9, "car": 3, "lane": 2}
    path = write_coco(catalog, tmp_path / "out")
    again = read_coco(path)
    assert (again.task, again.background, again.mask_values, again.ignore_index) == (
        "segmentation", "road", (0, 7, 9), 200)
    assert again.source == str(tmp_path / "out")
    assert again.pixels.groupby("label", observed=True)["count"].sum().to_dict() == {
        "road": 9, "car": 3, "lane": 2}
    assert again.samples["mask_path"].tolist() == samples["mask_path"].tolist()


def test_scores_travel_as_coco_results_and_missing_paths_are_named(small_detection, tmp_path):
    scored = small_detection.replace(objects=small_detection.objects.assign(
        confidence=[0.9, 0.8, 0.7, 0.6]))
    data = json.loads(write_coco(scored, tmp_path / "out").read_text())
    assert [a["score"] for a in data["annotations"]] == [0.9, 0.8, 0.7, 0.6]
    assert data["info"]["workbench"] == {"task": "detection", "conditions": ["light"],
                                         "background": None, "mask_values": [0, 1],
                                         "ignore_index": 255}
    with pytest.raises(DataError, match="COCO annotation file"):
        read_coco(tmp_path / "nowhere.json")
    with pytest.raises(DataError, match="images folder"):
        read_coco(tmp_path / "out" / "annotations.json", tmp_path / "no-images")


def test_the_written_file_is_plain_coco_with_crowd_flags(small_detection, tmp_path):
    crowded = small_detection.replace(objects=small_detection.objects.assign(
        iscrowd=[False, True, False, False]))
    path = write_coco(crowded, tmp_path / "out")
    assert path == tmp_path / "out" / "annotations.json"
    data = json.loads(path.read_text())
    assert data["info"]["description"] == "written by workbench"
    assert data["info"]["workbench"]["task"] == "detection"
    # a's second box: x 0.5, y 0.2, w 0.5, h 0.4 of a 20 x 10 image
    assert data["annotations"][1] == {"id": 2, "image_id": 1, "category_id": 1,
                                      "bbox": [10.0, 2.0, 10.0, 4.0], "area": 40.0,
                                      "iscrowd": 1}
    assert [a["iscrowd"] for a in data["annotations"]] == [0, 1, 0, 0]
    assert "score" not in data["annotations"][0]
    assert data["images"][2]["split"] == "val" and data["images"][0]["group"] == "g1"
    with pytest.warns(DataWarning, match="1 crowd annotations"):
        again = read_coco(path)
    assert again.objects["iscrowd"].tolist() == [False, True, False, False]
    with pytest.raises(DataError, match="exists"):
        write_coco(crowded, tmp_path / "out")
    assert write_coco(crowded, tmp_path / "out", overwrite=True) == path


def test_polygons_stand_in_for_missing_boxes_part_by_part(tmp_path):
    data = coco_dict()
    data["annotations"] = [
        {"id": 1, "image_id": 7, "category_id": 1, "bbox": [0, 0, 10, 10], "iscrowd": 0},
        # two parts: x 1..6, y 2..8
        {"id": 2, "image_id": 7, "category_id": 3, "iscrowd": 0,
         "segmentation": [[2, 2, 6, 2, 6, 8], [1, 3, 3, 3, 3, 4]]},
        {"id": 3, "image_id": 9, "category_id": 1, "bbox": None, "iscrowd": 0,
         "segmentation": [[10, 1, 14, 1, 14, 5]]},
    ]
    with pytest.warns(DataWarning, match="2 annotations with a polygon and no bbox"):
        cat = read_coco(write(tmp_path, data), check_files=False)
    np.testing.assert_allclose(cat.objects[["x", "y", "w", "h"]].to_numpy(float), [
        [0.0, 0.0, 0.5, 1.0], [0.05, 0.2, 0.25, 0.6], [0.5, 0.1, 0.2, 0.4]])
    listed = cat.problems[cat.problems.problem == "annotations with a polygon and no bbox"]
    assert listed["item"].tolist() == ["annotation 2", "annotation 3"]
    # no annotation has a bbox key at all
    for a in data["annotations"]:
        a.pop("bbox", None)
    data["annotations"][0]["segmentation"] = [[0, 0, 10, 0, 10, 10]]
    with pytest.warns(DataWarning, match="3 annotations with a polygon"):
        only = read_coco(write(tmp_path, data, "only.json"), check_files=False)
    assert only.objects["w"].tolist() == pytest.approx([0.5, 0.25, 0.2])


def test_a_bbox_of_five_numbers_is_refused_by_name(tmp_path):
    data = coco_dict()
    data["annotations"][2]["bbox"] = [2, 2, 4, 4, 1]
    with pytest.raises(DataError, match=r"1 annotations in .* have no usable bbox, e.g. "
                                        r"annotation ids '3' \(bbox \[2, 2, 4, 4, 1\]\)"):
        read_coco(write(tmp_path, data), check_files=False)


def test_scores_and_crowd_flags_read_by_hand(tmp_path):
    data = coco_dict()
    anns = data["annotations"]
    anns[0]["score"], anns[1]["score"], anns[2]["score"], anns[3]["score"] = .9, .8, .7, .6
    del anns[2]["iscrowd"]                       # no flag: not a crowd
    with pytest.warns(DataWarning):
        cat = read_coco(write(tmp_path, data), check_files=False)
    assert cat.objects["confidence"].tolist() == [0.9, 0.8, 0.7, 0.6]
    assert cat.objects["iscrowd"].tolist() == [False, False, False, True]
    assert cat.objects.index.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("field, value, message", [
    ("image_id", 99, r"\(ids 1\) point at unknown image ids: 99. Every annotation's image_id "
                     r"must be listed in 'images'"),
    ("category_id", 42, r"\(ids 1\) point at unknown category ids: 42. Every annotation's "
                        r"category_id must be listed in 'categories'"),
])
def test_an_annotation_pointing_nowhere_says_where_it_should_be_listed(tmp_path, field, value,
                                                                      message):
    data = coco_dict()
    data["annotations"][0][field] = value
    with pytest.raises(DataError, match=message):
        read_coco(write(tmp_path, data), check_files=False)


def test_categories_in_numeric_id_order_names_tidied_and_clashes_named(tmp_path):
    from workbench.sources.coco import categories
    from workbench.sources.problems import Problems

    problems = Problems()
    # ids as text and numbers: numeric order (2 before 10), then ids that are no numbers
    classes, names = categories([{"id": "10", "name": "dog"}, {"id": 2, "name": " cat "},
                                 {"id": "x", "name": "eel"}, {"id": 3, "name": "ant"}],
                                tmp_path / "a.json", problems)
    assert classes == ("cat", "ant", "dog", "eel")
    assert names.index.tolist() == [2, 3, "10", "x"]
    frame = problems.frame()
    assert frame["problem"].tolist() == ["category names with spaces around the name"]
    assert frame["item"].tolist() == ["' cat '"] and frame["file"].tolist() == [
        str(tmp_path / "a.json")]
    with pytest.raises(DataError, match=r"has 2 category names used by more than one id, e.g. "
                                        r"'cat' for ids 1, 4"):
        categories([{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"},
                    {"id": 3, "name": "dog "}, {"id": 4, "name": "cat"}],
                   tmp_path / "a.json", Problems())
    with pytest.raises(DataError, match="need 'id' and 'name' fields"):
        categories([{"id": 1}], tmp_path / "a.json", Problems())


def test_a_results_list_and_other_json_are_named_for_what_they_are(tmp_path):
    results = [{"image_id": 7, "category_id": 1, "bbox": [0, 0, 2, 2], "score": 0.9}]
    with pytest.raises(DataError, match="is a COCO results list .* not a dataset"):
        read_coco(write(tmp_path, results, "results.json"))
    with pytest.raises(DataError, match=r"lacks the COCO keys .* \(found list\)"):
        read_coco(write(tmp_path, [{"image_id": 7}], "list.json"))
    with pytest.raises(DataError, match=r"\(found str\)"):
        read_coco(write(tmp_path, '"images"', "text.json"))
    eleven = {f"key{i:02d}": i for i in range(11)}
    with pytest.raises(DataError) as err:
        read_coco(write(tmp_path, eleven, "eleven.json"))
    assert f"(found {[f'key{i:02d}' for i in range(10)]})" in str(err.value)


@pytest.mark.parametrize("polygon", [[[1, 1, 5, 1, 5]], [[1, 1, 5, 1]], []])
def test_a_polygon_of_too_few_or_odd_numbers_gives_no_box(tmp_path, polygon):
    data = coco_dict()
    data["annotations"][2] = {"id": 3, "image_id": 9, "category_id": 1, "iscrowd": 0,
                              "segmentation": polygon}
    with pytest.raises(DataError, match=r"1 annotations in .* have no usable bbox, e.g. "
                                        r"annotation ids '3'"):
        read_coco(write(tmp_path, data), check_files=False)


def test_a_six_number_polygon_is_the_smallest_that_gives_a_box(tmp_path):
    data = coco_dict()
    data["annotations"][2] = {"id": 3, "image_id": 9, "category_id": 1, "iscrowd": 0,
                              "segmentation": [[2, 1, 6, 1, 6, 9]]}
    with pytest.warns(DataWarning, match="1 annotations with a polygon and no bbox"):
        cat = read_coco(write(tmp_path, data), check_files=False)
    assert cat.objects.loc[cat.objects.sample_id == "9", ["x", "y", "w", "h"]].to_numpy(
        float).tolist()[0] == pytest.approx([0.1, 0.1, 0.2, 0.8])
    assert cat.samples.index.name == "sample_id"


def test_masks_without_workbench_info_keep_the_coco_defaults(tmp_path):
    """A plain COCO file whose images carry mask_path: 255 is ignored, the mask paths are
    read beside the images, and an image without one has none."""
    from PIL import Image

    data = coco_dict()
    data["images"][0]["mask_path"] = "masks/a.png"
    (tmp_path / "masks").mkdir()
    mask = np.zeros((10, 20), dtype=np.uint8)
    mask[0, :3] = [1, 255, 1]
    Image.fromarray(mask).save(tmp_path / "masks" / "a.png")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        cat = read_coco(write(tmp_path, data, "plain.json"), check_files=False)
    assert cat.ignore_index == 255
    masks = cat.samples["mask_path"]
    assert masks.iloc[0] == str(tmp_path / "masks" / "a.png") and pd.isna(masks.iloc[1])


def test_a_split_template_checks_the_files_by_default(tmp_path):
    write_image(tmp_path / "images" / "a.png", 20, 10)  # b.png is missing
    (tmp_path / "train.json").write_text(json.dumps(coco_dict()))
    with pytest.warns(DataWarning, match="1 image files that do not exist"):
        cat = load(f"coco:{tmp_path / '{split}.json'}:{tmp_path / 'images'}")
    assert cat.problems["problem"].str.contains("do not exist").sum() == 1


def test_a_box_annotated_twice_is_listed_whatever_its_row(tmp_path):
    """The pair's first box is the file's first annotation (row 0): one file name stands
    for every box, and the pair was dropped (or, beside a second pair, the read failed)."""
    data = coco_dict()
    data["annotations"].insert(1, dict(data["annotations"][0], id=11))  # twin of row 0
    data["annotations"].append(dict(data["annotations"][3], id=12))     # twin of id 3
    with pytest.warns(DataWarning, match="2 pairs of same-class boxes"):
        cat = read_coco(write(tmp_path, data), check_files=False)
    listed = cat.problems[cat.problems.problem.str.startswith("pairs of same-class boxes")]
    assert listed["item"].tolist() == ["annotation 1 ~ annotation 11 (IoU 1.00)",
                                       "annotation 3 ~ annotation 12 (IoU 1.00)"]
    assert (listed["file"] == str(tmp_path / "bad.json")).all()
