"""Every predictions loader: a good file read exactly, each bad input one clear message."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning
from workbench.evaluate import load_predictions


@pytest.fixture
def catalog(tmp_path) -> Catalog:
    """Three images of different, non-square sizes, two classes."""
    folder = tmp_path / "data" / "images"
    folder.mkdir(parents=True)
    sizes = {"1": (40, 20), "2": (30, 60), "3": (50, 50)}
    for name, (w, h) in sizes.items():
        Image.new("RGB", (w, h)).save(folder / f"img_{name}.png")
    samples = pd.DataFrame({"filepath": [str(folder / f"img_{n}.png") for n in sizes],
                            "width": [w for w, _ in sizes.values()],
                            "height": [h for _, h in sizes.values()]},
                           index=pd.Index(list(sizes), name="sample_id"))
    return Catalog(samples, classes=["cat", "dog"], task="detection",
                   objects=pd.DataFrame({"sample_id": ["1"], "label": ["cat"], "x": 0.1,
                                         "y": 0.1, "w": 0.5, "h": 0.5}))


def test_unknown_scheme_lists_the_known_ones(catalog):
    with pytest.raises(DataError, match="Unknown predictions scheme 'boxes'.*coco-results"):
        load_predictions("boxes:x.json", catalog)
    with pytest.raises(DataError, match="does not exist"):
        load_predictions("probs:nowhere.csv", catalog)


def test_probs_by_sample_id_and_by_filepath(catalog, tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame({"sample_id": ["3", "1", "2"], "dog": [0.1, 0.8, 0.5],
                  "cat": [0.9, 0.2, 0.5]}).to_csv(path, index=False)
    pred = load_predictions(f"probs:{path}", catalog)
    assert list(pred.scores.columns) == ["cat", "dog"]  # the Catalog's class order
    assert pred.scores.loc["1"].tolist() == [0.2, 0.8]
    assert pred.scores.loc["3"].tolist() == [0.9, 0.1]
    parquet = tmp_path / "p.parquet"
    pd.DataFrame({"filepath": ["images/img_2.png"], "cat": [0.3], "dog": [0.7]}).to_parquet(
        parquet)
    pred = load_predictions(f"probs:{parquet}", catalog)
    assert pred.scores.index.tolist() == ["2"] and pred.scores.loc["2", "dog"] == 0.7


def test_probs_label_and_score_spreads_the_rest_and_says_so(catalog, tmp_path):
    path = tmp_path / "top1.csv"
    pd.DataFrame({"sample_id": ["1", "2"], "label": ["dog", "cat"], "score": [0.9, 0.6]}
                 ).to_csv(path, index=False)
    with pytest.warns(DataWarning, match="only the top label"):
        pred = load_predictions(f"probs:{path}", catalog)
    np.testing.assert_allclose(pred.scores.loc["1"], [0.1, 0.9])
    np.testing.assert_allclose(pred.scores.loc["2"], [0.6, 0.4])


@pytest.mark.parametrize("table, message", [
    ({"sample_id": ["1", "9"], "cat": [0.5, 0.5], "dog": [0.5, 0.5]},
     r"1 rows name images this dataset does not have, e.g. sample_id '9' \(lines 3\)"),
    ({"sample_id": ["1"], "cat": [0.5], "dog": [0.5], "bird": [0.1]},
     r"columns 'bird' that are not classes"),
    ({"sample_id": ["1"], "cat": [0.5]}, r"no score column for 'dog'"),
    ({"sample_id": ["1", "2"], "cat": [1.5, 0.5], "dog": [0.5, 0.5]},
     r"1 scores outside \[0, 1\].*lines 2\).*softmax"),
    ({"image": ["1"], "cat": [0.5], "dog": [0.5]}, r"neither a 'sample_id' nor a 'filepath'"),
    ({"sample_id": ["1", "1"], "cat": [0.5, 0.5], "dog": [0.5, 0.5]}, r"listed twice"),
    ({"sample_id": ["1"], "label": ["bird"], "score": [0.5]}, r"classes this dataset does not "
     r"have: 'bird'"),
])
def test_probs_bad_input(catalog, tmp_path, table, message):
    path = tmp_path / "bad.csv"
    pd.DataFrame(table).to_csv(path, index=False)
    with pytest.raises(DataError, match=message) as error:
        load_predictions(f"probs:{path}", catalog)
    assert "bad.csv" in str(error.value)


def write_results(path, results):
    path.write_text(json.dumps(results))
    return f"coco-results:{path}"


def test_coco_results_in_pixels_become_relative_boxes(catalog, tmp_path):
    spec = write_results(tmp_path / "r.json", [
        {"image_id": 1, "category_id": 2, "bbox": [4, 2, 20, 10], "score": 0.8},
        {"image_id": "2", "category_id": 1, "bbox": [0, 6, 15, 30], "score": 0.3}])
    objects = load_predictions(spec, catalog).objects.set_index("sample_id")
    # image 1 is 40 x 20: x 4/40, y 2/20, w 20/40, h 10/20; category 2 is the 2nd class.
    assert objects.loc["1", ["x", "y", "w", "h"]].tolist() == [0.1, 0.1, 0.5, 0.5]
    assert objects.loc["1", "label"] == "dog"
    # image 2 is 30 x 60 (taller than wide): a mix-up of width and height would fail.
    assert objects.loc["2", ["x", "y", "w", "h"]].tolist() == [0.0, 0.1, 0.5, 0.5]
    assert objects.loc["2", "label"] == "cat" and objects.loc["2", "score"] == 0.3


def test_coco_results_categories_named_by_the_ground_truth_file(catalog, tmp_path):
    gt = tmp_path / "gt.json"
    gt.write_text(json.dumps({"images": [], "annotations": [],
                              "categories": [{"id": 17, "name": "cat"},
                                             {"id": 18, "name": "dog"}]}))
    spec = write_results(tmp_path / "r.json", [
        {"image_id": 3, "category_id": 18, "bbox": [0, 0, 10, 10], "score": 0.5}])
    assert load_predictions(f"{spec}:{gt}", catalog).objects["label"].tolist() == ["dog"]
    with pytest.raises(DataError, match="category ids 18 that name no class.*GT.json"):
        load_predictions(spec, catalog)


@pytest.mark.parametrize("result, message", [
    ({"image_id": 7, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 0.5},
     r"image ids 7 that this dataset does not have"),
    ({"image_id": 1, "category_id": 1, "bbox": [30, 0, 20, 5], "score": 0.5},
     r"reach outside their image, e.g. entry 0 on image '1' \(40x20 px\).*Clip"),
    ({"image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "score": 1.2},
     r"scores outside \[0, 1\]"),
    ({"image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5]}, r"lack one of image_id"),
])
def test_coco_results_bad_input(catalog, tmp_path, result, message):
    with pytest.raises(DataError, match=message):
        load_predictions(write_results(tmp_path / "r.json", [result]), catalog)


def test_yolo_predictions_with_confidences(catalog, tmp_path):
    folder = tmp_path / "labels"
    folder.mkdir()
    # image 2 is 30 x 60: a box 0.5 wide and 0.25 high, centred at (0.5, 0.5)
    (folder / "img_2.txt").write_text("1 0.5 0.5 0.5 0.25 0.75\n0 0.2 0.2 0.2 0.2 0.1\n")
    objects = load_predictions(f"yolo-pred:{folder}", catalog).objects
    first = objects.iloc[0]
    assert first["sample_id"] == "2" and first["label"] == "dog" and first["score"] == 0.75
    assert [first[c] for c in "xywh"] == pytest.approx([0.25, 0.375, 0.5, 0.25])
    (folder / "img_1.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    with pytest.raises(DataError, match="no confidence.*save_conf"):
        load_predictions(f"yolo-pred:{folder}", catalog)
    (folder / "img_1.txt").unlink()
    (folder / "other.txt").write_text("0 0.5 0.5 0.2 0.2 0.5\n")
    with pytest.raises(DataError, match="1 YOLO prediction files match no image.*other.txt"):
        load_predictions(f"yolo-pred:{folder}", catalog)


def test_mask_predictions_matched_by_name(catalog, tmp_path):
    folder = tmp_path / "pred"
    folder.mkdir()
    Image.fromarray(np.zeros((20, 40), np.uint8)).save(folder / "img_1.png")
    pred = load_predictions(f"masks-pred:{folder}", catalog)
    assert pred.masks.to_dict() == {"1": str(folder / "img_1.png")}
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(folder / "stray.png")
    with pytest.raises(DataError, match="1 predicted masks match no image.*stray.png"):
        load_predictions(f"masks-pred:{folder}", catalog)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="holds no PNG"):
        load_predictions(f"masks-pred:{empty}", catalog)


@pytest.mark.fiftyone
def test_fiftyone_field(catalog, fo):
    from workbench import browse
    from workbench.evaluate import Predictions

    dataset = browse.to_fiftyone(catalog)
    objects = pd.DataFrame({"sample_id": ["2"], "label": pd.Categorical(["dog"], ["cat", "dog"]),
                            "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4, "score": 0.6})
    browse.add_predictions(dataset, catalog, Predictions(catalog.classes, objects=objects))
    pred = load_predictions(f"fiftyone:{dataset.name}:predictions", catalog)
    row = pred.objects.iloc[0]
    assert row["sample_id"] == "2" and row["label"] == "dog" and row["score"] == 0.6
    assert [row[c] for c in "xywh"] == pytest.approx([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(DataError, match="no FiftyOne dataset named 'nope'"):
        load_predictions("fiftyone:nope:predictions", catalog)


def test_names_shared_by_two_images_are_refused(catalog, tmp_path):
    other = tmp_path / "data" / "more"
    other.mkdir()
    Image.new("RGB", (10, 10)).save(other / "img_1.png")
    samples = catalog.samples.copy()
    samples.loc["4"] = [str(other / "img_1.png"), 10, 10]
    twice = catalog.replace(samples=samples)
    folder = tmp_path / "pred"
    folder.mkdir()
    Image.fromarray(np.zeros((20, 40), np.uint8)).save(folder / "img_1.png")
    with pytest.raises(DataError, match="1 names belong to several images, e.g. 'img_1'"):
        load_predictions(f"masks-pred:{folder}", twice)
